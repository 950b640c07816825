"""pandera schemas built from the table contracts in the dbt YAML (``ingestion.contracts``).

A raw table is checked in full before it is written, since dbt has not seen it yet: its
columns and types, nullability, allowed values, patterns, ranges and grain, all from the
source YAML, plus the table's cross-column and cross-row rules written in Python
(``ingestion.validation.rules``). A staging model or mart is checked after dbt built it:
dbt's contract and tests already hold its types, keys, allowed values and relationships, so
its pandera schema carries only what dbt does not check, the value ranges of the model YAML
(``meta.min`` / ``meta.max``) and the Python rules. No rule is checked by both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandas.api.types import infer_dtype

from ingestion.contracts import Column, Table, raw_table, written_columns

# How a column's DuckDB type is checked in a pandas frame (coerced where pandas can).
_DTYPES: dict[str, tuple[object, object]] = {
    # data_type: (dtype when the column may hold nulls, dtype when it may not); text and
    # dates are checked by a check of their own (_raw_column)
    "double": (float, float),
    "bigint": ("Int64", "int64"),
    "integer": ("Int64", "int64"),
    "boolean": ("boolean", bool),
}


def raw_schema(name: str, rules: Iterable[pa.Check] = ()) -> pa.DataFrameSchema:
    """The full schema of ``raw.<name>`` as its writer builds it (without ``loaded_at``)."""
    table = raw_table(name)
    return pa.DataFrameSchema(
        {column.name: _raw_column(column) for column in written_columns(name)},
        checks=list(rules),
        unique=list(table.grain) or None,
        strict=True,
        coerce=True,
        name=f"raw.{name}",
    )


def model_schema(table: Table, rules: Iterable[pa.Check] = ()) -> pa.DataFrameSchema:
    """What pandera adds to dbt for a staging model or mart: value ranges and rules."""
    ranged = {
        column.name: pa.Column(None, checks=_range_checks(column), nullable=True)
        for column in table.columns
        if _range_checks(column)
    }
    return pa.DataFrameSchema(ranged, checks=list(rules), name=table.name)


def rule(name: str, description: str, test: Callable[[pd.DataFrame], pd.Series],
         reads: Sequence[str] = ()) -> pa.Check:
    """A cross-column or cross-row rule: ``test`` gives True for each row that passes. A
    failure shows the rule's name and what it means. ``reads`` names the columns ``test``
    reads, so that the check of a built model reads only those (``ModelCheck.select``);
    left empty, the check reads every column."""
    check = pa.Check(test, name=name, error=f"{name}: {description}")
    check.reads = tuple(reads)
    return check


def _raw_column(column: Column) -> pa.Column:
    checks = _range_checks(column)
    if "accepted_values" in column.meta:
        checks.append(pa.Check.isin(column.meta["accepted_values"]))
    if "pattern" in column.meta:
        checks.append(pa.Check.str_matches(column.meta["pattern"]))
    nullable = not column.not_null
    if column.data_type == "varchar":
        checks.append(pa.Check(_is_text, name="is_text", error=f"{column.name} must hold text"))
        return pa.Column(None, checks=checks, nullable=nullable)
    if column.data_type == "date":
        # Writers give dates as datetime.date (so DuckDB stores DATE) or as pandas
        # timestamps at midnight; both are dates.
        checks.append(pa.Check(_is_date, element_wise=True, name="is_date",
                               error=f"{column.name} must hold dates"))
        return pa.Column(None, checks=checks, nullable=nullable)
    if column.data_type not in _DTYPES:
        raise ValueError(f"no pandas dtype for {column.name}: {column.data_type!r}")
    dtype = _DTYPES[column.data_type][0 if nullable else 1]
    return pa.Column(dtype, checks=checks, nullable=nullable)


def _range_checks(column: Column) -> list[pa.Check]:
    checks = []
    if "min" in column.meta:
        checks.append(pa.Check.ge(column.meta["min"]))
    if "max" in column.meta:
        checks.append(pa.Check.le(column.meta["max"]))
    return checks


def _is_text(series: pd.Series) -> bool | pd.Series:
    """Every value is a str (nulls are the nullable check's business). pandas tells a column
    of strings in one pass in C; only a column that is not is checked value by value, to
    name its rows. pandera's own ``str`` dtype checks every value in Python: ~0.5 s for a
    million values, seconds for each load of the statistics."""
    if infer_dtype(series, skipna=True) in ("string", "empty"):
        return True
    return series.map(lambda value: isinstance(value, str)) | series.isna()


def _is_date(value: object) -> bool:
    if isinstance(value, pd.Timestamp):
        return value == value.normalize()
    return isinstance(value, date)
