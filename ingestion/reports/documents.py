"""Reading a report document: bytes -> lines with page numbers, plus what the document says
about itself (association, report type, period, sample marker)."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion import config
from ingestion.reports.numbers import fold
from ingestion.reports.pdf import PdfError, pdf_text

SAMPLE_MARKERS = ("EXEMPELDOKUMENT", "SAMPLE DOCUMENT")
# Used only while data/reference/associations.csv does not exist yet.
FALLBACK_ASSOCIATIONS = {
    "stockholms-stad": ("samordningsforbundet stockholms stad",),
    "sundsvall": ("samordningsforbundet i sundsvall", "samordningsforbundet sundsvall"),
}

# Report type keywords (folded), most specific first.
REPORT_TYPES = (
    ("board_minutes", r"sammantradesprotokoll|protokoll fran styrelse"),
    ("annual_report", r"arsredovisning"),
    ("half_year_report", r"halvarsrapport|halvarsredovisning"),
    ("interim_report", r"delarsrapport|delarsbokslut"),
    ("budget_follow_up", r"budgetuppfoljning"),
)


@dataclass
class Document:
    source: str
    document_id: str
    lines: list[str]
    pages: list[int]  # page number of each line
    association: str | None = None
    association_id: str | None = None
    report_type: str | None = None
    period_start: date | None = None
    period_end: date | None = None
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


def read_document(data: bytes, source: str, associations: dict[str, tuple[str, ...]] | None = None
                  ) -> Document:
    lines, pages = split_pages(document_text(data, source))
    doc = Document(source=source, document_id=sha256(data), lines=lines, pages=pages)
    head = "\n".join(lines[:20])
    doc.is_sample = any(marker in head for marker in SAMPLE_MARKERS)
    folded = [fold(line) for line in lines]
    doc.association, doc.association_id = _association(lines, associations)
    doc.report_type = _report_type(folded)
    doc.period_start, doc.period_end = _period(doc.report_type, folded)
    return doc


def load_associations(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """association_id -> name patterns from the registry (fallback while it is missing)."""
    path = path or config.reference_dir() / "associations.csv"
    if not path.exists():
        return dict(FALLBACK_ASSOCIATIONS)
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["association_id"]: tuple(
                fold(p) for p in (row.get("name_patterns") or "").split("|") if p.strip()
            )
            for row in csv.DictReader(handle)
        }


_NAME = re.compile(r"Samordningsf\S{1,3}rbundet\s+((?:i\s+)?[A-ZÅÄÖ][\wåäö-]+(?:\s+(?:stad|län))?)")


def _association(lines: list[str], associations: dict[str, tuple[str, ...]] | None
                 ) -> tuple[str | None, str | None]:
    """The most frequent "Samordningsförbundet X" and its registry id (None if unknown)."""
    names = Counter(m.group(1).strip() for line in lines for m in _NAME.finditer(line))
    names.pop("i", None)
    if not names:
        return None, None
    name = names.most_common(1)[0][0]
    printed = f"Samordningsförbundet {name}"
    registry = associations if associations is not None else load_associations()
    key = fold(printed)
    for association_id, patterns in registry.items():
        # "key in pattern" also accepts a name cut short by a line break ("… Stockholms").
        if any(p and (p in key or key in p) for p in patterns):
            return printed, association_id
    return printed, None


def _report_type(folded: list[str]) -> str | None:
    """The report type named first in the document (a title precedes mentions of others)."""
    for line in folded:
        for kind, pattern in REPORT_TYPES:
            if re.search(pattern, line):
                return kind
    return None


def _period(report_type: str | None, folded: list[str]) -> tuple[date | None, date | None]:
    text = " ".join(folded)
    if report_type == "budget_follow_up":  # "Budgetuppföljning 2023-06-30": year to date
        found = re.search(r"budgetuppfoljning (20\d\d) (\d\d) (\d\d)", text)
        if found:
            end = date(*map(int, found.groups()))
            return date(end.year, 1, 1), end
    years = Counter(int(y) for y in re.findall(r"\b(20\d\d)\b", " ".join(folded[:80])))
    patterns = {
        "annual_report": r"arsredovisning (20\d\d)",
        "half_year_report": r"(?:halvar\w*|januari till och med juni|jan juni) (20\d\d)",
        "interim_report": r"delarsrapport\w* (20\d\d)",
        "board_minutes": r"sammantradesdatum (20\d\d)",
    }
    found = re.findall(patterns.get(report_type or "", r"$^"), text)
    if found:
        year = Counter(int(y) for y in found).most_common(1)[0][0]
    elif years:
        year = years.most_common(1)[0][0]
    else:
        return None, None
    if report_type in {"half_year_report", "interim_report"}:
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 1, 1), date(year, 12, 31)
