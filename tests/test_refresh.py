"""The publish contract of a refresh (issues 3 and 19).

Analysts hold read-only connections on the published warehouse; a refresh must never block
on them, break them, or leave the published file changed unless it succeeded, and it
rebuilds only what changed. Each test starts from its own copy of a refreshed data folder
(its Dagster history included, so a refresh rebuilds only what the test changed). What lies
beside the published file (a stale write-ahead log, a live writer) and a killed refresh:
tests/test_publish_safety.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from orchestration import versions
from orchestration.assets.exports import EXPORT_ASSETS
from outputs.marts import write_flat_files
from tests.refresh_helpers import (
    another_day,
    correct_report,
    day_with_other_memberships,
    failure_report,
    file_digest,
    mart_contents,
    materialized,
    run_cli,
    run_refresh_in_process,
)

EXPORTS = [asset.key for asset in EXPORT_ASSETS]

def _state_contribution(path: Path) -> float:
    """Stockholm's state contribution of 2024 as the published warehouse holds it."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select contribution_state_sek from marts.fct_funding_vs_ideal "
            "where association_id = 'stockholms-stad' and year = 2024").fetchone()[0]


# An analyst's session: the three totals, then the first again (the warehouse must not move
# under a session).
QUERIES = [
    "select count(*)::varchar || '/' || sum(contribution_total_sek)::varchar"
    " from marts.fct_funding_vs_ideal",
    "select count(*)::varchar || '/' || sum(value)::varchar from raw.report_figures",
    "select sum(value_sek)::varchar from marts.fct_association_finances",
]
# Such sessions, in a process of their own, twice a second until the file ``stop`` exists.
READER = """
import json, os, sys, time
import duckdb

path, stop, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sessions, errors = [], []
while True:
    last = os.path.exists(stop)
    try:
        with duckdb.connect(path, read_only=True) as con:
            seen = []
            for sql in queries:
                seen.append(con.execute(sql).fetchone()[0])
                time.sleep(0.02)
            seen.append(con.execute(queries[0]).fetchone()[0])
        sessions.append(seen)
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    if last:
        break
    time.sleep(0.5)  # analysts, not a load test: leave the refresh its CPU
print(json.dumps({"sessions": sessions, "errors": errors}))
"""
N_READERS = 2


def _readers(published: Path, stop: Path) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop),
                              json.dumps(QUERIES)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(N_READERS)]


def _sessions(readers: list[subprocess.Popen], stop: Path) -> list[list[str]]:
    stop.touch()
    sessions = []
    for process in readers:
        stdout, stderr = process.communicate(timeout=120)
        seen = json.loads(stdout)
        assert seen["errors"] == [], seen["errors"][:3]
        assert seen["sessions"], stderr
        sessions += seen["sessions"]
    return sessions


def _totals(path: Path) -> list[str]:
    """What one reader session sees, read in this process."""
    with duckdb.connect(str(path), read_only=True) as con:
        seen = [con.execute(sql).fetchone()[0] for sql in QUERIES]
    return [*seen, seen[0]]


def test_refresh_command_publishes_under_open_readers(
    refreshed: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """`finsam refresh` while analysts read: an open connection keeps working on the file it
    opened, readers in other processes each see the old warehouse or the new one and never
    a mix, and the command says in a few lines what it read, rebuilt and published. Asked
    to (--no-exports), it leaves the exports to the next refresh, which writes only them."""
    published = refreshed / "warehouse.duckdb"
    old = _totals(published)
    inode = published.stat().st_ino
    reader = duckdb.connect(str(published), read_only=True)
    stop = tmp_path / "stop"
    readers = _readers(published, stop)
    try:
        count = reader.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0]
        correct_report(refreshed)
        code, out, err = run_cli(refreshed, capsys, "refresh", "--no-exports")
        # The open connection still reads its (old) file, unharmed.
        assert reader.execute("select count(*) from marts.fct_funding_vs_ideal"
                              ).fetchone()[0] == count
    finally:
        reader.close()
        sessions = _sessions(readers, stop)
    assert code == 0, "\n".join(out + err)
    assert published.stat().st_ino != inode, "the refresh did not publish a new file"
    assert not (refreshed / "build" / "warehouse.duckdb").exists(), "build file left behind"
    new = _totals(published)
    assert new[0] != old[0] and new[1] != old[1], "the refresh did not replace the warehouse"
    for session in sessions:
        assert session[0] == session[-1], f"the warehouse moved under a session: {session}"
        assert session[:3] in (old[:3], new[:3]), f"a mix of two warehouses: {session}"
    # The readers really overlapped the refresh: they saw the old warehouse and the new one.
    assert any(s[:3] == old[:3] for s in sessions)
    assert any(s[:3] == new[:3] for s in sessions)

    # A short account: the reports read again (a document changed), the statistics left
    # alone, what was published with its rows per mart, where the log is; no colour codes.
    assert len(out) <= 40 and not err, "\n".join(out + err)
    assert not any("\x1b[" in line for line in out)
    text = "\n".join(out)
    assert "report_inputs has a new data version" in text
    assert f"published: {published}" in text
    rows = len(mart_contents(published)["fct_funding_vs_ideal"])
    assert ["marts.fct_funding_vs_ideal", str(rows), "rows"] in [line.split() for line in out]
    log = Path(out[-1].split("log:", 1)[1].strip())
    assert log.parent == refreshed / "logs" and "report_tables" in log.read_text()
    assert "finsam_dbt_models" in log.read_text() and "\x1b[" not in log.read_text()
    assert "exports:   4 stale, left for the next refresh (--no-exports)" in out
    exports = refreshed / "exports" / "finsam.xlsx"
    written = exports.stat().st_mtime_ns
    code, out, err = run_cli(refreshed, capsys, "refresh", "--no-exports")
    assert (code, err) == (0, []) and len(out) == 1, out + err
    assert out[0].startswith("only the exports are stale, left for the next refresh")
    catch_up = run_refresh_in_process(refreshed)
    assert catch_up.success, failure_report(catch_up)
    assert materialized(catch_up) == {key.to_user_string() for key in EXPORTS}
    assert exports.stat().st_mtime_ns != written


def test_unchanged_refresh_rebuilds_nothing_and_says_so_in_one_line(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    code, out, err = run_cli(refreshed, capsys, "refresh")
    assert (code, err) == (0, [])
    assert len(out) == 1 and out[0].startswith("nothing is stale"), out
    assert str(published) in out[0]
    assert file_digest(published) == digest
    code, out, _ = run_cli(refreshed, capsys, "nightly")
    assert code == 0 and out == [f"skipped: {out[0].removeprefix('skipped: ')}"]
    assert "nothing is stale" in out[0]


def test_failed_refresh_leaves_published_warehouse_byte_identical(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    municipalities = refreshed / "reference" / "municipalities.csv"
    original = municipalities.read_text(encoding="utf-8")
    # A duplicated municipality code is bad input the reference validation must reject.
    municipalities.write_text(original + original.splitlines()[1] + "\n", encoding="utf-8")
    code, out, err = run_cli(refreshed, capsys, "refresh")
    assert code == 1 and out == []
    report = "\n".join(err)
    assert "step reference_tables failed" in report
    assert "municipalities" in err[0] and "Traceback" not in report
    assert f"the published warehouse is unchanged (sha256 {digest[:12]})" in report
    assert "what to do:" in report
    assert file_digest(published) == digest

    # Corrected, nothing needs undoing by hand: the published warehouse holds these inputs.
    municipalities.write_text(original, encoding="utf-8")
    result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    assert result.results == [] and file_digest(published) == digest


def test_an_input_read_again_with_the_same_rows_rebuilds_nothing_downstream(
    refreshed: Path
) -> None:
    """A registry file saved again with a blank line at the end: the registry is read again
    (its file changed), its tables hold the same rows (their data versions), so nothing
    downstream is rebuilt and nothing published."""
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    members = refreshed / "reference" / "association_members.csv"
    members.write_text(members.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    assert materialized(result) == {"municipalities", "associations", "association_members",
                                    "municipalities_outside"}
    assert "the raw tables read again hold the same rows" in " ".join(result.decision.reasons)
    assert file_digest(published) == digest
    assert not (refreshed / "build" / "warehouse.duckdb").exists()


def test_a_day_on_which_a_membership_changes_rebuilds_the_current_member_marts(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dim_association and dim_municipality list today's members: another day with other
    memberships rebuilds them (and what follows), not the raw tables; a model materialised
    alone in between (as from the UI) is built again before the next publish."""
    published = refreshed / "warehouse.duckdb"
    before = mart_contents(published)
    day = day_with_other_memberships(refreshed / "reference")
    monkeypatch.setattr(versions, "today", lambda: day)

    # One model alone, into a build that is never published.
    alone = run_refresh_in_process(refreshed, asset_selection=[
        AssetKey(["marts", "dim_association"])])
    assert alone.success, failure_report(alone)
    assert materialized(alone) == {"marts/dim_association"}
    assert mart_contents(published) == before

    later = run_refresh_in_process(refreshed, exports=False)
    assert later.success, failure_report(later)
    done = materialized(later)
    assert {"marts/dim_association", "marts/dim_municipality", "published_warehouse"} <= done
    assert not done & {"municipalities", "report_figures", "population"}
    assert any("memberships_today has a new data version" in reason
               for reason in later.decision.reasons), later.decision.reasons
    # dbt itself still builds for the real date, so the same inputs give the same marts.
    assert mart_contents(published) == before


def _csv_has(data_dir: Path, table: str, text: str) -> bool:
    return text in (data_dir / "exports" / "csv" / f"{table}.csv").read_text(encoding="utf-8")


def test_exports_that_failed_or_were_killed_after_the_publish_are_written_by_the_next_refresh(
    refreshed: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the publish, the exports folder cannot be written (here: a file stands where it
    should be): the warehouse is published, the command says so and what to do. Then a
    refresh killed as its first export starts (the publish recorded). The next refresh
    writes the exports alone, from the published warehouse. (Killed between the rename and
    Dagster's record of it, the next refresh rebuilds everything: tests/test_definitions.py.)"""
    from orchestration.assets import exports as export_assets

    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    exports = refreshed / "exports"
    saved = refreshed / "exports-saved"
    exports.rename(saved)
    exports.write_text("a file where the exports folder should be")
    another_day(refreshed, monkeypatch)
    code, _, err = run_cli(refreshed, capsys, "refresh")
    report = "\n".join(err)
    assert code == 1
    assert "step exports_" in report
    assert (f"the published warehouse was updated before the failure (sha256 {digest[:12]} → "
            f"{file_digest(published)[:12]})") in report
    assert "writes the exports from the published warehouse" in report

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed")  # as a kill: nothing after it runs

    exports.unlink()
    saved.rename(exports)
    csv = exports / "csv" / "fct_funding_vs_ideal.csv"
    monkeypatch.setattr(export_assets, "write_flat_files", killed)
    result = run_refresh_in_process(refreshed)
    assert not result.success
    assert materialized(result) <= {"exports_workbook", "exports_charts", "exports_report"}
    assert csv.stat().st_mtime_ns < published.stat().st_mtime_ns  # the CSV is behind

    monkeypatch.setattr(export_assets, "write_flat_files", write_flat_files)
    result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    assert "exports_tables" in materialized(result)
    assert not materialized(result) & {"published_warehouse", "marts/dim_association"}
    assert any("published_warehouse has a new data version" in reason
               for reason in result.decision.reasons), result.decision.reasons
    assert csv.stat().st_mtime_ns > published.stat().st_mtime_ns


def test_the_settings_named_in_an_error_before_any_run(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    """A mistyped setting or a document folder that does not exist: one line naming the
    setting, exit 2, no traceback, nothing run."""
    code, out, err = run_cli(refreshed, capsys, "refresh", FINSAM_SOURCES="lve")
    assert (code, out) == (2, [])
    assert err == ["error: FINSAM_SOURCES must be 'embedded' or 'live', not 'lve'"]
    missing = refreshed / "no-such-folder"
    code, out, err = run_cli(refreshed, capsys, "nightly",
                          FINSAM_DOCUMENT_DIRS=f"{refreshed / 'documents'}{os.pathsep}{missing}")
    assert (code, out) == (2, [])
    assert err == [f"error: FINSAM_DOCUMENT_DIRS: no such folder {missing}"]
