"""The statistics assets write raw tables, and a broken source leaves the last good data."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import materialize
from test_sources_scb import POP_DIMS, POP_VALUES, jsonstat

from ingestion import config, warehouse
from orchestration.assets import reference, statistics
from orchestration.resources import WarehouseResource


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FINSAM_SOURCES", raising=False)
    shutil.copytree(config.REPO_ROOT / "data" / "reference", tmp_path / "reference")
    scb = tmp_path / "snapshots" / "scb"
    scb.mkdir(parents=True)
    (scb / "TAB638_metadata.json").write_bytes(jsonstat(POP_DIMS, None))
    (scb / "TAB638_2024.json.gz").write_bytes(gzip.compress(jsonstat(POP_DIMS, POP_VALUES)))
    return tmp_path


def population_total(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select sum(population) from raw.population").fetchone()[0]


def test_failed_fetch_keeps_the_published_table(data_dir: Path) -> None:
    assets = [reference.reference_tables, statistics.population]
    resources = {"warehouse": WarehouseResource()}
    assert materialize(assets, resources=resources).success
    warehouse.publish()
    assert population_total(config.published_warehouse_path()) == sum(POP_VALUES)

    snapshot = data_dir / "snapshots" / "scb" / "TAB638_2024.json.gz"
    snapshot.write_bytes(gzip.compress(jsonstat(POP_DIMS, POP_VALUES)[:-40]))
    result = materialize(assets, resources=resources, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "SCB population (TAB638)" in str(failure.event_specific_data.error)
    assert population_total(config.published_warehouse_path()) == sum(POP_VALUES)
