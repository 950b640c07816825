"""``finsam``: the command line for analysts and for the nightly job.

    finsam refresh            full refresh (the `nightly_refresh` job, run in-process)
    finsam nightly            the nightly schedule's tick: refresh what changed, or say why not
    finsam extract FILE...    print the figures read from report documents
    finsam export [...]       write the workbook, CSV/Parquet, charts and report
    finsam scenario --vars Y  the marts rebuilt with other model parameters, in a copy
    finsam sql [QUERY]        SQL on the published warehouse, read-only
    finsam summary            rows per mart of the published warehouse
    finsam sources check      drift report of the statistics sources (metadata only)
    finsam docs               the dbt documentation catalogue, from a copy of the warehouse
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ingestion import config

if TYPE_CHECKING:
    from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult


def _prepare_dagster_environment() -> None:
    # dagster.yaml sits in the repository root and keeps its storage under data/.
    os.environ.setdefault("DAGSTER_HOME", str(config.REPO_ROOT))
    os.environ.setdefault("FINSAM_DAGSTER_STORAGE", str(config.dagster_storage_dir()))
    config.dagster_storage_dir().mkdir(parents=True, exist_ok=True)


def refresh() -> int:
    """The whole job, whatever changed; then the exports, if only their code changed."""
    _prepare_dagster_environment()
    from dagster import DagsterInstance

    from ingestion.fingerprint import refresh_inputs
    from orchestration.jobs import EXPORTS_TAGS, refresh_tags, stale_exports

    with DagsterInstance.get() as instance:
        if not _run(instance, refresh_tags(refresh_inputs())):
            return 1
        stale = stale_exports(instance)
        if stale and not _run(instance, EXPORTS_TAGS, stale):
            return 1
    return summary()


def nightly() -> int:
    """What the schedule does at 03:00, for a machine without the Dagster daemon (cron)."""
    _prepare_dagster_environment()
    from dagster import DagsterInstance, SkipReason

    from orchestration.jobs import nightly_decision

    with DagsterInstance.get() as instance:
        decision = nightly_decision(instance)
        if isinstance(decision, SkipReason):
            print(f"skipped: {decision.skip_message}")
            return 0
        if not _run(instance, dict(decision.tags), decision.asset_selection):
            return 1
    return summary()


def _run(instance: DagsterInstance, tags: dict[str, str],
         asset_selection: Sequence[AssetKey] | None = None) -> bool:
    """Run the job in-process (only ``asset_selection`` when given); on failure say why."""
    import gc

    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_refresh")
    # What is loaded by now (Dagster, dbt's manifest, the definitions: 300,000 objects)
    # lives as long as the process: left out of the cyclic garbage collector's scans, which
    # otherwise walk it again and again while the steps allocate (10-20 % of a step's time).
    gc.freeze()
    # Step events are DEBUG; INFO keeps the console to what the assets report.
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        tags=tags,
        asset_selection=asset_selection,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    if not result.success:
        print(failure_report(result), file=sys.stderr)
    return result.success


def failure_report(result: ExecuteInProcessResult) -> str:
    """What failed and why: the failed steps' errors and the failed checks' findings (which
    name the offending rows), then that nothing was published."""
    lines = []
    failures = result.get_step_failure_events()
    for event in failures:
        error = event.step_failure_data.error
        # Dagster wraps the asset's exception; that exception says what went wrong.
        while error is not None and error.cause is not None and (
            error.cls_name or "").startswith("Dagster"):
            error = error.cause
        lines.append(f"step {event.step_key} failed: {error.message.strip() if error else ''}")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            lines.append(f"check {evaluation.check_name} on "
                         f"{evaluation.asset_key.to_user_string()} failed: "
                         f"{evaluation.description or ''}")
    steps = ", ".join(event.step_key for event in failures) or "a blocking check"
    lines.append(f"refresh failed in {steps}; the published warehouse is unchanged: "
                 f"{config.published_warehouse_path()}")
    return "\n".join(lines)


def summary() -> int:
    from ingestion.warehouse import table_row_counts

    published = config.published_warehouse_path()
    if not published.exists():
        print(f"no published warehouse at {published}; run `finsam refresh`", file=sys.stderr)
        return 1
    print(f"warehouse: {published}")
    print(f"exports:   {config.exports_dir()}")
    for table, rows in table_row_counts(published, schema="marts").items():
        print(f"  marts.{table:<32} {rows:>9} rows")
    return 0


def docs() -> int:
    """dbt's catalogue from a copy of the published warehouse, so generating it never
    contends with analysts' connections or a running refresh."""
    import shutil

    from ingestion.warehouse import run_dbt

    published = config.published_warehouse_path()
    if not published.exists():
        print(f"no published warehouse at {published}; run `finsam refresh`", file=sys.stderr)
        return 1
    folder = config.data_dir() / "dbt_docs"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published, folder / "warehouse.duckdb")
    result = run_dbt(folder / "warehouse.duckdb", ["docs", "generate"], folder)
    if result.returncode == 0:
        print(f"serve it: {config.DBT_EXECUTABLE} docs serve --project-dir "
              f"{config.DBT_PROJECT_DIR} --profiles-dir {config.DBT_PROFILES_DIR} "
              f"--target-path {folder}")
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command, rest = (args[0], args[1:]) if args else ("--help", [])
    if command == "refresh":
        return refresh()
    if command == "nightly":
        return nightly()
    if command == "summary":
        return summary()
    if command == "docs":
        return docs()
    if command == "extract":
        from ingestion.reports.extract_command import extract_command

        return extract_command(rest)
    if command == "export":
        from outputs.export_command import export_command

        return export_command(rest)
    if command == "sources":
        from ingestion.sources.drift import check_command

        return check_command(rest)
    if command == "scenario":
        from outputs.scenario import scenario_command

        return scenario_command(rest)
    if command == "sql":
        from outputs.sql_command import sql_command

        return sql_command(rest)
    print(__doc__)
    return 0 if command in {"-h", "--help", "help"} else 2


if __name__ == "__main__":
    sys.exit(main())
