"""The dbt project, and its manifest prepared on first use.

``@dbt_assets`` needs a manifest when the definitions load. Instead of a manual ``dbt parse``
step we parse when the manifest is missing or older than any dbt source file, so a fresh
clone and an edited model both just work; an up-to-date manifest costs a few ``stat``
calls. The manifest has a target folder of its own (other dbt commands write ``target/``)
and a lock, so processes loading the definitions at once never read a half-written file.
"""

from __future__ import annotations

import fcntl
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

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target="build",
    target_path=Path("target") / "dagster",
)


def _newest_source_mtime(project_dir: Path) -> float:
    watched = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        watched.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return max((p.stat().st_mtime for p in watched if p.exists()), default=0.0)


def ensure_manifest() -> Path:
    manifest = dbt_project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(
            DBT_PROJECT_DIR
        ):
            # Parse in a folder of its own (kept for dbt's partial parse) and rename the
            # manifest into place, so a reader never sees a half-written file.
            scratch = manifest.parent.with_name("dagster-parse")
            DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE).cli(
                ["--quiet", "parse"], target_path=scratch
            ).wait()
            os.replace(scratch / "manifest.json", manifest)
    return manifest
