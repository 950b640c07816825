"""Documents from URLs (cached by content hash), the ``finsam extract`` command and the
Dagster asset writing the three raw tables."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import materialize

from ingestion import config
from ingestion.files import write_atomically
from ingestion.reports import download
from ingestion.reports.extract_command import extract_command
from ingestion.reports.pipeline import extract_reports

REPORT = (
    "Samordningsförbundet Sundsvall\nHalvårsrapport 2023\n\n"
    "\tBudget 2023\tUtfall 30/6-2023\n"
    "Försäkringskassan\t3 680 000\t1 840 000\n"
    "Sundsvalls kommun\t1 840 000\t920 000\n"
    "Region Västernorrland\t1 840 000\t920 000\n"
)


def test_fetch_caches_by_content_hash(httpserver, tmp_path: Path):
    httpserver.expect_request("/report.txt").respond_with_data(REPORT.encode("utf-8"))
    url = httpserver.url_for("/report.txt")
    first = download.fetch(url, tmp_path).path
    assert first.name.endswith(".txt") and first.read_text(encoding="utf-8") == REPORT
    assert first.stem == download.sha256(REPORT.encode("utf-8"))
    second = download.fetch(url, tmp_path)
    assert second.path == first and second.fallback_error is None
    assert len(httpserver.log) == 1  # served from the cache the second time
    assert json.loads((tmp_path / "index.json").read_text())[url]["file"] == first.name
    assert not list(tmp_path.glob("*.tmp"))  # temporary files renamed into place


def test_fetch_falls_back_to_the_cache_when_the_server_fails(httpserver, tmp_path: Path):
    httpserver.expect_ordered_request("/r.txt").respond_with_data(REPORT)
    httpserver.expect_ordered_request("/r.txt").respond_with_data("gone", status=500)
    url = httpserver.url_for("/r.txt")
    cached = download.fetch(url, tmp_path)
    fallback = download.fetch(url, tmp_path, refresh=True)
    assert fallback.path == cached.path and fallback.fetched_at == cached.fetched_at
    assert "500" in fallback.fallback_error  # said, not only logged


def test_fetch_asks_the_server_whether_the_copy_changed(httpserver, tmp_path: Path):
    httpserver.expect_ordered_request("/r.txt").respond_with_data(
        REPORT, headers={"ETag": '"v1"'})
    httpserver.expect_ordered_request("/r.txt", headers={"If-None-Match": '"v1"'}
                                      ).respond_with_data("", status=304)
    url = httpserver.url_for("/r.txt")
    first = download.fetch(url, tmp_path)
    again = download.fetch(url, tmp_path, refresh=True)
    assert again.path == first.path and again.fallback_error is None
    assert again.path.read_text(encoding="utf-8") == REPORT
    httpserver.check_assertions()


def test_fetch_all_writes_the_index_once_per_run(httpserver, tmp_path: Path, monkeypatch):
    httpserver.expect_request("/a.txt").respond_with_data(REPORT)
    httpserver.expect_request("/b.txt").respond_with_data(REPORT + "\n")
    httpserver.expect_request("/gone.txt").respond_with_data("no", status=404)
    urls = [httpserver.url_for(name) for name in ("/a.txt", "/b.txt", "/gone.txt")]
    written: list[str] = []

    def write(path: Path, data: bytes) -> None:
        written.append(path.name)
        write_atomically(path, data)

    monkeypatch.setattr(download, "write_atomically", write)
    a, b, gone = download.fetch_all(urls, tmp_path, refresh=True)
    assert isinstance(gone, str) and "404" in gone  # reported, not raised
    assert written.count("index.json") == 1
    index = json.loads((tmp_path / "index.json").read_text())
    assert {url: entry["file"] for url, entry in index.items()} == {
        urls[0]: a.path.name, urls[1]: b.path.name}


def test_urls_are_extracted_and_failures_reported(httpserver, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    httpserver.expect_request("/ok.txt").respond_with_data(REPORT)
    httpserver.expect_request("/missing.txt").respond_with_data("no", status=404)
    ok, missing = httpserver.url_for("/ok.txt"), httpserver.url_for("/missing.txt")
    tables = extract_reports([], [ok, missing], tmp_path / "none.csv")
    status = tables.documents.set_index("source")["status"].to_dict()
    assert status == {ok: "loaded", missing: "failed"}
    state = tables.figures[(tables.figures["member"] == "state")
                           & (tables.figures["basis"] == "outcome")]
    assert state["value"].tolist() == [1_840_000.0] and state["source"].tolist() == [ok]


def test_cli_prints_csv_with_a_header(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert extract_command([str(path)]) == 0
    frame = pd.read_csv(io.StringIO(out.getvalue()))
    assert list(frame.columns[:3]) == ["document_id", "source", "association"]
    assert "raw_text" in frame.columns and len(frame) == 6
    assert set(frame["metric"]) == {"member_contribution"}


def test_cli_prints_a_missing_period_empty(tmp_path: Path):
    undated = tmp_path / "undated.txt"  # no year anywhere: the figures have no period
    undated.write_text("Samordningsförbundet Sundsvall\nEkonomisk rapport\n\n\tBudget\tUtfall\n"
                       "Försäkringskassan\t3 680 000\t1 840 000\n", encoding="utf-8")
    dated = tmp_path / "report.txt"
    dated.write_text(REPORT, encoding="utf-8")
    for options in ([], ["--format", "json"]):
        out = io.StringIO()
        with redirect_stdout(out):
            assert extract_command([str(undated), str(dated), *options]) == 0
        assert "None" not in out.getvalue()
        frame = (pd.read_json(io.StringIO(out.getvalue()), lines=True, dtype=False) if options
                 else pd.read_csv(io.StringIO(out.getvalue()), dtype=str))
        periods = frame.groupby("source")["period_end"].agg(lambda ends: set(ends.dropna()))
        assert periods.to_dict() == {"undated.txt": set(),
                                     "report.txt": {"2023-06-30", "2023-12-31"}}


def test_cli_json_and_failed_documents(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert extract_command([str(path), str(tmp_path / "absent.txt"), "--format",
                                "json"]) == 1
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["member"] for r in records} == {"state", "region", "municipality"}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "report.txt").write_text(REPORT, encoding="utf-8")
    (documents / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    return tmp_path


def test_asset_writes_the_three_raw_tables(data_dir: Path, monkeypatch):
    from orchestration.assets.reports import report_tables
    from orchestration.resources import WarehouseResource

    monkeypatch.setenv("FINSAM_REPORT_MAX_FAILED_SHARE", "0.5")  # 1 of the 2 may fail
    result = materialize([report_tables], resources={"warehouse": WarehouseResource()})
    assert result.success
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks.pop("report_documents_readable") is False  # broken.pdf could not be read
    assert checks == {"report_figures_read": True, "report_documents_failed_share": True,
                      "report_downloads_fresh": True}
    with duckdb.connect(str(config.build_warehouse_path()), read_only=True) as con:
        figures = con.execute("select * from raw.report_figures").df()
        documents = con.execute("select source, status from raw.report_documents").df()
        issues = con.execute("select check_name from raw.report_issues").df()
    assert len(figures) == 6 and figures["loaded_at"].notna().all()
    assert dict(documents.values.tolist()) == {"embedded:report.txt": "loaded",
                                               "embedded:broken.pdf": "failed"}
    assert "unreadable" in set(issues["check_name"])
