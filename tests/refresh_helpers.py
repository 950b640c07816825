"""Run the real refresh (`finsam refresh`) in a subprocess against a private data folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion import config

# The embedded inputs a refresh reads; everything else under data/ is generated.
INPUT_FOLDERS = ("reference", "snapshots", "documents", "overrides")


def make_data_dir(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    source = config.REPO_ROOT / "data"
    for name in INPUT_FOLDERS:
        if (source / name).exists():
            shutil.copytree(source / name, target / name)
    return target


def refresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FINSAM_")}
    env.update(FINSAM_DATA_DIR=str(data_dir), FINSAM_DAGSTER_STORAGE=str(data_dir / "dagster"))
    env.update(extra)
    return env


def refresh_command() -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", "refresh"]


def run_refresh(data_dir: Path, timeout: float = 600, **extra: str) -> subprocess.CompletedProcess:
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
