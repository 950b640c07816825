"""The pandera part of the staging models' and marts' checks, as blocking Dagster asset
checks: one per model with a value range or rule (``ingestion.validation``), on the model's
own asset key (read from the dbt assets, so it follows the translator). A failure names the
failing rows by the model's grain; blocking, so a bad build is never published.

No ``from __future__ import annotations`` here: Dagster reads the ``context`` annotation of a
multi-asset check at definition time and rejects it as a string.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSpec,
    MetadataValue,
    multi_asset_check,
)
from dagster_dbt import get_asset_key_for_model

from ingestion.validation.validate import ModelResult, check_model, model_checks
from orchestration.resources import WarehouseResource


def check_result(result: ModelResult, key: AssetCheckKey) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
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


def build_pandera_checks() -> list[AssetChecksDefinition]:
    """One blocking check per staging model and mart that pandera checks, all computed in one
    step: each of them takes milliseconds, and a step of its own cost ~0.1 s of Dagster's
    bookkeeping (a second a refresh for the twelve). Each is still its own check on its
    model's asset, named ``pandera_<model>``; a selection of some of them runs only those."""
    # Imported here, not at module level: loading the dbt assets prepares the dbt manifest,
    # which the validation helpers above do not need.
    from orchestration.assets.dbt import finsam_dbt_models

    checks = {
        AssetCheckKey(get_asset_key_for_model([finsam_dbt_models], name), f"pandera_{name}"): check
        for name, check in model_checks().items()
    }

    @multi_asset_check(
        name="pandera_model_checks",
        specs=[AssetCheckSpec(key.name, asset=key.asset_key, blocking=True,
                              description=f"{check.layer}.{check.table.name}: value ranges and "
                                          "rules dbt does not check.")
               for key, check in checks.items()],
        can_subset=True,
    )
    def _checks(context: AssetCheckExecutionContext,
                warehouse: WarehouseResource) -> Iterator[AssetCheckResult]:
        with warehouse.connect(read_only=True) as con:
            for key in sorted(context.selected_asset_check_keys, key=str):
                check = checks[key]
                frame = con.execute(check.select).df()
                yield check_result(check_model(frame, check), key)

    return [_checks]
