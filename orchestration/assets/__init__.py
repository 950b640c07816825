"""Dagster assets by domain; the work is in ``ingestion`` and ``outputs``."""

from dagster import AssetSpec

from ingestion import contracts
from orchestration.versions import RAW_CODE


def raw_table_specs(group: str, tables: list[str], deps: list[object]) -> list[AssetSpec]:
    """One asset per raw table, described by the table's contract (the dbt source YAML), with
    the raw code version; ``deps`` are the inputs it reads."""
    return [AssetSpec(table, group_name=group, description=contracts.raw_table(table).description,
                      code_version=RAW_CODE, deps=deps) for table in tables]
