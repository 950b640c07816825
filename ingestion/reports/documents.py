"""Reading a report document: bytes -> lines with page numbers, plus what the document says
about itself (association, report type and period: ``identity``; sample marker).

A text file has one reading. A PDF has two (``ingestion.reports.pdf``): its pages read from
the words' positions, tables as tab-separated rows, and its text layer in the order it was
written; ``ingestion.reports.extract`` keeps, page by page, the one whose figures pass the
report's own arithmetic."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingestion import config
from ingestion.reports import identity
from ingestion.reports.identity import Registry, load_associations
from ingestion.reports.numbers import fold
from ingestion.reports.pdf import PdfError, read_pdf

__all__ = ["Document", "Reading", "load_associations", "read_document", "readings",
           "sha256", "source_name"]

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
    reading: str = "text"  # which reading the lines are (Reading.name), or mixed


# The readings, as recorded in raw.report_documents.reading.
TEXT, POSITIONS, TEXT_LAYER, MIXED = "text", "positions", "text_layer", "mixed"


@dataclass
class Reading:
    """One way to read a document: its lines and the page of each line."""
    name: str  # TEXT (a text file), POSITIONS or TEXT_LAYER (a PDF's pages)
    lines: list[str]
    pages: list[int]
    scanned_pages: list[int] = field(default_factory=list)  # images without a text layer


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
# defect of the extractor: the document fails too, with its traceback (``extract``).
DOCUMENT_ERRORS = (PdfError, OSError, UnicodeError)


def is_pdf(data: bytes, name: str) -> bool:
    return data[:5] == b"%PDF-" or name.lower().endswith(".pdf")


def decode_text(data: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def readings(data: bytes, name: str) -> list[Reading]:
    """The readings of a document: one for a text file; for a PDF its pages by position and
    its text layer, or only the first when both give the same lines."""
    if not is_pdf(data, name):
        return [Reading(TEXT, *split_pages(decode_text(data)))]
    pages = read_pdf(data)
    scanned = [number for number, page in enumerate(pages, start=1) if page.scanned]
    by_position = Reading(POSITIONS, *_paged([page.lines for page in pages]), scanned)
    text_layer = Reading(TEXT_LAYER, *_paged([page.text_lines for page in pages]), scanned)
    if text_layer.lines == by_position.lines:
        return [by_position]
    return [by_position, text_layer]


def _paged(pages: list[list[str]]) -> tuple[list[str], list[int]]:
    lines: list[str] = []
    numbers: list[int] = []
    for number, page in enumerate(pages, start=1):
        lines += page or [""]  # an empty page keeps its number
        numbers += [number] * (len(page) or 1)
    return lines, numbers


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
    """The document in its first reading (a PDF: by the words' positions)."""
    return document(readings(data, source)[0], source, sha256(data), associations)


def document(reading: Reading, source: str, document_id: str,
             associations: Registry | None = None) -> Document:
    """A reading of a document with what it says about itself."""
    lines = reading.lines
    doc = Document(source=source, document_id=document_id, lines=lines, pages=reading.pages,
                   reading=reading.name)
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
