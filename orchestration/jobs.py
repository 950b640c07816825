"""The refresh job, and the one decision of what a refresh runs: what Dagster's versions say is
stale (``stale_selection``). The nightly schedule, `finsam nightly` (cron, without the
Dagster daemon) and `finsam refresh` all ask it.

How Dagster decides (``orchestration/versions.py``): the inputs are observed first, each
observation carrying a data version (the content of the files read; a new one every time for
what only the network can tell). An asset is stale when its code version changed, or a
parent's data version differs from the one its latest materialization read; missing when it
was never materialised. The raw assets return their tables' content hash as data version, a
dbt model's is derived from its code and parents.

Three things Dagster's stale status does not cover are added here:

- staleness does not travel down the graph before a run (an asset is stale only once its
  parent has a new version): so everything downstream of a stale asset runs too;
- a run builds into a copy of the published warehouse, and a run that did not publish (a
  failed check, a kill, a model materialised alone in the UI) leaves materialisations the
  published file does not hold. The publish step's own record says which data version of
  every table it published; a table whose current version differs is rebuilt;
- a published warehouse that is missing, or is not the file the last publish wrote, is
  rebuilt in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import (
    AssetKey,
    AssetObservation,
    AssetSelection,
    DagsterInstance,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
)
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.data_version import (
    DATA_VERSION_TAG,
    CachingStaleStatusResolver,
    StaleCauseCategory,
    StaleStatus,
)
from dagster._core.loader import LoadingContext
from dagster._core.storage.event_log.base import AssetRecord

from ingestion import config
from ingestion.warehouse import file_identity
from orchestration import versions

# Everything, in dependency order: inputs → raw tables → dbt → checks → publish → exports.
# A run selects the stale part of it (stale_selection); the UI can run all of it.
nightly_refresh = define_asset_job(
    "nightly_refresh",
    selection=AssetSelection.all(),
    description="Refresh: read the inputs, build, check, publish, export (what is stale).",
)
PUBLISHED = AssetKey("published_warehouse")


@dataclass(frozen=True)
class Decision:
    """What a refresh runs, and why (one line per reason, for the command line and the UI)."""

    selection: list[AssetKey]
    reasons: list[str] = field(default_factory=list)
    # The assets stale in themselves; the rest of the selection is downstream of them.
    roots: list[AssetKey] = field(default_factory=list)
    # Stale, but left for a later refresh (`finsam refresh --no-exports`).
    left_stale: list[AssetKey] = field(default_factory=list)

    @property
    def nothing_stale(self) -> bool:
        return not self.selection


def observe_inputs(instance: DagsterInstance) -> list[AssetKey]:
    """Record an observation of each input whose data version changed (the data versions in
    ``orchestration/versions.py``); returns the inputs that changed."""
    changed = []
    for key, version in versions.input_versions().items():
        record = instance.get_latest_data_version_record(key, is_source=True)
        recorded = record and record.asset_observation and record.asset_observation.tags.get(
            DATA_VERSION_TAG)
        if recorded != version:
            instance.report_runless_asset_event(
                AssetObservation(asset_key=key, tags={DATA_VERSION_TAG: version}))
            changed.append(key)
    return changed


class _Loading(LoadingContext):
    """The batch-loading scope Dagster's stale status resolver reads asset records through."""

    def __init__(self, instance: DagsterInstance) -> None:
        self._instance, self._loaders = instance, {}

    @property
    def instance(self) -> DagsterInstance:
        return self._instance

    @property
    def loaders(self) -> dict:
        return self._loaders


def stale_selection(instance: DagsterInstance, graph: BaseAssetGraph,
                    observe: bool = True) -> Decision:
    """Observe the inputs (unless ``observe`` is False), then select every stale or missing
    asset, every table built but not published, and everything downstream of them (see the
    module docstring)."""
    if observe:
        observe_inputs(instance)
    materializable = graph.materializable_asset_keys
    if not config.published_warehouse_path().exists():
        return Decision(sorted(materializable), ["no published warehouse yet: everything"])
    publish_record = instance.get_latest_materialization_event(PUBLISHED)
    published_file = (publish_record.asset_materialization.metadata.get("file_identity")
                      if publish_record and publish_record.asset_materialization else None)
    if published_file is None or published_file.value != file_identity(
            config.published_warehouse_path()):
        return Decision(sorted(materializable), [
            f"{config.published_warehouse_path()} is not the file the last refresh published:"
            " everything"])

    loading = _Loading(instance)
    # Every asset's record in one query, not one query per asset.
    AssetRecord.prepare(loading, graph.get_all_asset_keys())
    resolver = CachingStaleStatusResolver(instance, graph, loading)
    chosen: dict[AssetKey, str] = {}
    for key in sorted(materializable):
        status = resolver.get_status(key)
        if status == StaleStatus.MISSING:
            chosen[key] = "never materialised"
        elif status == StaleStatus.STALE:
            causes = resolver.get_stale_root_causes(key)
            chosen[key] = "; ".join(sorted({_cause(c) for c in causes})) or "stale"
    for cause in resolver.get_stale_causes(PUBLISHED):
        if cause.dependency and cause.dependency.asset_key in materializable:
            chosen.setdefault(cause.dependency.asset_key,
                              "not in the published warehouse yet"
                              if cause.category == StaleCauseCategory.DATA
                              else f"published_warehouse {cause.reason}")
    if not chosen:
        return Decision([])
    selection = set(AssetSelection.assets(*chosen).downstream().resolve(graph)) & materializable
    # An asset computed together with others (a multi-asset that cannot run in part) brings
    # them along.
    for key in list(selection):
        selection |= set(graph.get(key).execution_set_asset_keys)
    by_reason: dict[str, list[str]] = {}
    for key, why in chosen.items():
        by_reason.setdefault(why, []).append(key.to_user_string())
    return Decision(sorted(selection), [f"{why}: {', '.join(keys)}"
                                        for why, keys in sorted(by_reason.items())],
                    sorted(chosen))


def _cause(cause: object) -> str:
    key = getattr(cause, "key", None)
    name = key.asset_key.to_user_string() if key is not None else "?"
    return f"{name} {getattr(cause, 'reason', '')}".strip()


def all_assets(graph: BaseAssetGraph) -> Decision:
    return Decision(sorted(graph.materializable_asset_keys), ["everything, as asked"])


NOTHING_STALE = ("nothing is stale: inputs, code and today's memberships are those of the "
                 "published warehouse, and the exports were written from it")


# 03:00 Swedish time: after Arbetsförmedlingen's and SCB's daytime publications and before
# analysts start work; Dagster handles the CET/CEST switch.
@schedule(
    name="nightly_refresh_schedule",
    job=nightly_refresh,
    cron_schedule="0 3 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=DefaultScheduleStatus.RUNNING,
)
def nightly_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    decision = stale_selection(context.instance, context.repository_def.asset_graph)
    if decision.nothing_stale:
        return SkipReason(NOTHING_STALE)
    return RunRequest(asset_selection=decision.selection,
                      tags={"finsam/why": "; ".join(decision.reasons)[:1000]})

