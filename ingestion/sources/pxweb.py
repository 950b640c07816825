"""SCB's PxWebApi v2: URLs, the JSON-stat 2.0 reader and the label rules shared by the SCB
fetchers.

v2 is used rather than v1 because it serves data by GET (so conditional requests and the
cache work, unlike v1's POST) and because v1 table paths move. Both the metadata call and
the data call answer in JSON-stat 2.0; metadata is the same document without ``value``.

Codes are never hard-coded where SCB's tables differ (sources.md §4b): the sex total is
``1+2`` in v1 and ``TotSa`` in v2 tables, content codes differ between TAB638 and its
successor TAB5557. The fetchers read them from each table's metadata, by what the labels
mean (``fold`` normalises case, whitespace, dashes and å/ä/ö first).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import prod

import numpy as np
import pandas as pd

from ingestion import config

# JSON-stat ``extension`` keys the embedded snapshot marks its bodies with (a live SCB body
# has neither: its figures are ``real``). ``finsam_provenance`` is one of PROVENANCES;
# ``finsam_is_sample: true`` alone (older snapshots) means ``sample``.
SAMPLE_EXTENSION = "finsam_is_sample"
PROVENANCE_EXTENSION = "finsam_provenance"
# How a figure came about: published by the source, derived from published figures of the
# same municipality and year (e.g. a real total spread over single ages), or sample data.
PROVENANCES = ("real", "derived from real", "sample")
# Every dash SCB's labels have been seen with (en dash in "20–64 år"), folded to "-".
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"


def metadata_url(table: str) -> str:
    return f"{config.scb_api_url()}/tables/{table}/metadata"


def data_url(table: str) -> str:
    return f"{config.scb_api_url()}/tables/{table}/data"


def metadata_params() -> dict[str, str]:
    return {"lang": "sv", "outputFormat": "json-stat2"}


def data_params(selection: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """GET parameters selecting ``selection``; variables left out are eliminated (summed)."""
    params = {"lang": "sv", "outputFormat": "json-stat2"}
    for variable, codes in selection.items():
        params[f"valueCodes[{variable}]"] = ",".join(codes)
    return params


def fold(text: str) -> str:
    """Lower case, å/ä/ö folded, every dash a hyphen, runs of whitespace one space."""
    text = text.lower().translate(str.maketrans("åäöéü" + DASHES, "aaoeu" + "-" * len(DASHES)))
    return re.sub(r"\s+", " ", text).strip()


def _words(label: str) -> list[str]:
    return re.findall(r"[a-z0-9+]+", fold(label))


def is_total_label(label: str) -> bool:
    """Whether a category label means "all of them": "totalt", "Totalt", "samtliga",
    "totalt, samtliga civilstånd", "alla", "båda könen", "män och kvinnor (totalt)"."""
    words = _words(label)
    if not words:
        return False
    if words[0] in {"total", "totalt", "totala", "samtliga", "alla", "summa"}:
        return True
    if "totalt" in words or "samtliga" in words or words[:2] == ["bada", "konen"]:
        return True
    # "män och kvinnor", "kvinnor och män" (with or without "totalt"): both sexes together
    return {"man", "kvinnor"} <= set(words) and "och" in words


def sex_meaning(label: str) -> str | None:
    """``men``/``women``/``total`` from a Kon label, or None for a label no rule knows."""
    if is_total_label(label):
        return "total"
    words = _words(label)
    if words in (["man"], ["men"], ["male"], ["males"], ["pojkar", "och", "man"]):
        return "men"
    if words in (["kvinnor"], ["kvinna"], ["women"], ["female"], ["females"]):
        return "women"
    return None


def age_band_of(text: str) -> str | None:
    """The age band ``A-B`` a code or label names ("20–64 år", "20 - 64", "20-64 år",
    "20 år–64 år" with any dash), or None."""
    match = re.search(r"(?<!\d)(\d{1,3})\s*(?:ar)?\s*-\s*(\d{1,3})(?!\d)", fold(text))
    return f"{int(match[1])}-{int(match[2])}" if match else None


@dataclass
class Dimension:
    code: str
    label: str
    codes: list[str]
    labels: dict[str, str]

    def total_code(self) -> str | None:
        """The category whose label says it is the total ("totalt, samtliga män och
        kvinnor", "totalt", "samtliga", "män och kvinnor"), whatever its code (``TotSa``,
        ``1+2``, ``SC``); None when there is none (or no single one)."""
        totals = [c for c in self.codes if is_total_label(self.labels[c])]
        return totals[0] if len(totals) == 1 else None

    def find(self, label: str) -> str | None:
        """The code whose folded label is ``label`` (folded), or None."""
        wanted = fold(label)
        return next((c for c in self.codes if fold(self.labels[c]) == wanted), None)


@dataclass
class JsonStat:
    """A JSON-stat 2.0 dataset: dimensions in row-major order and the flat value list."""

    label: str
    dimensions: dict[str, Dimension]
    values: list[float | None]
    provenance: str = "real"
    notes: list[str] = field(default_factory=list)

    @property
    def is_sample(self) -> bool:
        """True when the body's figures are not real published values."""
        return self.provenance != "real"

    def require(self, variables: Iterable[str]) -> None:
        """Fail clearly when a variable the fetcher relies on is gone (a schema change)."""
        missing = [v for v in variables if v not in self.dimensions]
        if missing:
            raise ValueError(
                f"variable(s) {missing} missing from the table; it has {list(self.dimensions)}"
            )

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: a column of codes per dimension plus ``value``. Row-major: the
        first dimension varies slowest (each code repeated over the cells after it)."""
        dims = list(self.dimensions.values())
        n_cells = prod(len(d.codes) for d in dims)
        columns, inner = {}, n_cells
        for dimension in dims:
            size = len(dimension.codes)
            inner //= size or 1
            outer = n_cells // (size * inner) if size and inner else 0
            codes = np.array(dimension.codes, dtype=object)
            columns[dimension.code] = np.tile(np.repeat(codes, inner), outer)
        frame = pd.DataFrame(columns, index=pd.RangeIndex(n_cells))
        try:  # numbers and nulls (the usual body) convert at once; None becomes NaN
            values = np.array(self.values, dtype="float64")
        except (TypeError, ValueError):  # a symbol such as ".." for a suppressed cell
            values = pd.to_numeric(pd.Series(self.values, dtype="object"), errors="coerce")
        frame["value"] = values
        return frame

    def without_extra_dimensions(
        self, expected: Iterable[str], summable: Iterable[str] = ()
    ) -> pd.DataFrame:
        """``to_frame`` with every dimension outside ``expected`` dealt with on purpose: a
        single category is dropped, a ``summable`` one (a partition such as Civilstand) is
        summed over its non-total categories, and any other is an error naming it."""
        expected, summable = set(expected), set(summable)
        frame = self.to_frame()
        extra = [code for code in self.dimensions if code not in expected]
        for code in extra:
            dimension = self.dimensions[code]
            if len(dimension.codes) == 1:
                continue
            if code not in summable:
                raise ValueError(
                    f"unexpected dimension {code} with {len(dimension.codes)} categories "
                    f"({dimension.codes[:5]}...); the parser handles {sorted(expected)}"
                )
            total = dimension.total_code()
            if total is not None:  # the parts are there too: drop the total, sum the parts
                frame = frame[frame[code] != total]
        if extra:
            keys = [code for code in self.dimensions if code in expected]
            # min_count=1: a cell empty in every part stays empty instead of becoming 0.
            frame = frame.groupby(keys, sort=False)["value"].sum(min_count=1).reset_index()
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
    return JsonStat(
        label=doc.get("label", ""),
        dimensions=dimensions,
        values=values,
        provenance=provenance_of(doc.get("extension") or {}),
        notes=list(doc.get("note", [])),
    )


def provenance_of(extension: Mapping[str, object]) -> str:
    """The provenance a body's ``extension`` states (``real`` when it states none)."""
    provenance = extension.get(PROVENANCE_EXTENSION)
    if provenance is None:
        return "sample" if extension.get(SAMPLE_EXTENSION) else "real"
    if provenance not in PROVENANCES:
        raise ValueError(f"extension {PROVENANCE_EXTENSION} {provenance!r} is not one of "
                         f"{PROVENANCES}")
    return str(provenance)


def parse_metadata(body: bytes) -> JsonStat:
    """A table's metadata response (dimensions only)."""
    return parse_jsonstat(body, with_values=False)


def sex_codes(dimension: Dimension) -> dict[str, str]:
    """Kon code → ``men``/``women``/``total`` by what the labels mean ("män", "kvinnor",
    "totalt", "män och kvinnor totalt", "samtliga"...). A label no rule knows, or two codes
    meaning the same, fail naming the labels found; men and women must both be there (the
    total may be missing: the callers then sum the parts)."""
    meanings = {code: sex_meaning(dimension.labels[code]) for code in dimension.codes}
    unknown = [dimension.labels[c] for c, meaning in meanings.items() if meaning is None]
    found = sorted(m for m in meanings.values() if m is not None)
    if unknown or len(found) != len(set(found)) or not {"men", "women"} <= set(found):
        problem = f"unknown label(s) {unknown}" if unknown else "not one each of män/kvinnor"
        raise ValueError(f"{dimension.code}: {problem}; the labels are {dimension.labels}")
    return meanings  # type: ignore[return-value]

