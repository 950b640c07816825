"""dbt models as Dagster assets: staging → intermediate → marts, with dbt tests as checks."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ingestion import config, fingerprint
from ingestion.warehouse import build_inputs, dbt_env, record_build_inputs, recorded_build_inputs
from orchestration.project import dbt_project, manifest_path
from orchestration.resources import WarehouseResource

# The refresh's dbt command. Unit tests are left out: their inputs are fixed rows in the YAML,
# so they give the same result every night and only cost time there (a second at national
# scale); they test the SQL, and run wherever the code changes: `make test` builds the
# project with them (tests/dbt_helpers.py), as dbt recommends ("When to run unit tests",
# docs.getdbt.com/docs/build/unit-tests). No manifest.json or run_results.json: Dagster reads
# the build's events from its log stream and its manifest from the set-up step, and writing
# them cost 0.4 s of every build at national scale.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]


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


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """``variables`` set in this process while dbt runs: ``DbtCliResource`` passes its own
    environment to dbt and reads the profile in-process too."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=manifest_path(), project=dbt_project, dagster_dbt_translator=FinsamDbtTranslator()
)
def finsam_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Build and test every model in the build file (requiring ``warehouse`` prepares it).

    Skipped when the build file was built from exactly these raw tables, this code and
    today's memberships (a refresh in which nothing changed): no model is materialised, so
    the checks, publish and exports downstream are skipped too and the published warehouse
    stays as it is.
    """
    with warehouse.connect() as con:
        inputs = build_inputs(con, fingerprint.code_version(fingerprint.DBT_BUILD_CODE))
        if inputs is not None and inputs == recorded_build_inputs(con):
            context.log.info("raw tables, code and today's memberships unchanged since the "
                             "published build: dbt, the checks, publish and exports are skipped")
            return
    with _environment(dbt_env(warehouse.build_path)):
        # A fixed target folder per data folder keeps dbt's partial parse between runs.
        yield from dbt.cli(BUILD_ARGS, context=context,
                           target_path=config.dbt_target_dir()).stream()
    # Only a build of every model is a build of these inputs (not one model from the UI).
    if inputs is not None and not context.is_subset:
        with warehouse.connect() as con:
            record_build_inputs(con, inputs)
