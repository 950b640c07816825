"""The refresh job, and the nightly schedule that runs it when something changed.

Kept light (Dagster and the standard library): a tick is evaluated without loading the
assets, dbt or pandas, so a night without news costs well under the 5 s of issue 14.
"""

from __future__ import annotations

from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
)

from ingestion import fingerprint

# Everything, in dependency order: sources and documents → raw tables → dbt → checks →
# publish → exports. `finsam refresh` runs this same job in-process.
nightly_refresh = define_asset_job(
    "nightly_refresh",
    selection=AssetSelection.all(),
    description="Full refresh: fetch, extract, build, check, publish, export.",
)

# Tags of a run: what it was started for. A full refresh carries the fingerprint of its
# inputs (ingestion.fingerprint.refresh_inputs), so the next tick can tell what is new.
SCOPE_TAG = "finsam/scope"
INPUTS_TAG = "finsam/inputs"
# The assets of orchestration/assets/exports.py: run alone when only their code changed.
EXPORT_KEYS = [AssetKey(name) for name in
               ("exports_workbook", "exports_tables", "exports_charts", "exports_report")]
# A run in these states will still refresh (or has refreshed) its inputs.
NOT_FAILED = {
    DagsterRunStatus.SUCCESS, DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING, DagsterRunStatus.STARTED,
}


EXPORTS_TAGS = {SCOPE_TAG: "exports"}


def refresh_tags(inputs: str) -> dict[str, str]:
    return {SCOPE_TAG: "refresh", INPUTS_TAG: inputs}


def stale_exports(instance: DagsterInstance) -> list[AssetKey]:
    """The exports last written by other code than today's (or never written)."""
    version = fingerprint.exports_code_version()
    written = instance.get_latest_materialization_code_versions(EXPORT_KEYS)
    return [key for key in EXPORT_KEYS if written[key] != version]


def nightly_decision(instance: DagsterInstance) -> RunRequest | SkipReason:
    """A full refresh when the inputs differ from those of the latest refresh or that
    refresh failed; the exports alone when only their code changed; else skip, saying why."""
    inputs = fingerprint.refresh_inputs()
    runs = instance.get_runs(
        RunsFilter(job_name=nightly_refresh.name, tags={SCOPE_TAG: "refresh"}), limit=1
    )
    last = runs[0] if runs else None
    if last is None:
        return RunRequest(tags=refresh_tags(inputs))
    if last.tags.get(INPUTS_TAG) != inputs or last.status not in NOT_FAILED:
        return RunRequest(tags=refresh_tags(inputs))
    stale = stale_exports(instance)
    if stale:
        return RunRequest(asset_selection=stale, tags=EXPORTS_TAGS)
    return SkipReason(
        f"inputs unchanged since refresh {last.run_id} ({last.status.value.lower()}): "
        "reference, snapshots, documents, overrides, settings, code and today's memberships"
    )


# 03:00 Swedish time: after Arbetsförmedlingen's and SCB's daytime publications and before
# analysts start work; Dagster handles the CET/CEST switch.
@schedule(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule="0 3 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=DefaultScheduleStatus.RUNNING,
)
def nightly_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    return nightly_decision(context.instance)
