"""The Dagster definitions load cheaply and validate; the nightly schedule runs the refresh
only when something it reads changed, and says why it skips otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    Definitions,
    RunRequest,
    SkipReason,
    asset,
    build_schedule_context,
    instance_for_test,
    materialize,
)
from dagster_dbt import DbtProject

from ingestion import config, fingerprint
from orchestration import jobs, project

# Run in a fresh interpreter: the import must run no dbt command (no parse), take no lock
# and set none of the project's, dbt's or Dagster's variables (pandera sets two of its own).
IMPORT_PROBE = """
import fcntl, os, subprocess
popen = subprocess.Popen.__init__
def no_dbt(self, command, *args, **kwargs):
    assert "dbt" not in str(command), f"import ran {command}"
    popen(self, command, *args, **kwargs)
def no_lock(*args):
    raise AssertionError("import took a lock")
subprocess.Popen.__init__ = no_dbt
fcntl.flock = fcntl.lockf = no_lock
def ours():
    return {k: v for k, v in os.environ.items() if k.startswith(("FINSAM_", "DBT_", "DAGSTER_"))}
before = ours()
import orchestration.definitions
assert ours() == before, set(ours().items()) ^ set(before.items())
"""


def test_importing_the_definitions_runs_nothing_and_changes_no_environment() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINSAM_", "DAGSTER_"))}
    result = subprocess.run([sys.executable, "-c", IMPORT_PROBE], cwd=config.REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_dbt_hooks_the_resource_overrides_still_exist() -> None:
    """FinsamDbtResource replaces two private dagster-dbt hooks; renamed upstream, the
    overrides would silently stop saving their 4 s a build."""
    from dagster_dbt import DbtCliResource

    from orchestration.resources import FinsamDbtResource

    for hook in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert hasattr(DbtCliResource, hook), hook
        assert hook in vars(FinsamDbtResource), hook


def test_dagster_definitions_validate() -> None:
    from orchestration.definitions import defs

    Definitions.validate_loadable(defs)


def test_missing_or_stale_manifest_names_the_command_that_builds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = DbtProject(config.DBT_PROJECT_DIR, profiles_dir=config.DBT_PROFILES_DIR,
                           target_path=tmp_path)
    monkeypatch.setattr(project, "dbt_project", elsewhere)
    with pytest.raises(FileNotFoundError, match="make manifest"):
        project.manifest_path()
    (tmp_path / "manifest.json").write_text("{}")
    os.utime(tmp_path / "manifest.json", (0, 0))
    with pytest.raises(RuntimeError, match="older than .*dbt_project.*make manifest"):
        project.manifest_path()


def test_publish_runs_after_every_mart() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    upstream = graph.get(AssetKey("published_warehouse")).parent_keys
    assert AssetKey(["marts", "fct_funding_vs_ideal"]) in upstream
    job = defs.resolve_job_def("nightly_refresh")
    assert AssetKey("published_warehouse") in job.asset_layer.asset_graph.get_all_asset_keys()


def test_export_assets_are_the_ones_the_schedule_rewrites() -> None:
    from orchestration.assets.exports import EXPORT_ASSETS

    assert [key for a in EXPORT_ASSETS for key in a.keys] == jobs.EXPORT_KEYS
    versions = {a.code_versions_by_key[a.key] for a in EXPORT_ASSETS}
    assert versions == {fingerprint.exports_code_version()}


# --- the nightly schedule ----------------------------------------------------------------


def test_nightly_schedule_runs_the_refresh_job_at_three_swedish_time() -> None:
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.job_name == "nightly_refresh"
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"


MEMBERS = """association_id,municipality_code,valid_from,valid_to,confidence,source,note
sf-a,0001,2010-01-01,,confirmed,test,
sf-a,0002,2010-01-01,2030-06-30,confirmed,test,
sf-b,0003,2030-01-01,,confirmed,test,
"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Inputs of a small refresh, and a day on which none of their memberships changes."""
    for key in [k for k in os.environ if k.startswith("FINSAM_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    for name in ("reference", "documents", "overrides"):
        shutil.copytree(config.REPO_ROOT / "data" / name, tmp_path / name)
    (tmp_path / "reference" / "association_members.csv").write_text(MEMBERS)
    (tmp_path / "snapshots").mkdir()
    monkeypatch.setattr(fingerprint, "today", lambda: date(2025, 3, 1))
    return tmp_path


def _decision(instance: DagsterInstance) -> RunRequest | SkipReason:
    """The schedule's evaluation, through Dagster's own tick evaluation."""
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    tick = schedule.evaluate_tick(build_schedule_context(instance=instance))
    if tick.skip_message:
        return SkipReason(tick.skip_message)
    [request] = tick.run_requests
    return request


def _record_refresh(instance: DagsterInstance, request: RunRequest,
                    status: DagsterRunStatus = DagsterRunStatus.SUCCESS) -> None:
    instance.add_run(DagsterRun(job_name="nightly_refresh", tags=dict(request.tags),
                                status=status))


def _record_exports(instance: DagsterInstance, version: str) -> None:
    """Materialisations of the four export assets written by code of ``version``."""
    fakes = [asset(name=key.path[0], code_version=version)(lambda: None)
             for key in jobs.EXPORT_KEYS]
    assert materialize(fakes, instance=instance).success


def test_a_night_without_news_is_skipped_with_the_reason(data_dir: Path) -> None:
    with instance_for_test() as instance:
        first = _decision(instance)
        assert isinstance(first, RunRequest) and first.asset_selection is None
        _record_refresh(instance, first)
        _record_exports(instance, fingerprint.exports_code_version())
        skipped = _decision(instance)
    assert isinstance(skipped, SkipReason)
    assert "inputs unchanged since refresh" in skipped.skip_message
    assert "(success)" in skipped.skip_message


@pytest.mark.parametrize("change", ["document", "override", "membership_ends", "setting"])
def test_a_changed_input_requests_a_refresh(data_dir: Path, change: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with instance_for_test() as instance:
        _record_refresh(instance, _decision(instance))
        _record_exports(instance, fingerprint.exports_code_version())
        if change == "document":
            document = next((data_dir / "documents").glob("sample_*.txt"))
            document.write_text(document.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        elif change == "override":
            (data_dir / "overrides" / "another.csv").write_text("")
        elif change == "membership_ends":
            # sf-a's 0002 is a member until 2030-06-30: on 2030-07-01 it no longer is.
            monkeypatch.setattr(fingerprint, "today", lambda: date(2030, 7, 1))
        else:
            monkeypatch.setenv("FINSAM_DOCUMENT_DIRS", str(data_dir / "documents"))
        decision = _decision(instance)
    assert isinstance(decision, RunRequest) and decision.asset_selection is None
    assert decision.tags[jobs.SCOPE_TAG] == "refresh"


def test_a_later_day_without_membership_changes_still_skips(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with instance_for_test() as instance:
        _record_refresh(instance, _decision(instance))
        _record_exports(instance, fingerprint.exports_code_version())
        # 2029-12-31: the same three memberships as on 2025-03-01 (sf-b starts in 2030).
        monkeypatch.setattr(fingerprint, "today", lambda: date(2029, 12, 31))
        assert isinstance(_decision(instance), SkipReason)
        monkeypatch.setattr(fingerprint, "today", lambda: date(2030, 1, 1))
        assert isinstance(_decision(instance), RunRequest)


def test_a_failed_refresh_is_tried_again(data_dir: Path) -> None:
    with instance_for_test() as instance:
        _record_refresh(instance, _decision(instance), DagsterRunStatus.FAILURE)
        _record_exports(instance, fingerprint.exports_code_version())
        assert isinstance(_decision(instance), RunRequest)


def test_changed_export_code_rewrites_only_the_exports(data_dir: Path) -> None:
    with instance_for_test() as instance:
        _record_refresh(instance, _decision(instance))
        _record_exports(instance, "code of an older version")
        decision = _decision(instance)
    assert isinstance(decision, RunRequest)
    assert decision.asset_selection == jobs.EXPORT_KEYS
    assert decision.tags[jobs.SCOPE_TAG] == "exports"


def test_memberships_valid_on_a_day_include_both_ends() -> None:
    rows = [("a", "0001", "2024-01-01", "2024-06-30"), ("a", "0002", "2024-07-01", ""),
            ("b", "0003", "2024-07-01", None)]
    assert fingerprint.memberships_valid_on(rows, date(2024, 6, 30)) == [("a", "0001")]
    assert fingerprint.memberships_valid_on(rows, date(2024, 7, 1)) == [
        ("a", "0002"), ("b", "0003")]
    assert fingerprint.memberships_valid_on(rows, date(2023, 12, 31)) == []


def test_finsam_nightly_prints_why_it_skips(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture) -> None:
    from orchestration.cli import main

    # The project's instance (dagster.yaml), its storage in the data folder, as finsam sets.
    monkeypatch.setenv("DAGSTER_HOME", str(config.REPO_ROOT))
    monkeypatch.setenv("FINSAM_DAGSTER_STORAGE", str(data_dir / "dagster"))
    (data_dir / "dagster").mkdir()
    with DagsterInstance.get() as instance:
        _record_refresh(instance, _decision(instance))
        _record_exports(instance, fingerprint.exports_code_version())
    assert main(["nightly"]) == 0
    assert capsys.readouterr().out.startswith("skipped: inputs unchanged since refresh")
