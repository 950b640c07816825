"""Population per municipality, year, single year of age and sex (SCB → raw.population).

Two tables make one series (sources.md §3, §4b): **TAB638** "Folkmängd efter region,
civilstånd, ålder och kön" ends with 2024; **TAB5557** continues it from 2025 with other
codes (content ``000007ME`` instead of ``BE0101N1``, sex total ``TotSa``, oldest age
``100+1``, a ``Civilstand`` total ``SC``). Each table's codes are read from its metadata:
the content code by its label "Folkmängd", the sexes by "män"/"kvinnor", the single ages
``0``…``99`` plus the open oldest age; any other variable with a total category (Civilstand
in TAB5557) is pinned to it, one without (Civilstand in TAB638) is left out so SCB sums it.
TAB638 gives every year up to its last, TAB5557 the years after: no year twice, and a gap
is an error. Folkmängd is counted on 31 December; one call per table and year stays under
the 150 000-cell limit (290 municipalities × 101 ages × 2 sexes = 58 580 cells).

Fails loudly: a missing content code, age or sex in the metadata, a dimension the response
splits that the parser does not know, or a year that yields no rows is an error naming the
table and year; the caller keeps the previous good table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ingestion.sources import pxweb
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher

SOURCE = "SCB population (TAB638, TAB5557)"
TABLES = ("TAB638", "TAB5557")  # history first, then its successor
CONTENT_LABEL = "Folkmängd"
FIRST_YEAR = 2014
VARIABLES = ("Region", "Alder", "Kon", "ContentsCode", "Tid")
# A response may split civilstånd although the query left it out: its parts add up.
SUMMABLE = ("Civilstand",)
COLUMNS = ["municipality_code", "year", "age", "sex", "population", "source", "provenance",
           "is_sample"]
# Words of a ContentsCode label that make it something else than the head count itself
# ("Folkökning", "Folkmängdsförändring", a share).
NOT_POPULATION_WORDS = {"okning", "folkokning", "forandring", "andel", "procent"}


@dataclass
class TablePlan:
    """What one table's metadata says the fetcher must ask for."""

    table: str
    content_code: str
    ages: dict[str, int]  # Alder code → age (100 = 100 and older)
    sexes: dict[str, str]  # Kon code → men/women
    regions: set[str]
    years: list[str]
    pinned: dict[str, str]  # other variables → their total category


def snapshot_name(table: str, year: str | None = None) -> str:
    return f"scb/{table}_metadata.json" if year is None else f"scb/{table}_{year}.json.gz"


def single_ages(dimension: pxweb.Dimension) -> dict[str, int]:
    """Alder codes of single years of age: ``0``…``99`` and the oldest (``100+``/``100+1``);
    age groups and totals (``-4``, ``TotSA``, ``100+5``) are left out."""
    ages = {}
    for code in dimension.codes:
        if re.fullmatch(r"\d{1,2}", code):
            ages[code] = int(code)
        elif re.fullmatch(r"100\+1?", code):
            ages[code] = 100
    missing = sorted(set(range(101)) - set(ages.values()))
    if missing or len(ages) != 101:
        raise ValueError(f"Alder lacks single year(s) of age {missing[:10]} (or repeats one)")
    return ages


def is_population_label(label: str) -> bool:
    """A content label meaning the head count: "Folkmängd", "folkmängd 31 december",
    "Folkmängd, antal" (not "Folkökning" nor a share)."""
    words = set(re.findall(r"[a-z]+", pxweb.fold(label)))
    return "folkmangd" in words and not words & NOT_POPULATION_WORDS


def plan_table(table: str, metadata: pxweb.JsonStat) -> TablePlan:
    metadata.require(VARIABLES)
    contents = metadata.dimensions["ContentsCode"]
    candidates = [code for code, label in contents.labels.items() if is_population_label(label)]
    if len(candidates) != 1:
        many = f"{len(candidates)} ContentsCodes" if candidates else "no ContentsCode"
        raise ValueError(
            f"{table}: {many} labelled {CONTENT_LABEL!r}; the table has {contents.labels}"
        )
    content_code = candidates[0]
    try:
        meanings = pxweb.sex_codes(metadata.dimensions["Kon"])
    except ValueError as exc:
        raise ValueError(f"{table}: {exc}") from None
    sexes = {code: meaning for code, meaning in meanings.items() if meaning != "total"}
    pinned = {}
    for code, dimension in metadata.dimensions.items():
        if code not in VARIABLES and (total := dimension.total_code()) is not None:
            pinned[code] = total
    return TablePlan(
        table=table,
        content_code=content_code,
        ages=single_ages(metadata.dimensions["Alder"]),
        sexes=sexes,
        regions=set(metadata.dimensions["Region"].codes),
        years=list(metadata.dimensions["Tid"].codes),
        pinned=pinned,
    )


def parse_metadata(table: str, body: bytes) -> TablePlan:
    return plan_table(table, pxweb.parse_metadata(body))


def parse_data(body: bytes, plan: TablePlan, year: str) -> pd.DataFrame:
    """One JSON-stat 2.0 response → rows of raw.population (``source`` still empty)."""
    dataset = pxweb.parse_jsonstat(body)
    dataset.require(VARIABLES)
    frame = dataset.without_extra_dimensions(VARIABLES, SUMMABLE)
    frame = frame[
        (frame["ContentsCode"] == plan.content_code)
        & frame["Alder"].isin(plan.ages)
        & frame["Kon"].isin(plan.sexes)
        & (frame["Tid"] == year)
    ]
    if frame.empty:
        raise ValueError(f"{plan.table} {year}: the response holds no population rows")
    if frame["value"].isna().any():
        raise ValueError(
            f"{plan.table} {year}: {int(frame['value'].isna().sum())} population cells are empty"
        )
    return pd.DataFrame(
        {
            "municipality_code": frame["Region"].astype(str),
            "year": frame["Tid"].astype(int),
            "age": frame["Alder"].map(plan.ages).astype(int),
            "sex": frame["Kon"].map(plan.sexes),
            "population": frame["value"].round().astype("int64"),
            "source": "",
            "provenance": dataset.provenance,
            "is_sample": dataset.is_sample,
        },
        columns=COLUMNS,
    )


def plans(fetcher: Fetcher) -> list[TablePlan]:
    """Each table's plan, from its metadata (history table first)."""
    result = []
    for table in TABLES:
        plan, _ = fetcher.get(
            SOURCE,
            pxweb.metadata_url(table),
            pxweb.metadata_params(),
            snapshot_name(table),
            lambda body, table=table: parse_metadata(table, body),
        )
        result.append(plan)
    return result


def schedule(table_plans: Sequence[TablePlan], first_year: int) -> list[tuple[TablePlan, str]]:
    """(table, year) to fetch: each table's years after the ones an earlier table covers, so
    the series has every year once; a gap is an error naming the missing years."""
    chosen: list[tuple[TablePlan, str]] = []
    covered = first_year - 1
    for plan in table_plans:
        years = sorted(int(y) for y in plan.years if int(y) > covered)
        chosen += [(plan, str(y)) for y in years]
        covered = max([covered, *years])
    years = [int(year) for _, year in chosen]
    gaps = sorted(set(range(first_year, max(years, default=first_year) + 1)) - set(years))
    if gaps or not years:
        tables = "/".join(plan.table for plan in table_plans)
        raise SourceFormatError(SOURCE, pxweb.metadata_url(table_plans[-1].table),
                                f"{tables}: no data for year(s) {gaps or [first_year]}")
    return chosen


def fetch_population(
    fetcher: Fetcher, municipality_codes: Sequence[str], first_year: int = FIRST_YEAR
) -> pd.DataFrame:
    """Every year from ``first_year`` that the tables hold, one request per table and year."""
    table_plans = plans(fetcher)
    frames = []
    for plan, year in schedule(table_plans, first_year):
        missing = sorted(set(municipality_codes) - plan.regions)
        if missing:
            raise SourceFormatError(SOURCE, pxweb.metadata_url(plan.table),
                                    f"{plan.table}: municipality code(s) {missing[:10]} not in "
                                    "its Region list")
        selection = {
            "Region": list(municipality_codes),
            "Alder": list(plan.ages),
            "Kon": list(plan.sexes),
            "ContentsCode": [plan.content_code],
            "Tid": [year],
            **{code: [total] for code, total in plan.pinned.items()},
        }
        frame, origin = fetcher.get(
            SOURCE,
            pxweb.data_url(plan.table),
            pxweb.data_params(selection),
            snapshot_name(plan.table, year),
            lambda body, plan=plan, year=year: parse_data(body, plan, year),
        )
        # The embedded snapshot holds every municipality; keep the ones asked for.
        frame = frame[frame["municipality_code"].isin(municipality_codes)]
        absent = sorted(set(municipality_codes) - set(frame["municipality_code"]))
        if absent:
            raise SourceFormatError(SOURCE, origin, f"{plan.table} {year}: no rows for "
                                    f"municipality code(s) {absent[:10]}")
        frames.append(frame.assign(source=origin))
    return pd.concat(frames, ignore_index=True)
