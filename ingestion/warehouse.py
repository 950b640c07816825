"""The warehouse file life cycle: build into a private file, publish atomically.

Analysts keep read-only connections open on ``data/warehouse.duckdb`` and DuckDB allows one
writer per file, so a refresh never writes there. It writes ``data/build/warehouse.duckdb``
(started as a copy of the published file, so a partial run keeps what it does not rebuild)
and, once every check has passed, renames the build file over the published one. A rename
is atomic on POSIX: readers see either the old file or the new, never a mix, and an open
connection keeps reading the old inode until it closes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from ingestion import config

RUN_MARKER = "RUN_ID"


class RefreshAlreadyRunning(RuntimeError):
    pass


@contextmanager
def refresh_lock(build_dir: Path | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the build folder for one refresh.

    ``flock`` is released by the kernel when the process dies, so a killed refresh never
    leaves a stale lock behind.
    """
    folder = build_dir or config.build_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RefreshAlreadyRunning(f"another refresh holds {folder / '.lock'}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_build(run_id: str, build_path: Path | None = None, published: Path | None = None) -> Path:
    """Prepare the build file for ``run_id``: once per run, whatever is left from an earlier
    (possibly killed) run is discarded and the published warehouse copied in."""
    build_path = build_path or config.build_warehouse_path()
    published = published or config.published_warehouse_path()
    marker = build_path.parent / RUN_MARKER
    if marker.exists() and marker.read_text() == run_id and build_path.exists():
        return build_path
    build_path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (build_path, build_path.with_name(build_path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if published.exists() and _is_valid_database(published):
        shutil.copyfile(published, build_path)
    marker.write_text(run_id)
    return build_path


def publish(build_path: Path | None = None, published: Path | None = None) -> Path:
    """Atomically replace the published warehouse with the finished build file."""
    build_path = build_path or config.build_warehouse_path()
    published = published or config.published_warehouse_path()
    # Fold the write-ahead log into the file so the renamed file is complete on its own.
    with duckdb.connect(str(build_path)) as con:
        con.execute("checkpoint")
    if build_path.with_name(build_path.name + ".wal").exists():
        raise RuntimeError(f"{build_path} still has a write-ahead log; is a writer open?")
    if not _is_valid_database(build_path):
        raise RuntimeError(f"{build_path} does not open as a DuckDB database")
    _fsync(build_path)
    os.replace(build_path, published)
    _fsync(published.parent)
    (build_path.parent / RUN_MARKER).unlink(missing_ok=True)
    return published


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def write_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pd.DataFrame
) -> int:
    """Replace ``schema.table`` with ``frame`` in one transaction; returns the row count.

    Adds ``loaded_at`` (the time of the write) for dbt's source freshness checks.
    """
    con.execute(f'create schema if not exists "{schema}"')
    con.register("_incoming", frame)
    try:
        con.execute("begin")
        con.execute(
            f'create or replace table "{schema}"."{table}" as '
            "select *, current_timestamp::timestamp as loaded_at from _incoming"
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_incoming")
    return len(frame)


def _is_valid_database(path: Path) -> bool:
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from information_schema.tables").fetchone()
        return True
    except duckdb.Error:
        return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def table_row_counts(path: Path, schema: str) -> dict[str, int]:
    """Rows per table of one schema, read through a read-only connection."""
    with connect(path, read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? order by table_name",
                [schema],
            ).fetchall()
        ]
        return {
            table: con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            for table in tables
        }
