"""A refresh and what lies beside the published file (issue 19): a stale write-ahead log, a
live writer, a file that does not open, a refresh killed mid-way. In each, the published
warehouse is either byte-identical or correctly updated, the message says which, and the
next refresh recovers by itself. Each test starts from its own copy of a refreshed data
folder (tests/refresh_helpers.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.refresh_helpers import (
    REPORT,
    another_day,
    correct_report,
    failure_report,
    file_digest,
    mart_contents,
    materialized,
    refresh_command,
    refresh_env,
    run_cli,
    run_refresh_in_process,
)
from tests.writers import writer_process


def test_a_stale_write_ahead_log_beside_the_published_file_is_moved_aside(
    refreshed: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst opened the published file read-write, created a scratch table and their
    process died: its write-ahead log stays beside the file. The refresh moves it aside
    before publishing, so readers open the new file, and says so in its log."""
    published = refreshed / "warehouse.duckdb"
    with writer_process(published, "create table main.scratch as select 42 as answer"):
        pass  # the session is killed: no checkpoint, its write-ahead log stays
    wal = published.with_name(published.name + ".wal")
    assert wal.exists(), "the scratch writer left no write-ahead log"
    before = mart_contents(published)
    digest = file_digest(published)
    another_day(refreshed, monkeypatch)
    code, out, err = run_cli(refreshed, capsys, "refresh", "--no-exports")
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
        another_day(refreshed, monkeypatch)
        code, out, err = run_cli(refreshed, capsys, "refresh")
        assert (code, out) == (2, [])
        assert len(err) == 1 and f"is open for writing by process {holder.pid}" in err[0]
        assert file_digest(published) == digest


def test_an_unopenable_published_file_is_an_error_naming_it(
    refreshed: Path, capsys: pytest.CaptureFixture
) -> None:
    """Never a silent rebuild from an empty file: the refresh stops and names the file."""
    published = refreshed / "warehouse.duckdb"
    published.write_bytes(b"not a database, but an analyst's mistake")
    code, out, err = run_cli(refreshed, capsys, "refresh", "--all")
    assert code == 2 and out == []
    assert len(err) == 1 and f"{published} does not open as a DuckDB database" in err[0]
    assert published.read_bytes() == b"not a database, but an analyst's mistake"


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
    correct_report(refreshed)
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
