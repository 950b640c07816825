"""What must hold before report tables are published; the refresh runs these as blocking
checks (``orchestration/assets/reports.py``), so a failing one leaves the published
warehouse as it was.

- Figures were read at all: an empty ``report_figures`` is never published.
- No more than ``config.report_max_failed_share()`` of the documents failed to be read: a
  broken source folder or a wave of changed PDFs stops the run instead of thinning the
  tables.
- No report URL was served from a cached copy older than
  ``config.document_fallback_max_age_days()`` because its download failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ingestion import config
from ingestion.reports.pipeline import ReportTables


@dataclass(frozen=True)
class Finding:
    check_name: str
    asset: str  # the raw table it is about
    passed: bool
    description: str
    metadata: dict = field(default_factory=dict)


def figures_read(tables: ReportTables) -> Finding:
    n_figures, n_documents = len(tables.figures), len(tables.documents)
    loaded = int((tables.documents["status"] == "loaded").sum())
    return Finding(
        "report_figures_read", "report_figures", n_figures > 0,
        f"{n_figures} figures read from {loaded} of {n_documents} documents"
        + ("" if n_figures else "; an empty figures table is not published"),
        {"figures": n_figures, "documents": n_documents, "loaded": loaded},
    )


def failed_share(tables: ReportTables, max_share: float | None = None) -> Finding:
    max_share = config.report_max_failed_share() if max_share is None else max_share
    documents = tables.documents
    failed = documents[documents["status"] == "failed"]
    share = len(failed) / len(documents) if len(documents) else 0.0
    listed = "; ".join(f"{r.source}: {r.error}" for r in failed.head(5).itertuples())
    return Finding(
        "report_documents_failed_share", "report_documents", share <= max_share,
        f"{len(failed)} of {len(documents)} documents failed ({share:.0%}, at most "
        f"{max_share:.0%} allowed)" + (f": {listed}" if listed else ""),
        {"failed": len(failed), "documents": len(documents), "share": round(share, 4),
         "max_share": max_share},
    )


def fresh_downloads(tables: ReportTables, max_age_days: float | None = None,
                    now: datetime | None = None) -> Finding:
    max_age_days = config.document_fallback_max_age_days() if max_age_days is None \
        else max_age_days
    stale = [(f, f.age_days(now)) for f in tables.fallbacks if f.age_days(now) > max_age_days]
    described = "; ".join(
        f"{f.url} failed ({f.fallback_error}) and its cached copy {f.path} is "
        f"{age:.0f} days old" for f, age in stale)
    return Finding(
        "report_downloads_fresh", "report_documents", not stale,
        described or f"{len(tables.fallbacks)} downloads fell back to a cached copy, none "
                     f"older than {max_age_days:g} days",
        {"stale_copies": [{"url": f.url, "copy": str(f.path), "age_days": round(age, 1),
                           "error": f.fallback_error} for f, age in stale],
         "fallbacks": len(tables.fallbacks), "max_age_days": max_age_days},
    )


def findings(tables: ReportTables) -> list[Finding]:
    return [figures_read(tables), failed_share(tables), fresh_downloads(tables)]
