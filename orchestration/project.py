"""The dbt project, and its manifest prepared on first use.

``@dbt_assets`` needs ``target/manifest.json`` when the definitions load. Instead of a manual
``dbt parse`` step we parse when the manifest is missing or older than any dbt source file,
so a fresh clone and an edited model both just work; an up-to-date manifest costs a few
``stat`` calls.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from ingestion import config

DBT_PROJECT_DIR = config.REPO_ROOT / "dbt_project"

# dbt's profile reads the build file's location from the environment.
os.environ.setdefault("FINSAM_DATA_DIR", str(config.data_dir()))

# The dbt installed beside this Python, so nothing depends on PATH (cron, the daemon).
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="build")


def _newest_source_mtime(project_dir: Path) -> float:
    watched = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        watched.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return max((p.stat().st_mtime for p in watched if p.exists()), default=0.0)


def ensure_manifest() -> Path:
    manifest = dbt_project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR):
        DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE).cli(
            ["--quiet", "parse"], target_path=manifest.parent
        ).wait()
    return manifest


ensure_manifest()
