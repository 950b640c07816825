"""The Dagster definitions load, validate, and hold the nightly job and its schedule."""

from __future__ import annotations

import os
import subprocess
import sys

from dagster import AssetKey

from ingestion import config


def test_dagster_definitions_validate() -> None:
    env = {**os.environ, "DAGSTER_HOME": str(config.REPO_ROOT)}
    env.setdefault("FINSAM_DAGSTER_STORAGE", str(config.dagster_storage_dir()))
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate"]
        + ["-m", "orchestration.definitions"],
        cwd=config.REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nightly_schedule_runs_the_refresh_job_at_three_swedish_time() -> None:
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.job_name == "nightly_refresh"
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"


def test_publish_runs_after_every_mart() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    upstream = graph.get(AssetKey("published_warehouse")).parent_keys
    assert AssetKey(["marts", "fct_funding_vs_ideal"]) in upstream
    job = defs.resolve_job_def("nightly_refresh")
    assert AssetKey("published_warehouse") in job.asset_layer.asset_graph.get_all_asset_keys()
