"""One document -> rows of ``raw.report_figures``, its ``raw.report_documents`` row and its
``raw.report_issues`` (their contracts: the dbt sources, ``ingestion.contracts``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ingestion.contracts import raw_frame
from ingestion.reports import consistency, prose
from ingestion.reports.documents import (
    DOCUMENT_ERRORS,
    Document,
    read_document,
    sha256,
    source_name,
)
from ingestion.reports.walker import Walker


@dataclass
class Extraction:
    figures: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)

    def __iadd__(self, other: Extraction) -> Extraction:
        self.figures += other.figures
        self.documents += other.documents
        self.issues += other.issues
        return self

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The three raw tables, in their contracts' columns and types."""
        return (raw_frame("report_figures", self.figures),
                raw_frame("report_documents", self.documents),
                raw_frame("report_issues", self.issues))


def extract_bytes(data: bytes, source: str,
                  associations: dict[str, tuple[str, ...]] | None = None,
                  document_id: str | None = None) -> Extraction:
    """Extract one document. A document that cannot be read (``DOCUMENT_ERRORS``) yields a
    ``failed`` row; any other error is a bug and propagates, so the run fails instead of
    publishing tables that silently lack the documents."""
    document_id = document_id or sha256(data)
    if not data:
        return failed(source, "empty file (0 bytes)", document_id)
    try:
        doc = read_document(data, source, associations)
    except DOCUMENT_ERRORS as exc:
        return failed(source, f"{type(exc).__name__}: {exc}", document_id)
    figures, issues = _figures(doc)
    document = {**_doc_fields(doc), "association_status": doc.association_status,
                "association_candidates": "|".join(doc.association_candidates) or None,
                "period_evidence": doc.period_evidence, "status": "loaded", "error": None,
                "n_figures": len(figures)}
    issues += _identity_issues(doc)
    if not figures:
        issues.append(_issue(doc, "no_figures", "warning", None,
                             "no figure recognised in the document"))
    return Extraction(figures, [document], issues)


def extract_file(path: Path, associations: dict[str, tuple[str, ...]] | None = None,
                 source: str | None = None, document_id: str | None = None) -> Extraction:
    """Extract the document in ``path``; only this document's bytes are held in memory."""
    source = source or source_name(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return failed(source, f"{type(exc).__name__}: {exc}", document_id)
    return extract_bytes(data, source, associations, document_id)


def _figures(doc: Document) -> tuple[list[dict], list[dict]]:
    found, walker_issues = Walker(doc).run()
    found += _largest_people_figures(prose.extract(doc))
    if doc.report_type == "plan_and_budget":
        _plans_are_budgets(doc, found)
    rows = []
    for figure in found:
        index = figure.pop("line_index")
        messages = figure.pop("row_messages", [])
        figure.pop("from_prose", None)
        rows.append({
            **_doc_fields(doc), **figure, "page": doc.pages[index], "line": index + 1,
            "raw_text": doc.lines[index].strip(), "origin": "extracted",
            "check_status": "flagged" if messages else "ok",
            "check_messages": "; ".join(m for _, m in messages) or None, "_checks": messages,
        })
    issues = [
        _issue(doc, i["check_name"], i["severity"], i["line_index"] + 1, i["message"])
        for i in walker_issues
    ]
    for row in _first_per_line(rows):
        issues += [_issue(doc, name, "warning", row["line"], message)
                   for name, message in row["_checks"]]
    for row in rows:
        del row["_checks"]
    for check_name, severity, lines, message, flagged in consistency.run(rows):
        for row in flagged:
            consistency.flag(row, message)
        issues.append(_issue(doc, check_name, severity, lines, message))
    return rows, issues


def _plans_are_budgets(doc: Document, figures: list[dict]) -> None:
    """A plan's figures for its own year and later are budgets, however its columns are
    named ("2025", "Plan 2026"); earlier years are the outcomes it compares with."""
    if doc.period_start is None:
        return
    for figure in figures:
        start = figure["period_start"]
        if figure["basis"] == "outcome" and start is not None and start >= doc.period_start:
            figure["basis"] = "budget"


def _identity_issues(doc: Document) -> list[dict]:
    """An association that is not recognised, or not told apart, is reported, never guessed."""
    named = ", ".join(doc.association_candidates)
    if doc.association_status == "ambiguous":
        return [_issue(doc, "association_ambiguous", "warning", None,
                       f"the document names these associations equally often: {named}")]
    if doc.association_status == "unknown":
        printed = f"'{doc.association}' is not" if doc.association else "no association is"
        return [_issue(doc, "association_unknown", "warning", None,
                       f"{printed} in the registry (data/reference/associations.csv)")]
    return []


def _largest_people_figures(figures: list[dict]) -> list[dict]:
    """Association-wide participant counts in prose: the largest total per metric (smaller
    ones describe single interventions)."""
    best: dict[str, float] = {}
    for f in figures:
        if f["unit"] == "persons" and f["gender"] == "total":
            best[f["metric"]] = max(best.get(f["metric"], 0.0), f["value"])
    lines = {(f["metric"], f["line_index"]) for f in figures if f["unit"] == "persons"
             and f["gender"] == "total" and f["value"] == best[f["metric"]]}
    return [f for f in figures if f["unit"] != "persons" or (f["metric"], f["line_index"]) in lines]


def _first_per_line(rows: list[dict]) -> list[dict]:
    seen, first = set(), []
    for row in rows:
        if row["line"] not in seen:
            seen.add(row["line"])
            first.append(row)
    return first


def _doc_fields(doc: Document) -> dict:
    return {"document_id": doc.document_id, "source": doc.source, "association": doc.association,
            "association_id": doc.association_id, "report_type": doc.report_type,
            "period_start": doc.period_start, "period_end": doc.period_end,
            "is_sample": doc.is_sample}


def _issue(doc: Document, check_name: str, severity: str, line: int | None, message: str) -> dict:
    return {"document_id": doc.document_id, "source": doc.source, "check_name": check_name,
            "severity": severity, "line": line, "message": message}


def failed(source: str, error: str, document_id: str | None = None) -> Extraction:
    """A document that could not be read. Without its bytes the id is the sha256 of its
    source (file name or URL), so every document row still has a key."""
    document_id = document_id or sha256(source.encode("utf-8"))
    document = {"document_id": document_id, "source": source, "association": None,
                "association_id": None, "association_status": None,
                "association_candidates": None, "report_type": None, "period_start": None,
                "period_end": None, "period_evidence": None, "status": "failed",
                "error": error, "n_figures": 0, "is_sample": False}
    issue = {"document_id": document_id, "source": source, "check_name": "unreadable",
             "severity": "error", "line": None, "message": error}
    return Extraction([], [document], [issue])
