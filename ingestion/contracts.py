"""Every table's contract, read from the one place it is written: the dbt YAML.

A raw table is a dbt source (``dbt_project/models/staging/__sources.yml``), a model has its
YAML beside its SQL. Each column there has its ``data_type``, its description and, in
``meta``, what values it may hold (``not_null``, ``accepted_values``, ``pattern``, ``min``,
``max``) and, for the marts the exports publish, its Swedish and English labels. A table's
grain is its ``meta.grain`` (sources) or its ``primary_key`` / ``unique`` test
(models). The pandera schemas (``ingestion.validation``), the exports (``outputs.marts``),
the test helpers and the generated parts of the docs all read their columns from here, so a
column is added or renamed in one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ingestion import config

MODELS_DIR = config.DBT_PROJECT_DIR / "models"
SOURCES_FILE = MODELS_DIR / "staging" / "__sources.yml"
# Added by ingestion.warehouse.write_table, not by the code that builds a raw frame.
WRITTEN_BY_WAREHOUSE = "loaded_at"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    meta: dict[str, Any] = field(default_factory=dict)
    constraints: tuple[str, ...] = ()  # dbt constraint types, enforced on a contracted model

    @property
    def not_null(self) -> bool:
        """A raw column says so in ``meta`` (pandera checks it); a mart column by an
        enforced ``not_null`` constraint (DuckDB refuses the null when dbt builds it)."""
        return bool(self.meta.get("not_null", False)) or "not_null" in self.constraints


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    enforced: bool = False  # dbt checks the built table's column types against the contract

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def raw_table(name: str) -> Table:
    """The contract of ``raw.<name>`` (a dbt source table)."""
    try:
        return _raw_tables()[name]
    except KeyError:
        raise KeyError(f"no raw table {name!r} in {SOURCES_FILE}") from None


def raw_table_names() -> list[str]:
    return list(_raw_tables())


def written_columns(name: str) -> list[Column]:
    """The columns the code that builds a raw frame writes (not ``loaded_at``)."""
    return [c for c in raw_table(name).columns if c.name != WRITTEN_BY_WAREHOUSE]


# The pandas dtype a raw frame holds for each column type (text: objects, so a missing value
# is None; dates: datetime.date objects, so DuckDB stores DATE). Staging casts every column
# to its type, so an all-null column of any type reads right.
_FRAME_DTYPES = {"varchar": "object", "double": "float64", "bigint": "Int64", "integer": "Int64",
                 "boolean": "boolean"}


def raw_frame(name: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """``records`` as a frame of ``raw.<name>``: the contract's columns in its order and
    types; a field a record lacks is null, a field the contract lacks is an error."""
    columns = written_columns(name)
    names = [c.name for c in columns]
    unknown = {key for record in records for key in record} - set(names)
    if unknown:
        raise KeyError(f"raw.{name} has no column(s) {sorted(unknown)}")
    frame = pd.DataFrame.from_records(records, columns=names)
    for column in columns:
        if column.data_type == "date":
            frame[column.name] = as_dates(frame[column.name])
        else:
            frame[column.name] = frame[column.name].astype(_FRAME_DTYPES[column.data_type])
    return frame


def as_dates(values: pd.Series) -> list[date | None]:
    """Dates (ISO text, timestamps or dates) as ``datetime.date`` objects, a missing one as
    None: what a raw frame holds for a DATE column."""
    return [None if pd.isna(day) else day.date() for day in pd.to_datetime(values)]


def model(name: str) -> Table:
    """The contract of a dbt model (staging, intermediate or mart)."""
    try:
        return _models()[name]
    except KeyError:
        raise KeyError(f"no model {name!r} documented under {MODELS_DIR}") from None


def models_in(folder: str) -> list[Table]:
    """The models of one layer folder (``staging``, ``intermediate``, ``marts``), by name."""
    return [table for path, table in sorted(_model_paths().items()) if path.parent.name == folder]


def exported_marts() -> list[Table]:
    """The marts whose YAML has an export section (``config.meta.export``: sheet, position,
    filters; each column's ``meta``: labels and kind), in their workbook order."""
    exported = [table for table in models_in("marts") if "export" in table.meta]
    return sorted(exported, key=lambda table: table.meta["export"]["position"])


@cache
def _raw_tables() -> dict[str, Table]:
    document = _load(SOURCES_FILE)
    return {
        table["name"]: _table(table, tuple((table.get("meta") or {}).get("grain", ())))
        for source in document.get("sources", [])
        for table in source.get("tables", [])
    }


@cache
def _model_paths() -> dict[Path, Table]:
    found: dict[Path, Table] = {}
    for path in sorted(MODELS_DIR.rglob("*.yml")):
        for entry in _load(path).get("models", []) or []:
            found[path.with_name(entry["name"])] = _table(entry, _model_grain(entry))
    return found


@cache
def _models() -> dict[str, Table]:
    return {table.name: table for table in _model_paths().values()}


def _table(entry: dict[str, Any], grain: tuple[str, ...]) -> Table:
    columns = tuple(
        Column(
            name=column["name"],
            data_type=column.get("data_type", ""),
            description=" ".join(str(column.get("description", "")).split()),
            meta=column.get("meta") or {},
            constraints=tuple(c["type"] for c in column.get("constraints") or []),
        )
        for column in entry.get("columns", []) or []
    )
    return Table(
        name=entry["name"],
        description=" ".join(str(entry.get("description", "")).split()),
        columns=columns,
        grain=grain,
        meta=(entry.get("config") or {}).get("meta") or entry.get("meta") or {},
        enforced=bool(((entry.get("config") or {}).get("contract") or {}).get("enforced")),
    )


def _model_grain(entry: dict[str, Any]) -> tuple[str, ...]:
    """A model's grain from its tests: its primary_key, else a unique column."""
    for test in entry.get("data_tests", []) or []:
        if isinstance(test, dict) and "primary_key" in test:
            arguments = test["primary_key"].get("arguments", test["primary_key"])
            return tuple(arguments["columns"])
    for column in entry.get("columns", []) or []:
        if "unique" in (column.get("data_tests") or []):
            return (column["name"],)
    return ()


# libyaml's safe loader where PyYAML's wheel has it (the same documents, ten times faster):
# every model's YAML is read whenever the definitions load, 0.2 s in pure Python.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_YAML_LOADER) or {}
