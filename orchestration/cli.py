"""``finsam``: the command line for analysts and for the nightly job.

    finsam refresh [--all] [--no-exports] [--verbose]
                              refresh what is stale (--all: everything), in this process;
                              --no-exports leaves the exports to the next refresh
    finsam nightly            the nightly schedule's tick (cron): the same, or `skipped:` and why
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

from ingestion import config

USAGE_REFRESH = "finsam refresh [--all] [--no-exports] [--verbose]"


def refresh(args: list[str], nightly: bool = False) -> int:
    """Run what is stale (``--all``: everything) in this process and say what happened; the
    nightly tick says `skipped:` and why when nothing is. Dagster's log goes to a file under
    data/logs/ (``--verbose``: to the terminal as well)."""
    unknown = [a for a in args if a not in {"--all", "--no-exports", "--verbose", "-v"}]
    refused = [a for a in ("--all", "--no-exports") if nightly and a in args]
    if unknown or refused:
        print(f"unknown option {' '.join(unknown or refused)}; usage: "
              + ("finsam nightly [--verbose]" if nightly else USAGE_REFRESH), file=sys.stderr)
        return 2
    try:
        config.check_settings()
    except config.SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from ingestion.warehouse import PublishRefused, RefreshAlreadyRunning, UnreadableWarehouse
    from orchestration.refresh import failure_report, new_log_path, project_instance, summary
    from orchestration.refresh import refresh as run_refresh

    log_path = new_log_path()
    try:
        with project_instance() as instance:
            outcome = run_refresh(instance, everything="--all" in args, log_path=log_path,
                                  verbose=bool({"--verbose", "-v"} & set(args)),
                                  exports="--no-exports" not in args)
    except (config.SettingError, RefreshAlreadyRunning, UnreadableWarehouse,
            PublishRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not outcome.success:
        print(failure_report(outcome), file=sys.stderr)
        return 1
    if nightly and outcome.result is None:
        from orchestration.jobs import NOTHING_STALE

        print(f"skipped: {NOTHING_STALE}")
        return 0
    print("\n".join(summary(outcome)))
    return 0


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
    try:
        return _command(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        # The reader went away (`finsam extract … | head`): stop quietly, as other tools do;
        # stdout goes to /dev/null so Python's flush at exit raises nothing either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _command(args: list[str]) -> int:
    command, rest = (args[0], args[1:]) if args else ("--help", [])
    if command == "refresh":
        return refresh(rest)
    if command == "nightly":
        return refresh(rest, nightly=True)
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
