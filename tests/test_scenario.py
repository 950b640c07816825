"""`finsam scenario` rebuilds the marts in a copy, leaving the published warehouse alone."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from outputs.scenario import scenario_command
from tests.dbt_helpers import build_warehouse, query, three_association_case


def test_scenario_changes_the_copy_not_the_published_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    built = build_warehouse(tmp_path, three_association_case())
    published = tmp_path / "warehouse.duckdb"
    shutil.move(built, published)
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))

    out = tmp_path / "what-if.duckdb"
    assert scenario_command(
        ["--vars", "{measure_weight: 0.5, population_weight: 0.5}", "--out", str(out)]
    ) == 0

    # Hand-computed in tests/test_dbt_models.py (test_scenario_weights_change_the_allocation):
    # sf-a gets 2 * (400 000 + 311 000 000 * 0.25).
    ideal = query(out, "select ideal_allocation_sek from marts.fct_funding_vs_ideal "
                       "where association_id = 'sf-a' and year = 2024").iloc[0, 0]
    assert ideal == pytest.approx(156_300_000)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == digest
    assert str(out) in capsys.readouterr().out
