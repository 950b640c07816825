"""dbt models as Dagster assets: staging → intermediate → marts, with dbt tests as checks."""

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import AssetDep, AssetExecutionContext, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_dbt.dbt_project import DbtProject

from ingestion import config
from ingestion.warehouse import dbt_env
from orchestration.project import dbt_project, manifest_path
from orchestration.resources import WarehouseResource
from orchestration.versions import DBT_CODE, MEMBERSHIPS_TODAY

# The refresh's dbt command. Unit tests are left out: their inputs are fixed rows in the YAML,
# so they give the same result every night and only cost time there (a second at national
# scale); they test the SQL, and run wherever the code changes: `make test` builds the
# project with them (tests/dbt_helpers.py), as dbt recommends ("When to run unit tests",
# docs.getdbt.com/docs/build/unit-tests). No manifest.json or run_results.json: Dagster reads
# the build's events from its log stream and its manifest from the set-up step, and writing
# them cost 0.4 s of every build at national scale. No colour codes: dbt's lines go to the
# refresh's log file.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test", "--no-write-json",
              "--no-use-colors"]


# A model whose SQL reads today's date (the current members) depends on the memberships of
# the day as well as on its tables.
READS_TODAY = re.compile(r"\bcurrent_date\b", re.IGNORECASE)


class FinsamDbtTranslator(DagsterDbtTranslator):
    """A dbt source ``raw.<table>`` is the Python asset that writes that table; models are
    keyed and grouped by their layer (``marts/fct_funding_vs_ideal``). Every model has the
    dbt project's code version (``orchestration/versions.py``), and one that reads today's
    date depends on ``memberships_today``."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str,
                       project: DbtProject | None) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec
        deps = list(spec.deps)
        if READS_TODAY.search(props.get("raw_code") or ""):
            deps.append(AssetDep(MEMBERSHIPS_TODAY))
        return spec.replace_attributes(code_version=DBT_CODE, deps=deps)

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
    """Build and test the selected models in the build file (requiring ``warehouse`` prepares
    it). Which models a refresh selects is decided before the run, by Dagster's versions
    (``orchestration/jobs.py``)."""
    with _environment(dbt_env(warehouse.build_path)):
        # A fixed target folder per data folder keeps dbt's partial parse between runs.
        yield from dbt.cli(BUILD_ARGS, context=context,
                           target_path=config.dbt_target_dir()).stream()
