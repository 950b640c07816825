"""Reading a report document: bytes -> lines with page numbers, plus what the document says
about itself (association, report type and period: ``identity``; sample marker)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion import config
from ingestion.reports import identity
from ingestion.reports.identity import Registry, load_associations
from ingestion.reports.numbers import fold
from ingestion.reports.pdf import PdfError, pdf_text

__all__ = ["Document", "load_associations", "read_document", "sha256", "source_name"]

SAMPLE_MARKERS = ("EXEMPELDOKUMENT", "SAMPLE DOCUMENT")


@dataclass
class Document:
    source: str
    document_id: str
    lines: list[str]
    pages: list[int]  # page number of each line
    association: str | None = None  # as printed
    association_id: str | None = None
    association_status: str | None = None  # matched, unknown, ambiguous
    association_candidates: tuple[str, ...] = ()  # every association named, most named first
    report_type: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_evidence: str | None = None  # what decided the period (identity.period)
    is_sample: bool = False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_name(path: Path) -> str:
    """``embedded:<file>`` for the repository's documents, else the file name."""
    embedded = config.data_dir() / "documents"
    if path.resolve().is_relative_to(embedded.resolve()):
        return f"embedded:{path.name}"
    return path.name


# What a document that cannot be read raises (a damaged, encrypted or non-PDF ".pdf", a
# file that vanished or cannot be opened): it becomes a ``failed`` row. Anything else is a
# bug in the extractor and fails the refresh.
DOCUMENT_ERRORS = (PdfError, OSError, UnicodeError)


def document_text(data: bytes, name: str) -> str:
    """Text of a text file, or of a PDF with its tables as tab-separated rows
    (``ingestion.reports.pdf``); pages separated by form feeds."""
    if data[:5] == b"%PDF-" or name.lower().endswith(".pdf"):
        return pdf_text(data)
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def split_pages(text: str) -> tuple[list[str], list[int]]:
    """Lines and their page numbers: form feeds break pages; in the OCR text dumps a page
    starts with a line indented by exactly one space."""
    lines, pages, page = [], [], 1
    use_indent = "\f" not in text
    for index, raw in enumerate(text.replace("\r\n", "\n").split("\n")):
        line = raw.lstrip("\f")
        page += len(raw) - len(line)
        if use_indent and index and re.match(r" \S", line):
            page += 1
        lines.append(line.replace("\f", " "))
        pages.append(page)
        page += line.count("\f")  # a form feed within a line: the next line is a new page
    return lines, pages


def read_document(data: bytes, source: str, associations: Registry | None = None) -> Document:
    lines, pages = split_pages(document_text(data, source))
    doc = Document(source=source, document_id=sha256(data), lines=lines, pages=pages)
    head = "\n".join(lines[:20])
    doc.is_sample = any(marker in head for marker in SAMPLE_MARKERS)
    folded = [fold(line) for line in lines]
    registry = associations if associations is not None else load_associations()
    found = identity.match_association(lines, folded, registry)
    doc.association, doc.association_id = found.printed, found.association_id
    doc.association_status, doc.association_candidates = found.status, found.candidates
    doc.report_type = identity.report_type(folded)
    period = identity.period(doc.report_type, folded)
    doc.period_start, doc.period_end = period.start, period.end
    doc.period_evidence = period.evidence
    return doc
