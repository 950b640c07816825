"""Report figures: every configured document -> raw.report_figures, raw.report_documents and
raw.report_issues (the work is done by ``ingestion.reports.pipeline``).

No ``from __future__ import annotations`` here: Dagster reads the ``context`` annotation
of a multi-asset at definition time and rejects it as a string.
"""


from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    DataVersion,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingestion.reports import blocking_checks
from ingestion.reports.pipeline import extract_reports
from ingestion.warehouse import content_version, write_table
from orchestration.assets import raw_table_specs
from orchestration.resources import WarehouseResource
from orchestration.versions import REPORT_INPUTS

GROUP = "reports"
# Blocking: a failure stops the run before anything downstream (dbt, publish) runs, so the
# published warehouse stays as it was. Logic and thresholds in ingestion.reports.blocking_checks.
BLOCKING_CHECKS = [
    AssetCheckSpec("report_figures_read", asset="report_figures", blocking=True,
                   description="Figures were read: an empty figures table is not published."),
    AssetCheckSpec("report_documents_failed_share", asset="report_documents", blocking=True,
                   description="At most FINSAM_REPORT_MAX_FAILED_SHARE of the documents "
                               "failed to be read."),
    AssetCheckSpec("report_downloads_fresh", asset="report_documents", blocking=True,
                   description="No report URL was read from a cached copy older than "
                               "FINSAM_DOCUMENT_FALLBACK_MAX_AGE_DAYS after a failed "
                               "download."),
]


@multi_asset(
    specs=raw_table_specs(GROUP, ["report_figures", "report_documents", "report_issues"],
                          deps=[REPORT_INPUTS]),
    check_specs=[AssetCheckSpec("report_documents_readable", asset="report_documents",
                                description="Every configured document and URL was read."),
                 *BLOCKING_CHECKS],
)
def report_tables(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """Extract every document of ``config.documents_dirs()`` and ``config.document_urls()``,
    apply the analysts' overrides and write the three raw tables. A document that cannot be
    read, or that trips a defect of the extractor, is a failed row; the blocking checks
    stop the refresh when too many failed."""
    tables = extract_reports()
    failed = tables.documents[tables.documents["status"] == "failed"]
    with warehouse.connect() as con:
        counts = {
            "report_figures": write_table(con, "raw", "report_figures", tables.figures),
            "report_documents": write_table(con, "raw", "report_documents", tables.documents),
            "report_issues": write_table(con, "raw", "report_issues", tables.issues),
        }
    context.log.info(f"report tables written: {counts}; {tables.n_flagged} figures flagged")
    yield MaterializeResult(asset_key="report_figures", metadata={
        "rows": counts["report_figures"],
        "flagged_rows": tables.n_flagged,
        "override_rows": int((tables.figures["origin"] == "override").sum()),
    }, data_version=DataVersion(content_version(tables.figures)))
    yield MaterializeResult(asset_key="report_documents", metadata={
        "rows": counts["report_documents"], "failed_documents": len(failed),
        "download_fallbacks": len(tables.fallbacks),
    }, data_version=DataVersion(content_version(tables.documents)))
    yield MaterializeResult(asset_key="report_issues", metadata={
        "rows": counts["report_issues"],
        "errors": int((tables.issues["severity"] == "error").sum()),
    }, data_version=DataVersion(content_version(tables.issues)))
    yield AssetCheckResult(
        asset_key="report_documents",
        check_name="report_documents_readable",
        passed=failed.empty,
        severity=AssetCheckSeverity.WARN,  # the other documents still load
        metadata={
            "failed": MetadataValue.json(
                failed[["source", "error"]].to_dict(orient="records")),
            "flagged_figures": tables.n_flagged,
        },
    )
    for finding in blocking_checks.findings(tables):
        yield AssetCheckResult(
            asset_key=finding.asset, check_name=finding.check_name, passed=finding.passed,
            severity=AssetCheckSeverity.ERROR, description=finding.description,
            metadata={key: MetadataValue.json(value) if isinstance(value, list | dict)
                      else value for key, value in finding.metadata.items()},
        )
