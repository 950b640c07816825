"""The last step of a refresh: publish the checked build file to the analysts."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from ingestion import config
from ingestion.files import file_digest
from ingestion.warehouse import file_identity, publish, table_row_counts
from orchestration.assets import reference, reports, statistics
from orchestration.assets.dbt import finsam_dbt_models
from orchestration.resources import WarehouseResource
from orchestration.versions import PUBLISH_CODE

# Every table of the build file: what a publish consumed of each is its record of what the
# published warehouse holds (orchestration/jobs.py reads it to rebuild what a failed run
# built but never published).
BUILD_ASSETS = [
    *reference.reference_tables.keys, *reports.report_tables.keys,
    *(key for asset in (statistics.population, statistics.full_year_equivalents,
                        statistics.unemployment) for key in asset.keys),
    *finsam_dbt_models.keys,
]


@asset(deps=BUILD_ASSETS, group_name="publish", code_version=PUBLISH_CODE)
def published_warehouse(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Atomically replace ``data/warehouse.duckdb`` with this run's build file, once the
    guards against shrinking tables pass (``ingestion.validation.guards``).

    Runs only when every upstream asset and blocking check has succeeded, so a failed or
    killed refresh leaves the published file exactly as it was.
    """
    published = publish(warehouse.build_path, config.published_warehouse_path(),
                        log=context.log.warning)
    rows = table_row_counts(published, schema="marts")
    context.log.info(f"published {published}: {rows}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(published)),
            "mart_rows": MetadataValue.json(rows),
            "sha256": file_digest(published),
            "file_identity": file_identity(published),
        }
    )
