"""The warehouse file life cycle: build into a private file, publish atomically.

Analysts keep read-only connections open on ``data/warehouse.duckdb`` and DuckDB allows one
writer per file, so a refresh never writes there. It writes ``data/build/warehouse.duckdb``
(started as a copy of the published file, so a partial run keeps what it does not rebuild)
and, once every check has passed, renames the build file over the published one. A rename
is atomic on POSIX: readers see either the old file or the new, never a mix, and an open
connection keeps reading the old inode until it closes.

What may lie beside the published file is dealt with before the rename: a write-ahead log
of a writer that is still connected stops the publish (naming the process); one left by a
writer that is gone (a crash, an analyst's scratch table) is moved aside, since DuckDB would
refuse to open the new file with the old file's log beside it.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingestion import config
from ingestion.validation.guards import check_shrinkage

RUN_MARKER = "RUN_ID"


class RefreshAlreadyRunning(RuntimeError):
    pass


class PublishRefused(RuntimeError):
    """The published file cannot be replaced safely now; the message says why."""


class UnreadableWarehouse(RuntimeError):
    """The published warehouse does not open; a refresh does not start from nothing."""


# Build folders whose lock this process holds: a refresh of two runs (orchestration/
# refresh.py) holds it across both, and each run's resource takes it again.
_held: set[Path] = set()


@contextmanager
def refresh_lock(build_dir: Path | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the build folder for one refresh (re-entrant in a process).

    ``flock`` is released by the kernel when the process dies, so a killed refresh never
    leaves a stale lock behind.
    """
    folder = (build_dir or config.build_dir()).resolve()
    if folder in _held:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RefreshAlreadyRunning(f"another refresh holds {folder / '.lock'}") from exc
        _held.add(folder)
        try:
            yield
        finally:
            _held.discard(folder)
            fcntl.flock(handle, fcntl.LOCK_UN)


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def start_build(run_id: str, build_path: Path | None = None, published: Path | None = None) -> Path:
    """Prepare the build file for ``run_id``: once per run, whatever is left from an earlier
    (possibly killed) run is discarded and the published warehouse copied in.

    Only the published file itself is copied, never a write-ahead log beside it (an
    analyst's scratch changes are not the warehouse). A published file that does not open
    is an error naming it: the refresh would otherwise rebuild from nothing the tables it
    does not select, and publish a warehouse without them."""
    build_path = build_path or config.build_warehouse_path()
    published = published or config.published_warehouse_path()
    marker = build_path.parent / RUN_MARKER
    if marker.exists() and marker.read_text() == run_id and build_path.exists():
        return build_path
    build_path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (build_path, wal_path(build_path)):
        leftover.unlink(missing_ok=True)
    if published.exists():
        shutil.copyfile(published, build_path)
        try:
            check_published(build_path)
        except UnreadableWarehouse:
            build_path.unlink()
            check_published(published)  # names the published file (the copy is the same)
            raise
    marker.write_text(run_id)
    return build_path


def check_published(published: Path | None = None) -> None:
    """Before a refresh starts: raise PublishRefused when a writer holds the published file
    (the refresh could not publish), UnreadableWarehouse when it does not open (the refresh
    would copy it)."""
    published = published or config.published_warehouse_path()
    writer = writer_of(published)
    if writer:
        raise PublishRefused(_held_by(published, writer))
    problem = _open_problem(published) if published.exists() else None
    if problem:
        raise UnreadableWarehouse(
            f"{published} does not open as a DuckDB database ({problem}); move it aside "
            "or restore it, then run `finsam refresh --all` to rebuild everything")


def discard_build(build_path: Path | None = None) -> None:
    """Delete a build file that will not be published (its run found nothing to publish)."""
    build_path = build_path or config.build_warehouse_path()
    for leftover in (build_path, wal_path(build_path), build_path.parent / RUN_MARKER):
        leftover.unlink(missing_ok=True)


def publish(build_path: Path | None = None, published: Path | None = None,
            log: Callable[[str], object] = print) -> Path:
    """Atomically replace the published warehouse with the finished build file, after the
    guards against shrinking tables (``ingestion.validation.guards``) passed. ``log`` is
    told when a stale write-ahead log was moved aside."""
    build_path = build_path or config.build_warehouse_path()
    published = published or config.published_warehouse_path()
    # Fold the write-ahead log into the file so the renamed file is complete on its own.
    with duckdb.connect(str(build_path)) as con:
        con.execute("checkpoint")
    if wal_path(build_path).exists():
        raise RuntimeError(f"{build_path} still has a write-ahead log; is a writer open?")
    problem = _open_problem(build_path)
    if problem:
        raise RuntimeError(f"{build_path} does not open as a DuckDB database ({problem})")
    _clear_beside(published, log)
    if published.exists() and not _open_problem(published):
        check_shrinkage(build_path, published)
    _fsync(build_path)
    os.replace(build_path, published)
    _fsync(published.parent)
    (build_path.parent / RUN_MARKER).unlink(missing_ok=True)
    return published


def _clear_beside(published: Path, log: Callable[[str], object]) -> None:
    """Refuse to publish over a file a writer holds open; move a write-ahead log no writer
    holds aside (the new file cannot be opened with the old file's log beside it)."""
    writer = writer_of(published)
    if writer:
        raise PublishRefused(_held_by(published, writer))
    wal = wal_path(published)
    if wal.exists():
        aside = wal.with_name(f"{wal.name}.stale-{datetime.now():%Y%m%dT%H%M%S}")
        os.replace(wal, aside)
        log(f"moved a stale write-ahead log of {published} (no writer holds it) aside to "
            f"{aside}: its changes were not part of the warehouse")


def _held_by(published: Path, writer: str) -> str:
    return (f"{published} is open for writing by {writer}: a refresh does not publish over "
            "it. Close that connection (analysts open the warehouse read-only) and run "
            "`finsam refresh` again")


# struct flock as fcntl(F_GETLK) reads and writes it.
_FLOCK = "qqihh" if sys.platform == "darwin" else "hhqqi4x"


def writer_of(path: Path) -> str | None:
    """The process that holds ``path`` open for writing (DuckDB takes a POSIX write lock on
    the file; read-only connections take read locks, which do not count), or None."""
    if not path.exists():
        return None
    fields = ((0, 0, 0, fcntl.F_RDLCK, os.SEEK_SET) if sys.platform == "darwin"
              else (fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0))
    fd = os.open(path, os.O_RDONLY)
    try:
        answer = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(_FLOCK, *fields)))
    finally:
        os.close(fd)
    kind, pid = (answer[3], answer[2]) if sys.platform == "darwin" else (answer[0], answer[4])
    if kind == fcntl.F_UNLCK:
        return None
    try:
        # Folded to one line: the message naming it is one line (a `python -c` script
        # carries its newlines here).
        command = " ".join(Path(f"/proc/{pid}/cmdline").read_bytes()
                           .decode(errors="replace").replace("\0", " ").split())
    except OSError:
        command = ""
    return f"process {pid}" + (f" ({command[:120]})" if command else "")


def file_identity(path: Path) -> str:
    """Which file ``path`` is, cheaply: its size and modification time, which a publish (a
    new file) or any write changes, and a copy that keeps the time (``cp -p``, a backup
    restored) does not."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


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
) -> int:
    """Replace ``schema.table`` with ``frame`` in one transaction, after ``validate`` (raising
    on bad rows) passed; returns the row count. Adds ``loaded_at`` (the time of the write)
    for dbt's source freshness checks."""
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
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("_incoming")
    return len(frame)


def content_version(frame: pd.DataFrame) -> str:
    """A raw table's data version: sha256 of its column names, types and values (not its
    index), so the same rows read again are the same version."""
    digest = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def dbt_env(database: Path) -> dict[str, str]:
    """What dbt needs in its environment to write ``database`` (profiles.yml reads it).

    dbt is started in the database's folder and names the file without its folder
    (``ingestion/dbt_process.py`` changes to it): dbt parses its project again whenever the
    profile's path changes, so one name for every build file (each test's, the refresh's)
    keeps its partial parse, 5 s a build."""
    return {config.DBT_DATABASE_VARIABLE: database.name,
            config.DBT_DIRECTORY_VARIABLE: str(database.parent),
            "DBT_PROJECT_DIR": str(config.DBT_PROJECT_DIR),
            "DBT_PROFILES_DIR": str(config.DBT_PROFILES_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def run_dbt(database: Path, args: list[str], target_path: Path, **run_args: object
            ) -> subprocess.CompletedProcess:
    """``dbt <args>`` on the project, writing ``database``, with its artifacts and logs in
    ``target_path``. ``run_args`` go to ``subprocess.run`` (e.g. ``capture_output=True``)."""
    seed_partial_parse(target_path)
    command = [str(config.DBT_LAUNCHER), *args,
               "--project-dir", str(config.DBT_PROJECT_DIR),
               "--profiles-dir", str(config.DBT_PROFILES_DIR),
               "--target-path", str(target_path), "--log-path", str(target_path)]
    return subprocess.run(command, env={**os.environ, **dbt_env(database)}, **run_args)


def seed_partial_parse(target_path: Path) -> None:
    """Start a new target folder from the project's parse (``make manifest``; the same
    profile, see dbt_env), so dbt's first command there parses only what changed: 5 s less,
    as dagster-dbt does for a refresh's target folder."""
    prepared = config.DBT_PROJECT_DIR / config.DBT_MANIFEST_TARGET / "partial_parse.msgpack"
    seeded = target_path / "partial_parse.msgpack"
    if prepared.exists() and not seeded.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prepared, seeded)


def _open_problem(path: Path) -> str | None:
    """Why ``path`` does not open read-only as a DuckDB database, or None when it does."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from information_schema.tables").fetchone()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]
    return None


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
