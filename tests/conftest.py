"""Shared fixtures.

The real report documents live outside the repository in ``../shared/seeds`` (four whole
documents) and ``../shared/reports-excerpts`` (openings of five other associations'
documents). Tests that need them skip when the folder is absent, except under CI
(``CI=true``), where a missing folder is a failure: CI must exercise the real documents.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingestion.config import SHARED_SEEDS_DIR

# The order in which `make test`'s two workers take the test files (pytest-xdist, one file
# per worker at a time, --no-loadscope-reorder): the longest first, so neither ends alone.
# The first builds the refreshed data folder the others copy (tests/refresh_helpers.py);
# the second needs none, so its worker does not wait for it. Other files follow.
SLOWEST_FIRST = (
    "test_definitions.py",
    "test_dbt_models.py",
    # Seconds when its PDFs are cached (~/.cache/finsam), over a minute when Chromium must
    # print them (a fresh machine): early, so a cold build never ends the run alone.
    "test_report_layouts.py",
    "test_refresh.py",
    "test_sources_refresh.py",
    "test_faults.py",
    "test_seed_marts.py",
    "test_publish_safety.py",
    "test_whatif.py",
    "test_exports.py",
    "test_report_refresh.py",
    "test_sources_assets.py",
    "test_sources_drift.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: the tests of a file keep their order


def _shared_dir(variable: str, default: Path, what: str) -> Path:
    path = Path(os.environ.get(variable, default))
    if not path.is_dir():
        message = f"{what} not found at {path} (set {variable})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return _shared_dir("FINSAM_SEEDS_DIR", SHARED_SEEDS_DIR, "seed documents")


@pytest.fixture(scope="session")
def excerpts_dir() -> Path:
    """The report excerpts and their SOURCES.md (association, kind and year of each)."""
    return _shared_dir("FINSAM_EXCERPTS_DIR", SHARED_SEEDS_DIR.parent / "reports-excerpts",
                       "report excerpts")


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """SCB's real statistics as gathered in ../shared/real-data (its README: origin, checks)."""
    return _shared_dir("FINSAM_REAL_DATA_DIR", SHARED_SEEDS_DIR.parent / "real-data",
                       "real statistics")


@pytest.fixture(scope="session")
def seed_file(seeds_dir: Path):
    """Return the path of a seed document by its number prefix, e.g. ``seed_file("001")``."""

    def find(prefix: str) -> Path:
        matches = sorted(seeds_dir.glob(f"{prefix}_*"))
        if not matches:
            pytest.fail(f"seed {prefix} missing from {seeds_dir}")
        return matches[0]

    return find


@pytest.fixture
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of its own of the session's refreshed data folder for each test."""
    # Imported here: the helpers load Dagster, which most test files never need.
    from tests.refresh_helpers import refreshed_data_dir

    return refreshed_data_dir(tmp_path_factory)
