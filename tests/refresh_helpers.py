"""Run the refresh against a private data folder: in this process (``run_refresh_in_process``,
the default for tests) or as `finsam refresh` in a subprocess (``run_refresh``, for what
only a separate process shows: a kill, a process that dies with its parent).

    result = run_refresh_in_process(data_dir, FINSAM_SOURCES="live")
    assert not result.success, failure_report(result)

A refresh runs what Dagster's versions say is stale (``orchestration/jobs.py``), with the
data folder's own Dagster storage (``<data_dir>/dagster``): a copy of a refreshed folder
carries its history, so a test that changes one input rebuilds what depends on it only.
``refreshed_data_dir`` gives such a copy; the refresh behind it runs once per test run,
shared by the pytest-xdist workers.
"""

from __future__ import annotations

import csv
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from ingestion import config
from ingestion.files import file_digest
from orchestration import cli, versions
from orchestration.refresh import Outcome, failure_report, project_instance, refresh

__all__ = ["failure_report", "file_digest"]

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
    data_dir: Path, asset_selection: Sequence[AssetKey] | None = None, everything: bool = False,
    exports: bool = True, **settings: str
) -> Outcome:
    """A refresh of ``data_dir`` in this process: what is stale (``everything``: all of it;
    ``asset_selection``: exactly those assets; without ``exports``, the exports left stale, as
    `finsam refresh --no-exports`), with the folder's own Dagster storage. Never raises on a
    failed step; ``.success``, the run's events and ``failure_report`` tell."""
    with finsam_environment(data_dir, **settings), project_instance() as instance:
        return refresh(instance, everything=everything, selection=asset_selection,
                       exports=exports)


def materialized(result: Outcome) -> set[str]:
    """The asset keys a run materialised, as strings (``marts/fct_funding_vs_ideal``)."""
    return {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}


def _shared_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of one successful refresh of the embedded inputs, made by the first
    pytest-xdist worker that asks (the others wait on a lock and reuse it)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    base = root / "refreshed-base" / "data"
    with open(root / "refreshed-base.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base.parent / "DONE").exists():
            shutil.rmtree(base.parent, ignore_errors=True)
            make_data_dir(base)
            result = run_refresh_in_process(base)
            assert result.success, failure_report(result)
            (base.parent / "DONE").touch()
    return base


def refreshed_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy, private to the caller, of a data folder after a successful refresh of the
    embedded inputs (warehouse published, exports, caches and Dagster history written)."""
    target = tmp_path_factory.mktemp("refreshed") / "data"
    shutil.copytree(_shared_base(tmp_path_factory), target)
    return target


def refresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FINSAM_", "DAGSTER_"))}
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


# The corrected figure a test refresh publishes: Stockholm's state contribution of 2024.
REPORT = "sample_stockholms_stad_arsredovisning_2024.txt"
PRINTED, CORRECTED = "Driftbidrag från staten 17 000 000", "Driftbidrag från staten 17 400 000"


def correct_report(data_dir: Path) -> None:
    report = data_dir / "documents" / REPORT
    text = report.read_text(encoding="utf-8")
    assert PRINTED in text
    report.write_text(text.replace(PRINTED, CORRECTED), encoding="utf-8")


def another_day(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make it a day on which a membership starts or ends: the current-member marts are
    stale, so a refresh rebuilds those two and publishes, and nothing else (the cheapest
    refresh that publishes; dbt still builds for the real date, so the marts stay equal)."""
    day = day_with_other_memberships(data_dir / "reference")
    monkeypatch.setattr(versions, "today", lambda: day)


def day_with_other_memberships(reference: Path) -> date:
    """A day on which the registry's members differ from today's: the day before a
    membership starts or the day after one ends."""
    today = versions.memberships_valid_on(date.today(), reference)
    with (reference / "association_members.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        candidates = [date.fromisoformat(row["valid_from"]) - timedelta(days=1)]
        if row["valid_to"]:
            candidates.append(date.fromisoformat(row["valid_to"]) + timedelta(days=1))
        for day in candidates:
            if versions.memberships_valid_on(day, reference) != today:
                return day
    raise AssertionError("no membership in the registry starts or ends on any day")


def run_cli(data_dir: Path, capsys: pytest.CaptureFixture, *args: str, **settings: str
            ) -> tuple[int, list[str], list[str]]:
    """`finsam <args>` in this process against ``data_dir``: exit code, stdout and stderr
    lines."""
    with finsam_environment(data_dir, **settings):
        code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()
