"""Cheap fingerprints of what a refresh reads, so work whose inputs are unchanged is skipped.

Two users: the nightly schedule (``orchestration/jobs.py``), which decides before any run
whether there is anything new, and the dbt step (``ingestion.warehouse.build_inputs``),
which decides whether the raw tables need building again. Standard library only: the
schedule's process imports this, and its tick must stay fast.

The marts ``dim_association`` and ``dim_municipality`` depend on today's date (the current
members). So both fingerprints include the membership rows valid today, not the date: a
night on which no membership starts or ends still skips, one on which one does rebuilds.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from ingestion import config

# The code each step runs, relative to the repository. A change to the dbt project, the
# validation or the dbt wiring rebuilds the warehouse; a change to the exports only rewrites
# the exports (they carry their own code version, see EXPORTS_CODE).
DBT_BUILD_CODE = (
    "dbt_project",
    "ingestion/validation",
    "orchestration/assets/dbt.py",
    "orchestration/assets/pandera_checks.py",
)
REFRESH_CODE = ("ingestion", "orchestration", "dbt_project", "pyproject.toml")
EXPORTS_CODE = ("outputs", "orchestration/assets/exports.py")
# Not code of a refresh: what dbt generates, and the exports (above).
NOT_REFRESH_CODE = (
    "dbt_project/target",
    "dbt_project/logs",
    "dbt_project/dbt_packages",
    *EXPORTS_CODE,
)


def today() -> date:
    """The date the marts are built for (DuckDB's ``current_date`` is local time too)."""
    return date.today()


def memberships_valid_on(
    rows: Iterable[tuple[str, str, str | None, str | None]], day: date
) -> list[tuple[str, str]]:
    """(association_id, municipality_code) of the membership rows valid on ``day``, sorted.

    ``rows`` are (association_id, municipality_code, valid_from, valid_to) with ISO dates as
    text; ``valid_to`` is inclusive and empty or None while the membership lasts (the
    contract of data/reference/association_members.csv and raw.association_members).
    """
    iso = day.isoformat()
    return sorted(
        (association, municipality)
        for association, municipality, valid_from, valid_to in rows
        if valid_from and valid_from <= iso and (not valid_to or valid_to >= iso)
    )


def registry_membership_rows(reference_dir: Path | None = None
                             ) -> list[tuple[str, str, str, str]]:
    """(association_id, municipality_code, valid_from, valid_to) of the registry file a
    refresh loads, as text; none when the file is missing."""
    path = (reference_dir or config.reference_dir()) / "association_members.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [(r["association_id"], r["municipality_code"], r["valid_from"], r["valid_to"])
                for r in csv.DictReader(handle)]


def registry_memberships_valid_on(day: date, reference_dir: Path | None = None
                                  ) -> list[tuple[str, str]]:
    """``memberships_valid_on`` read from the registry file a refresh loads."""
    return memberships_valid_on(registry_membership_rows(reference_dir), day)


def code_files(paths: Iterable[str], exclude: Iterable[str] = NOT_REFRESH_CODE) -> list[Path]:
    """The files under ``paths`` (relative to the repository), sorted, without caches and
    without what is under ``exclude``."""
    skipped = tuple(config.REPO_ROOT / p for p in exclude)
    files: list[Path] = []
    for name in paths:
        root = config.REPO_ROOT / name
        found = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        files += [p for p in found if p.exists() and "__pycache__" not in p.parts
                  and not any(p == s or s in p.parents for s in skipped)]
    return files


def code_version(paths: Iterable[str], exclude: Iterable[str] = NOT_REFRESH_CODE) -> str:
    """sha256 of the names and contents of the code under ``paths``."""
    digest = hashlib.sha256()
    for path in code_files(paths, exclude):
        digest.update(str(path.relative_to(config.REPO_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def exports_code_version() -> str:
    """The exports' code version: their assets are written again when it changes, without
    rebuilding the warehouse (orchestration/jobs.py)."""
    return code_version(EXPORTS_CODE, exclude=())


def folder_state(folder: Path) -> str:
    """Name, size and modification time of every file under ``folder``: writing a file
    changes its mtime (in nanoseconds), so no content needs to be read."""
    entries = [str(folder)]
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            stat = os.stat(path)
            entries.append(f"{os.path.relpath(path, folder)} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(sorted(entries))


def live_inputs() -> bool:
    """Whether a refresh reads anything from the network (statistics or report URLs)."""
    return config.sources_mode() == "live" or bool(config.document_urls())


def refresh_inputs(day: date | None = None) -> str:
    """Fingerprint of everything a refresh reads, but the exports' code: the input folders
    (reference, snapshots, documents, overrides), the settings (``FINSAM_*``), the code of
    the refresh, and the memberships valid on ``day``.

    What the network holds cannot be known without asking it, and the refresh asks with
    conditional requests (an unchanged source answers 304). So with live inputs the day
    itself is part of the fingerprint: every night runs.
    """
    day = day or today()
    digest = hashlib.sha256()
    # The folders above carry FINSAM_DATA_DIR; where Dagster keeps its runs changes nothing.
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith("FINSAM_")
                      and k not in {"FINSAM_DATA_DIR", "FINSAM_DAGSTER_STORAGE"})
    digest.update(repr(settings).encode())
    for folder in (config.reference_dir(), config.snapshots_dir(), *config.documents_dirs(),
                   config.overrides_dir()):
        digest.update(folder_state(folder).encode())
    digest.update(code_version(REFRESH_CODE).encode())
    digest.update(repr(registry_memberships_valid_on(day)).encode())
    if live_inputs():
        digest.update(f"live:{day.isoformat()}".encode())
    return digest.hexdigest()
