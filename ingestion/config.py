"""Settings read from the environment, in one place.

Every path hangs off ``FINSAM_DATA_DIR`` (default: ``data/`` in the repository) so tests and
benchmarks can run the whole pipeline against a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


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


def reference_dir() -> Path:
    return data_dir() / "reference"


def snapshots_dir() -> Path:
    return data_dir() / "snapshots"


def cache_dir() -> Path:
    return data_dir() / "cache"


def documents_dirs() -> list[Path]:
    """Folders of report documents: ``FINSAM_DOCUMENT_DIRS`` (os.pathsep-separated) or the
    embedded ones."""
    configured = os.environ.get("FINSAM_DOCUMENT_DIRS")
    if configured:
        return [Path(p).resolve() for p in configured.split(os.pathsep) if p]
    return [data_dir() / "documents"]


def document_urls() -> list[str]:
    """Report URLs to download (``FINSAM_DOCUMENT_URLS``, whitespace-separated)."""
    return os.environ.get("FINSAM_DOCUMENT_URLS", "").split()


def overrides_dir() -> Path:
    return data_dir() / "overrides"


def exports_dir() -> Path:
    return data_dir() / "exports"


def dagster_storage_dir() -> Path:
    return data_dir() / "dagster"


def sources_mode() -> str:
    """``embedded`` (default: read the snapshot in data/) or ``live`` (fetch with requests)."""
    mode = os.environ.get("FINSAM_SOURCES", "embedded").strip().lower()
    if mode not in {"embedded", "live"}:
        raise ValueError(f"FINSAM_SOURCES must be 'embedded' or 'live', not {mode!r}")
    return mode


# Base URLs of the live statistics sources: settings, so a test (or a mirror) can point one
# source elsewhere while the others answer.
SCB_API_URL = "https://statistikdatabasen.scb.se/api/v2"
AF_PAGE_URL = "https://arbetsformedlingen.se/statistik/sok-statistik/tidigare-statistik-tidsserier"


def scb_api_url() -> str:
    """SCB's PxWebApi v2 root (``FINSAM_SCB_API_URL``)."""
    return os.environ.get("FINSAM_SCB_API_URL", SCB_API_URL).rstrip("/")


def af_page_url() -> str:
    """Arbetsförmedlingen's page linking the monthly workbooks (``FINSAM_AF_PAGE_URL``)."""
    return os.environ.get("FINSAM_AF_PAGE_URL", AF_PAGE_URL)
