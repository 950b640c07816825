"""Faults a nightly refresh meets, each through the real refresh run in this process against a
private copy of a refreshed data folder (tests/refresh_helpers.py), and the messages that
name what is wrong:

1. a statistics source answering 500 for the whole run: the step fails and names the
   source, the sources that need no network still load, nothing is published;
2. a corrupt PDF and a zero-byte file among the report documents: each is reported, the
   other documents load (the report assets alone: dbt is not needed to show it);
3. impossible figures: a negative population count (rejected before dbt, the row named)
   and negative participants in a report (rejected while the report is read, an error
   naming document, page and line; the rest publishes);
4. an input cut short that passes its own checks: a header-only association_members.csv
   (refused naming the file) and one cut to a few rows (the shrinkage guard before the
   publish names the tables, before and after); the next refresh recovers by itself;
5. inputs that cannot be read, each named in one line: a registry file in latin-1, an
   empty one, a missing column, a truncated .gz snapshot; a download over the size limit.

A SIGKILL, readers during a refresh, stray files beside the published warehouse and failed
exports are in tests/test_refresh.py.
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
from dagster import AssetKey
from pytest_httpserver import HTTPServer

from ingestion import config, reference
from ingestion.reports import download
from ingestion.sources import scb_population
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher
from ingestion.sources.http import HttpClient
from ingestion.validation.validate import RawValidationError
from orchestration.assets.reports import report_tables
from tests.refresh_helpers import (
    failure_report,
    file_digest,
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


def test_unreadable_documents_are_reported_and_the_others_load(refreshed: Path) -> None:
    data_dir = refreshed
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
    # Everything, not only what is stale: the sources without network run in the same run.
    result = run_refresh_in_process(refreshed, everything=True, FINSAM_SOURCES="live",
                                    HTTPS_PROXY=proxy,
                                    https_proxy=proxy, NO_PROXY="", no_proxy="")
    assert not result.success
    report = failure_report(result)
    assert "the published warehouse is unchanged" in report
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


def test_impossible_population_blocks_publish_and_is_named(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    snapshot = sorted((refreshed / "snapshots" / "scb").glob("TAB638_2*.json.gz"))[-1]
    with _replaced(snapshot, _negative_population(snapshot)):  # the population alone
        result = run_refresh_in_process(refreshed, asset_selection=[AssetKey("population")])
    assert not result.success
    report = failure_report(result)
    assert "raw.population failed" in report
    assert "-7" in report
    assert "population" in report.split("refresh failed in", 1)[1]
    assert "published_warehouse" not in materialized(result)
    assert file_digest(published) == digest


def test_header_only_memberships_are_refused_naming_the_file(refreshed: Path) -> None:
    """Every membership gone would publish fct_funding_vs_ideal with no association's ideal;
    the registry refuses the file, and once it is whole again the next refresh is fine."""
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    members = refreshed / "reference" / "association_members.csv"
    original = members.read_text(encoding="utf-8")
    members.write_text(original.splitlines()[0] + "\n", encoding="utf-8")
    result = run_refresh_in_process(refreshed)
    assert not result.success
    report = failure_report(result)
    first = report.splitlines()[0]
    assert first.startswith("step reference_tables failed: ")
    assert f"{members}: no rows (only a header)" in first
    assert "the published warehouse is unchanged" in report
    assert file_digest(published) == digest

    members.write_text(original, encoding="utf-8")
    again = run_refresh_in_process(refreshed)
    assert again.success, failure_report(again)
    assert file_digest(published) == digest  # nothing was stale: the published one is right


def test_a_registry_cut_short_is_stopped_before_the_publish(refreshed: Path) -> None:
    """A few membership rows pass every rule of the registry, yet the marts would lose most
    associations: the guard against shrinking tables names them, before and after."""
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    with duckdb.connect(str(published), read_only=True) as con:
        members_before = con.execute("select count(*) from raw.association_members"
                                     ).fetchone()[0]
    members = refreshed / "reference" / "association_members.csv"
    original = members.read_text(encoding="utf-8")
    members.write_text("\n".join(original.splitlines()[:6]) + "\n", encoding="utf-8")
    try:
        result = run_refresh_in_process(refreshed)
    finally:
        members.write_text(original, encoding="utf-8")
    assert not result.success
    report = failure_report(result)
    assert "step published_warehouse failed: not published: " in report
    assert f"raw.association_members {members_before} → 5 rows (-" in report
    assert "raw.association_members has no rows left for association_id" in report
    assert "FINSAM_MAX_ROW_DROP" in report
    assert file_digest(published) == digest


@pytest.mark.parametrize("content, expected", [
    ("kommun,län\nVästerås,19\n".encode("latin-1"), ": line 1 is not UTF-8 (byte 0xe4)"),
    (b"", ": empty file (not even a header line)"),
])
def test_an_unreadable_registry_file_is_named_in_one_line(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "associations.csv"
    path.write_bytes(content)
    with pytest.raises(RawValidationError) as error:
        reference.load_table("associations", tmp_path)
    assert str(error.value) == f"{path}{expected}" + (
        "; save the file as UTF-8 (Excel: CSV UTF-8)" if "UTF-8" in expected else "")


def test_a_missing_column_is_named_with_its_file(tmp_path: Path) -> None:
    source = config.REPO_ROOT / "data" / "reference"
    lines = (source / "association_members.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("valid_from")
    path = tmp_path / "association_members.csv"
    path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(","))
                                        if i != column) for line in lines[:3]) + "\n",
                    encoding="utf-8")
    with pytest.raises(RawValidationError) as error:
        reference.load_table("association_members", tmp_path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: no column valid_from in the header (it has ")


def test_a_truncated_snapshot_is_named_with_its_source_and_file(tmp_path: Path) -> None:
    snapshot = tmp_path / "scb" / "TAB5557_2025.json.gz"
    snapshot.parent.mkdir()
    snapshot.write_bytes(gzip.compress(json.dumps({"value": list(range(1000))}).encode())[:100])
    fetcher = Fetcher(mode="embedded", snapshots_dir=tmp_path)
    with pytest.raises(SourceFormatError) as error:
        fetcher.get(scb_population.SOURCE, "https://example.org/TAB5557", None,
                    "scb/TAB5557_2025.json.gz", parse=json.loads)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{scb_population.SOURCE}: not a whole gzip file")
    assert str(snapshot) in message


def test_a_download_over_the_size_limit_is_refused(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """The report downloads go through the one HTTP client, with its size limit."""
    httpserver.expect_request("/huge.pdf").respond_with_data(b"%PDF-1.7\n" + b"0" * 5000)
    url = httpserver.url_for("/huge.pdf")
    [why] = download.fetch_all([url], tmp_path, refresh=True,
                               http=HttpClient(max_bytes=1000, retries=0))
    assert isinstance(why, str) and "exceeds 1000" in why and url in why
    assert not list(tmp_path.glob("*.pdf"))
