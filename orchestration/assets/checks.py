"""The pandera part of the staging models' and marts' checks, as blocking Dagster asset
checks: one per model with a value range or rule (``ingestion.validation``), on the model's
own asset key (read from the dbt assets, so it follows the translator). A failure names the
failing rows by the model's grain; blocking, so a bad build is never published.
"""

from __future__ import annotations

from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_dbt import get_asset_key_for_model

from ingestion.validation.tables import ModelCheck, ModelResult, check_model, model_checks
from orchestration.resources import WarehouseResource


def check_result(result: ModelResult) -> AssetCheckResult:
    return AssetCheckResult(
        passed=result.passed,
        description=result.description,
        metadata={
            "rows": result.rows,
            "failing_row_count": result.failing_row_count,
            "failing_rows": MetadataValue.json(result.failing_rows),
            "key_columns": MetadataValue.json(result.key_columns),
            "table_failures": MetadataValue.json(result.table_failures),
        },
    )


def _pandera_check(asset_key: AssetKey, check: ModelCheck) -> AssetChecksDefinition:
    name = check.table.name

    @asset_check(
        asset=asset_key,
        name=f"pandera_{name}",
        description=f"{check.layer}.{name}: value ranges and rules dbt does not check.",
        blocking=True,
    )
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            frame = con.execute(f'select * from "{check.layer}"."{name}"').df()
        return check_result(check_model(frame, check))

    return _check


def build_pandera_checks() -> list[AssetChecksDefinition]:
    """One blocking check per staging model and mart that pandera checks."""
    # Imported here, not at module level: loading the dbt assets prepares the dbt manifest,
    # which the validation helpers above do not need.
    from orchestration.assets.dbt import finsam_dbt_models

    return [
        _pandera_check(get_asset_key_for_model([finsam_dbt_models], name), check)
        for name, check in model_checks().items()
    ]
