"""Faults a nightly refresh meets, each through the real refresh job run in this process
against a private data folder (tests/refresh_helpers.py):

1. a statistics source answering 500 for the whole run: the step fails and names the
   source, the sources that need no network still load, nothing is published;
2. a corrupt PDF and a zero-byte file among the report documents: each is reported, the
   other documents load (the report assets alone: dbt is not needed to show it);
3. impossible figures: a negative population count (rejected before dbt, the row named)
   and negative participants in a report (rejected while the report is read, an error
   naming document, page and line; the rest publishes);
4. SIGKILL mid-refresh: tests/test_refresh.py::test_killed_refresh_leaves_published_warehouse_intact
   (a real process is needed to kill one);
5. 20 analysts, each a process of its own, reading the published warehouse while a
   refresh replaces it: tests/test_refresh.py::test_refresh_command_publishes_under_open_readers
   (the end-to-end `finsam refresh` of the publish contract).

Each case starts from its own copy of the data folder of one successful refresh, shared by
the test session (and with tests/test_refresh.py).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from ingestion.sources import scb_population
from ingestion.sources.http import HttpClient
from orchestration.assets.reports import report_tables
from tests.refresh_helpers import (
    failure_report,
    file_digest,
    make_data_dir,
    materialized,
    run_refresh_in_process,
)

CORRUPT_PDF = "corrupt_report.pdf"
EMPTY_FILE = "empty_report.txt"
STATISTICS_ASSETS = ("population", "full_year_equivalents", "he_population_share",
                     "unemployment")


@contextmanager
def _replaced(path: Path, content: bytes) -> Iterator[None]:
    """Replace a file's bytes for the duration of a block (created if absent)."""
    original = path.read_bytes() if path.exists() else None
    path.write_bytes(content)
    try:
        yield
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_bytes(original)


def test_unreadable_documents_are_reported_and_the_others_load(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path / "data")
    documents = data_dir / "documents"
    # A PDF cut off after its header (as a failed download leaves it) and an empty file.
    (documents / CORRUPT_PDF).write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2")
    (documents / EMPTY_FILE).write_bytes(b"")
    result = run_refresh_in_process(data_dir, asset_selection=list(report_tables.keys))
    assert result.success, failure_report(result)
    with duckdb.connect(str(data_dir / "build" / "warehouse.duckdb"), read_only=True) as con:
        documents_table = con.execute(
            "select source, status, error from raw.report_documents order by source"
        ).fetchall()
        issues = con.execute(
            "select source from raw.report_issues where check_name = 'unreadable'"
        ).fetchall()
    by_name = {source.removeprefix("embedded:"): (status, error)
               for source, status, error in documents_table}
    assert by_name[CORRUPT_PDF][0] == "failed" and by_name[CORRUPT_PDF][1]
    # Named for what it is, not by whichever parser tripped over it.
    assert by_name[EMPTY_FILE][0] == "failed" and "empty" in by_name[EMPTY_FILE][1].lower()
    # Every real document still loads (the embedded samples each carry figures).
    real = sorted(p.name for p in documents.glob("sample_*.txt"))
    assert real and all(by_name[name] == ("loaded", None) for name in real)
    assert {s.removeprefix("embedded:") for (s,) in issues} >= {CORRUPT_PDF, EMPTY_FILE}


def test_source_answering_500_fails_the_refresh_but_not_the_others(
    refreshed: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    # The client's retries still happen, without their backoff pauses.
    monkeypatch.setattr(HttpClient, "_delay", lambda self, attempt, retry_after: 0.0)
    # Every HTTPS request of the live fetchers goes through this "proxy", which answers 500
    # to each of them (the tunnel is refused), for the whole run.
    httpserver.expect_request(re.compile(".*")).respond_with_data("unavailable", status=500)
    proxy = httpserver.url_for("/")
    result = run_refresh_in_process(refreshed, FINSAM_SOURCES="live", HTTPS_PROXY=proxy,
                                    https_proxy=proxy, NO_PROXY="", no_proxy="")
    assert not result.success
    report = failure_report(result)
    assert "unchanged" in report
    assert scb_population.SOURCE in report
    assert "Arbetsförmedlingen" in report
    assert len(httpserver.log) >= 3, "the fetchers never reached the failing source"
    assert file_digest(published) == digest
    done = materialized(result)
    # The sources that do not depend on the network still load in the same run.
    assert {"municipalities", "report_figures", "report_documents"} <= done
    assert not done & set(STATISTICS_ASSETS)
    assert "published_warehouse" not in done


def _negative_population(snapshot: Path) -> bytes:
    doc = json.loads(gzip.decompress(snapshot.read_bytes()))
    doc["value"][0] = -7  # first municipality, age 0, men
    return gzip.compress(json.dumps(doc).encode(), mtime=0)


NEGATIVE_PARTICIPANTS = """EXEMPELDOKUMENT - SAMPLE DOCUMENT (invented figures, test input)

Samordningsförbundet Stockholms stad
Årsredovisning 2023 (exempel)

Tabell 3. Deltagare per insats

Insats Totalt Kvinnor Män
Individinriktade insatser
Aktivitetsplatsen -12 -5 -7
"""


def test_impossible_population_blocks_publish_and_is_named(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    snapshot = sorted((refreshed / "snapshots" / "scb").glob("TAB638_2*.json.gz"))[-1]
    with _replaced(snapshot, _negative_population(snapshot)):
        result = run_refresh_in_process(refreshed)
    assert not result.success
    report = failure_report(result)
    assert "raw.population failed" in report
    assert "-7" in report
    assert "population" in report.split("refresh failed in", 1)[1]
    assert "published_warehouse" not in materialized(result)
    assert file_digest(published) == digest


def test_negative_participants_never_reach_the_marts_and_are_named(refreshed: Path) -> None:
    """A negative count is rejected while the report is read (issue 18): an error naming
    document, page and line; the refresh publishes the other figures without it."""
    document = refreshed / "documents" / "negative_participants.txt"
    with _replaced(document, NEGATIVE_PARTICIPANTS.encode()):
        result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    with duckdb.connect(str(refreshed / "warehouse.duckdb"), read_only=True) as con:
        errors = con.execute("""
            select line, message from raw.report_issues
            where source = 'embedded:negative_participants.txt'
              and check_name = 'implausible_value' and severity = 'error'""").fetchall()
        marts = con.execute("""
            select count(*) from marts.fct_participants
            where intervention = 'Aktivitetsplatsen' and participants < 0""").fetchone()
    assert [line for line, _ in errors] == [10, 10, 10]
    assert errors[0][1].startswith("embedded:negative_participants.txt, page 1, line 10: "
                                   "participants of -12")
    assert marts == (0,)
