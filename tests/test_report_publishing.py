"""Loud failures of the report step: a defect of the extractor on every document fails the
refresh and nothing is published; blocking checks stop publishing when no figure was read,
when too many documents failed, or when a download fell back to an old cached copy.

The refresh runs in-process (the ``nightly_refresh`` job) against a copy of the session's
refreshed data folder whose documents changed, so the night's run starts at the reports;
each check also runs on the report asset alone (``materialize``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dagster import materialize

from tests.refresh_helpers import run_refresh_in_process

REPORT = (
    "Samordningsförbundet Sundsvall\nHalvårsrapport 2023\n\n"
    "\tBudget 2023\tUtfall 30/6-2023\n"
    "Försäkringskassan\t3 680 000\t1 840 000\n"
    "Sundsvalls kommun\t1 840 000\t920 000\n"
)


@pytest.fixture
def data_dir(refreshed: Path, monkeypatch) -> Path:
    """A refreshed data folder whose published warehouse must stay untouched."""
    monkeypatch.setenv("FINSAM_DATA_DIR", str(refreshed))
    monkeypatch.delenv("FINSAM_DOCUMENT_DIRS", raising=False)
    monkeypatch.delenv("FINSAM_DOCUMENT_URLS", raising=False)
    return refreshed


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_step_error(result) -> str:
    failures = {e.step_key: e for e in result.get_step_failure_events()}
    assert "report_tables" in failures, list(failures)
    return failures["report_tables"].step_failure_data.error.to_string()


def test_a_defect_on_every_document_fails_the_refresh_and_publishes_nothing(
        data_dir: Path, monkeypatch):
    """A defect of the extractor fails each document it hits (``test_report_refresh``: one
    document, the others publish); one that hits every document stops the run through the
    share of failed documents, naming the defect."""
    from ingestion.reports import walker

    def broken(self):
        raise ZeroDivisionError("deliberately broken table walker")

    monkeypatch.setattr(walker.Walker, "run", broken)
    for path in (data_dir / "documents").glob("*.txt"):  # a night with revised documents
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    published = data_dir / "warehouse.duckdb"
    before = digest(published)
    result = run_refresh_in_process(data_dir)
    assert not result.success
    assert "DagsterAssetCheckFailedError" in report_step_error(result)
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    share = checks["report_documents_failed_share"]
    assert share.passed is False
    assert "2 of 2 documents failed" in share.description
    assert "extractor defect: ZeroDivisionError: deliberately broken table walker" \
        in share.description
    assert digest(published) == before
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "published_warehouse" not in materialized


def test_a_refresh_that_reads_no_figure_publishes_nothing(data_dir: Path):
    documents = data_dir / "documents"
    for path in documents.glob("*.txt"):
        path.unlink()
    (documents / "minutes.txt").write_text(
        "Samordningsförbundet Sundsvall\nSammanträdesprotokoll 2023\n\nInga siffror.\n",
        encoding="utf-8")
    published = data_dir / "warehouse.duckdb"
    before = digest(published)
    result = run_refresh_in_process(data_dir)
    assert not result.success
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["report_figures_read"].passed is False
    assert "0 figures read" in checks["report_figures_read"].description
    assert "DagsterAssetCheckFailedError" in report_step_error(result)
    assert digest(published) == before


def materialize_reports():
    from orchestration.assets.reports import report_tables
    from orchestration.resources import WarehouseResource

    result = materialize([report_tables], resources={"warehouse": WarehouseResource()},
                         raise_on_error=False)
    return result, {c.check_name: c for c in result.get_asset_check_evaluations()}


def test_too_many_failed_documents_block_publishing(data_dir: Path, monkeypatch):
    documents = data_dir / "documents"
    (documents / "broken-1.pdf").write_bytes(b"%PDF-1.4 damaged")
    (documents / "broken-2.pdf").write_bytes(b"")
    monkeypatch.setenv("FINSAM_REPORT_MAX_FAILED_SHARE", "0.25")  # 2 of 4 is 50 %
    result, checks = materialize_reports()
    assert not result.success
    finding = checks["report_documents_failed_share"]
    assert finding.passed is False
    assert "2 of 4 documents failed" in finding.description
    assert "broken-1.pdf" in finding.description and "empty file" in finding.description
    monkeypatch.setenv("FINSAM_REPORT_MAX_FAILED_SHARE", "0.5")
    result, checks = materialize_reports()
    assert result.success and checks["report_documents_failed_share"].passed


def test_an_old_cached_copy_after_a_failed_download_blocks_publishing(
        data_dir: Path, monkeypatch, httpserver):
    from ingestion.reports import download

    httpserver.expect_ordered_request("/report.txt").respond_with_data(REPORT)
    url = httpserver.url_for("/report.txt")
    first = download.fetch(url)  # the copy in the cache
    index_path = download.cache_folder() / "index.json"
    index = json.loads(index_path.read_text())
    index[url]["fetched_at"] = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    index_path.write_text(json.dumps(index))
    httpserver.clear()
    httpserver.expect_request("/report.txt").respond_with_data("gone", status=503)
    monkeypatch.setenv("FINSAM_DOCUMENT_URLS", url)
    result, checks = materialize_reports()
    assert not result.success
    finding = checks["report_downloads_fresh"]
    assert finding.passed is False
    assert first.path.name in finding.description and "45 days old" in finding.description
    monkeypatch.setenv("FINSAM_DOCUMENT_FALLBACK_MAX_AGE_DAYS", "60")
    result, checks = materialize_reports()
    assert result.success and checks["report_downloads_fresh"].passed
