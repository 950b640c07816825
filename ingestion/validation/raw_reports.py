"""pandera schemas of raw.report_figures, raw.report_documents and raw.report_issues
(docs/architecture.md).

The domain checks (member split 50/25/25, women + men = total, exits by reason = exited,
contradictions) flag rows instead of rejecting them, so the schema does not fail on a
violation: it fails when an extracted row violates a domain check *without* being flagged,
using the same rules (``ingestion.reports.checks``)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ingestion.reports import checks

REPORT_TYPES = ["annual_report", "half_year_report", "interim_report", "budget_follow_up",
                "board_minutes", "plan_and_budget", "annual_report_decision", "audit_report"]
ASSOCIATION_STATUSES = ["matched", "unknown", "ambiguous"]
PERIOD_EVIDENCE = ["title", "heading", "meeting_date", "statement", "frequent_year"]
BASES = ["budget", "outcome", "forecast"]
UNITS = ["kr", "tkr", "mnkr", "persons", "percent"]
SHA256 = r"^[0-9a-f]{64}$"


class ReportFiguresSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256)
    source: Series[str]
    association: Series[str] = pa.Field(nullable=True)
    association_id: Series[str] = pa.Field(nullable=True)
    report_type: Series[str] = pa.Field(nullable=True, isin=REPORT_TYPES)
    period_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    basis: Series[str] = pa.Field(isin=BASES)
    metric: Series[str]
    member: Series[str] = pa.Field(nullable=True, isin=["state", "region", "municipality"])
    intervention: Series[str] = pa.Field(nullable=True)
    gender: Series[str] = pa.Field(nullable=True, isin=["total", "women", "men"])
    reason: Series[str] = pa.Field(nullable=True)
    value: Series[float]
    unit: Series[str] = pa.Field(isin=UNITS)
    page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    raw_text: Series[str]
    origin: Series[str] = pa.Field(isin=["extracted", "override"])
    check_status: Series[str] = pa.Field(isin=["ok", "flagged"])
    check_messages: Series[str] = pa.Field(nullable=True)
    is_sample: Series[bool]

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def flagged_rows_say_why(cls, frame: pd.DataFrame) -> Series[bool]:
        return (frame["check_status"] == "flagged") == frame["check_messages"].notna()

    @pa.dataframe_check
    def periods_are_ordered(cls, frame: pd.DataFrame) -> Series[bool]:
        return ~(frame["period_start"] > frame["period_end"])

    @pa.dataframe_check
    def extracted_rows_have_provenance(cls, frame: pd.DataFrame) -> Series[bool]:
        return (frame["origin"] == "override") | frame["line"].notna()

    @pa.dataframe_check
    def domain_violations_are_flagged(cls, frame: pd.DataFrame) -> bool:
        # Overrides are an analyst's word and are not re-checked.
        extracted = frame[frame["origin"] == "extracted"]
        # One conversion for the whole frame, then grouped in Python: converting per
        # document took ~15 s for the ~2,000 documents of a national run.
        by_document: dict[str, list[dict]] = {}
        for row in extracted.astype(object).where(extracted.notna(), None).to_dict("records"):
            by_document.setdefault(row["document_id"], []).append(row)
        for rows in by_document.values():
            for *_, involved in checks.run(rows):
                if any(row["check_status"] != "flagged" for row in involved):
                    return False
        return True


class ReportDocumentsSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256, unique=True)
    source: Series[str]
    association: Series[str] = pa.Field(nullable=True)
    association_id: Series[str] = pa.Field(nullable=True)
    association_status: Series[str] = pa.Field(nullable=True, isin=ASSOCIATION_STATUSES)
    association_candidates: Series[str] = pa.Field(nullable=True)
    report_type: Series[str] = pa.Field(nullable=True, isin=REPORT_TYPES)
    period_start: Series[pd.Timestamp] = pa.Field(nullable=True)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    period_evidence: Series[str] = pa.Field(nullable=True, isin=PERIOD_EVIDENCE)
    status: Series[str] = pa.Field(isin=["loaded", "failed"])
    error: Series[str] = pa.Field(nullable=True)
    n_figures: Series[int] = pa.Field(ge=0)
    is_sample: Series[bool]

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def failed_documents_say_why(cls, frame: pd.DataFrame) -> Series[bool]:
        return (frame["status"] == "failed") == frame["error"].notna()

    @pa.dataframe_check
    def an_id_only_for_a_match(cls, frame: pd.DataFrame) -> Series[bool]:
        """A loaded document says whether its association was recognised; only a match has
        an id (unknown and ambiguous ones are never guessed)."""
        loaded = frame["status"] == "loaded"
        matched = frame["association_status"] == "matched"
        return (~loaded | frame["association_status"].notna()) & (
            matched == frame["association_id"].notna())


class ReportIssuesSchema(pa.DataFrameModel):
    document_id: Series[str] = pa.Field(str_matches=SHA256)
    source: Series[str]
    check_name: Series[str]
    severity: Series[str] = pa.Field(isin=["error", "warning"])
    line: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    message: Series[str]

    class Config:
        strict = True
        coerce = True
