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
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingestion.reports.pipeline import extract_reports
from orchestration.resources import WarehouseResource

GROUP = "reports"


@multi_asset(
    specs=[
        AssetSpec("report_figures", group_name=GROUP,
                  description="One row per figure read from a report document."),
        AssetSpec("report_documents", group_name=GROUP,
                  description="One row per document seen, loaded or failed."),
        AssetSpec("report_issues", group_name=GROUP,
                  description="Contradictions and failed checks, one row per finding."),
    ],
    check_specs=[AssetCheckSpec("report_documents_readable", asset="report_documents",
                                description="Every configured document and URL was read.")],
)
def report_tables(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """Extract every document of ``config.documents_dirs()`` and ``config.document_urls()``,
    apply the analysts' overrides and write the three raw tables."""
    tables = extract_reports()
    failed = tables.documents[tables.documents["status"] == "failed"]
    counts = {
        "report_figures": warehouse.write_table("raw", "report_figures", tables.figures),
        "report_documents": warehouse.write_table("raw", "report_documents", tables.documents),
        "report_issues": warehouse.write_table("raw", "report_issues", tables.issues),
    }
    context.log.info(f"report tables written: {counts}; {tables.n_flagged} figures flagged")
    yield MaterializeResult(asset_key="report_figures", metadata={
        "rows": counts["report_figures"],
        "flagged_rows": tables.n_flagged,
        "override_rows": int((tables.figures["origin"] == "override").sum()),
    })
    yield MaterializeResult(asset_key="report_documents", metadata={
        "rows": counts["report_documents"], "failed_documents": len(failed),
    })
    yield MaterializeResult(asset_key="report_issues", metadata={
        "rows": counts["report_issues"],
        "errors": int((tables.issues["severity"] == "error").sum()),
    })
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
