"""The public statistics as raw tables: fetch (``ingestion.sources``), check the source's
drift and that the series does not end earlier than what the warehouse holds, validate
each table against its contract. Plain Python; the Dagster assets only call ``load`` and
write what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from ingestion import reference
from ingestion.sources import af_unemployment, drift, scb_he, scb_population
from ingestion.sources.fetch import Fetcher
from ingestion.validation.rules import in_registry
from ingestion.validation.validate import validate_raw


@dataclass(frozen=True)
class Statistic:
    """One source: the raw tables one fetch gives and the column its series runs along."""

    key: str  # the drift report's name for the source
    source: str  # named in every error
    tables: tuple[str, ...]
    period: str  # "year" or "month"
    fetch: Callable[[Fetcher, pd.DataFrame], tuple[pd.DataFrame, ...]]


STATISTICS = {
    "population": Statistic(
        "population", scb_population.SOURCE, ("population",), "year",
        lambda fetcher, municipalities: (scb_population.fetch_population(
            fetcher, list(municipalities["municipality_code"])),),
    ),
    "full_year_equivalents": Statistic(
        "full_year_equivalents", scb_he.SOURCE, ("full_year_equivalents", "he_population_share"),
        "year",
        lambda fetcher, municipalities: scb_he.fetch_full_year_equivalents(
            fetcher, list(municipalities["municipality_code"])),
    ),
    "unemployment": Statistic(
        "unemployment", af_unemployment.SOURCE, ("unemployment",), "month",
        lambda fetcher, municipalities: (af_unemployment.fetch_unemployment(
            fetcher, reference.municipality_code_lookup(municipalities)),),
    ),
}


class StatisticFailed(RuntimeError):
    """A fetch or check failed; ``report`` is the source's drift report, for the record."""

    def __init__(self, message: str, report: drift.SourceCheck) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Loaded:
    tables: dict[str, pd.DataFrame]  # raw table name → rows
    report: drift.SourceCheck
    series_end: object
    # The registry's codes as read once by ``load``: the fetch and ``validator`` see the
    # same registry.
    municipality_codes: list[str]


def load(statistic: Statistic, con: duckdb.DuckDBPyConnection) -> Loaded:
    """Drift report, fetch, and the series-end check against the table ``con`` holds; a
    failure is recorded in the drift state and raised, before anything is written."""
    fetcher = Fetcher.from_config()
    report = drift.check(statistic.key, fetcher)
    try:
        municipalities = reference.load_municipalities()
        codes = list(municipalities["municipality_code"])
        frames = statistic.fetch(fetcher, municipalities)
        first = statistic.tables[0]
        series_end = frames[0][statistic.period].max()
        previous = drift.previous_series_end(con, first, statistic.period)
        drift.check_series_end(statistic.source, f"raw.{first}", series_end, previous)
    except Exception as exc:
        drift.record_failure(statistic.key, str(exc))
        raise StatisticFailed(str(exc), report) from exc
    return Loaded(dict(zip(statistic.tables, frames, strict=True)), report, series_end, codes)


def validator(
    statistic: Statistic, table: str, codes: Sequence[str]
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The check of one table before it is written: its contract, and codes that exist
    (``codes``: the registry's, ``Loaded.municipality_codes``)."""
    return lambda frame: validate_raw(table, frame, statistic.source, [in_registry(codes)])

