"""pandera schemas of the raw statistics tables (docs/architecture.md: raw.population,
raw.full_year_equivalents, raw.he_population_share, raw.unemployment).

Municipality codes must exist in the reference, counts are never negative, rates lie within
0–100 and there is one row per key. ``validate`` reports every failure at once, naming the
source and showing the offending rows, so a changed source fails here rather than in dbt.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

BENEFIT_TYPES = [
    "sickness_benefit",
    "sickness_compensation",
    "activity_compensation",
    "sickness_and_activity_compensation",
    "unemployment_benefit",
    "activity_support",
    "establishment_benefit",
    "social_assistance",
    "total",
]
MEASURES = ["open_unemployed", "in_programme", "registered_unemployed", "long_term_unemployed"]
SEXES = ["total", "women", "men"]
AGE_BAND = r"\d{1,2}-\d{2,3}"


class RawValidationError(ValueError):
    pass


def _common(codes: Collection[str]) -> dict[str, pa.Column]:
    return {
        "municipality_code": pa.Column(str, _in_reference(codes)),
        "source": pa.Column(str, pa.Check.str_length(min_value=1)),
        "is_sample": pa.Column(bool),
    }


def _in_reference(codes: Collection[str]) -> pa.Check:
    known = frozenset(codes)
    # A named check: pandera's isin would print all 290 codes in every message.
    return pa.Check(
        lambda s: s.isin(known),
        name="in_reference",
        error="municipality_code not in data/reference/municipalities.csv",
    )


def _year() -> pa.Column:
    return pa.Column(int, pa.Check.in_range(1968, 2100))


def population_schema(codes: Collection[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **_common(codes),
            "year": _year(),
            "age": pa.Column(int, pa.Check.in_range(0, 100)),
            "sex": pa.Column(str, pa.Check.isin(["women", "men"])),
            "population": pa.Column("int64", pa.Check.ge(0)),
        },
        unique=["municipality_code", "year", "age", "sex"],
        strict=True,
        name="raw.population",
    )


def full_year_equivalents_schema(codes: Collection[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **_common(codes),
            "year": _year(),
            "sex": pa.Column(str, pa.Check.isin(SEXES)),
            "benefit_type": pa.Column(str, pa.Check.isin(BENEFIT_TYPES)),
            "full_year_equivalents": pa.Column(float, pa.Check.ge(0), nullable=True),
        },
        unique=["municipality_code", "year", "sex", "benefit_type"],
        strict=True,
        name="raw.full_year_equivalents",
    )


def he_population_share_schema(codes: Collection[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            **_common(codes),
            "year": _year(),
            "sex": pa.Column(str, pa.Check.isin(SEXES)),
            "age_band": pa.Column(str, pa.Check.str_matches(AGE_BAND)),
            "population": pa.Column("Int64", pa.Check.ge(0), nullable=True),
            "share_pct": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        },
        unique=["municipality_code", "year", "sex", "age_band"],
        strict=True,
        name="raw.he_population_share",
    )


def unemployment_schema(codes: Collection[str]) -> pa.DataFrameSchema:
    first_of_month = pa.Check(
        lambda s: s.map(lambda v: isinstance(v, date) and v.day == 1),
        element_wise=False,
        error="month must be a date on the first day of the month",
    )
    return pa.DataFrameSchema(
        {
            **_common(codes),
            "month": pa.Column(object, first_of_month),
            "age_band": pa.Column(str, pa.Check.str_matches(AGE_BAND)),
            "sex": pa.Column(str, pa.Check.isin(SEXES)),
            "measure": pa.Column(str, pa.Check.isin(MEASURES)),
            "persons": pa.Column("Int64", pa.Check.ge(0), nullable=True),
            # A 12-month mean published with decimals: never rounded (sources.md §4b).
            "labour_force": pa.Column(float, pa.Check.ge(0), nullable=True),
            "share_pct": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        },
        unique=["municipality_code", "month", "age_band", "sex", "measure"],
        strict=True,
        name="raw.unemployment",
    )


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str) -> pd.DataFrame:
    """Validate lazily; on failure raise RawValidationError naming the source and rows."""
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        rows = pd.to_numeric(cases["index"], errors="coerce").dropna().astype(int).unique()
        # ``source`` (often a long URL) is left out of the listing; the message names it.
        offending = frame.loc[frame.index.intersection(rows)].drop(
            columns="source", errors="ignore"
        )
        offending = offending.head(10)
        summary = cases[["column", "check", "failure_case"]].drop_duplicates().head(20)
        raise RawValidationError(
            f"{source}: {schema.name} failed ({len(cases)} failure case(s)):\n"
            f"{summary.to_string(index=False)}\noffending rows:\n"
            f"{offending.to_string(index=False) if len(offending) else '(table-level failure)'}"
        ) from exc
