"""One document -> rows of ``raw.report_figures``, its ``raw.report_documents`` row and its
``raw.report_issues`` (their contracts: the dbt sources, ``ingestion.contracts``).

Each reading of the document (``documents.readings``: a PDF's pages by the words' positions
and its text layer) is read in full, and each page keeps the reading whose figures pass more
of the report's own arithmetic (``arithmetic``), or as much and clearly more figures without
a flag; else the positions. The document row records which reading won and its score. A
document that cannot be read, or that trips a defect of the extractor, is a ``failed`` row:
one bad document never stops the others.
"""

from __future__ import annotations

import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ingestion.contracts import raw_frame
from ingestion.reports import arithmetic, consistency, documents, prose
from ingestion.reports.documents import (
    DOCUMENT_ERRORS,
    MIXED,
    Document,
    load_associations,
    sha256,
    source_name,
)
from ingestion.reports.walker import Walker

_FIGURE = ("metric", "member", "intervention", "gender", "reason", "basis", "period_start",
           "period_end", "value")
_CLEARLY_MORE = 3  # figures a page must read more to win on them alone (and a quarter)
# What decided a period, strongest first (identity.period).
_EVIDENCE = ("title", "heading", "meeting_date", "statement", "frequent_year")


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
    ``failed`` row; so does any other error, a defect of the extractor, with its traceback
    in ``report_issues``: the other documents still load, and the share of failed
    documents (``blocking_checks``) stops a run in which the defect hits many."""
    document_id = document_id or sha256(data)
    if not data:
        return failed(source, "empty file (0 bytes)", document_id)
    try:
        return _extract(data, source, associations, document_id)
    except DOCUMENT_ERRORS as exc:
        return failed(source, f"{type(exc).__name__}: {exc}", document_id)
    except Exception as exc:  # noqa: BLE001 - any defect: this document fails, not the run
        return defect(source, exc, document_id)


@dataclass
class _Read:
    """One reading of a document, read."""
    doc: Document
    figures: list[dict]
    issues: list[dict]
    checks: list[arithmetic.Check]


def _extract(data: bytes, source: str, associations: dict[str, tuple[str, ...]] | None,
             document_id: str) -> Extraction:
    registry = associations if associations is not None else load_associations()
    readings = documents.readings(data, source)
    scanned = readings[0].scanned_pages
    if scanned and len(scanned) == max(readings[0].pages, default=0):
        return failed(source, f"no text layer: {_pages(scanned)} are images (no OCR)",
                      document_id)
    docs = [documents.document(r, source, document_id, registry) for r in readings]
    # One identity for every reading, from the one that says most clearly who and when.
    known = max(docs, key=_identity_rank)
    docs = [_with_identity(doc, known) for doc in docs]
    best = _best([_read(doc) for doc in docs])
    doc = best.doc
    passed, possible = arithmetic.score(best.checks)
    document = {**_doc_fields(doc), "association_status": doc.association_status,
                "association_candidates": "|".join(doc.association_candidates) or None,
                "period_evidence": doc.period_evidence, "status": "loaded", "error": None,
                "n_figures": len(best.figures), "reading": doc.reading,
                "arithmetic_checks_passed": passed, "arithmetic_checks_possible": possible}
    issues = best.issues + _identity_issues(doc)
    if scanned:
        issues.append(_issue(doc, "scanned_pages", "warning", None,
                             f"{_pages(scanned)} are images without a text layer: not read "
                             f"(no OCR)"))
    if not best.figures:
        issues.append(_issue(doc, "no_figures", "warning", None,
                             "no figure recognised in the document"))
    return Extraction(best.figures, [document], issues)


def _pages(numbers: list[int]) -> str:
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(map(str, numbers))


def _identity_rank(doc: Document) -> tuple:
    evidence = len(_EVIDENCE) - _EVIDENCE.index(doc.period_evidence) \
        if doc.period_evidence in _EVIDENCE else 0
    return (doc.association_status == "matched", evidence, doc.report_type is not None)


def _with_identity(doc: Document, known: Document) -> Document:
    return replace(known, lines=doc.lines, pages=doc.pages, reading=doc.reading,
                   is_sample=doc.is_sample or known.is_sample)


def _read(doc: Document) -> _Read:
    figures, issues, checks = _figures(doc)
    return _Read(doc, figures, issues, checks)


def _best(reads: list[_Read]) -> _Read:
    """Page by page, the reading with the better score (``_page_scores``, ``_winner``);
    when pages disagree, the document is read again from the winning pages."""
    if len(reads) == 1:
        return reads[0]
    scores = [_page_scores(r) for r in reads]
    numbers = sorted(set(reads[0].doc.pages))
    winners = {page: _winner([s.get(page, (0, 0)) for s in scores]) for page in numbers}
    # A page another reading wins with the same figures needs no reading again.
    found = [_figures_by_page(r) for r in reads]
    winners = {page: 0 if found[winner].get(page) == found[0].get(page) else winner
               for page, winner in winners.items()}
    if len(set(winners.values())) == 1:
        return reads[winners[numbers[0]]]
    by_page = [_lines_by_page(r.doc) for r in reads]
    lines, pages = [], []
    for page in numbers:
        page_lines = by_page[winners[page]].get(page, [""])
        lines += page_lines
        pages += [page] * len(page_lines)
    mixed = _read(replace(reads[0].doc, lines=lines, pages=pages, reading=MIXED))
    # Pages read one way and the next another may cut a table continued over the break:
    # the mixed reading must be no worse than the first in arithmetic and figures.
    (net, figures), (first_net, first_figures) = (_total(mixed), _total(reads[0]))
    return mixed if net >= first_net and figures >= first_figures else reads[0]


def _total(read: _Read) -> tuple[int, int]:
    scores = list(_page_scores(read).values())
    return sum(s[0] for s in scores), sum(s[1] for s in scores)


def _winner(scores: list[tuple[int, int]]) -> int:
    """The reading of a page: the first (by the words' positions) unless another passes
    more of the arithmetic, or as much and reads clearly more figures (a few more are as
    likely a table read twice or a clause read with another period)."""
    best = 0
    for index, (net, figures) in enumerate(scores[1:], start=1):
        held_net, held_figures = scores[best]
        if net > held_net or (net == held_net and figures >= held_figures + max(
                _CLEARLY_MORE, held_figures // 4)):
            best = index
    return best


def _page_scores(read: _Read) -> dict[int, tuple[int, int]]:
    """Per page: arithmetic checks passed less failed on it, then figures read without a
    flag."""
    scores: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    pages = read.doc.pages
    for check in read.checks:
        for page in {pages[i] for i in check.lines}:
            scores[page][0] += 1 if check.passed else -1
    for row in read.figures:
        if row["check_status"] == consistency.OK:
            scores[row["page"]][1] += 1
    return {page: (a, b) for page, (a, b) in scores.items()}


def _figures_by_page(read: _Read) -> dict[int, Counter]:
    found: dict[int, Counter] = defaultdict(Counter)
    for row in read.figures:
        found[row["page"]][tuple(row[k] for k in _FIGURE)] += 1
    return found


def _lines_by_page(doc: Document) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for line, page in zip(doc.lines, doc.pages, strict=True):
        found[page].append(line)
    return found


def extract_file(path: Path, associations: dict[str, tuple[str, ...]] | None = None,
                 source: str | None = None, document_id: str | None = None) -> Extraction:
    """Extract the document in ``path``; only this document's bytes are held in memory."""
    source = source or source_name(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return failed(source, f"{type(exc).__name__}: {exc}", document_id)
    return extract_bytes(data, source, associations, document_id)


# Failed figure checks reported as issues here (the others are reported with the rows they
# flag: difference, member_split, gender_sum, exits_sum).
_REPORTED_CHECKS = {arithmetic.SUM_ROW, arithmetic.MEMBERS_TOTAL, arithmetic.INCOME_LESS_COSTS,
                    arithmetic.EQUITY_MOVEMENT}


def _figures(doc: Document) -> tuple[list[dict], list[dict], list[arithmetic.Check]]:
    walker = Walker(doc)
    found, walker_issues = walker.run()
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
            "check_status": consistency.FLAGGED if messages else consistency.OK,
            "check_messages": "; ".join(m for _, m in messages) or None, "_checks": messages,
        })
    issues = [
        _issue(doc, i["check_name"], i["severity"], i["line_index"] + 1, i["message"])
        for i in walker_issues
    ]
    for row in rows:
        reason = consistency.implausible(row)
        if reason is not None:
            consistency.reject(row, reason)
            issues.append(_issue(doc, "implausible_value", "error", row["line"],
                                 f"{doc.source}, page {row['page']}, line {row['line']}: "
                                 f"{reason}; kept out of the marts"))
    for row in _first_per_line(rows):
        issues += [_issue(doc, name, "warning", row["line"], message)
                   for name, message in row["_checks"]]
    for row in rows:
        del row["_checks"]
    for check_name, severity, lines, message, flagged in consistency.run(rows):
        for row in flagged:
            consistency.flag(row, message)
        issues.append(_issue(doc, check_name, severity, lines, message))
    checks = walker.checks + arithmetic.figure_checks(rows)
    issues += [_issue(doc, check.name, "warning", check.lines[-1] + 1 if check.lines else None,
                      check.message)
               for check in checks if not check.passed and check.name in _REPORTED_CHECKS]
    return rows, issues, checks


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
            best[f["metric"]] = max(best.get(f["metric"], f["value"]), f["value"])
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


def failed(source: str, error: str, document_id: str | None = None,
           check_name: str = "unreadable", detail: str | None = None) -> Extraction:
    """A document that could not be read. Without its bytes the id is the sha256 of its
    source (file name or URL), so every document row still has a key."""
    document_id = document_id or sha256(source.encode("utf-8"))
    document = {"document_id": document_id, "source": source, "association": None,
                "association_id": None, "association_status": None,
                "association_candidates": None, "report_type": None, "period_start": None,
                "period_end": None, "period_evidence": None, "status": "failed",
                "error": error, "n_figures": 0, "reading": None,
                "arithmetic_checks_passed": None, "arithmetic_checks_possible": None,
                "is_sample": False}
    issue = {"document_id": document_id, "source": source, "check_name": check_name,
             "severity": "error", "line": None,
             "message": error if detail is None else f"{error}\n{detail}"}
    return Extraction([], [document], [issue])


def defect(source: str, exc: BaseException, document_id: str | None = None) -> Extraction:
    """A document on which the extractor failed: the error class and message in the
    document row, with the traceback in its issue, for the developer who fixes it."""
    return failed(source, f"extractor defect: {type(exc).__name__}: {exc}", document_id,
                  check_name="extractor_defect",
                  detail="".join(traceback.format_exception(exc)).rstrip())
