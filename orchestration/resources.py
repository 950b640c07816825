"""Dagster resources, configured in one place (``orchestration/definitions.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
import pandas as pd
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from ingestion import config, warehouse


class WarehouseResource(ConfigurableResource):
    """The DuckDB build file of the current run.

    Assets write only here; ``published_warehouse`` renames it over the analysts' file once
    every check has passed. The first use in a run discards leftovers of an earlier run and
    takes the refresh lock, so two refreshes never write at once.
    """

    _locks: ExitStack = PrivateAttr(default_factory=ExitStack)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._locks.enter_context(warehouse.refresh_lock())
        warehouse.start_build(context.run.run_id if context.run else "adhoc")

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._locks.close()

    @property
    def build_path(self) -> Path:
        return config.build_warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.build_path, read_only=read_only) as con:
            yield con

    def write_table(
        self,
        schema: str,
        table: str,
        frame: pd.DataFrame,
        validate: Callable[[pd.DataFrame], object] | None = None,
        version: str = "",
    ) -> int:
        """See ``ingestion.warehouse.write_table``: unchanged rows are neither validated
        again nor rewritten."""
        with self.connect() as con:
            return warehouse.write_table(con, schema, table, frame, validate, version)

    def read_table(self, schema: str, table: str) -> pd.DataFrame:
        with self.connect(read_only=True) as con:
            return con.execute(f'select * from "{schema}"."{table}"').df()
