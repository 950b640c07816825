"""Public statistics → raw.population, raw.full_year_equivalents, raw.he_population_share,
raw.source_comparison and raw.unemployment (fetching and parsing live in
``ingestion.sources``; ``FINSAM_SOURCES`` chooses the embedded snapshot or the live sources,
``FINSAM_HE_SOURCE`` whether SCB or Kolada feeds the HE tables).

Not partitioned: each source is fetched as a whole series in a few calls (per year for
SCB, one file for Arbetsförmedlingen, which republishes its whole series monthly), and the
HTTP cache makes an unchanged series cost only conditional requests, so per-period
partitions would add bookkeeping without saving downloads. A failed fetch or validation,
or a series that now ends earlier than the table already in the warehouse, raises before
the table is written, so the previous table stays in the build file. The assets run when
their input (the snapshot, or the live sources: every refresh) or their code changed
(``orchestration/versions.py``); each table's content hash is its data version, so an
unchanged series rebuilds nothing downstream of it once recorded.

Each asset also runs the source's drift report (``ingestion.sources.drift``: metadata or
file list only) and records it as Dagster metadata, on success and on failure. The check
``source_comparison_agrees`` warns (it never blocks) naming each municipality and year where
SCB and Kolada disagree.

The work is in ``ingestion.statistics``; each source is one multi-asset here.

No ``from __future__ import annotations`` here: Dagster reads the annotations of a
multi-asset at definition time and rejects them as strings.
"""

from collections.abc import Iterator

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    DataVersion,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset_check,
    multi_asset,
)

from ingestion import statistics
from ingestion.sources import drift
from ingestion.warehouse import content_version, write_table
from orchestration.assets import raw_table_specs
from orchestration.resources import WarehouseResource
from orchestration.versions import STATISTICS_INPUTS

GROUP = "statistics"


def _metadata(frame: pd.DataFrame, report: drift.SourceCheck) -> dict[str, object]:
    return {
        "rows": len(frame),
        "sample_rows": int(frame["is_sample"].sum()),
        "sources": sorted(frame["source"].unique())[:5],
        **report.metadata(),
    }


def _statistic_asset(statistic: statistics.Statistic):
    @multi_asset(
        name=statistic.key,
        specs=raw_table_specs(GROUP, list(statistic.tables),
                              deps=["municipalities", STATISTICS_INPUTS]),
    )
    def _load(warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
        with warehouse.connect(read_only=True) as con:
            try:
                loaded = statistics.load(statistic, con)
            except statistics.StatisticFailed as exc:
                raise Failure(description=str(exc), metadata=exc.report.metadata()) from exc
        codes = loaded.municipality_codes
        with warehouse.connect() as con:
            for table, frame in loaded.tables.items():
                write_table(con, "raw", table, frame,
                            validate=statistics.validator(statistic, table, codes))
        drift.record_success(loaded.report, loaded.series_end)
        for table, frame in loaded.tables.items():
            yield MaterializeResult(asset_key=table, metadata=_metadata(frame, loaded.report),
                                    data_version=DataVersion(content_version(frame)))

    return _load


population, full_year_equivalents, unemployment = (
    _statistic_asset(statistics.STATISTICS[key])
    for key in ("population", "full_year_equivalents", "unemployment")
)


@asset_check(asset="source_comparison", blocking=False,
             description="SCB against Kolada per municipality and year: warns naming each "
                         "one whose figures differ by more than FINSAM_SOURCE_DISAGREEMENT_PCT.")
def source_comparison_agrees(warehouse: WarehouseResource) -> AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        frame = con.execute("select * from raw.source_comparison").df()
    verdict = statistics.comparison_verdict(frame)
    return AssetCheckResult(passed=verdict.passed, severity=AssetCheckSeverity.WARN,
                            description=verdict.description,
                            metadata={"compared": len(frame),
                                      "disagreements": MetadataValue.json(verdict.rows)})
