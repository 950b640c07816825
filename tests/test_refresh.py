"""The publish contract of a refresh (issues 3 and 19).

Analysts hold read-only connections on the published warehouse; a refresh must never block
on them, break them, or leave the published file changed unless it succeeded, whatever lies
beside the file, and the next refresh must recover by itself. Each test starts from its own
copy of a refreshed data folder (its Dagster history included, so a refresh rebuilds only
what the test changed). Only what needs a process of its own runs `finsam refresh` in a
subprocess: a SIGKILL, and a writer or readers in other processes.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from orchestration import cli, versions
from orchestration.assets.exports import EXPORT_ASSETS
from outputs.marts import write_flat_files
from tests.refresh_helpers import (
    failure_report,
    file_digest,
    finsam_environment,
    mart_contents,
    materialized,
    refresh_command,
    refresh_env,
    run_refresh_in_process,
)
from tests.writers import writer_process

EXPORTS = [asset.key for asset in EXPORT_ASSETS]

# The corrected figure a test refresh publishes: Stockholm's state contribution of 2024.
REPORT = "sample_stockholms_stad_arsredovisning_2024.txt"
PRINTED, CORRECTED = "Driftbidrag från staten 17 000 000", "Driftbidrag från staten 17 400 000"


def _correct_report(data_dir: Path) -> None:
    report = data_dir / "documents" / REPORT
    text = report.read_text(encoding="utf-8")
    assert PRINTED in text
    report.write_text(text.replace(PRINTED, CORRECTED), encoding="utf-8")


def _another_day(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make it a day on which a membership starts or ends: the current-member marts are
    stale, so a refresh rebuilds those two and publishes, and nothing else (the cheapest
    refresh that publishes; dbt still builds for the real date, so the marts stay equal)."""
    day = _day_with_other_memberships(data_dir / "reference")
    monkeypatch.setattr(versions, "today", lambda: day)


def _state_contribution(path: Path) -> float:
    """Stockholm's state contribution of 2024 as the published warehouse holds it."""
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select contribution_state_sek from marts.fct_funding_vs_ideal "
            "where association_id = 'stockholms-stad' and year = 2024").fetchone()[0]


def _cli(data_dir: Path, capsys: pytest.CaptureFixture, *args: str, **settings: str
         ) -> tuple[int, list[str], list[str]]:
    """`finsam <args>` in this process against ``data_dir``: exit code, stdout and stderr
    lines."""
    with finsam_environment(data_dir, **settings):
        code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


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
        _correct_report(refreshed)
        code, out, err = _cli(refreshed, capsys, "refresh", "--no-exports")
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
    catch_up = run_refresh_in_process(refreshed)
    assert catch_up.success, failure_report(catch_up)
    assert materialized(catch_up) == {key.to_user_string() for key in EXPORTS}
    assert exports.stat().st_mtime_ns != written


def test_unchanged_refresh_rebuilds_nothing_and_says_so_in_one_line(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    code, out, err = _cli(refreshed, capsys, "refresh")
    assert (code, err) == (0, [])
    assert len(out) == 1 and out[0].startswith("nothing is stale"), out
    assert str(published) in out[0]
    assert file_digest(published) == digest
    code, out, _ = _cli(refreshed, capsys, "nightly")
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
    code, out, err = _cli(refreshed, capsys, "refresh")
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


def _day_with_other_memberships(reference: Path) -> date:
    """A day on which the registry's members differ from today's: the day before a
    membership starts or the day after one ends."""
    today = versions.memberships_valid_on(date.today(), reference)
    with (reference / "association_members.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        candidates = [date.fromisoformat(row["valid_from"]) - timedelta(days=1)]
        if row["valid_to"]:
            candidates.append(date.fromisoformat(row["valid_to"]) + timedelta(days=1))
        for day in candidates:
            if versions.memberships_valid_on(day, reference) != today:
                return day
    raise AssertionError("no membership in the registry starts or ends on any day")


def test_a_day_on_which_a_membership_changes_rebuilds_the_current_member_marts(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dim_association and dim_municipality list today's members: another day with other
    memberships rebuilds them (and what follows), not the raw tables; a model materialised
    alone in between (as from the UI) is built again before the next publish."""
    published = refreshed / "warehouse.duckdb"
    before = mart_contents(published)
    day = _day_with_other_memberships(refreshed / "reference")
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


def test_a_stale_write_ahead_log_beside_the_published_file_is_moved_aside(
    refreshed: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst opened the published file read-write, created a scratch table and their
    process died: its write-ahead log stays beside the file. The refresh moves it aside
    before publishing, so readers open the new file, and says so in its log."""
    published = refreshed / "warehouse.duckdb"
    scratch = (f"import duckdb, os; con = duckdb.connect({str(published)!r}); "
               "con.execute('create table main.scratch as select 42 as answer'); "
               "os._exit(0)")
    subprocess.run([sys.executable, "-c", scratch], check=True, timeout=60)
    wal = published.with_name(published.name + ".wal")
    assert wal.exists(), "the scratch writer left no write-ahead log"
    before = mart_contents(published)
    digest = file_digest(published)
    _another_day(refreshed, monkeypatch)
    code, out, err = _cli(refreshed, capsys, "refresh", "--no-exports")
    assert code == 0, "\n".join(out + err)
    assert not wal.exists()
    [aside] = list(published.parent.glob("warehouse.duckdb.wal.stale-*"))
    assert file_digest(published) != digest and mart_contents(published) == before
    log = Path(out[-1].split("log:", 1)[1].strip()).read_text()
    assert f"moved a stale write-ahead log of {published}" in log and str(aside) in log


def test_a_live_writer_on_the_published_file_stops_the_refresh_naming_it(
    refreshed: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process holding the published file open for writing: the refresh could not publish
    over it, so it does not start; one line names the process, the file is untouched. (A
    writer that arrives while a refresh runs is refused by the publish itself:
    tests/test_warehouse_files.py.)"""
    published = refreshed / "warehouse.duckdb"
    with writer_process(published) as holder:
        digest = file_digest(published)
        _another_day(refreshed, monkeypatch)
        code, out, err = _cli(refreshed, capsys, "refresh")
        assert (code, out) == (2, [])
        assert len(err) == 1 and f"is open for writing by process {holder.pid}" in err[0]
        assert file_digest(published) == digest


def test_an_unopenable_published_file_is_an_error_naming_it(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    """Never a silent rebuild from an empty file: the refresh stops and names the file."""
    published = refreshed / "warehouse.duckdb"
    published.write_bytes(b"not a database, but an analyst's mistake")
    code, out, err = _cli(refreshed, capsys, "refresh", "--all")
    assert code == 2 and out == []
    assert len(err) == 1 and f"{published} does not open as a DuckDB database" in err[0]
    assert published.read_bytes() == b"not a database, but an analyst's mistake"


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
    _another_day(refreshed, monkeypatch)
    code, _, err = _cli(refreshed, capsys, "refresh")
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


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _command_line(pid: int) -> bytes:
    """A process's command line; empty once it has exited (it may, between listing and
    reading)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_killed_refresh_leaves_published_warehouse_intact_and_no_dbt_behind(
    refreshed: Path
) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    before = mart_contents(published)
    report = refreshed / "documents" / REPORT
    original = report.read_text(encoding="utf-8")
    _correct_report(refreshed)
    process = subprocess.Popen(refresh_command(), env=refresh_env(refreshed),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    dbt = []
    # Kill once dbt runs, i.e. genuinely mid-way: the refresh process alone, as an
    # operator's `kill -9` or the out-of-memory killer does.
    while not dbt and time.monotonic() < deadline and process.poll() is None:
        dbt = [child for child in _children(process.pid) if b"dbt" in _command_line(child)]
        time.sleep(0.05)
    assert dbt, "the refresh finished or failed before dbt started"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(map(_alive, dbt)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, dbt)), f"dbt {dbt} outlived the killed refresh"
    assert file_digest(published) == digest
    assert mart_contents(published) == before

    # The document as it was: the next run reads the reports again (the killed run read the
    # corrected one), finds the published rows, and discards the killed run's build file.
    report.write_text(original, encoding="utf-8")
    result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    assert materialized(result) == {"report_figures", "report_documents", "report_issues"}
    assert file_digest(published) == digest
    assert not (refreshed / "build" / "warehouse.duckdb").exists()


def test_the_settings_named_in_an_error_before_any_run(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    """A mistyped setting or a document folder that does not exist: one line naming the
    setting, exit 2, no traceback, nothing run."""
    code, out, err = _cli(refreshed, capsys, "refresh", FINSAM_SOURCES="lve")
    assert (code, out) == (2, [])
    assert err == ["error: FINSAM_SOURCES must be 'embedded' or 'live', not 'lve'"]
    missing = refreshed / "no-such-folder"
    code, out, err = _cli(refreshed, capsys, "nightly",
                          FINSAM_DOCUMENT_DIRS=f"{refreshed / 'documents'}{os.pathsep}{missing}")
    assert (code, out) == (2, [])
    assert err == [f"error: FINSAM_DOCUMENT_DIRS: no such folder {missing}"]
