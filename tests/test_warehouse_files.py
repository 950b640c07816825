"""The build/publish life cycle of the warehouse file, without Dagster."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ingestion import warehouse


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


def test_start_build_ignores_a_corrupt_published_file(tmp_path) -> None:
    published, build = tmp_path / "warehouse.duckdb", tmp_path / "build" / "warehouse.duckdb"
    published.write_bytes(b"not a database")
    warehouse.start_build("run-1", build, published)
    assert not build.exists()


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
    with (
        warehouse.refresh_lock(tmp_path),
        pytest.raises(warehouse.RefreshAlreadyRunning),
        warehouse.refresh_lock(tmp_path),
    ):
        pass
