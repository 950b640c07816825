"""What Dagster compares to decide what is stale (``orchestration/jobs.py``): the code version
of each asset, and the data versions of what a refresh reads from outside, reported as
observations of the input assets (``orchestration/assets/inputs.py``).

A raw asset is stale when its code or its input's data version changed; a dbt model when its
code or a parent's data version changed; the exports when the published warehouse did. The
raw assets return the content hash of the tables they write as their data version, so the
history in Dagster says which rows each build read.

Two of the marts (``dim_association``, ``dim_municipality``) list the members of today: they
depend on the date. Their input ``memberships_today`` is the set of memberships valid today,
so a night on which no membership starts or ends leaves them fresh and one on which one does
rebuilds them.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

from dagster import AssetKey

from ingestion import config
from ingestion.files import tree_digest


def code_version(*paths: str, exclude: Iterable[str] = ()) -> str:
    """The version of the code under ``paths`` (relative to the repository): a digest of the
    files' names and contents."""
    return tree_digest(config.REPO_ROOT, paths, exclude)[:16]


# Every raw asset runs the ingestion package and its own module, against the raw contracts.
RAW_CODE = code_version("ingestion", "orchestration/assets/__init__.py",
                        "orchestration/assets/reference.py", "orchestration/assets/reports.py",
                        "orchestration/assets/statistics.py", "pyproject.toml")
# Every dbt model: the whole dbt project (SQL, YAML with its tests and contracts, macros,
# seeds) and the pandera checks run on the models. A change rebuilds every model (5 s).
DBT_CODE = code_version("dbt_project", "ingestion/contracts.py", "ingestion/validation",
                        "orchestration/assets/dbt.py", "orchestration/assets/pandera_checks.py",
                        exclude=config.DBT_GENERATED)
PUBLISH_CODE = code_version("ingestion/warehouse.py", "ingestion/validation/guards.py",
                            "orchestration/assets/publish.py")
EXPORTS_CODE = code_version("outputs", "orchestration/assets/exports.py")

# The inputs, each an external asset whose observations carry its data version.
REGISTRY_FILES = AssetKey("registry_files")
REPORT_INPUTS = AssetKey("report_inputs")
STATISTICS_INPUTS = AssetKey("statistics_inputs")
MEMBERSHIPS_TODAY = AssetKey("memberships_today")


def today() -> date:
    """The date the marts are built for (DuckDB's ``current_date`` is local time too)."""
    return date.today()


def registry_version() -> str:
    from ingestion.reference import FILES

    return _digest(_folder_digest(config.reference_dir(), FILES.values()))


def report_inputs_version() -> str:
    # The folders' contents, not their names: a copy of the data folder is the same input.
    documents = [_folder_digest(folder) for folder in config.documents_dirs()]
    urls = [_live()] if config.document_urls() else []
    return _digest(*documents, _folder_digest(config.overrides_dir()), *urls)


def statistics_version() -> str:
    # Which source feeds the HE tables decides their rows as much as the snapshot does.
    if config.sources_mode() == "live":
        return _live()
    return _digest("embedded", config.he_source(), _folder_digest(config.snapshots_dir()))


def memberships_today_version() -> str:
    return _digest(repr(memberships_valid_on(today())))


# Content, not file times: a file copied or touched without a change is the same input. What
# only the network can tell (live sources, report URLs) gets a new version every time, so
# the assets reading it always ask (with conditional requests), and their content hash
# decides what follows.
INPUT_VERSIONS = {
    REGISTRY_FILES: registry_version,
    REPORT_INPUTS: report_inputs_version,
    STATISTICS_INPUTS: statistics_version,
    MEMBERSHIPS_TODAY: memberships_today_version,
}


def input_versions() -> dict[AssetKey, str]:
    """The data version of every input now."""
    return {key: version() for key, version in INPUT_VERSIONS.items()}


def memberships_valid_on(day: date, reference_dir: Path | None = None) -> list[tuple[str, str]]:
    """(association_id, municipality_code) of the registry's memberships valid on ``day``.

    Read leniently: a file the registry's loader rejects still has a version here, and the
    loader names what is wrong with it when the raw asset runs."""
    path = (reference_dir or config.reference_dir()) / "association_members.csv"
    if not path.is_file():
        return []
    iso = day.isoformat()
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(
        (row.get("association_id") or "", row.get("municipality_code") or "")
        for row in rows
        if (row.get("valid_from") or "") and row["valid_from"].strip() <= iso
        and (not (row.get("valid_to") or "").strip() or row["valid_to"].strip() >= iso)
    )


def _folder_digest(folder: Path, names: Iterable[str] | None = None) -> str:
    if not folder.is_dir():
        return "missing"
    return tree_digest(folder, sorted(names) if names is not None else ["."])


def _live() -> str:
    return f"live {datetime.now(UTC).isoformat()}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]

