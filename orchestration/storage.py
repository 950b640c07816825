"""Dagster's SQLite storage, with the event log's database connections kept open.

Dagster's ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens a connection and
closes both for every event it stores or reads. A refresh stores hundreds of events (each
materialisation, check and step), and that made event storage the largest single cost of a
refresh outside dbt (about 30 ms per event: connecting, compiling the same INSERT again in
each new engine, closing the file). Here each database keeps one engine with one pooled
connection, so statements are compiled once and files stay open.

The files and their layout are Dagster's own (``storage: sqlite`` in dagster.yaml writes the
same), so the UI, the daemon and older history read them unchanged. Engines of per-run
databases are kept for the few most recent runs only: the UI reads many runs over a day.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, Pool, QueuePool

# Per-run databases whose engines stay open besides the index: a refresh writes one or two.
OPEN_RUN_DATABASES = 4


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one engine per database file, reused."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            if shard not in self._initialized_dbs:
                # Creating the tables takes two connections at once: Dagster's own way.
                first = self._new_engine(shard, NullPool)
                self._initdb(first)
                first.dispose()
                self._initialized_dbs.add(shard)
            engine = self._new_engine(shard, QueuePool, pool_size=1, max_overflow=0)
        self._engines[shard] = engine  # the most recently used last
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[:-OPEN_RUN_DATABASES]:
            self._engines.pop(name).dispose()
        return engine

    def _new_engine(self, shard: str, poolclass: type[Pool], **pool: int) -> Engine:
        # One pooled connection, used under the storage's lock (``_db_lock``) by one thread
        # at a time; other processes (the UI, the daemon) share the file through SQLite's WAL.
        return create_engine(
            self.conn_string_for_shard(shard), poolclass=poolclass, **pool,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_engines()  # the run databases' files are deleted: no handle may stay
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()


class SqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, event logs, schedules under ``base_dir``), its event
    log kept by ``PooledSqliteEventLogStorage``. dagster.yaml: ``storage: custom:``."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: dict) -> SqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
