"""The publish contract of a refresh (issue 3).

Analysts hold read-only connections on the published warehouse; a refresh must never
block on them, break them, or leave the published file changed unless it succeeded. Two
refreshes run as `finsam refresh` in a subprocess (the command end to end under open
readers, and one killed with SIGKILL); the others run the job in this process.
"""

from __future__ import annotations

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

from ingestion import fingerprint
from ingestion.warehouse import RUN_MARKER, recorded_build_inputs
from tests.refresh_helpers import (
    failure_report,
    file_digest,
    mart_contents,
    materialized,
    refresh_command,
    refresh_env,
    run_refresh,
    run_refresh_in_process,
)

EXPECTED_MARTS = {"fct_funding_vs_ideal", "dim_association", "dim_municipality"}


# An analyst's session, run as a process of its own: the three totals, then the first again
# (the warehouse must not move under a session), every second until ``stop`` exists.
READER = """
import json, os, sys, time
import duckdb

path, stop = sys.argv[1], sys.argv[2]
queries = [
    "select count(*)::varchar || '/' || sum(contribution_total_sek)::varchar"
    " from marts.fct_funding_vs_ideal",
    "select count(*)::varchar || '/' || sum(value)::varchar from raw.report_figures",
    "select sum(value_sek)::varchar from marts.fct_association_finances",
]
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
    time.sleep(1.0)  # analysts, not a load test: leave the refresh its CPU
print(json.dumps({"sessions": sessions, "errors": errors}))
"""
N_READERS = 20


def _totals(path: Path, stop: Path) -> list[str]:
    """What one reader session sees (``stop`` exists, so the reader reads once)."""
    stop.touch()
    result = subprocess.run([sys.executable, "-c", READER, str(path), str(stop)],
                            capture_output=True, text=True, timeout=60, check=True)
    [session] = json.loads(result.stdout)["sessions"]
    return session


def test_refresh_command_publishes_under_open_readers(refreshed: Path, tmp_path: Path) -> None:
    """`finsam refresh` end to end while analysts read: an open connection keeps working on
    the file it opened, 20 reader processes each see the old warehouse or the new one and
    never a mix, and the command prints where the warehouse is and its rows per mart."""
    published = refreshed / "warehouse.duckdb"
    old = _totals(published, tmp_path / "once")
    inode = published.stat().st_ino
    # A corrected figure, so the refresh publishes a warehouse with other totals.
    report = refreshed / "documents" / "sample_stockholms_stad_arsredovisning_2024.txt"
    text = report.read_text(encoding="utf-8")
    printed = "Driftbidrag från staten 17 000 000"
    assert printed in text
    corrected = text.replace(printed, "Driftbidrag från staten 17 400 000")

    reader = duckdb.connect(str(published), read_only=True)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(N_READERS)
    ]
    try:
        count = reader.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0]
        report.write_text(corrected, encoding="utf-8")
        result = run_refresh(refreshed)
        # The open connection still reads its (old) file, unharmed.
        assert reader.execute("select count(*) from marts.fct_funding_vs_ideal"
                              ).fetchone()[0] == count
    finally:
        report.write_text(text, encoding="utf-8")
        reader.close()
        stop.touch()
        outputs = [process.communicate(timeout=120) for process in readers]
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert published.stat().st_ino != inode, "the refresh did not publish a new file"
    assert not (refreshed / "build" / "warehouse.duckdb").exists(), "build file left behind"
    new = _totals(published, tmp_path / "once")
    assert new[0] != old[0] and new[1] != old[1], "the refresh did not replace the warehouse"

    sessions = []
    for stdout, stderr in outputs:
        seen = json.loads(stdout)
        assert seen["errors"] == [], seen["errors"][:3]
        assert seen["sessions"], stderr
        sessions += seen["sessions"]
    for session in sessions:
        assert session[0] == session[-1], f"the warehouse moved under a session: {session}"
        assert session[:3] in (old[:3], new[:3]), f"a mix of two warehouses: {session}"
    # The readers really overlapped the refresh: they saw the old warehouse and the new one.
    assert any(s[:3] == old[:3] for s in sessions)
    assert any(s[:3] == new[:3] for s in sessions)
    assert len(sessions) > N_READERS

    # The summary names the warehouse and the rows per mart.
    rows = len(mart_contents(published)["fct_funding_vs_ideal"])
    assert f"warehouse: {published}" in result.stdout
    summary = [line.split() for line in result.stdout.splitlines()]
    assert ["marts.fct_funding_vs_ideal", str(rows), "rows"] in summary


def test_failed_refresh_leaves_published_warehouse_byte_identical(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    municipalities = refreshed / "reference" / "municipalities.csv"
    original = municipalities.read_text(encoding="utf-8")
    # A duplicated municipality code is bad input the reference validation must reject.
    first_row = original.splitlines()[1]
    municipalities.write_text(original + first_row + "\n", encoding="utf-8")
    try:
        result = run_refresh_in_process(refreshed)
    finally:
        municipalities.write_text(original, encoding="utf-8")
    assert not result.success
    assert "unchanged" in failure_report(result)
    assert "published_warehouse" not in materialized(result)
    assert file_digest(published) == digest


def _day_with_other_memberships(reference: Path) -> date:
    """A day on which the registry's members differ from today's: the day before a
    membership starts or the day after one ends."""
    rows = fingerprint.registry_membership_rows(reference)
    today = fingerprint.memberships_valid_on(rows, date.today())
    for _, _, valid_from, valid_to in rows:
        candidates = [date.fromisoformat(valid_from) - timedelta(days=1)]
        if valid_to:
            candidates.append(date.fromisoformat(valid_to) + timedelta(days=1))
        for day in candidates:
            if fingerprint.memberships_valid_on(rows, day) != today:
                return day
    raise AssertionError("no membership in the registry starts or ends on any day")


def test_unchanged_inputs_skip_the_build_unless_the_memberships_of_the_day_differ(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = refreshed / "warehouse.duckdb"
    before = mart_contents(published)
    assert set(before) >= EXPECTED_MARTS
    assert before["fct_funding_vs_ideal"], "funding mart is empty"
    inode = published.stat().st_ino

    unchanged = run_refresh_in_process(refreshed)
    assert unchanged.success, failure_report(unchanged)
    assert "marts/dim_association" not in materialized(unchanged)
    assert published.stat().st_ino == inode, "an unchanged refresh published again"

    # Another day on which a membership has started or ended: the current-member marts
    # depend on it, so the same raw tables are built again and published.
    day = _day_with_other_memberships(refreshed / "reference")
    monkeypatch.setattr(fingerprint, "today", lambda: day)
    later = run_refresh_in_process(refreshed)
    assert later.success, failure_report(later)
    assert {"marts/dim_association", "published_warehouse"} <= materialized(later)
    assert published.stat().st_ino != inode
    # dbt itself still builds for the real date, so the same inputs give the same marts.
    assert mart_contents(published) == before


def test_a_build_of_some_models_is_not_recorded_as_a_build_of_all(
    refreshed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One model materialised alone (as from the UI) must not make the next refresh skip
    the others."""
    with duckdb.connect(str(refreshed / "warehouse.duckdb"), read_only=True) as con:
        recorded = recorded_build_inputs(con)
    day = _day_with_other_memberships(refreshed / "reference")
    monkeypatch.setattr(fingerprint, "today", lambda: day)
    result = run_refresh_in_process(refreshed, asset_selection=[AssetKey(["marts",
                                                                          "dim_association"])])
    assert result.success, failure_report(result)
    assert materialized(result) == {"marts/dim_association"}
    with duckdb.connect(str(refreshed / "build" / "warehouse.duckdb"), read_only=True) as con:
        assert recorded_build_inputs(con) == recorded


def test_killed_refresh_leaves_published_warehouse_intact(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = file_digest(published)
    build_file = refreshed / "build" / "warehouse.duckdb"
    # A changed report, so the killed run has real work to do.
    report = next((refreshed / "documents").glob("sample_*.txt"))
    original = report.read_bytes()
    report.write_bytes(original + b"\nDeltagare totalt 999\n")
    try:
        process = subprocess.Popen(
            refresh_command(),
            env=refresh_env(refreshed),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        # Kill once the refresh is writing its build file, i.e. genuinely mid-way.
        while not build_file.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        time.sleep(0.5)
        assert process.poll() is None, "refresh finished before it could be killed"
        # The whole process group, dbt's subprocess included, as when the machine kills it.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        report.write_bytes(original)

    assert file_digest(published) == digest
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0] > 0
    killed_run = (refreshed / "build" / RUN_MARKER).read_text()

    # The next run discards the killed run's build file by itself and carries on.
    result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    marker = refreshed / "build" / RUN_MARKER
    assert result.run_id != killed_run
    assert not marker.exists() or marker.read_text() == result.run_id
    assert file_digest(published) == digest
