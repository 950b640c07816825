"""All configured documents -> the three validated raw tables.

Documents come from the configured folders (``config.documents_dirs()``) and URLs
(``config.document_urls()``); analysts' overrides are applied last. One unreadable
document or URL never stops the others: it is a ``failed`` row in ``report_documents``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingestion import config
from ingestion.reports import download, overrides
from ingestion.reports.documents import load_associations, sha256, source_name
from ingestion.reports.extract import Extraction, extract_bytes, failed
from ingestion.validation.raw_reports import (
    ReportDocumentsSchema,
    ReportFiguresSchema,
    ReportIssuesSchema,
)

DOCUMENT_SUFFIXES = {".txt", ".pdf"}


@dataclass
class ReportTables:
    figures: pd.DataFrame
    documents: pd.DataFrame
    issues: pd.DataFrame

    @property
    def n_flagged(self) -> int:
        return int((self.figures["check_status"] == "flagged").sum())


def document_files(folders: list[Path]) -> list[Path]:
    """Report files in ``folders`` (text and PDF; READMEs are not reports)."""
    return sorted(
        path for folder in folders if folder.is_dir() for path in folder.iterdir()
        if path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.lower().startswith("readme")
    )


def extract_reports(folders: list[Path] | None = None, urls: list[str] | None = None,
                    overrides_path: Path | None = None) -> ReportTables:
    folders = config.documents_dirs() if folders is None else folders
    urls = config.document_urls() if urls is None else urls
    overrides_path = overrides_path or config.overrides_dir() / "report_figures.csv"
    associations = load_associations()
    result = Extraction()
    seen: dict[str, str] = {}
    for source, data, error in [*_files(document_files(folders)), *map(_download, urls)]:
        if data is None:
            result += failed(source, error)
            continue
        document_id = sha256(data)
        if document_id in seen:  # the same file twice (a copy, or a file and its URL)
            result.issues.append({
                "document_id": document_id, "source": source, "check_name": "duplicate_document",
                "severity": "warning", "line": None,
                "message": f"same bytes as {seen[document_id]}; read once",
            })
            continue
        seen[document_id] = source
        result += extract_bytes(data, source, associations)
    figures, documents, issues = result.frames()
    figures, override_issues = overrides.apply(figures, documents, overrides.load(overrides_path))
    issues = pd.DataFrame([*issues.to_dict(orient="records"), *override_issues],
                          columns=issues.columns).astype(issues.dtypes.to_dict())
    return ReportTables(
        figures=ReportFiguresSchema.validate(figures),
        documents=ReportDocumentsSchema.validate(documents),
        issues=ReportIssuesSchema.validate(issues),
    )


def _files(paths: list[Path]) -> list[tuple[str, bytes | None, str]]:
    found = []
    for path in paths:
        try:
            found.append((source_name(path), path.read_bytes(), ""))
        except OSError as exc:
            found.append((source_name(path), None, f"{type(exc).__name__}: {exc}"))
    return found


def _download(url: str) -> tuple[str, bytes | None, str]:
    try:
        return url, download.fetch(url).read_bytes(), ""
    except Exception as exc:  # an unreachable URL is reported like an unreadable file
        return url, None, f"{type(exc).__name__}: {exc}"
