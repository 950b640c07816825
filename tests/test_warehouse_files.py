"""The build/publish life cycle of the warehouse file, without Dagster: the build copy, the
atomic publish, what lies beside the published file, the guard against shrinking tables."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from ingestion import warehouse
from ingestion.validation.guards import ShrinkageError
from tests.writers import writer_process


def _make_database(path, rows: int) -> None:
    with duckdb.connect(str(path)) as con:
        warehouse.write_table(con, "marts", "example", pd.DataFrame({"n": range(rows)}))


def test_start_build_copies_published_once_per_run(tmp_path) -> None:
    published, build = tmp_path / "warehouse.duckdb", tmp_path / "build" / "warehouse.duckdb"
    _make_database(published, 3)
    warehouse.start_build("run-1", build, published)
    with duckdb.connect(str(build)) as con:
        con.execute("insert into marts.example (n) values (99)")
    # Same run: the work done so far is kept.
    warehouse.start_build("run-1", build, published)
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from marts.example").fetchone()[0] == 4
    # A new run starts again from the published file.
    warehouse.start_build("run-2", build, published)
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select count(*) from marts.example").fetchone()[0] == 3


def test_start_build_refuses_a_corrupt_published_file_naming_it(tmp_path) -> None:
    """Never a silent build from nothing: a run that selects some tables would publish a
    warehouse without the others."""
    published, build = tmp_path / "warehouse.duckdb", tmp_path / "build" / "warehouse.duckdb"
    published.write_bytes(b"not a database")
    with pytest.raises(warehouse.UnreadableWarehouse, match=f"^{published} does not open"):
        warehouse.start_build("run-1", build, published)
    assert not build.exists() and published.read_bytes() == b"not a database"


def test_publish_replaces_atomically_while_a_reader_is_open(tmp_path) -> None:
    published, build = tmp_path / "warehouse.duckdb", tmp_path / "build" / "warehouse.duckdb"
    _make_database(published, 2)
    reader = duckdb.connect(str(published), read_only=True)
    warehouse.start_build("run-1", build, published)
    with duckdb.connect(str(build)) as con:
        warehouse.write_table(con, "marts", "example", pd.DataFrame({"n": range(5)}))
    warehouse.publish(build, published)
    assert reader.execute("select count(*) from marts.example").fetchone()[0] == 2
    reader.close()
    assert warehouse.table_row_counts(published, "marts") == {"example": 5}
    assert not build.exists()


def test_write_table_adds_loaded_at_and_replaces(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        warehouse.write_table(con, "raw", "t", pd.DataFrame({"a": [1, 2]}))
        warehouse.write_table(con, "raw", "t", pd.DataFrame({"a": [3]}))
        rows = con.execute("select a, loaded_at is not null from raw.t").fetchall()
    assert rows == [(3, True)]


def test_refresh_lock_is_exclusive(tmp_path) -> None:
    """Held by one process (re-entrant there: a refresh's two runs), refused to another."""
    other = ("import sys; from pathlib import Path; from ingestion import warehouse\n"
             "try:\n    with warehouse.refresh_lock(Path(sys.argv[1])): pass\n"
             "except warehouse.RefreshAlreadyRunning as exc: print(exc)")
    with warehouse.refresh_lock(tmp_path), warehouse.refresh_lock(tmp_path):
        result = subprocess.run([sys.executable, "-c", other, str(tmp_path)],
                                capture_output=True, text=True, timeout=120,
                                cwd=warehouse.config.REPO_ROOT)
    assert result.stdout.strip() == f"another refresh holds {tmp_path / '.lock'}", result.stderr
    with warehouse.refresh_lock(tmp_path):  # released
        pass


def _build_beside(tmp_path, rows: int):
    published, build = tmp_path / "warehouse.duckdb", tmp_path / "build" / "warehouse.duckdb"
    _make_database(published, 10)
    warehouse.start_build("run-1", build, published)
    with duckdb.connect(str(build)) as con:
        warehouse.write_table(con, "marts", "example", pd.DataFrame({"n": range(rows)}))
    return published, build


def test_a_table_that_lost_more_than_half_its_rows_is_not_published(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published, build = _build_beside(tmp_path, 4)
    before = published.read_bytes()
    with pytest.raises(ShrinkageError, match=r"marts\.example 10 → 4 rows \(-60 %\)"):
        warehouse.publish(build, published)
    assert published.read_bytes() == before and build.exists()
    monkeypatch.setenv("FINSAM_MAX_ROW_DROP", "1")  # an intended drop, for one run
    warehouse.publish(build, published)
    assert warehouse.table_row_counts(published, "marts") == {"example": 4}


def test_a_drop_within_the_limit_is_published(tmp_path) -> None:
    published, build = _build_beside(tmp_path, 5)
    warehouse.publish(build, published)
    assert warehouse.table_row_counts(published, "marts") == {"example": 5}


def test_content_version_follows_the_rows_not_the_index() -> None:
    frame = pd.DataFrame({"code": ["0180", "0114"], "n": [1, 2]})
    same = frame.set_index(pd.Index([7, 9]))
    assert warehouse.content_version(frame) == warehouse.content_version(same)
    assert warehouse.content_version(frame) != warehouse.content_version(frame.assign(n=[1, 3]))
    assert warehouse.content_version(frame) != warehouse.content_version(
        frame.astype({"n": "float64"}))


def test_the_writer_of_a_file_is_named(tmp_path) -> None:
    path = tmp_path / "warehouse.duckdb"
    _make_database(path, 1)
    reader = duckdb.connect(str(path), read_only=True)
    assert warehouse.writer_of(path) is None  # readers do not count
    reader.close()
    with writer_process(path) as writer:
        assert warehouse.writer_of(path).startswith(f"process {writer.pid} (")
    assert warehouse.writer_of(path) is None


def test_publish_refuses_a_file_a_writer_holds_and_moves_a_stale_log_aside(tmp_path) -> None:
    published, build = _build_beside(tmp_path, 8)
    before = published.read_bytes()
    # Killed at the end of the block without a checkpoint: its log stays beside the file.
    with writer_process(published, "create table scratch as select 1") as writer:
        with pytest.raises(warehouse.PublishRefused,
                           match=f"open for writing by process {writer.pid}"):
            warehouse.publish(build, published)
        assert published.read_bytes() == before and build.exists()
    wal = warehouse.wal_path(published)
    assert wal.exists()
    moved: list[str] = []
    warehouse.publish(build, published, log=moved.append)
    assert not wal.exists() and len(list(tmp_path.glob("warehouse.duckdb.wal.stale-*"))) == 1
    assert moved and "moved a stale write-ahead log" in moved[0]
    assert warehouse.table_row_counts(published, "marts") == {"example": 8}
