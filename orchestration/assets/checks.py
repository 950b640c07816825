"""pandera schemas of the staging models and marts as blocking Dagster asset checks.

One check per validated dbt model, on the model's own asset key (read from the dbt assets,
so it follows the translator). The check reads the built table and validates it with the
model's schema from ``ingestion/validation``; a failure names the failing rows by their
grain (key columns) in the description and the metadata. Blocking: a failed check stops
the assets downstream of dbt, so a bad build is never published.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import pandera.pandas as pa
from dagster import (
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_dbt import get_asset_key_for_model

from ingestion.validation.marts import MART_SCHEMAS
from ingestion.validation.staging import STAGING_SCHEMAS
from orchestration.resources import WarehouseResource

# At most this many failing rows are listed; the count is always complete.
MAX_LISTED_ROWS = 20

SCHEMAS_BY_LAYER: dict[str, dict[str, type[pa.DataFrameModel]]] = {
    "staging": STAGING_SCHEMAS,
    "marts": MART_SCHEMAS,
}


def grain(model: type[pa.DataFrameModel]) -> list[str]:
    """The columns that identify a row: the schema's unique combination, else its unique
    column, else its required columns."""
    schema = model.to_schema()
    if schema.unique:
        return list(schema.unique)
    unique = [name for name, column in schema.columns.items() if column.unique]
    if unique:
        return unique
    return [name for name, column in schema.columns.items() if not column.nullable]


def validate_table(
    con: duckdb.DuckDBPyConnection, layer: str, table: str, model: type[pa.DataFrameModel]
) -> AssetCheckResult:
    frame = con.execute(f'select * from "{layer}"."{table}"').df()
    return validate_frame(frame, model, f"{layer}.{table}")


def validate_frame(
    frame: pd.DataFrame, model: type[pa.DataFrameModel], label: str
) -> AssetCheckResult:
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _failure(frame, model, label, errors.failure_cases)
    return AssetCheckResult(passed=True, metadata={"rows": len(frame), "schema": model.__name__})


def _failure(
    frame: pd.DataFrame, model: type[pa.DataFrameModel], label: str, cases: pd.DataFrame
) -> AssetCheckResult:
    key_columns = [c for c in grain(model) if c in frame.columns]
    row_cases = cases[cases["index"].notna()]
    failing: list[dict[str, Any]] = []
    for index, group in row_cases.groupby("index", sort=True):
        key = frame.loc[index, key_columns].astype(str).to_dict() if key_columns else {}
        checks = sorted({f"{row.column}: {row.check}" for row in group.itertuples()})
        failing.append({"row": int(index), **key, "failed": checks})
    # Failures that concern the table, not a row (missing column, wrong type).
    table_cases = cases[cases["index"].isna()]
    table_failures = sorted(
        {f"{row.column}: {row.check} ({row.failure_case})" for row in table_cases.itertuples()}
    )
    listed = failing[:MAX_LISTED_ROWS]
    description = (
        f"{label} fails {model.__name__}: {len(failing)} failing row(s)"
        + (
            f", e.g. {', '.join(_describe(row, key_columns) for row in listed[:5])}"
            if listed
            else ""
        )
        + (f"; table: {'; '.join(table_failures)}" if table_failures else "")
    )
    return AssetCheckResult(
        passed=False,
        description=description,
        metadata={
            "rows": len(frame),
            "schema": model.__name__,
            "failing_row_count": len(failing),
            "failing_rows": MetadataValue.json(listed),
            "key_columns": MetadataValue.json(key_columns),
            "table_failures": MetadataValue.json(table_failures),
        },
    )


def _describe(row: dict[str, Any], key_columns: list[str]) -> str:
    return "(" + ", ".join(f"{c}={row[c]}" for c in key_columns) + ")"


def _pandera_check(
    asset_key: AssetKey, layer: str, table: str, model: type[pa.DataFrameModel]
) -> AssetChecksDefinition:
    @asset_check(
        asset=asset_key,
        name=f"pandera_{table}",
        description=f"{layer}.{table} matches the pandera schema {model.__name__}.",
        blocking=True,
    )
    def _check(warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            return validate_table(con, layer, table, model)

    return _check


def build_pandera_checks() -> list[AssetChecksDefinition]:
    """One blocking check per staging model and mart that has a pandera schema."""
    # Imported here, not at module level: loading the dbt assets prepares the dbt manifest,
    # which the validation helpers above do not need.
    from orchestration.assets.dbt import finsam_dbt_models

    return [
        _pandera_check(get_asset_key_for_model([finsam_dbt_models], table), layer, table, model)
        for layer, schemas in SCHEMAS_BY_LAYER.items()
        for table, model in schemas.items()
    ]
