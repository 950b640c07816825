"""The public statistics as raw tables: fetch (``ingestion.sources``), check the source's
drift and that the series does not end earlier than what the warehouse holds, validate
each table against its contract. Plain Python; the Dagster assets only call ``load`` and
write what it returns.

HE has two sources, SCB (TAB1386) and Kolada: ``FINSAM_HE_SOURCE`` names the one that feeds
raw.full_year_equivalents and raw.he_population_share; the other is fetched too, the two are
compared (raw.source_comparison), and when the chosen one fails the other feeds the tables
and the run says so (the asset's metadata, the log, ``finsam sources check``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from ingestion import config, reference
from ingestion.sources import (
    af_unemployment,
    comparison,
    drift,
    kolada,
    scb_he,
    scb_population,
)
from ingestion.sources.errors import SourceError
from ingestion.sources.fetch import Fetcher
from ingestion.validation.rules import in_registry
from ingestion.validation.validate import validate_raw

LOG = logging.getLogger(__name__)


@dataclass
class Fetched:
    """What a fetch gives: a frame per raw table, what the run must say (a fallback), and
    the drift keys of further sources that failed in it (recorded as their failures)."""

    frames: tuple[pd.DataFrame, ...]
    notes: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # drift key → error
    used: str | None = None  # drift key of the source the frames come from (None: its own)


@dataclass(frozen=True)
class Statistic:
    """One source: the raw tables one fetch gives and the column its series runs along."""

    key: str  # the drift report's name for the source
    source: str  # named in every error
    tables: tuple[str, ...]
    period: str  # "year" or "month"
    fetch: Callable[[Fetcher, pd.DataFrame], Fetched]
    # Drift reports of the other sources the fetch reads (Kolada beside SCB's HE).
    checks: tuple[str, ...] = ()


# The names of the two HE sources and their drift keys, by FINSAM_HE_SOURCE value.
HE_SOURCES = {"scb": scb_he.SOURCE, "kolada": kolada.SOURCE}
HE_DRIFT_KEYS = {"scb": "full_year_equivalents", "kolada": "kolada"}


def fetch_he(fetcher: Fetcher, municipalities: pd.DataFrame,
             today: date | None = None) -> Fetched:
    """raw.full_year_equivalents and raw.he_population_share from the source
    ``config.he_source()`` names, or from the other when it fails (the note says so), and
    raw.source_comparison of the two (empty when one failed). Both failing is an error
    naming both."""
    codes = list(municipalities["municipality_code"])
    last_year = (today or date.today()).year - 1
    frames: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    errors: dict[str, str] = {}
    kolada_long = None
    try:
        frames["scb"] = scb_he.fetch_full_year_equivalents(fetcher, codes)
    except SourceError as exc:
        errors["scb"] = str(exc)
    try:
        kolada_long = kolada.fetch_kolada(fetcher, codes, kolada.years_to_ask(last_year))
        frames["kolada"] = kolada.to_full_year_equivalents(kolada_long)
    except SourceError as exc:
        errors["kolada"] = str(exc)
    chosen = config.he_source()
    other = next(name for name in HE_SOURCES if name != chosen)
    notes: list[str] = []
    failed = {HE_DRIFT_KEYS[name]: error for name, error in errors.items()}
    if chosen in frames:
        used = chosen
    elif other in frames:
        used = other
        notes.append(f"{HE_SOURCES[chosen]} failed ({errors[chosen]}); {HE_SOURCES[other]} fed "
                     "raw.full_year_equivalents and raw.he_population_share instead")
    else:
        raise SourceError(HE_SOURCES[chosen], "both HE sources",
                          f"both failed: {errors[chosen]} | {errors[other]}")
    if chosen in frames and other in errors:
        notes.append(f"{HE_SOURCES[other]} failed ({errors[other]}): no comparison tonight")
    source_comparison = pd.DataFrame(columns=comparison.COLUMNS)
    if kolada_long is not None and "scb" in frames:
        try:
            population = scb_population.fetch_population(fetcher, codes)
        except SourceError as exc:
            population = None
            notes.append(f"population 16-64 not compared: {exc}")
        source_comparison = comparison.compare(kolada_long, *frames["scb"], population)
        notes.append("SCB against Kolada: " + comparison.summary(
            source_comparison, config.source_disagreement_pct()))
    return Fetched((*frames[used], source_comparison), notes, failed, HE_DRIFT_KEYS[used])


STATISTICS = {
    "population": Statistic(
        "population", scb_population.SOURCE, ("population",), "year",
        lambda fetcher, municipalities: Fetched((scb_population.fetch_population(
            fetcher, list(municipalities["municipality_code"])),)),
    ),
    "full_year_equivalents": Statistic(
        "full_year_equivalents", scb_he.SOURCE,
        ("full_year_equivalents", "he_population_share", "source_comparison"), "year",
        fetch_he, checks=("kolada",),
    ),
    "unemployment": Statistic(
        "unemployment", af_unemployment.SOURCE, ("unemployment",), "month",
        lambda fetcher, municipalities: Fetched((af_unemployment.fetch_unemployment(
            fetcher, reference.municipality_code_lookup(municipalities)),)),
    ),
}


def comparison_lines(fetcher: Fetcher, limit: int = 10) -> list[str]:
    """``finsam sources check``'s part on HE: which source feeds the model, and SCB against
    Kolada per municipality and year (the disagreements above the threshold, named)."""
    chosen = config.he_source()
    lines = [f"HE feeding the model: {HE_SOURCES[chosen]} (FINSAM_HE_SOURCE={chosen}; the "
             "other source takes over when it fails)"]
    municipalities = reference.load_municipalities()
    try:
        fetched = fetch_he(fetcher, municipalities)
    except SourceError as exc:
        return [*lines, f"SCB against Kolada: unknown ({exc})"]
    lines += [f"  {note}" for note in fetched.notes]
    large = comparison.disagreements(fetched.frames[-1], config.source_disagreement_pct())
    names = dict(zip(municipalities["municipality_code"], municipalities["municipality_name"],
                     strict=True))
    return lines + [f"  differs: {line}" for line in comparison.describe(large, names, limit)]


@dataclass(frozen=True)
class Verdict:
    passed: bool
    description: str
    rows: list[dict[str, object]]


def comparison_verdict(frame: pd.DataFrame, limit: int = 20) -> Verdict:
    """The nightly check of raw.source_comparison: fails (a warning) naming each
    municipality and year where SCB and Kolada differ by more than the threshold, or when
    nothing could be compared (one source failed)."""
    threshold = config.source_disagreement_pct()
    if frame.empty:
        return Verdict(False, "nothing compared: SCB or Kolada failed in this run (the "
                       "full_year_equivalents asset's source_notes say which)", [])
    large = comparison.disagreements(frame, threshold)
    if large.empty:
        return Verdict(True, comparison.summary(frame, threshold), [])
    municipalities = reference.load_municipalities()
    names = dict(zip(municipalities["municipality_code"], municipalities["municipality_name"],
                     strict=True))
    lines = comparison.describe(large, names, limit)
    rows = large.head(limit)[["municipality_code", "year", "measure", "scb_value",
                              "kolada_value", "difference_pct"]]
    return Verdict(False, comparison.summary(frame, threshold) + ":\n" + "\n".join(lines),
                   rows.astype(object).where(rows.notna(), None).to_dict("records"))


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
    failure is recorded in the drift state and raised, before anything is written. The
    drift reports of the statistic's other sources are recorded here (good or failed): the
    asset records only its own."""
    fetcher = Fetcher.from_config()
    report = drift.check(statistic.key, fetcher)
    reports = {key: drift.check(key, fetcher) for key in statistic.checks}
    try:
        municipalities = reference.load_municipalities()
        codes = list(municipalities["municipality_code"])
        fetched = statistic.fetch(fetcher, municipalities)
        first = statistic.tables[0]
        series_end = fetched.frames[0][statistic.period].max()
        previous = drift.previous_series_end(con, first, statistic.period)
        drift.check_series_end(statistic.source, f"raw.{first}", series_end, previous)
    except Exception as exc:
        drift.record_failure(statistic.key, str(exc))
        raise StatisticFailed(str(exc), report) from exc
    # The report the asset records as good is the one of the source the rows came from;
    # every other source's outcome is recorded here.
    reports[statistic.key] = report
    used = reports[fetched.used or statistic.key]
    for key, other in reports.items():
        if key in fetched.failed:
            drift.record_failure(key, fetched.failed[key])
        elif other is not used:
            drift.record_success(other, None)
        if other is not used:
            used.notes.append("; ".join(line.strip() for line in other.lines()))
    used.notes[:0] = fetched.notes
    for note in fetched.notes:
        LOG.warning(note)
    tables = dict(zip(statistic.tables, fetched.frames, strict=True))
    return Loaded(tables, used, series_end, codes)


def validator(
    statistic: Statistic, table: str, codes: Sequence[str]
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The check of one table before it is written: its contract, and codes that exist
    (``codes``: the registry's, ``Loaded.municipality_codes``)."""
    return lambda frame: validate_raw(table, frame, statistic.source, [in_registry(codes)])

