"""The last step of a refresh: publish the checked build file to the analysts."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from ingestion import config
from ingestion.warehouse import publish, table_row_counts
from orchestration.assets.dbt import finsam_dbt_models
from orchestration.resources import WarehouseResource


@asset(deps=list(finsam_dbt_models.keys), group_name="publish")
def published_warehouse(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    """Atomically replace ``data/warehouse.duckdb`` with this run's build file.

    Runs only when every upstream asset and blocking check has succeeded, so a failed or
    killed refresh leaves the published file exactly as it was.
    """
    published = publish(warehouse.build_path, config.published_warehouse_path())
    rows = table_row_counts(published, schema="marts")
    context.log.info(f"published {published}: {rows}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(published)),
            "mart_rows": MetadataValue.json(rows),
        }
    )
