"""The drift report (``finsam sources check``) and the rule that a series may not shrink."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion import config, statistics
from ingestion.sources import af_unemployment, drift, kolada, scb_he
from orchestration.cli import main
from tests.source_servers import kolada_body


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FINSAM_SOURCES", raising=False)
    for name in ("reference", "snapshots"):
        shutil.copytree(config.REPO_ROOT / "data" / name, tmp_path / name)
    return tmp_path


def test_sources_check_reports_every_source(data_dir: Path, capsys) -> None:
    assert main(["sources", "check"]) == 0
    out = capsys.readouterr().out
    assert "SCB population (TAB638, TAB5557): reachable" in out
    assert "last period: 2025" in out and "last period: 2024M12" in out
    assert out.count("all present") == 4  # SCB population, SCB HE, AF, Kolada
    # nothing recorded yet: what changed is not known, so it is not claimed to be "nothing"
    assert out.count("changed since the last good run: unknown (no good run recorded)") == 4
    assert "HE feeding the model: SCB helårsekvivalenter (TAB1386) (FINSAM_HE_SOURCE=scb" in out
    # the embedded Kolada pages regroup the same figures: they agree with SCB
    assert re.search(r"SCB against Kolada: 9570 figures compared \(290 municipalities, "
                     r"2014–2024, .*\); 0 differ by more than 2 %", out), out


def test_changes_since_the_last_good_run_are_listed(data_dir: Path, capsys) -> None:
    drift.record_success(drift.check("full_year_equivalents"), 2024)
    metadata_path = data_dir / "snapshots" / "scb" / "TAB1386_metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    labels = metadata["dimension"]["ContentsCode"]["category"]["label"]
    code = next(c for c, label in labels.items() if label == "Sjukpenning")
    labels[code] = "Sjukpenning och rehabiliteringspenning"  # still understood
    tid = metadata["dimension"]["Tid"]["category"]
    tid["index"]["2025M01"] = len(tid["index"])
    tid["label"]["2025M01"] = "2025M01"
    metadata["size"][-1] += 1
    metadata_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    report = drift.check("full_year_equivalents")
    assert report.ok and report.last_period == "2025M01"
    assert report.changes == [
        f"{scb_he.TABLE}.ContentsCode.{code}: 'Sjukpenning' → "
        "'Sjukpenning och rehabiliteringspenning'",
        f"{scb_he.TABLE}.last_period: '2024M12' → '2025M01'",
    ]


def test_a_label_no_rule_understands_is_missing(data_dir: Path, capsys) -> None:
    metadata_path = data_dir / "snapshots" / "scb" / "TAB1386_metadata.json"
    text = metadata_path.read_text(encoding="utf-8").replace("Ekonomiskt bistånd", "Bidrag X")
    metadata_path.write_text(text, encoding="utf-8")
    assert main(["sources", "check"]) == 1
    out = capsys.readouterr().out
    assert "MISSING TAB1386 ContentsCode: unknown ContentsCode label(s) ['Bidrag X']" in out


def test_unreachable_source_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                   data_dir: Path) -> None:
    monkeypatch.setenv("FINSAM_SOURCES", "live")
    monkeypatch.setenv("FINSAM_AF_PAGE_URL", "http://127.0.0.1:9/statistik")  # nothing there
    from ingestion.sources.fetch import Fetcher
    from ingestion.sources.http import HttpClient

    fetcher = Fetcher.from_config(HttpClient(retries=0, timeout_seconds=2))
    # a good run recorded earlier
    drift.record_success(drift.SourceCheck("unemployment", af_unemployment.SOURCE), "2025-12")
    report = drift.check("unemployment", fetcher)
    assert not report.reachable and "ConnectionError" in report.error
    assert report.metadata()["source_reachable"] is False
    # a source that did not answer cannot be said to have changed "nothing"
    assert report.metadata()["source_changes_since_last_good_run"] == (
        "unknown (the source did not answer)")
    lines = "\n".join(report.lines())
    assert "changed since the last good run" in lines and ": unknown (the source did not " \
        "answer)" in lines and "nothing" not in lines


def test_a_load_asks_for_each_metadata_url_once(
    data_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drift report and the fetch read the same metadata and page: one request each."""
    snapshots = data_dir / "snapshots"

    def answer(request: Request) -> Response:  # the snapshot's bodies, as the sources answer
        if request.path.startswith("/scb/tables/"):
            table, call = request.path.split("/")[3:5]
            if call == "metadata":
                return Response((snapshots / "scb" / f"{table}_metadata.json").read_bytes())
            year = request.args["valueCodes[Tid]"][:4]
            return Response(gzip.decompress((snapshots / "scb" / f"{table}_{year}.json.gz")
                                            .read_bytes()))
        if request.path == "/af/statistik":
            return Response((snapshots / af_unemployment.PAGE_SNAPSHOT).read_bytes())
        if (body := kolada_body(snapshots, request.path)) is not None:
            return Response(body)
        return Response((snapshots / "af" / request.path.rsplit("/", 1)[-1]).read_bytes())

    httpserver.expect_request(re.compile(".*")).respond_with_handler(answer)
    monkeypatch.setenv("FINSAM_SOURCES", "live")
    monkeypatch.setenv("FINSAM_SCB_API_URL", httpserver.url_for("/scb"))
    monkeypatch.setenv("FINSAM_AF_PAGE_URL", httpserver.url_for("/af/statistik"))
    monkeypatch.setenv("FINSAM_KOLADA_API_URL", httpserver.url_for("/kolada"))
    metadata = {
        "population": ["/scb/tables/TAB638/metadata", "/scb/tables/TAB5557/metadata"],
        # HE reads Kolada's KPI list (drift report and fetch) and SCB's population (the
        # comparison) in the same load
        "full_year_equivalents": ["/scb/tables/TAB1386/metadata", "/scb/tables/TAB638/metadata",
                                  f"/kolada/kpi/{','.join(kolada.KPIS)}"],
        "unemployment": ["/af/statistik"],
    }
    with duckdb.connect() as con:
        for key, paths in metadata.items():
            httpserver.clear_log()
            loaded = statistics.load(statistics.STATISTICS[key], con)
            assert loaded.report.ok
            asked = Counter(request.path for request, _ in httpserver.log)
            assert {path: asked[path] for path in paths} == dict.fromkeys(paths, 1)
            # …and no other URL (data year, workbook) twice either.
            urls = Counter(request.url for request, _ in httpserver.log)
            assert set(urls.values()) == {1}, urls


def test_series_may_not_end_earlier_than_the_warehouse(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert drift.previous_series_end(con, "unemployment", "month") is None
        con.execute("create schema raw; create table raw.unemployment as "
                    "select date '2025-12-01' as month")
        previous = drift.previous_series_end(con, "unemployment", "month")
    assert previous == date(2025, 12, 1)
    drift.check_series_end("AF", "raw.unemployment", date(2025, 12, 1), previous)
    drift.check_series_end("AF", "raw.unemployment", date(2026, 1, 1), previous)
    with pytest.raises(drift.SeriesShortenedError) as error:
        drift.check_series_end("AF", "raw.unemployment", date(2025, 11, 1), previous)
    assert str(error.value) == (
        "AF: the series now ends in 2025-11-01 but the previous good run reached 2025-12-01; "
        "the warehouse keeps the previous data (raw.unemployment)"
    )


def test_differences_walks_nested_states() -> None:
    before = {"T": {"ContentsCode": {"A": "x", "B": "y"}, "regions": 290}}
    after = {"T": {"ContentsCode": {"A": "x", "C": "z"}, "regions": 289}}
    assert drift.differences(before, after) == [
        "T.ContentsCode.B removed (was 'y')",
        "T.ContentsCode.C added ('z')",
        "T.regions: 290 → 289",
    ]
