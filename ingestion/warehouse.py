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
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ingestion import config, fingerprint

RUN_MARKER = "RUN_ID"
# Table comment of a table write_table wrote: the fingerprint of its rows.
FINGERPRINT_PREFIX = "sha256:"
# What the last successful dbt build of this file was built from (see build_inputs).
BUILD_INPUTS_TABLE = "meta.build_inputs"


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


# DuckDB's buffer pool in a refresh's own process. By default it may take 80 % of the RAM
# and keeps a table it just wrote in memory until the connection closes (100 MB for
# raw.population); capped, it writes the blocks out. dbt runs in its own process.
MEMORY_LIMIT = "256MB"


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")
    try:
        yield con
    finally:
        con.close()


def write_table(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    frame: pd.DataFrame,
    validate: Callable[[pd.DataFrame], object] | None = None,
    version: str = "",
) -> int:
    """Replace ``schema.table`` with ``frame`` in one transaction; returns the row count.

    Adds ``loaded_at`` (the time of the write) for dbt's source freshness checks. The table
    is left as it is when it already holds exactly these rows (its comment is the rows'
    fingerprint), so ``loaded_at`` is when the content last changed, and an unchanged
    refresh lets ``build_inputs`` see that nothing changed.

    ``validate`` (raising on bad rows) runs only for rows that are to be written: rows that
    are already there passed it when they were written. ``version`` names the validation
    (its code and what it checks against), so a changed validation runs again.
    """
    fingerprint = FINGERPRINT_PREFIX + frame_fingerprint(frame, version)
    if table_fingerprints(con, schema).get(table) == fingerprint:
        return len(frame)
    if validate is not None:
        validate(frame)
    con.execute(f'create schema if not exists "{schema}"')
    con.register("_incoming", frame)
    try:
        con.execute("begin")
        con.execute(
            f'create or replace table "{schema}"."{table}" as '
            "select *, current_timestamp::timestamp as loaded_at from _incoming"
        )
        con.execute(f"comment on table \"{schema}\".\"{table}\" is '{fingerprint}'")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_incoming")
    return len(frame)


def frame_fingerprint(frame: pd.DataFrame, version: str = "") -> str:
    """sha256 of a frame's column names, types and values (not its index), and ``version``."""
    digest = hashlib.sha256(version.encode())
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def table_fingerprints(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, str | None]:
    """Table → the fingerprint write_table left in its comment (None if it has none)."""
    rows = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = ?", [schema]
    ).fetchall()
    return {
        table: comment if comment and comment.startswith(FINGERPRINT_PREFIX) else None
        for table, comment in rows
    }


def build_inputs(
    con: duckdb.DuckDBPyConnection, code_version: str, day: date | None = None
) -> str | None:
    """Fingerprint of what a dbt build of this file reads: every raw table's fingerprint,
    the build's code (``code_version``), and the memberships valid on ``day`` (default
    today), on which the current-member marts depend. None when a raw table has no
    fingerprint (written some other way): always build then."""
    raw = table_fingerprints(con, "raw")
    if not raw or None in raw.values():
        return None
    digest = hashlib.sha256(repr(sorted(raw.items())).encode())
    digest.update(code_version.encode())
    members = con.execute(
        "select association_id, municipality_code, valid_from::varchar, valid_to::varchar"
        " from raw.association_members"
    ).fetchall() if "association_members" in raw else []
    valid = fingerprint.memberships_valid_on(members, day or fingerprint.today())
    digest.update(repr(valid).encode())
    return digest.hexdigest()


def recorded_build_inputs(con: duckdb.DuckDBPyConnection) -> str | None:
    """The ``build_inputs`` of the last successful dbt build of this file, if any."""
    schema, table = BUILD_INPUTS_TABLE.split(".")
    if table not in table_fingerprints(con, schema):
        return None
    row = con.execute(f"select fingerprint from {BUILD_INPUTS_TABLE}").fetchone()
    return row[0] if row else None


def record_build_inputs(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    schema = BUILD_INPUTS_TABLE.split(".")[0]
    con.execute(f"create schema if not exists {schema}")
    con.execute(f"create or replace table {BUILD_INPUTS_TABLE} as "
                "select ? as fingerprint, current_timestamp::timestamp as built_at",
                [fingerprint])


def dbt_env(database: Path) -> dict[str, str]:
    """What dbt needs in its environment to write ``database`` (profiles.yml reads it)."""
    return {config.DBT_DATABASE_VARIABLE: str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def run_dbt(database: Path, args: list[str], target_path: Path, **run_args: object
            ) -> subprocess.CompletedProcess:
    """``dbt <args>`` on the project, writing ``database``, with its artifacts and logs in
    ``target_path``. ``run_args`` go to ``subprocess.run`` (e.g. ``capture_output=True``)."""
    command = [str(config.DBT_EXECUTABLE), *args,
               "--project-dir", str(config.DBT_PROJECT_DIR),
               "--profiles-dir", str(config.DBT_PROFILES_DIR),
               "--target-path", str(target_path), "--log-path", str(target_path)]
    return subprocess.run(command, env={**os.environ, **dbt_env(database)}, **run_args)


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
