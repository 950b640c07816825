"""The statistics assets write raw tables; a broken source or a series that now stops
earlier leaves the last good data, and the drift state records both."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import materialize

from ingestion import config, warehouse
from ingestion.sources import drift, scb_population
from orchestration.assets import reference, statistics
from orchestration.resources import WarehouseResource

ASSETS = [reference.reference_tables, statistics.population]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("FINSAM_SOURCES", raising=False)
    shutil.copytree(config.REPO_ROOT / "data" / "reference", tmp_path / "reference")
    scb = tmp_path / "snapshots" / "scb"
    scb.mkdir(parents=True)
    for path in (config.REPO_ROOT / "data" / "snapshots" / "scb").glob("TAB*"):
        if path.name.startswith(("TAB638", "TAB5557")):
            shutil.copy(path, scb / path.name)
    return tmp_path


def population_summary(path: Path) -> tuple[int, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select sum(population), max(year) from raw.population").fetchone()


def failure_message(result) -> str:
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    return str(failure.event_specific_data.error)


def test_failed_fetch_keeps_the_published_table(data_dir: Path) -> None:
    resources = {"warehouse": WarehouseResource()}
    assert materialize(ASSETS, resources=resources).success
    warehouse.publish()
    good = population_summary(config.published_warehouse_path())
    assert good[1] == 2025
    assert drift.load_state()["population"]["last_good"]["series_end"] == "2025"

    snapshot = data_dir / "snapshots" / "scb" / "TAB5557_2025.json.gz"
    snapshot.write_bytes(gzip.compress(gzip.decompress(snapshot.read_bytes())[:-40]))
    result = materialize(ASSETS, resources=resources, raise_on_error=False)
    assert not result.success
    message = failure_message(result)
    assert scb_population.SOURCE in message and "TAB5557_2025" in message
    assert population_summary(config.published_warehouse_path()) == good
    recorded = drift.load_state()["population"]
    assert "TAB5557_2025" in recorded["last_failure"]["error"]
    assert "last failed run" in "\n".join(drift.check("population").lines())


def test_series_that_stops_earlier_is_refused(data_dir: Path) -> None:
    resources = {"warehouse": WarehouseResource()}
    assert materialize(ASSETS, resources=resources).success
    warehouse.publish()
    good = population_summary(config.published_warehouse_path())
    # TAB5557's metadata no longer lists 2025: the series would end in 2024.
    metadata_path = data_dir / "snapshots" / "scb" / "TAB5557_metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    metadata["size"][-1] = 0
    metadata["dimension"]["Tid"]["category"] = {"index": {}, "label": {}}
    metadata_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    result = materialize(ASSETS, resources=resources, raise_on_error=False)
    assert not result.success
    message = failure_message(result)
    assert "the series now ends in 2024 but the previous good run reached 2025" in message
    assert scb_population.SOURCE in message
    assert population_summary(config.published_warehouse_path()) == good


def test_the_comparison_check_runs_after_the_he_tables(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The HE asset writes raw.source_comparison beside the HE tables, and the warning
    check reads it: with the embedded snapshot (Kolada's pages regroup the same sample
    figures) every municipality and year agrees, and the source notes say what was compared."""
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    for key in ("FINSAM_SOURCES", "FINSAM_HE_SOURCE", "FINSAM_SOURCE_DISAGREEMENT_PCT"):
        monkeypatch.delenv(key, raising=False)
    for name in ("reference", "snapshots"):
        shutil.copytree(config.REPO_ROOT / "data" / name, tmp_path / name)
    result = materialize(
        [reference.reference_tables, statistics.full_year_equivalents,
         statistics.source_comparison_agrees],
        resources={"warehouse": WarehouseResource()},
    )
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed, evaluation.description
    assert evaluation.description.startswith("9570 figures compared (290 municipalities")
    materialization = next(event for event in result.get_asset_materialization_events()
                           if event.asset_key.to_user_string() == "full_year_equivalents")
    notes = materialization.materialization.metadata["source_notes"].value
    assert "SCB against Kolada: 9570 figures compared" in notes
    assert "Kolada (RKA) helårsekvivalenter och invånare: reachable" in notes
    assert drift.load_state()["kolada"]["last_good"]["state"]["titles"]["N01711"].startswith(
        "Individer med utbetalat stöd")
