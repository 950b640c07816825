"""Run the refresh against a private data folder: in this process (``run_refresh_in_process``,
the default for tests) or as `finsam refresh` in a subprocess (``run_refresh``, for what
only a separate process shows: the command line, an open reader in another process, a kill).

    result = run_refresh_in_process(data_dir, FINSAM_SOURCES="live")
    assert not result.success, failure_report(result)

``refreshed_data_dir`` gives a copy of a data folder a successful refresh of the embedded
inputs left behind; that refresh runs once per test session.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult

from ingestion import config
from orchestration.cli import failure_report

# The embedded inputs a refresh reads; everything else under data/ is generated.
INPUT_FOLDERS = ("reference", "snapshots", "documents", "overrides")


def make_data_dir(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    source = config.REPO_ROOT / "data"
    for name in INPUT_FOLDERS:
        if (source / name).exists():
            shutil.copytree(source / name, target / name)
    return target


@contextmanager
def finsam_environment(data_dir: Path, **settings: str) -> Iterator[None]:
    """Only ``FINSAM_DATA_DIR=data_dir`` and ``settings`` (e.g. ``FINSAM_SOURCES="live"``,
    ``HTTPS_PROXY=…``) in this process's environment for the duration of the block."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("FINSAM_")]:
        del os.environ[key]
    os.environ.update(FINSAM_DATA_DIR=str(data_dir), **settings)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_refresh_in_process(
    data_dir: Path, asset_selection: Sequence[AssetKey] | None = None, **settings: str
) -> ExecuteInProcessResult:
    """The `nightly_refresh` job (only ``asset_selection`` when given) in this process, with
    an in-memory Dagster instance, against ``data_dir``; never raises on a failed step."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_refresh")
    with finsam_environment(data_dir, **settings), DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=list(asset_selection) if asset_selection else None,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )


def materialized(result: ExecuteInProcessResult) -> set[str]:
    """The asset keys a run materialised, as strings (``marts/fct_funding_vs_ideal``)."""
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


_shared: dict[str, Path] = {}


def refreshed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy, private to the caller, of a data folder after a successful refresh of the
    embedded inputs (warehouse published, exports and caches written)."""
    if "base" not in _shared:
        base = make_data_dir(tmp_path_factory.mktemp("refreshed-base") / "data")
        result = run_refresh_in_process(base)
        assert result.success, failure_report(result)
        _shared["base"] = base
    target = tmp_path_factory.mktemp("refreshed") / "data"
    shutil.copytree(_shared["base"], target)
    return target


def file_digest(path: Path) -> str:
    """sha256 of a file: the published warehouse must be byte-identical after a failure."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FINSAM_")}
    env.update(FINSAM_DATA_DIR=str(data_dir), FINSAM_DAGSTER_STORAGE=str(data_dir / "dagster"))
    env.update(extra)
    return env


def refresh_command() -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", "refresh"]


def run_refresh(data_dir: Path, timeout: float = 600, **extra: str) -> subprocess.CompletedProcess:
    """`finsam refresh` in a subprocess (its own Dagster storage under ``data_dir``)."""
    return subprocess.run(
        refresh_command(),
        env=refresh_env(data_dir, **extra),
        cwd=config.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def mart_contents(path: Path) -> dict[str, list[tuple]]:
    """Every row of every mart, in a stable order, read through a read-only connection."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {
            table: con.execute(f"select * from marts.{table} order by all").fetchall()
            for table in tables
        }
