"""The publish contract of a refresh (issue 3).

Analysts hold read-only connections on the published warehouse; a refresh must never
block on them, break them, or leave the published file changed unless it succeeded. Two
refreshes run as `finsam refresh` in a subprocess (the command end to end under an open
reader, and one killed with SIGKILL); the others run the job in this process.
"""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion import fingerprint
from ingestion.warehouse import RUN_MARKER
from tests.refresh_helpers import (
    failure_report,
    mart_contents,
    materialized,
    refresh_command,
    refresh_env,
    refreshed_data_dir,
    run_refresh,
    run_refresh_in_process,
)

EXPECTED_MARTS = {"fct_funding_vs_ideal", "dim_association", "dim_municipality"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of its own of the session's refreshed data folder for each test."""
    return refreshed_data_dir(tmp_path_factory)


def _forget_last_build(published: Path) -> None:
    """Make the next refresh rebuild and republish although its inputs are unchanged (a
    refresh skips dbt and publishing when nothing changed since the recorded build)."""
    with duckdb.connect(str(published)) as con:
        con.execute("drop table if exists meta.build_inputs")


def test_refresh_command_publishes_a_new_file_under_an_open_reader(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    before = mart_contents(published)
    assert set(before) >= EXPECTED_MARTS
    assert before["fct_funding_vs_ideal"], "funding mart is empty"
    _forget_last_build(published)
    inode = published.stat().st_ino
    reader = duckdb.connect(str(published), read_only=True)
    try:
        count = reader.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0]
        result = run_refresh(refreshed)
        assert result.returncode == 0, result.stdout + result.stderr
        # The reader still sees its (old) file, unharmed.
        again = reader.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0]
        assert again == count
    finally:
        reader.close()
    assert published.stat().st_ino != inode, "the refresh did not publish a new file"
    assert not (refreshed / "build" / "warehouse.duckdb").exists(), "build file left behind"
    # The same inputs give the same marts.
    assert mart_contents(published) == before
    # The summary names the warehouse and the rows per mart.
    assert f"warehouse: {published}" in result.stdout
    rows = len(before["fct_funding_vs_ideal"])
    summary = [line.split() for line in result.stdout.splitlines()]
    assert ["marts.fct_funding_vs_ideal", str(rows), "rows"] in summary


def test_failed_refresh_leaves_published_warehouse_byte_identical(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = _sha256(published)
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
    assert _sha256(published) == digest


def _day_with_other_memberships(reference: Path) -> date:
    """A day on which the registry's members differ from today's: the day before a
    membership starts or the day after one ends."""
    with (reference / "association_members.csv").open(encoding="utf-8", newline="") as handle:
        rows = [(r["association_id"], r["municipality_code"], r["valid_from"], r["valid_to"])
                for r in csv.DictReader(handle)]
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


def test_killed_refresh_leaves_published_warehouse_intact(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = _sha256(published)
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

    assert _sha256(published) == digest
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0] > 0
    killed_run = (refreshed / "build" / RUN_MARKER).read_text()

    # The next run discards the killed run's build file by itself and carries on.
    result = run_refresh_in_process(refreshed)
    assert result.success, failure_report(result)
    marker = refreshed / "build" / RUN_MARKER
    assert result.run_id != killed_run
    assert not marker.exists() or marker.read_text() == result.run_id
    assert _sha256(published) == digest
