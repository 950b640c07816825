"""Dagster assets by domain; the work is in ``ingestion`` and ``outputs``."""

from dagster import AssetSpec

from ingestion import contracts


def raw_table_specs(group: str, tables: list[str], **options: object) -> list[AssetSpec]:
    """One asset per raw table, described by the table's contract (the dbt source YAML)."""
    return [AssetSpec(table, group_name=group, description=contracts.raw_table(table).description,
                      **options) for table in tables]
