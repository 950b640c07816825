"""The publish contract of a refresh (issue 3).

Analysts hold read-only connections on the published warehouse; a refresh must never
block on them, break them, or leave the published file changed unless it succeeded.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.refresh_helpers import (
    make_data_dir,
    mart_contents,
    refresh_command,
    refresh_env,
    run_refresh,
)

EXPECTED_MARTS = {"fct_funding_vs_ideal", "dim_association", "dim_municipality"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def first_refresh(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess:
    data_dir = make_data_dir(tmp_path_factory.mktemp("refresh") / "data")
    result = run_refresh(data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    result.data_dir = data_dir
    return result


@pytest.fixture(scope="module")
def refreshed(first_refresh: subprocess.CompletedProcess) -> Path:
    return first_refresh.data_dir


def test_refresh_publishes_marts_and_prints_summary(first_refresh, refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    contents = mart_contents(published)
    assert set(contents) >= EXPECTED_MARTS
    assert contents["fct_funding_vs_ideal"], "funding mart is empty"
    assert not (refreshed / "build" / "warehouse.duckdb").exists(), "build file left behind"
    rows = len(contents["fct_funding_vs_ideal"])
    assert f"warehouse: {published}" in first_refresh.stdout
    assert "marts.fct_funding_vs_ideal" in first_refresh.stdout
    assert f"{rows} rows" in first_refresh.stdout


def _forget_last_build(published: Path) -> None:
    """Make the next refresh rebuild and republish although its inputs are unchanged (a
    refresh skips dbt and publishing when nothing changed since the recorded build)."""
    with duckdb.connect(str(published)) as con:
        con.execute("drop table if exists meta.build_inputs")


def test_open_reader_keeps_working_and_refresh_is_deterministic(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    before = mart_contents(published)
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
    assert mart_contents(published) == before


def test_failed_refresh_leaves_published_warehouse_byte_identical(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    digest = _sha256(published)
    municipalities = refreshed / "reference" / "municipalities.csv"
    original = municipalities.read_text(encoding="utf-8")
    # A duplicated municipality code is bad input the reference validation must reject.
    first_row = original.splitlines()[1]
    municipalities.write_text(original + first_row + "\n", encoding="utf-8")
    try:
        result = run_refresh(refreshed)
    finally:
        municipalities.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "unchanged" in result.stderr
    assert _sha256(published) == digest


def test_killed_refresh_leaves_published_warehouse_intact(refreshed: Path) -> None:
    published = refreshed / "warehouse.duckdb"
    _forget_last_build(published)  # a full rebuild, so the kill lands mid-way through it
    digest = _sha256(published)
    build_file = refreshed / "build" / "warehouse.duckdb"
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
    # The whole process group, dbt's subprocess included, as when the machine kills the job.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert _sha256(published) == digest
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_funding_vs_ideal").fetchone()[0] > 0

    # The next run cleans up after the killed one by itself.
    result = run_refresh(refreshed)
    assert result.returncode == 0, result.stdout + result.stderr
