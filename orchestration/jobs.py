"""The refresh job and the schedule that runs it."""

from __future__ import annotations

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

# Everything, in dependency order: sources and documents → raw tables → dbt → checks →
# publish → exports. `finsam refresh` runs this same job in-process.
nightly_refresh = define_asset_job(
    "nightly_refresh",
    selection=AssetSelection.all(),
    description="Full refresh: fetch, extract, build, check, publish, export.",
)

# 03:00 Swedish time: after Arbetsförmedlingen's and SCB's daytime publications and before
# analysts start work; Dagster handles the CET/CEST switch.
nightly_schedule = ScheduleDefinition(
    job=nightly_refresh,
    cron_schedule="0 3 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=DefaultScheduleStatus.RUNNING,
)
