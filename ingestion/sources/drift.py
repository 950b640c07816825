"""Drift report of the statistics sources: is each source still what the parsers rely on?

``check`` asks a source for its metadata or file list only (no data): SCB's table metadata
(TAB638, TAB5557, TAB1386), Arbetsförmedlingen's statistics page, Kolada's KPI list. It
reports per source
whether it answered, its last period, whether every code and label the parsers rely on is
still there (the parsers' own metadata rules run on it), and what changed since the last
good run. The statistics assets record each run's outcome in ``source_state.json`` (the
last good state and the last failure) and attach the report to their Dagster metadata;
``finsam sources check`` prints it.

Also here: ``check_series_end``, the rule that a series may not stop earlier than the data
already in the warehouse (the previous good run).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingestion import config, reference
from ingestion.files import write_text_atomically
from ingestion.sources import af_unemployment, kolada, pxweb, scb_he, scb_population
from ingestion.sources.errors import SourceError, SourceFormatError
from ingestion.sources.fetch import Fetcher

KEYS = ("population", "full_year_equivalents", "unemployment", "kolada")
STATE_FILE = "source_state.json"


class SeriesShortenedError(SourceError):
    """A source's series now ends before the period the warehouse already holds."""


@dataclass
class SourceCheck:
    key: str
    source: str
    reachable: bool = True
    error: str | None = None
    last_period: str | None = None
    missing: list[str] = field(default_factory=list)  # what a parser relies on and is gone
    state: dict[str, object] = field(default_factory=dict)  # what is compared between runs
    changes: list[str] = field(default_factory=list)  # since the last good run
    last_good_at: str | None = None
    last_failure: str | None = None
    notes: list[str] = field(default_factory=list)  # what the run must say (a fallback)

    @property
    def ok(self) -> bool:
        return self.reachable and not self.missing

    def changes_text(self) -> str:
        """What changed since the last good run; "unknown" when the source did not answer
        (nothing can be compared, so "nothing" would be a claim we cannot make)."""
        if not self.reachable:
            return "unknown (the source did not answer)"
        if self.last_good_at is None:
            return "unknown (no good run recorded)"
        return "; ".join(self.changes) or "nothing"

    def metadata(self) -> dict[str, object]:
        """The report as Dagster metadata (plain values)."""
        return {
            "source_reachable": self.reachable,
            "source_last_period": self.last_period or ("" if self.reachable else "unknown"),
            "source_missing": ("; ".join(self.missing) or "none") if self.reachable
            else "unknown",
            "source_changes_since_last_good_run": self.changes_text(),
            **({"source_error": self.error} if self.error else {}),
            **({"source_notes": "\n".join(self.notes)} if self.notes else {}),
        }

    def lines(self) -> list[str]:
        status = "reachable" if self.reachable else f"NOT reachable: {self.error}"
        lines = [f"{self.source}: {status}"]
        if self.reachable:
            lines.append(f"  last period: {self.last_period or 'unknown'}")
            lines.append("  codes and labels the parsers rely on: "
                         + ("all present" if not self.missing else "MISSING " +
                            "; ".join(self.missing)))
        else:
            lines.append("  last period, codes and labels: unknown")
        since = f" ({self.last_good_at})" if self.last_good_at else ""
        lines.append(f"  changed since the last good run{since}: {self.changes_text()}")
        if self.last_failure:
            lines.append(f"  last failed run: {self.last_failure}")
        lines += [f"  {note}" for note in self.notes]
        return lines


def _metadata(fetcher: Fetcher, source: str, table: str) -> pxweb.JsonStat:
    # keep: the fetch that follows in the same load reads this metadata again.
    document, _ = fetcher.get(
        source,
        pxweb.metadata_url(table),
        pxweb.metadata_params(),
        scb_population.snapshot_name(table),
        pxweb.parse_metadata,
        keep=True,
    )
    return document


def _table_state(metadata: pxweb.JsonStat) -> dict[str, object]:
    dims = metadata.dimensions
    state: dict[str, object] = {"variables": list(dims)}
    for name in ("ContentsCode", "Kon", "Aldersgrupp", "Civilstand"):
        if name in dims:
            state[name] = dims[name].labels
    if "Tid" in dims:
        state["last_period"] = dims["Tid"].codes[-1] if dims["Tid"].codes else None
    if "Region" in dims:
        state["regions"] = len(dims["Region"].codes)
    return state


def _check_population(check: SourceCheck, fetcher: Fetcher) -> None:
    codes = list(reference.load_municipalities()["municipality_code"])
    for table in scb_population.TABLES:
        metadata = _metadata(fetcher, check.source, table)
        check.state[table] = state = _table_state(metadata)
        check.last_period = state.get("last_period") or check.last_period  # type: ignore
        try:
            plan = scb_population.plan_table(table, metadata)
        except ValueError as exc:
            check.missing.append(str(exc))
            continue
        absent = sorted(set(codes) - plan.regions)
        if absent:
            check.missing.append(f"{table}: municipality code(s) {absent[:10]} not in Region")


def _check_he(check: SourceCheck, fetcher: Fetcher) -> None:
    metadata = _metadata(fetcher, check.source, scb_he.TABLE)
    check.state[scb_he.TABLE] = _table_state(metadata)
    check.last_period = check.state[scb_he.TABLE].get("last_period")  # type: ignore[assignment]
    for name, rule in (
        ("variables", lambda: metadata.require(scb_he.VARIABLES)),
        ("ContentsCode", lambda: scb_he.content_meanings(metadata.dimensions["ContentsCode"])),
        ("Aldersgrupp", lambda: scb_he.age_code(metadata.dimensions["Aldersgrupp"])),
        ("Kon", lambda: scb_he.sexes(metadata.dimensions["Kon"])),
    ):
        try:
            rule()
        except (ValueError, KeyError) as exc:
            check.missing.append(f"{scb_he.TABLE} {name}: {exc}")


def _check_unemployment(check: SourceCheck, fetcher: Fetcher) -> None:
    # keep: the fetch that follows in the same load reads the page again.
    links = af_unemployment.page_links(fetcher, config.af_page_url(), keep=True)
    files = {kind: url.rsplit("/", 1)[-1] for kind, url in links.items()}
    check.state["files"] = files
    if match := af_unemployment.BAS_FILE.search(files["bas"]):
        check.last_period = f"{match[1]}-{match[2]} (file date)"
    if "reg" not in files:
        check.missing.append("no web-inskrivna-arbetslosa-andel-av-reg-… link (months before "
                             "the andel-av-bas file)")


def _check_kolada(check: SourceCheck, fetcher: Fetcher) -> None:
    # keep: the fetch that follows in the same load reads the KPI list again.
    titles, _ = fetcher.get(check.source, kolada.kpi_url(), None, kolada.snapshot_name(),
                            _kpi_titles, keep=True)
    check.state["titles"] = titles
    check.last_period = "not in Kolada's KPI list (read from the data)"
    try:
        kolada.parse_kpis(json.dumps({"values": [{"id": k, "title": t} for k, t in
                                                 titles.items()]}).encode())
    except ValueError as exc:
        check.missing.append(f"Kolada KPIs: {exc}")


def _kpi_titles(body: bytes) -> dict[str, str]:
    return {str(item.get("id")): str(item.get("title", ""))
            for item in json.loads(body).get("values", [])}


CHECKS: dict[str, tuple[str, Callable[[SourceCheck, Fetcher], None]]] = {
    "population": (scb_population.SOURCE, _check_population),
    "full_year_equivalents": (scb_he.SOURCE, _check_he),
    "unemployment": (af_unemployment.SOURCE, _check_unemployment),
    "kolada": (kolada.SOURCE, _check_kolada),
}


def check(key: str, fetcher: Fetcher | None = None) -> SourceCheck:
    """The drift report of one source (never raises: an unreachable source is reported)."""
    source, run = CHECKS[key]
    result = SourceCheck(key=key, source=source)
    try:
        run(result, fetcher or Fetcher.from_config())
    except SourceFormatError as exc:  # it answered, but not with what the parsers need
        result.missing.append(str(exc))
    except SourceError as exc:
        result.reachable, result.error = False, str(exc)
    recorded = load_state().get(key, {})
    good = recorded.get("last_good") or {}
    result.last_good_at = good.get("at")
    if good and result.reachable:
        result.changes = differences(good.get("state", {}), result.state)
    failure = recorded.get("last_failure") or {}
    if failure and (not good or failure.get("at", "") > good.get("at", "")):
        result.last_failure = f"{failure.get('at')}: {failure.get('error')}"
    return result


def differences(before: object, after: object, path: str = "") -> list[str]:
    """What changed between two recorded states, one line per change."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in after:
                changes.append(f"{where} removed (was {before[key]!r})"[:300])
            elif key not in before:
                changes.append(f"{where} added ({after[key]!r})"[:300])
            else:
                changes += differences(before[key], after[key], where)
        return changes
    return [] if before == after else [f"{path}: {before!r} → {after!r}"[:300]]


# --- state of the last good run and the last failure -----------------------------------

def state_path() -> Path:
    return config.data_dir() / STATE_FILE


def load_state() -> dict[str, dict]:
    try:
        return json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(state: dict[str, dict]) -> None:
    write_text_atomically(state_path(),
                          json.dumps(state, indent=1, ensure_ascii=False, default=str))


def _now() -> str:
    # Microseconds: a failure right after a success (the same second) must still sort after.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def record_success(result: SourceCheck, series_end: object) -> None:
    state = load_state()
    entry = state.setdefault(result.key, {})
    entry["last_good"] = {"at": _now(), "state": result.state, "series_end": str(series_end),
                          **({"notes": result.notes} if result.notes else {})}
    _save_state(state)


def record_failure(key: str, error: str) -> None:
    state = load_state()
    state.setdefault(key, {})["last_failure"] = {"at": _now(), "error": error}
    _save_state(state)


# --- the series may not shrink -----------------------------------------------------------

def previous_series_end(
    con: duckdb.DuckDBPyConnection, table: str, column: str
) -> int | date | None:
    """The last period already in ``raw.<table>`` (None when the table does not exist)."""
    try:
        return con.execute(f'select max("{column}") from raw."{table}"').fetchone()[0]
    except duckdb.CatalogException:
        return None


def check_series_end(source: str, table: str, new_end: object, previous_end: object) -> None:
    """Fail when the fetched series stops before the period the warehouse already holds."""
    if previous_end is not None and new_end is not None and new_end < previous_end:
        raise SeriesShortenedError(
            source, table,
            f"the series now ends in {new_end} but the previous good run reached "
            f"{previous_end}; the warehouse keeps the previous data",
        )


# --- finsam sources check -----------------------------------------------------------------

def check_command(argv: list[str]) -> int:
    """``finsam sources check``: print the drift report of every source; exit 1 when a
    source is unreachable or lacks something the parsers rely on."""
    if argv[:1] != ["check"]:
        print("usage: finsam sources check", file=sys.stderr)
        return 2
    fetcher = Fetcher.from_config()
    where = f"snapshot in {fetcher.snapshots_dir}" if fetcher.mode == "embedded" else "live"
    print(f"sources: {fetcher.mode} ({where})")
    results = [check(key, fetcher) for key in KEYS]
    for result in results:
        print("\n".join(result.lines()))
    # Imported here: ingestion.statistics imports this module.
    from ingestion import statistics

    print("\n".join(statistics.comparison_lines(fetcher)))
    return 0 if all(result.ok for result in results) else 1
