"""The Dagster definitions load cheaply and validate; every asset has a code version; the one
decision of what a refresh runs (orchestration/jobs.py) selects what Dagster's versions say
is stale, and the nightly schedule skips, saying why, when nothing is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    Definitions,
    RunRequest,
    SkipReason,
    build_schedule_context,
)
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster_dbt import DbtProject

from ingestion import config
from orchestration import jobs, project, versions
from orchestration.refresh import project_instance
from tests.refresh_helpers import finsam_environment

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


def test_every_asset_has_a_code_version() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    missing = [key.to_user_string() for key in graph.materializable_asset_keys
               if not graph.get(key).code_version]
    assert missing == []
    assert graph.get(AssetKey("exports_workbook")).code_version == versions.EXPORTS_CODE
    # The current-member marts depend on the memberships of the day; the other marts do not.
    children = {key.to_user_string()
                for key in graph.get(versions.MEMBERSHIPS_TODAY).child_entity_keys}
    assert children == {"marts/dim_association", "marts/dim_municipality"}


# --- the nightly schedule ----------------------------------------------------------------


def test_nightly_schedule_runs_the_refresh_job_at_three_swedish_time() -> None:
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    assert schedule.job_name == "nightly_refresh"
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.execution_timezone == "Europe/Stockholm"


def _tick(data_dir: Path, **settings: str) -> RunRequest | SkipReason:
    """The schedule's evaluation, through Dagster's own tick evaluation, on ``data_dir``."""
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    # The context opens an instance of its own; closed with the block (as the daemon does).
    with finsam_environment(data_dir, **settings), project_instance() as instance, \
            build_schedule_context(instance=instance,
                                   repository_def=defs.get_repository_def()) as context:
        tick = schedule.evaluate_tick(context)
    if tick.skip_message:
        return SkipReason(tick.skip_message)
    [request] = tick.run_requests
    return request


def test_a_night_without_news_is_skipped_with_the_reason(refreshed: Path) -> None:
    skipped = _tick(refreshed)
    assert isinstance(skipped, SkipReason)
    assert skipped.skip_message == jobs.NOTHING_STALE


def test_a_changed_document_requests_the_reports_and_what_follows(refreshed: Path) -> None:
    document = next((refreshed / "documents").glob("sample_*.txt"))
    document.write_text(document.read_text(encoding="utf-8") + "\nTillägg\n", encoding="utf-8")
    request = _tick(refreshed)
    assert isinstance(request, RunRequest)
    selected = {key.to_user_string() for key in request.asset_selection}
    assert {"report_figures", "marts/fct_participants", "published_warehouse",
            "exports_workbook"} <= selected
    assert not selected & {"population", "unemployment", "municipalities"}
    assert "report_inputs has a new data version" in request.tags["finsam/why"]


def test_a_document_touched_without_a_change_is_no_news(refreshed: Path) -> None:
    document = next((refreshed / "documents").glob("sample_*.txt"))
    os.utime(document, (1_000_000_000, 1_000_000_000))
    assert isinstance(_tick(refreshed), SkipReason)


def test_live_sources_are_asked_every_night(refreshed: Path) -> None:
    """Only the sources can say whether they changed: the statistics always run, their
    content hash then decides what follows."""
    request = _tick(refreshed, FINSAM_SOURCES="live")
    assert isinstance(request, RunRequest)
    selected = {key.to_user_string() for key in request.asset_selection}
    assert {"population", "full_year_equivalents", "unemployment"} <= selected
    assert "report_figures" not in selected


def test_changed_export_code_rewrites_only_the_exports(refreshed: Path) -> None:
    """Exports written by other code are stale; nothing upstream of them is."""
    from orchestration.definitions import defs

    exports = {"exports_workbook", "exports_tables", "exports_charts", "exports_report"}
    assets = [asset.map_asset_specs(lambda spec: spec.replace_attributes(
                  code_version="other export code"))
              if {key.to_user_string() for key in getattr(asset, "keys", ())} <= exports
              and getattr(asset, "keys", ()) else asset for asset in defs.assets]
    # The graph of the definitions with that one change (a Definitions object of its own
    # would be loaded against Dagster's global instance state).
    other = AssetGraph.from_assets([*assets, *defs.asset_checks])
    with finsam_environment(refreshed), project_instance() as instance:
        decision = jobs.stale_selection(instance, other)
    assert {key.to_user_string() for key in decision.selection} == {
        "exports_workbook", "exports_tables", "exports_charts", "exports_report"}
    assert any("has a new code version" in reason for reason in decision.reasons)


def test_a_missing_published_warehouse_rebuilds_everything(refreshed: Path) -> None:
    (refreshed / "warehouse.duckdb").unlink()
    request = _tick(refreshed)
    assert isinstance(request, RunRequest)
    assert AssetKey("municipalities") in request.asset_selection
    assert "no published warehouse yet" in request.tags["finsam/why"]


def test_a_published_file_other_than_the_last_publish_rebuilds_everything(
    refreshed: Path
) -> None:
    """A file put in its place (a backup restored), or a publish killed between its rename
    and Dagster's record of it: what the file holds is not known, so everything is rebuilt."""
    published = refreshed / "warehouse.duckdb"
    os.utime(published, ns=(published.stat().st_atime_ns, published.stat().st_mtime_ns + 1))
    request = _tick(refreshed)
    assert isinstance(request, RunRequest)
    assert AssetKey("report_figures") in request.asset_selection
    assert "is not the file the last refresh published" in request.tags["finsam/why"]


def test_memberships_valid_on_a_day_include_both_ends(tmp_path: Path) -> None:
    (tmp_path / "association_members.csv").write_text(
        "association_id,municipality_code,valid_from,valid_to,confidence,source,note\n"
        "a,0001,2024-01-01,2024-06-30,confirmed,test,\n"
        "a,0002,2024-07-01,,confirmed,test,\n"
        "b,0003,2024-07-01,,confirmed,test,\n", encoding="utf-8")
    from datetime import date

    assert versions.memberships_valid_on(date(2024, 6, 30), tmp_path) == [("a", "0001")]
    assert versions.memberships_valid_on(date(2024, 7, 1), tmp_path) == [
        ("a", "0002"), ("b", "0003")]
    assert versions.memberships_valid_on(date(2023, 12, 31), tmp_path) == []
