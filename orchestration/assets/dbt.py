"""dbt models as Dagster assets: staging → intermediate → marts, with dbt tests as checks."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ingestion import config
from ingestion.warehouse import build_inputs, record_build_inputs, recorded_build_inputs
from orchestration.project import dbt_project, ensure_manifest
from orchestration.resources import WarehouseResource

# What a build turns the raw tables into: a change to any of it rebuilds even when the raw
# tables are unchanged.
BUILD_CODE = [
    config.REPO_ROOT / "dbt_project" / name
    for name in ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")
] + [config.REPO_ROOT / "ingestion" / "validation", config.REPO_ROOT / "orchestration",
     config.REPO_ROOT / "outputs"]


class FinsamDbtTranslator(DagsterDbtTranslator):
    """A dbt source ``raw.<table>`` is the Python asset that writes that table; models are
    keyed and grouped by their layer (``marts/fct_funding_vs_ideal``)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or super().get_group_name(
            dbt_resource_props
        )


@dbt_assets(
    manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=FinsamDbtTranslator()
)
def finsam_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Build and test every model in the build file (requiring ``warehouse`` prepares it).

    Skipped when the build file was built from exactly these raw tables and this code (a
    refresh in which nothing changed): no model is materialised, so the checks, publish and
    exports downstream are skipped too and the published warehouse stays as it is.
    """
    with warehouse.connect() as con:
        inputs = build_inputs(con, BUILD_CODE)
        if inputs is not None and inputs == recorded_build_inputs(con):
            context.log.info("raw tables and code unchanged since the published build: "
                             "dbt, the checks, publish and exports are skipped")
            return
    # A fixed target folder per data folder keeps dbt's partial parse between runs.
    target = config.data_dir() / "dbt_target"
    yield from dbt.cli(["build"], context=context, target_path=target).stream()
    if inputs is not None:
        with warehouse.connect() as con:
            record_build_inputs(con, inputs)
