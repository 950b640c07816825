"""What a refresh reads from outside, as observable source assets: Dagster does not build them,
it records their observations, whose data versions (``orchestration/versions.py``) tell
which raw assets are stale. ``orchestration.jobs.stale_selection`` observes them before
deciding what to run; the UI's "Observe sources" does the same."""

import warnings
from collections.abc import Callable

from dagster import AssetKey, BetaWarning, DataVersion, SourceAsset, observable_source_asset

from orchestration import versions

GROUP = "inputs"
DESCRIPTIONS = {
    versions.REGISTRY_FILES:
        "data/reference/*.csv: municipalities, associations, their members and the "
        "municipalities outside (data version: their content).",
    versions.REPORT_INPUTS:
        "The report documents (FINSAM_DOCUMENT_DIRS, FINSAM_DOCUMENT_URLS) and the analysts' "
        "overrides (data version: their content; new on every observation when URLs are read).",
    versions.STATISTICS_INPUTS:
        "SCB and Arbetsförmedlingen: the embedded snapshot (data version: its content) or the "
        "live sources (new on every observation: only the sources can say whether they "
        "changed).",
    versions.MEMBERSHIPS_TODAY:
        "The registry's memberships valid today, which the current-member marts list (data "
        "version: that set).",
}


def _input(key: AssetKey, version: Callable[[], str]) -> SourceAsset:
    def _observe() -> DataVersion:
        return DataVersion(version())

    # Observable source assets are the way Dagster 1.13 versions an outside input; the API
    # is marked beta, which would be printed at every import of the definitions.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        return observable_source_asset(key=key, group_name=GROUP,
                                       description=DESCRIPTIONS[key])(_observe)


INPUT_ASSETS = [_input(key, version) for key, version in versions.INPUT_VERSIONS.items()]
