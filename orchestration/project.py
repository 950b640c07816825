"""The dbt project as Dagster sees it.

The manifest is built ahead of time, never when this code is imported: `make` runs
``dagster-dbt project prepare-and-package --file orchestration/project.py`` whenever a dbt
file changed, and under ``dagster dev`` (`make ui`) ``prepare_if_dev`` parses again on every
reload. Paths and settings come from ``ingestion.config``.
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from ingestion import config
from ingestion.files import files_under

# What builds the manifest; named in the error when it is missing.
PREPARE_COMMAND = ("`make manifest` (runs `dagster-dbt project prepare-and-package"
                   " --file orchestration/project.py`)")

dbt_project = DbtProject(
    project_dir=config.DBT_PROJECT_DIR,
    profiles_dir=config.DBT_PROFILES_DIR,
    target_path=config.DBT_MANIFEST_TARGET,
)
dbt_project.prepare_if_dev()


def manifest_path() -> Path:
    """The prepared manifest; a clear error when it is missing or older than a dbt file
    (Dagster's assets would not match the models dbt builds)."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        raise FileNotFoundError(f"no dbt manifest at {manifest}: build it with {PREPARE_COMMAND}")
    built = manifest.stat().st_mtime
    newer = [path for path in files_under(config.REPO_ROOT, ["dbt_project"], config.DBT_GENERATED)
             if path.stat().st_mtime > built]
    if newer:
        raise RuntimeError(f"dbt manifest {manifest} is older than {newer[0]}. "
                           f"Build it again with {PREPARE_COMMAND}")
    return manifest

