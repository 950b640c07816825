"""The rules a column contract cannot state: across columns, across rows, across tables.

Each table's columns, types, allowed values and ranges are in the dbt YAML
(``ingestion.contracts``); what is here is checked by pandera only, never again by dbt.
``RAW_RULES`` run before a raw table is written, ``MODEL_RULES`` after dbt built a staging
model or mart. A rule that needs a producer's own logic (the report checks, the registry's
municipality codes) is passed in by that producer.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd
import pandera.pandas as pa

from ingestion.validation.schemas import rule

# Kronor of rounding allowed between an ideal and the shares it is computed from.
ROUNDING_SEK = 1.0


def _ordered(start: str, end: str) -> pa.Check:
    return rule(f"{start}_not_after_{end}", f"{start} must not be after {end}",
                lambda df: df[start].isna() | df[end].isna() | (df[start] <= df[end]),
                reads=(start, end))


def _starts_a_month(column: str) -> pa.Check:
    return rule(f"{column}_on_the_first", f"{column} must be the first day of a month",
                lambda df: pd.to_datetime(df[column]).dt.day == 1, reads=(column,))


def in_registry(codes: Collection[str]) -> pa.Check:
    """Municipality codes of a statistics table must be in data/reference (named check: an
    isin check would print all 290 codes in every message)."""
    known = frozenset(codes)
    return rule("in_registry", "municipality_code not in data/reference/municipalities.csv",
                lambda df: df["municipality_code"].isin(known))


RAW_RULES: dict[str, list[pa.Check]] = {
    "report_figures": [
        rule("flagged_rows_say_why",
             "a flagged or rejected row has check_messages, an ok row none",
             lambda df: (df["check_status"] != "ok") == df["check_messages"].notna()),
        _ordered("period_start", "period_end"),
        rule("extracted_rows_have_a_line", "an extracted figure names its line",
             lambda df: (df["origin"] == "override") | df["line"].notna()),
    ],
    "report_documents": [
        rule("failed_documents_say_why", "a failed document has an error, a loaded one none",
             lambda df: (df["status"] == "failed") == df["error"].notna()),
        rule("checks_passed_at_most_possible",
             "a document passes at most the arithmetic checks its figures allow",
             lambda df: ~(df["arithmetic_checks_passed"] > df["arithmetic_checks_possible"])),
        rule("an_id_only_for_a_match",
             "a loaded document says whether its association was recognised, and only a "
             "match has an id (unknown and ambiguous ones are never guessed)",
             lambda df: ((df["status"] != "loaded") | df["association_status"].notna())
             & ((df["association_status"] == "matched") == df["association_id"].notna())),
    ],
    "unemployment": [_starts_a_month("month")],
    "municipalities": [
        rule("county_is_the_code_prefix", "county_code is the first two digits of the code",
             lambda df: df["county_code"] == df["municipality_code"].str[:2]),
    ],
    "associations": [
        _ordered("founded", "dissolved"),
        rule("successor_is_another_association", "successor_id names another association",
             lambda df: df["successor_id"].isna()
             | (df["successor_id"].isin(set(df["association_id"]))
                & (df["successor_id"] != df["association_id"]))),
    ],
    "association_members": [_ordered("valid_from", "valid_to")],
    "municipalities_outside": [_ordered("valid_from", "valid_to")],
}


def _ideal_within_input_shares(df: pd.DataFrame) -> pd.Series:
    """The distributed part of an ideal is a weighted mean of the unit's two shares, so it
    lies between them: outside means broken weights or denominators."""
    base = (df["state_pot_sek"] - df["distributed_pot_sek"]) / df["n_base_amounts"]
    distributed = df["ideal_state_allocation_sek"] - base * df["base_amounts"]
    shares = df[["measure_share", "population_share"]]
    upper = df["distributed_pot_sek"] * shares.max(axis=1) + ROUNDING_SEK
    lower = df["distributed_pot_sek"] * shares.min(axis=1) - ROUNDING_SEK
    inside = (distributed <= upper) & (distributed >= lower)
    return df["ideal_state_allocation_sek"].isna() | inside


MODEL_RULES: dict[str, list[pa.Check]] = {
    "stg_reports__report_figures": [_ordered("period_start", "period_end")],
    "stg_af__unemployment": [_starts_a_month("month")],
    "stg_reference__associations": [_ordered("founded", "dissolved")],
    "stg_reference__association_members": [_ordered("valid_from", "valid_to")],
    "stg_reference__municipalities_outside": [_ordered("valid_from", "valid_to")],
    "dim_association": [
        rule("an_ended_association_has_no_members_today",
             "an association dissolved before today has no members today",
             lambda df: df["is_active"] | (df["n_member_municipalities"] == 0)),
    ],
    "fct_funding_vs_ideal": [
        rule("data_year_not_after_budget_year", "the statistics precede the budget year",
             lambda df: df["data_year"].isna() | (df["data_year"] <= df["year"])),
        rule("ideal_share_within_its_input_shares",
             "an ideal's distributed part lies between its measure and population shares",
             _ideal_within_input_shares),
        rule("gap_is_actual_minus_ideal", "funding_gap_sek = contribution_total - ideal",
             lambda df: df["funding_gap_sek"].isna()
             | ((df["funding_gap_sek"] - (df["contribution_total_sek"]
                                          - df["ideal_allocation_sek"])).abs() < ROUNDING_SEK)),
    ],
    "fct_intervention_costs": [
        rule("difference_is_budget_minus_outcome", "difference_sek = budget - outcome",
             lambda df: df["difference_sek"].isna()
             | ((df["difference_sek"] - (df["budget_sek"] - df["outcome_sek"])).abs()
                < ROUNDING_SEK)),
    ],
}


# Rules across the registry's tables: each returns the offending rows (empty when none).
def registry_problems(tables: dict[str, pd.DataFrame]) -> list[tuple[str, pd.DataFrame]]:
    """Every broken cross-table rule of data/reference, with the rows that break it."""
    municipalities = tables["municipalities"]
    associations = tables["associations"]
    members = tables["association_members"]
    outside = tables["municipalities_outside"]
    codes = set(municipalities["municipality_code"])
    ids = set(associations["association_id"])
    counties = set(municipalities["county_code"])
    return [
        ("county_code of an association is not a county of the registry",
         associations[~associations["county_code"].isin(counties)]),
        ("member of an unknown association", members[~members["association_id"].isin(ids)]),
        ("unknown municipality_code", members[~members["municipality_code"].isin(codes)]),
        ("unknown municipality_code", outside[~outside["municipality_code"].isin(codes)]),
        ("membership outside its association's founded-dissolved span",
         memberships_outside_span(members, associations)),
        ("municipality in two associations at once", _overlaps(members, "association_id")),
        ("municipality listed outside twice at once", _overlaps(outside, "source")),
        ("municipality both outside and a member on the same date",
         outside_while_member(members, outside)),
    ]


def _ends(rows: pd.DataFrame) -> list[date]:
    return [end or date.max for end in rows["valid_to"]]


def _overlaps(rows: pd.DataFrame, label: str) -> pd.DataFrame:
    """Rows of a municipality whose validity periods (valid_to inclusive) overlap."""
    periods = rows.assign(_end=_ends(rows)).reset_index()
    pairs = periods.merge(periods, on="municipality_code", suffixes=("", "_other"))
    overlap = pairs[
        (pairs["index"] < pairs["index_other"])
        & (pairs["valid_from"] <= pairs["_end_other"])
        & (pairs["valid_from_other"] <= pairs["_end"])
    ]
    flagged = set(overlap["index"]) | set(overlap["index_other"])
    return rows.loc[sorted(flagged), [label, "municipality_code", "valid_from"]]


def outside_while_member(members: pd.DataFrame, outside: pd.DataFrame) -> pd.DataFrame:
    """Membership rows that share a date with an outside row of the same municipality."""
    pairs = members.assign(_end=_ends(members)).merge(
        outside.assign(_end=_ends(outside)), on="municipality_code", suffixes=("", "_outside")
    )
    clash = (pairs["valid_from"] <= pairs["_end_outside"]) & (
        pairs["valid_from_outside"] <= pairs["_end"]
    )
    return pairs.loc[clash, ["association_id", "municipality_code", "valid_from", "valid_to",
                             "valid_from_outside", "valid_to_outside"]]


def memberships_outside_span(members: pd.DataFrame, associations: pd.DataFrame) -> pd.DataFrame:
    """Member rows that start before their association was founded or run past its end."""
    spans = associations.set_index("association_id")[["founded", "dissolved"]]
    rows = members.join(spans, on="association_id")
    before = rows["founded"].notna() & (rows["valid_from"] < rows["founded"])
    after = rows["dissolved"].notna() & (
        rows["valid_to"].isna() | (rows["valid_to"] > rows["dissolved"])
    )
    return rows.loc[before | after,
                    ["association_id", "municipality_code", "valid_from", "valid_to",
                     "founded", "dissolved"]]
