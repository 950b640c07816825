"""Settings read from the environment, in one place.

Every path hangs off ``FINSAM_DATA_DIR`` (default: ``data/`` in the repository) so tests and
benchmarks can run the whole pipeline against a temporary directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class SettingError(ValueError):
    """A setting (an environment variable) has a value that cannot be used; the message names
    the variable and the value."""


REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"

# dbt: the project, its profile (profiles.yml sits in the project), and the dbt installed
# beside this Python, so nothing depends on PATH (cron, the Dagster daemon).
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_PROFILES_DIR = DBT_PROJECT_DIR
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
# What starts it: dbt in a process killed with its parent (ingestion/dbt_process.py), so a
# killed refresh leaves no dbt behind. Installed with the project (pyproject.toml).
DBT_LAUNCHER = Path(sys.executable).parent / "finsam-dbt"
# The manifest Dagster loads: `dagster-dbt project prepare-and-package` writes it here
# (relative to DBT_PROJECT_DIR) when `make` sets up, see orchestration/project.py.
DBT_MANIFEST_TARGET = Path("target")
# What dbt writes into its project folder (relative to the repository): not project files.
DBT_GENERATED = ("dbt_project/target", "dbt_project/logs", "dbt_project/dbt_packages")
# profiles.yml reads the database file dbt writes from this variable. It is set only in the
# environment of the dbt process (ingestion.warehouse.dbt_env), never in ours.
DBT_DATABASE_VARIABLE = "FINSAM_DBT_DATABASE"
# The folder dbt runs in, where that file is (ingestion/dbt_process.py changes to it).
DBT_DIRECTORY_VARIABLE = "FINSAM_DBT_DIRECTORY"


def data_dir() -> Path:
    return Path(os.environ.get("FINSAM_DATA_DIR", REPO_ROOT / "data")).resolve()


def published_warehouse_path() -> Path:
    """The warehouse analysts open; replaced atomically at the end of a refresh."""
    return data_dir() / "warehouse.duckdb"


def build_dir() -> Path:
    return data_dir() / "build"


def build_warehouse_path() -> Path:
    """The file a refresh writes into before it is published."""
    return build_dir() / "warehouse.duckdb"


def dbt_target_dir() -> Path:
    """dbt's target and log folder for refreshes of this data folder; kept between runs so
    dbt parses only what changed."""
    return data_dir() / "dbt_target"


def reference_dir() -> Path:
    return data_dir() / "reference"


def snapshots_dir() -> Path:
    return data_dir() / "snapshots"


def cache_dir() -> Path:
    return data_dir() / "cache"


def documents_dirs() -> list[Path]:
    """Folders of report documents: ``FINSAM_DOCUMENT_DIRS`` (os.pathsep-separated) or the
    embedded ones. A configured folder that does not exist is an error: reading the others
    alone would publish a warehouse without its documents, silently."""
    configured = os.environ.get("FINSAM_DOCUMENT_DIRS")
    if not configured:
        return [data_dir() / "documents"]
    folders = [Path(p).resolve() for p in configured.split(os.pathsep) if p]
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        raise SettingError(f"FINSAM_DOCUMENT_DIRS: no such folder {', '.join(missing)}")
    return folders


def document_urls() -> list[str]:
    """Report URLs to download (``FINSAM_DOCUMENT_URLS``, whitespace-separated)."""
    return os.environ.get("FINSAM_DOCUMENT_URLS", "").split()


def overrides_dir() -> Path:
    return data_dir() / "overrides"


def exports_dir() -> Path:
    return data_dir() / "exports"


def dagster_storage_dir() -> Path:
    return data_dir() / "dagster"


def logs_dir() -> Path:
    """Dagster's log of each `finsam refresh` (the command line prints only the outcome)."""
    return data_dir() / "logs"


def sources_mode() -> str:
    """``embedded`` (default: read the snapshot in data/) or ``live`` (fetch with requests)."""
    mode = os.environ.get("FINSAM_SOURCES", "embedded").strip().lower()
    if mode not in {"embedded", "live"}:
        raise SettingError(f"FINSAM_SOURCES must be 'embedded' or 'live', not {mode!r}")
    return mode


# Base URLs of the live statistics sources: settings, so a test (or a mirror) can point one
# source elsewhere while the others answer.
SCB_API_URL = "https://statistikdatabasen.scb.se/api/v2"
AF_PAGE_URL = "https://arbetsformedlingen.se/statistik/sok-statistik/tidigare-statistik-tidsserier"
# Kolada's v2 is reported retired in 2026 by its users; v3 keeps v2's paths (sources.md §4).
KOLADA_API_URL = "https://api.kolada.se/v3"
HE_SOURCES = ("scb", "kolada")


def scb_api_url() -> str:
    """SCB's PxWebApi v2 root (``FINSAM_SCB_API_URL``)."""
    return os.environ.get("FINSAM_SCB_API_URL", SCB_API_URL).rstrip("/")


def af_page_url() -> str:
    """Arbetsförmedlingen's page linking the monthly workbooks (``FINSAM_AF_PAGE_URL``)."""
    return os.environ.get("FINSAM_AF_PAGE_URL", AF_PAGE_URL)


def kolada_api_url() -> str:
    """Kolada's API root (``FINSAM_KOLADA_API_URL``)."""
    return os.environ.get("FINSAM_KOLADA_API_URL", KOLADA_API_URL).rstrip("/")


def he_source() -> str:
    """Which source feeds raw.full_year_equivalents and raw.he_population_share
    (``FINSAM_HE_SOURCE``: ``scb``, the default, or ``kolada``); the other is fetched too,
    compared, and takes over when this one fails."""
    source = os.environ.get("FINSAM_HE_SOURCE", "scb").strip().lower()
    if source not in HE_SOURCES:
        raise SettingError(f"FINSAM_HE_SOURCE must be one of {HE_SOURCES}, not {source!r}")
    return source


def source_disagreement_pct() -> float:
    """The comparison of SCB and Kolada warns about a municipality and year whose figures
    differ by more than this many percent (``FINSAM_SOURCE_DISAGREEMENT_PCT``)."""
    return _number("FINSAM_SOURCE_DISAGREEMENT_PCT", 2.0)


def _number(name: str, default: float) -> float:
    """A non-negative number from the environment variable ``name``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingError(f"{name} must be a number, not {text!r}") from None
    if value < 0:
        raise SettingError(f"{name} must not be negative, not {text!r}")
    return value


def report_cache_max_age_days() -> float:
    """Extraction results unused for longer than this are deleted from the cache."""
    return _number("FINSAM_REPORT_CACHE_MAX_AGE_DAYS", 60)


def report_cache_max_bytes() -> int:
    """The extraction cache is pruned to this size, least recently used first."""
    return int(_number("FINSAM_REPORT_CACHE_MAX_MB", 500) * 1_000_000)


def report_max_failed_share() -> float:
    """Publishing stops when a larger share of the report documents cannot be read. Half by
    default: more than that is a systemic failure (a reader broken by an upgrade, a wrong
    folder), while a few damaged files among the embedded handful must not stop a run."""
    return _number("FINSAM_REPORT_MAX_FAILED_SHARE", 0.5)


def document_fallback_max_age_days() -> float:
    """Publishing stops when a report URL failed and its cached copy is older than this."""
    return _number("FINSAM_DOCUMENT_FALLBACK_MAX_AGE_DAYS", 30)


def max_row_drop() -> float:
    """The largest share of a raw table's or mart's rows a refresh may lose against the
    published warehouse before publishing stops (ingestion.validation.guards): half by
    default. 1 allows any drop (an intended change of documents, for one run)."""
    value = _number("FINSAM_MAX_ROW_DROP", 0.5)
    if value > 1:
        raise SettingError(f"FINSAM_MAX_ROW_DROP must be a share between 0 and 1, not {value}")
    return value


def check_settings() -> None:
    """Read every setting once, so a mistake is reported, naming the variable, before a
    refresh starts rather than in the middle of one (raises SettingError)."""
    for setting in (sources_mode, he_source, source_disagreement_pct, documents_dirs,
                    report_cache_max_age_days,
                    report_cache_max_bytes, report_max_failed_share,
                    document_fallback_max_age_days, max_row_drop):
        setting()
