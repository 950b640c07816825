"""The table contracts in the dbt YAML are complete, and what is derived from them (pandera
schemas, exports, docs) follows them."""

from __future__ import annotations

import pytest

from ingestion import contract_docs, contracts
from ingestion.validation.rules import MODEL_RULES, RAW_RULES
from ingestion.validation.schemas import raw_schema
from outputs import marts

# One type per kind of figure in the marts.
MART_TYPES = {"varchar", "integer", "bigint", "double", "decimal(18,2)", "date", "boolean"}


def test_every_raw_column_has_a_type_and_every_table_a_schema() -> None:
    for name in contracts.raw_table_names():
        table = contracts.raw_table(name)
        assert all(c.data_type for c in table.columns), name
        schema = raw_schema(name)
        assert list(schema.columns) == [c.name for c in contracts.written_columns(name)]


@pytest.mark.parametrize("table", contracts.models_in("marts"), ids=lambda t: t.name)
def test_every_mart_has_an_enforced_contract(table: contracts.Table) -> None:
    assert table.enforced
    types = {c.name: c.data_type for c in table.columns}
    assert set(types.values()) <= MART_TYPES, types
    assert all(c.data_type == "decimal(18,2)" for c in table.columns if c.name.endswith("_sek"))
    # The columns that name a row may not be null: DuckDB refuses it while dbt builds.
    assert table.grain and all(table.column(name).not_null for name in table.grain), table.name


def test_exported_columns_are_labelled_in_the_contract() -> None:
    for mart in marts.MARTS:
        table = contracts.model(mart.table)
        assert [c.name for c in mart.columns] == table.column_names
        assert all(c.sv and c.en and c.definition for c in mart.columns), mart.table


def test_rules_name_tables_that_have_contracts() -> None:
    assert set(RAW_RULES) <= set(contracts.raw_table_names())
    for name in MODEL_RULES:
        contracts.model(name)


def test_generated_docs_are_up_to_date() -> None:
    assert contract_docs.main(["--check"]) == 0, "run `python -m ingestion.contract_docs`"
