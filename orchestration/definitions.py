"""The one Definitions object: assets by domain, checks, the job, its schedule, resources."""

from __future__ import annotations

from dagster import (
    Definitions,
    colored_console_logger,
    in_process_executor,
    load_asset_checks_from_modules,
    load_assets_from_modules,
)

from ingestion import config
from orchestration.assets import dbt, exports, publish, reference, reports, statistics
from orchestration.assets.inputs import INPUT_ASSETS
from orchestration.assets.pandera_checks import build_pandera_checks
from orchestration.jobs import nightly_refresh, nightly_schedule
from orchestration.project import dbt_project
from orchestration.refresh import file_logger
from orchestration.resources import FinsamDbtResource, WarehouseResource

_modules = [reference, statistics, reports, dbt, publish, exports]

defs = Definitions(
    assets=[*INPUT_ASSETS, *load_assets_from_modules(_modules)],
    asset_checks=[*load_asset_checks_from_modules(_modules), *build_pandera_checks()],
    jobs=[nightly_refresh],
    schedules=[nightly_schedule],
    resources={
        # The run's private DuckDB build file; published atomically by `published_warehouse`.
        "warehouse": WarehouseResource(),
        "dbt": FinsamDbtResource(project_dir=dbt_project,
                                 dbt_executable=str(config.DBT_LAUNCHER)),
    },
    # One process per run: DuckDB allows a single writer per file, and the steps share the
    # build file and its lock.
    executor=in_process_executor,
    # A run's log on the console (the UI, the daemon), or in a file (`finsam refresh`).
    loggers={"console": colored_console_logger, "file": file_logger},
)
