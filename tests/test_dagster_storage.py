"""The project's Dagster storage (orchestration/storage.py): Dagster's SQLite files, written
through connections that stay open, read back by Dagster's own storage class; safe from
several threads; a bounded number of open files; nothing held after dispose or wipe."""

from __future__ import annotations

import contextlib
import inspect
import os
import threading
from pathlib import Path

from dagster import AssetKey, AssetMaterialization, asset, materialize
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite_storage import _event_logs_directory

from orchestration.refresh import project_instance
from orchestration.storage import OPEN_RUN_DATABASES, PooledSqliteEventLogStorage
from tests.refresh_helpers import finsam_environment

KEY = AssetKey("probe")


@asset(key=KEY)
def probe() -> int:
    return 1


def _stored(storage: Path) -> int:
    """Materialisations of ``probe`` as Dagster's stock SQLite event log reads them."""
    events = SqliteEventLogStorage(_event_logs_directory(str(storage)))
    try:
        return len(events.fetch_materializations(KEY, limit=1000).records)
    finally:
        events.dispose()


def _open_databases(storage: Path) -> set[str]:
    """The SQLite files under ``storage`` this process holds open (a deleted one marked
    so), their -wal and -shm files counted with them."""
    names = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith(str(storage)):
                names.add(target.replace("-wal", "").replace("-shm", ""))
    return names


def test_runs_are_stored_in_dagsters_own_files_with_few_open(tmp_path: Path) -> None:
    with finsam_environment(tmp_path / "data", FINSAM_DAGSTER_STORAGE=str(tmp_path / "dagster")), \
            project_instance() as instance:
        events = instance.event_log_storage
        assert isinstance(events, PooledSqliteEventLogStorage), "dagster.yaml names another"
        runs = OPEN_RUN_DATABASES + 2
        for _ in range(runs):
            assert materialize([probe], instance=instance).success
        # The index and the latest runs' databases, the older runs' closed.
        assert len(_open_databases(tmp_path / "dagster")) == OPEN_RUN_DATABASES + 1
        assert _stored(tmp_path / "dagster") == runs
    assert _open_databases(tmp_path / "dagster") == set(), "dispose left databases open"


def test_threads_storing_at_once_lose_no_event(tmp_path: Path) -> None:
    """The UI and the daemon store and read from several threads; one connection per file,
    under the storage's lock, serves them all."""
    with finsam_environment(tmp_path / "data", FINSAM_DAGSTER_STORAGE=str(tmp_path / "dagster")), \
            project_instance() as instance:
        errors: list[BaseException] = []

        def report(n: int) -> None:
            try:
                for _ in range(n):
                    instance.report_runless_asset_event(AssetMaterialization(KEY))
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                errors.append(exc)

        threads = [threading.Thread(target=report, args=(25,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        assert _stored(tmp_path / "dagster") == 100
        assert materialize([probe], instance=instance).success
        instance.wipe()  # deletes the run databases: no connection may still hold them
        assert not any(name.endswith("(deleted)")
                       for name in _open_databases(tmp_path / "dagster"))
        assert _stored(tmp_path / "dagster") == 0
        instance.report_runless_asset_event(AssetMaterialization(KEY))
        assert _stored(tmp_path / "dagster") == 1


def test_the_dagster_internals_the_storage_overrides_still_exist() -> None:
    """The storage replaces a private method of Dagster's SQLite event log and uses three
    of its attributes; renamed upstream, the override would silently stop applying."""
    storage = SqliteEventLogStorage.__dict__
    assert {"_connect", "_initdb", "wipe", "dispose"} <= storage.keys()
    assert list(inspect.signature(SqliteEventLogStorage._connect).parameters) == ["self", "shard"]
    assert {"_db_lock", "_initialized_dbs"} <= set(SqliteEventLogStorage.__init__.__code__.co_names)
