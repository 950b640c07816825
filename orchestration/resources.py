"""Dagster resources, configured in one place (``orchestration/definitions.py``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import cached_property
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource
from dbt.version import __version__ as dbt_core_version
from packaging import version
from pydantic import PrivateAttr

from ingestion import config, warehouse


class FinsamDbtResource(DbtCliResource):
    """dbt as dagster-dbt runs it, less two things it does before every dbt command that this
    project does not use, which cost about 4 s a build: running ``dbt --version`` in a
    subprocess (the dbt it runs is the dbt-core installed here) and loading dbt's profile,
    adapter and macros in this process (used only to fetch column metadata and row counts
    for the assets, which ours do not ask for). dagster-dbt is pinned to one version in
    pyproject.toml; tests/test_definitions.py fails if these hooks change name."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


# Tag of the runs that build into the same build file.
BUILD_TAG = "finsam/build"


class WarehouseResource(ConfigurableResource):
    """The DuckDB build file of the current run.

    Assets write only here; ``published_warehouse`` renames it over the analysts' file once
    every check has passed. The first use in a run discards leftovers of an earlier run and
    takes the refresh lock, so two refreshes never write at once.
    """

    _locks: ExitStack = PrivateAttr(default_factory=ExitStack)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._locks.enter_context(warehouse.refresh_lock())
        # The runs of one refresh (orchestration/refresh.py: the raw tables, then what their
        # new versions make stale) share its build file.
        run = context.run
        build_id = (run.tags.get(BUILD_TAG) or run.run_id) if run else "adhoc"
        warehouse.start_build(build_id)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._locks.close()

    @property
    def build_path(self) -> Path:
        return config.build_warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.build_path, read_only=read_only) as con:
            yield con

