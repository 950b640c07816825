"""SCB's PxWebApi v2: URLs and the JSON-stat 2.0 reader shared by the SCB fetchers.

v2 is used rather than v1 because it serves data by GET (so conditional requests and the
cache work, unlike v1's POST) and because v1 table paths move. Both the metadata call and
the data call answer in JSON-stat 2.0; metadata is the same document without ``value``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import pandas as pd

# PxWebApi v2 refuses a call of more than 150 000 cells; the fetchers call once per year.
BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
SAMPLE_EXTENSION = "finsam_is_sample"


def metadata_url(table: str) -> str:
    return f"{BASE_URL}/tables/{table}/metadata"


def data_url(table: str) -> str:
    return f"{BASE_URL}/tables/{table}/data"


def metadata_params() -> dict[str, str]:
    return {"lang": "sv", "outputFormat": "json-stat2"}


def data_params(selection: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """GET parameters selecting ``selection``; variables left out are eliminated (summed)."""
    params = {"lang": "sv", "outputFormat": "json-stat2"}
    for variable, codes in selection.items():
        params[f"valueCodes[{variable}]"] = ",".join(codes)
    return params


@dataclass
class Dimension:
    code: str
    label: str
    codes: list[str]
    labels: dict[str, str]


@dataclass
class JsonStat:
    """A JSON-stat 2.0 dataset: dimensions in row-major order and the flat value list."""

    label: str
    dimensions: dict[str, Dimension]
    values: list[float | None]
    is_sample: bool = False
    notes: list[str] = field(default_factory=list)

    def require(self, variables: Iterable[str]) -> None:
        """Fail clearly when a variable the fetcher relies on is gone (a schema change)."""
        missing = [v for v in variables if v not in self.dimensions]
        if missing:
            raise ValueError(
                f"variable(s) {missing} missing from the table; it has {list(self.dimensions)}"
            )

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: a column of codes per dimension plus ``value``."""
        dims = list(self.dimensions.values())
        rows = list(product(*(d.codes for d in dims)))
        frame = pd.DataFrame(rows, columns=[d.code for d in dims])
        frame["value"] = pd.to_numeric(pd.Series(self.values, dtype="object"), errors="coerce")
        return frame


def parse_jsonstat(body: bytes, *, with_values: bool = True) -> JsonStat:
    """Parse a JSON-stat 2.0 dataset (``with_values=False`` for the metadata call)."""
    doc = json.loads(body)
    if doc.get("class") != "dataset" or "id" not in doc or "dimension" not in doc:
        raise ValueError("not a JSON-stat 2.0 dataset (class/id/dimension missing)")
    dimensions: dict[str, Dimension] = {}
    for code, size in zip(doc["id"], doc["size"], strict=True):
        category = doc["dimension"][code]["category"]
        index = category.get("index")
        if isinstance(index, dict):
            codes = sorted(index, key=index.__getitem__)
        elif isinstance(index, list):
            codes = list(index)
        else:  # a single-category dimension may omit the index
            codes = list(category.get("label", {}))
        if len(codes) != size:
            raise ValueError(f"dimension {code}: {len(codes)} categories but size {size}")
        labels = category.get("label", {})
        dimensions[code] = Dimension(
            code,
            doc["dimension"][code].get("label", code),
            codes,
            {c: labels.get(c, c) for c in codes},
        )
    values: list[float | None] = []
    if with_values:
        n_cells = 1
        for size in doc["size"]:
            n_cells *= size
        raw = doc.get("value")
        if isinstance(raw, dict):  # sparse form: {"<flat index>": value}
            values = [None] * n_cells
            for position, value in raw.items():
                values[int(position)] = value
        elif isinstance(raw, list):
            values = raw
        else:
            raise ValueError("dataset has no 'value'")
        if len(values) != n_cells:
            raise ValueError(f"{len(values)} values for {n_cells} cells (truncated?)")
    extension = doc.get("extension") or {}
    return JsonStat(
        label=doc.get("label", ""),
        dimensions=dimensions,
        values=values,
        is_sample=bool(extension.get(SAMPLE_EXTENSION, False)),
        notes=list(doc.get("note", [])),
    )


def fold(text: str) -> str:
    """Lower case with å/ä/ö folded, for matching labels and names."""
    return text.lower().translate(str.maketrans("åäöéü–", "aaoeu-")).strip()
