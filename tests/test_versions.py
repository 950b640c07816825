"""The inputs' data versions (orchestration/versions.py): what makes the raw assets stale."""

from __future__ import annotations

import pytest

from ingestion.config import SettingError
from orchestration import versions


def test_the_source_feeding_he_is_part_of_the_statistics_input(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switching FINSAM_HE_SOURCE changes the HE tables' rows, so the statistics must run
    again even though no snapshot file changed."""
    monkeypatch.setenv("FINSAM_HE_SOURCE", "scb")
    scb = versions.statistics_version()
    assert versions.statistics_version() == scb
    monkeypatch.setenv("FINSAM_HE_SOURCE", "kolada")
    assert versions.statistics_version() != scb


def test_an_unknown_he_source_is_a_setting_error_naming_it(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINSAM_HE_SOURCE", "kolda")
    with pytest.raises(SettingError, match="FINSAM_HE_SOURCE must be one of .*'kolda'"):
        versions.statistics_version()
