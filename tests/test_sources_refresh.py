"""The nightly job against live sources served from a local server, in-process.

One embedded refresh publishes a warehouse; then the job runs with ``FINSAM_SOURCES=live``
and the base URLs pointing at a local server that answers with the embedded snapshot's
bodies (the sources' real formats), except for one fault per test:

1. a requested year whose data call yields zero rows,
2. a content code removed from a table's metadata,
3. Arbetsförmedlingen answering 500 while SCB answers.

Each fails the refresh with a message naming the source, the table and the period, leaves
the published warehouse byte-identical, and shows in the drift report.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from dagster import AssetKey
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion.sources import af_unemployment, drift, scb_he, scb_population
from ingestion.sources.http import HttpClient
from tests.refresh_helpers import (
    failure_report,
    materialized,
    refreshed_data_dir,
    run_refresh_in_process,
)
from tests.source_servers import kolada_body


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's refreshed data folder (its warehouse published)."""
    return refreshed_data_dir(tmp_path_factory)


class SnapshotServer:
    """Answers SCB's, Kolada's and Arbetsförmedlingen's URLs with the snapshot's bodies; ``faults``
    maps a path (and for data calls the year) to another answer."""

    def __init__(self, snapshots: Path) -> None:
        self.snapshots = snapshots
        self.faults: dict[str, tuple[int, bytes]] = {}

    def __call__(self, request: Request) -> Response:
        path = request.path
        key = path
        if path.startswith("/scb/tables/"):
            table, call = path.split("/")[3:5]
            year = request.args.get("valueCodes[Tid]", "")[:4]
            key = f"{table}/{call}/{year}" if year else f"{table}/{call}"
            if key in self.faults:
                status, body = self.faults[key]
                return Response(body, status=status)
            if call == "metadata":
                return Response((self.snapshots / "scb" / f"{table}_metadata.json").read_bytes())
            file = self.snapshots / "scb" / f"{table}_{year}.json.gz"
            return Response(gzip.decompress(file.read_bytes()))
        if path.startswith(("/af/", "/download/")):  # the page links site-absolute
            if "af" in self.faults:
                status, body = self.faults["af"]
                return Response(body, status=status)
            if path == "/af/statistik":
                page = (self.snapshots / af_unemployment.PAGE_SNAPSHOT).read_bytes()
                return Response(page, content_type="text/html")
            return Response((self.snapshots / "af" / path.rsplit("/", 1)[-1]).read_bytes())
        if (body := kolada_body(self.snapshots, path)) is not None:
            return Response(body, content_type="application/json")
        return Response("not found", status=404)


@pytest.fixture
def live(published: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
         ) -> SnapshotServer:
    server = SnapshotServer(published / "snapshots")
    httpserver.expect_request(re.compile(".*")).respond_with_handler(server)
    # The client's retries still happen, without their backoff pauses.
    monkeypatch.setattr(HttpClient, "_delay", lambda self, attempt, retry_after: 0.0)
    # The drift reports the tests read after a run see the same live sources.
    for key, value in live_settings(published, httpserver).items():
        monkeypatch.setenv(key, value)
    return server


def live_settings(published: Path, httpserver: HTTPServer) -> dict[str, str]:
    return {"FINSAM_DATA_DIR": str(published), "FINSAM_SOURCES": "live",
            "FINSAM_SCB_API_URL": httpserver.url_for("/scb"),
            "FINSAM_AF_PAGE_URL": httpserver.url_for("/af/statistik"),
            "FINSAM_KOLADA_API_URL": httpserver.url_for("/kolada")}


def run_live(published: Path, httpserver: HTTPServer, *only: str):
    """The nightly job in this process against the local server's sources (``only``: just
    these assets, when the test reads no other)."""
    settings = live_settings(published, httpserver)
    del settings["FINSAM_DATA_DIR"]
    selection = [AssetKey(name) for name in only] or None
    return run_refresh_in_process(published, selection, **settings)


def assert_refused(result, published: Path, digest: str, step: str, *phrases: str) -> str:
    assert not result.success
    message = failure_report(result)
    assert f"step {step} failed" in message, message
    for phrase in phrases:
        assert phrase in message, message
    assert sha256(published / "warehouse.duckdb") == digest
    assert "published_warehouse" not in materialized(result)
    return message


def test_zero_row_year_fails_naming_source_table_and_year(
    live: SnapshotServer, published: Path, httpserver: HTTPServer
) -> None:
    digest = sha256(published / "warehouse.duckdb")
    body = json.loads(gzip.decompress((published / "snapshots/scb/TAB638_2019.json.gz")
                                      .read_bytes()))
    body["size"][0] = 0
    body["dimension"]["Region"]["category"] = {"index": {}, "label": {}}
    body["value"] = []
    live.faults["TAB638/data/2019"] = (200, json.dumps(body).encode())
    result = run_live(published, httpserver)
    assert_refused(result, published, digest, "population", scb_population.SOURCE,
                   "TAB638 2019: the response holds no population rows")
    # The sources without a fault still load in the same run.
    assert {"full_year_equivalents", "unemployment"} <= materialized(result)
    report = drift.check("population")
    assert report.reachable and not report.missing  # the metadata is fine…
    assert "TAB638 2019" in report.last_failure  # …and the report shows the failed run


def test_removed_content_code_fails_naming_source_and_table(
    live: SnapshotServer, published: Path, httpserver: HTTPServer
) -> None:
    digest = sha256(published / "warehouse.duckdb")
    metadata = json.loads((published / "snapshots/scb/TAB5557_metadata.json").read_text("utf-8"))
    contents = metadata["dimension"]["ContentsCode"]["category"]
    contents["index"] = {"000007MF": 0}
    contents["label"] = {"000007MF": "Folkökning"}
    metadata["size"][metadata["id"].index("ContentsCode")] = 1
    live.faults["TAB5557/metadata"] = (200, json.dumps(metadata).encode())
    result = run_live(published, httpserver, "population")
    assert_refused(result, published, digest, "population", scb_population.SOURCE,
                   "TAB5557: no ContentsCode labelled 'Folkmängd'")
    report = drift.check("population")
    assert any("no ContentsCode labelled 'Folkmängd'" in line for line in report.missing)
    assert any("TAB5557.ContentsCode.000007ME removed" in change for change in report.changes)
    text = "\n".join(report.lines())
    assert "MISSING" in text and "2025" in text


def test_af_answering_500_fails_while_scb_loads(
    live: SnapshotServer, published: Path, httpserver: HTTPServer
) -> None:
    digest = sha256(published / "warehouse.duckdb")
    live.faults["af"] = (500, b"unavailable")
    # Arbetsförmedlingen and SCB's HE tables in one run (population: the tests above).
    result = run_live(published, httpserver, "unemployment", "full_year_equivalents",
                      "he_population_share", "source_comparison")
    assert_refused(result, published, digest, "unemployment", af_unemployment.SOURCE,
                   "HTTP 500", "/af/statistik")
    assert [event.step_key for event in result.get_step_failure_events()] == ["unemployment"]
    assert {"full_year_equivalents", "he_population_share"} <= materialized(result)
    report = drift.check("unemployment")
    assert not report.reachable and "HTTP 500" in report.error
    scb = drift.check("full_year_equivalents")
    assert scb.ok and scb.source == scb_he.SOURCE and not scb.changes
