"""The layout corpus: every seed and written test document printed to PDF by two producers
in many layouts, so that the PDF reader is tested on layouts it was not tuned to.

    .venv/bin/python bench/layout_corpus.py [--no-cache]

prints, per document and layout, how many of the figures the document gives as text the PDF
gives too (the same metric, dimensions, period and value) and how many other figures it
gives. ``tests/test_report_layouts.py`` asserts the same table.

Producers:

- fpdf2 (``bench/pdf_layout.py``): ruled tables; unruled tables with a narrow label column;
  landscape pages drawn rotated onto portrait pages (``/Rotate 90``, the content inside a
  form object, as imposition and scanning software write them);
- headless Chromium printing HTML, in CSS variants: ruled serif tables; borderless tables
  with right-aligned numbers and no-break-space thousands; borderless decimal-aligned
  numbers with thin-space thousands; proportional justified text without tables; prose in
  two columns; a small font; a large font with tables broken over pages and no repeated
  heading row.

A tab-separated line of a document is a table row (a run of them one table); every other
line is a paragraph. The PDFs hold the seeds' text, so they are never committed: they are
built at test time into a cache outside the repository (``FINSAM_LAYOUT_CORPUS_CACHE``,
default ``~/.cache/finsam/layout-corpus``), keyed by the documents' bytes, the layout and
the producers' versions, so a second run costs nothing. Chromium prints each layout once,
all documents in one HTML file (each starting on a new page and marked by a link), and the
PDF is split per document; the layouts print in parallel.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench import pdf_layout  # noqa: E402
from bench.pdf_layout import Style  # noqa: E402

CHROMIUM = Path(os.environ.get("FINSAM_CHROMIUM", "/usr/bin/chromium"))
# The flags that print offline in a container (no sandbox, no network, a fresh profile).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer")
DOCUMENT_MARK = "https://layout-corpus.invalid/document/"
TEST_DOCUMENTS = BENCH_DIR.parent / "tests" / "documents"
# A number's thousands groups inside a table cell ("3 680", "1 840,00").
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?:\D|$))")
_DECIMAL = re.compile(r"^([-−–]?[\d   ]*\d)(,\d+)?$")


@dataclass(frozen=True)
class Layout:
    name: str
    producer: str  # fpdf2 or chromium
    style: Style = field(default_factory=Style)  # fpdf2
    css: str = ""  # chromium: added to the base style sheet
    thousands: str = " "  # thousands separator printed in table cells (chromium)
    decimal_aligned: bool = False  # numbers aligned on the decimal comma (chromium)
    tables: bool = True  # False: tab-separated lines printed as text with tab stops
    two_columns: bool = False  # prose in two columns, tables across both
    heading_rows: bool = True  # a table's heading row repeated on every page


_BASE_CSS = """
@page { size: A4; margin: 16mm 15mm; }
body { font-family: "Liberation Sans", sans-serif; font-size: 9pt; line-height: 1.3; }
p { margin: 0; }
.gap { height: 0.7em; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0; }
td, th { padding: 1pt 4pt; vertical-align: top; font-weight: normal; text-align: left; }
td.n, th.n { text-align: right; white-space: nowrap; }
a { color: inherit; text-decoration: none; }
.document { break-before: page; }
"""

LAYOUTS: tuple[Layout, ...] = (
    Layout("fpdf2 ruled", "fpdf2", Style()),
    Layout("fpdf2 unruled narrow label", "fpdf2", Style(ruled=False, label_share=0.32)),
    Layout("fpdf2 rotated pages", "fpdf2", Style(rotated=True)),
    Layout("chromium ruled serif", "chromium", css="""
        body { font-family: "Liberation Serif", serif; font-size: 10pt; }
        td, th { border: 0.6pt solid #333; }
        th { font-weight: bold; }"""),
    Layout("chromium borderless right-aligned", "chromium", thousands="\u00a0", css="""
        td, th { padding: 1.5pt 6pt; }
        th { border-bottom: 0.8pt solid #000; }"""),
    Layout("chromium borderless decimal-aligned", "chromium", thousands="\u2009",
           decimal_aligned=True, css="""
        body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; }
        .int { white-space: nowrap; }
        .dec { display: inline-block; width: 1.6em; text-align: left; }"""),
    Layout("chromium proportional text", "chromium", tables=False, css="""
        body { font-family: "Liberation Serif", serif; font-size: 11pt; text-align: justify;
               tab-size: 1.25cm; }
        p { white-space: pre-wrap; }"""),
    Layout("chromium two columns", "chromium", two_columns=True, css="""
        .columns { column-count: 2; column-gap: 8mm; text-align: justify; }
        .span { column-span: all; }"""),
    Layout("chromium small font", "chromium", css="""
        body { font-family: "Liberation Sans Narrow", "Liberation Sans", sans-serif;
               font-size: 6.5pt; }
        td, th { padding: 0.5pt 2pt; border-bottom: 0.3pt solid #999; }"""),
    Layout("chromium large font, tables over page breaks", "chromium", heading_rows=False,
           css="""
        body { font-size: 12pt; line-height: 1.6; }
        tr { break-inside: avoid; }"""),
)


def documents(seeds_dir: Path) -> list[Path]:
    """Every seed and every written test document (text reports)."""
    return [*sorted(seeds_dir.glob("*.txt")), *sorted(TEST_DOCUMENTS.glob("*.txt"))]


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "finsam" / "layout-corpus"
    return Path(os.environ.get("FINSAM_LAYOUT_CORPUS_CACHE", default))


# HTML -----------------------------------------------------------------------------------------

def _cell(text: str, layout: Layout) -> str:
    """A table cell: numbers right-aligned (or on their decimal comma), with the layout's
    thousands separator."""
    text = text.strip()
    number = _DECIMAL.match(text)
    if number is None:
        return f"<td>{html.escape(text)}</td>"
    whole = _THOUSANDS.sub(layout.thousands, number.group(1))
    if not layout.decimal_aligned:
        return f'<td class="n">{html.escape(whole + (number.group(2) or ""))}</td>'
    return (f'<td class="n"><span class="int">{html.escape(whole)}</span>'
            f'<span class="dec">{html.escape(number.group(2) or "")}</span></td>')


def _table(rows: list[list[str]], layout: Layout) -> str:
    n = max(len(r) for r in rows)
    rows = [r + [""] * (n - len(r)) for r in rows]
    out = ["<table>"]
    body = rows
    if layout.heading_rows and pdf_layout.is_heading(rows[0]) and len(rows) > 1:
        cells = "".join(f'<th{" class=n" if i else ""}>{html.escape(c.strip())}</th>'
                        for i, c in enumerate(rows[0]))
        out.append(f"<thead><tr>{cells}</tr></thead>")
        body = rows[1:]
    out += ["<tr>" + "".join(_cell(c, layout) for c in r) + "</tr>" for r in body]
    out.append("</table>")
    return "\n".join(out)


_NUMBERS = re.compile(r"(?<![\w,.])-?\d+(?:[,.]\d+)?")


def _table_like(text: str) -> bool:
    """A line of a table in the text dumps: figures after a label, ending in a number."""
    return len(_NUMBERS.findall(text)) >= 2 and bool(re.search(r"[\d%)-]\s*$", text))


def document_html(lines: Sequence[str], layout: Layout, mark: str) -> str:
    """One document's body: tables, paragraphs, blank lines as space; its first line marked
    by a link (to split the printed corpus per document)."""
    parts: list[str] = []
    for block in pdf_layout.blocks(lines):
        if isinstance(block, list) and layout.tables:
            parts.append(_table(block, layout))
        elif isinstance(block, list):
            parts += [f"<p>{html.escape(chr(9).join(row))}</p>" for row in block]
        elif block.strip():
            parts.append(f"<p>{html.escape(block.strip())}</p>")
        else:
            parts.append('<div class="gap"></div>')
    # The first paragraph is the document's mark: a link (Chromium writes none for a link
    # without visible text).
    first = next(i for i, part in enumerate(parts) if part.startswith("<p>"))
    parts[first] = f'<p><a href="{mark}">{parts[first][3:-4]}</a></p>'
    if layout.two_columns:
        parts = _columns(parts)
    return '<div class="document">' + "\n".join(parts) + "</div>"


def _columns(parts: list[str]) -> list[str]:
    """Prose flows in two columns; tables, and the paragraphs of the text dumps that hold
    table lines, run across both, as reports place wide tables."""
    out: list[str] = []
    paragraph: list[str] = []
    for part in [*parts, '<div class="gap"></div>']:
        paragraph.append(part)
        if part.startswith("<p>") or part.startswith("<table"):
            continue
        texts = [re.sub(r"<[^>]+>", "", p) for p in paragraph]
        wide = any(p.startswith("<table") for p in paragraph) or any(map(_table_like, texts))
        kind = "span" if wide else "columns"
        if out and out[-1][0] == kind:
            out[-1][1].extend(paragraph)
        else:
            out.append((kind, list(paragraph)))
        paragraph = []
    return [f'<div class="{kind}">' + "\n".join(body) + "</div>" for kind, body in out]


def corpus_html(texts: Sequence[str], layout: Layout) -> str:
    bodies = [document_html(text.split("\n"), layout, f"{DOCUMENT_MARK}{i}")
              for i, text in enumerate(texts)]
    return ("<!doctype html><html><head><meta charset='utf-8'><style>" + _BASE_CSS
            + layout.css + "</style></head><body>" + "\n".join(bodies) + "</body></html>")


# Producers ------------------------------------------------------------------------------------

@cache
def chromium_version() -> str:
    if not CHROMIUM.exists():
        return ""
    result = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True,
                            timeout=60)
    return result.stdout.strip()


def print_html(source: str, target: Path) -> None:
    """``source`` printed to ``target`` by headless Chromium."""
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "corpus.html"
        page.write_text(source, encoding="utf-8")
        result = subprocess.run(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={scratch}/profile",
             f"--print-to-pdf={target}", page.as_uri()],
            capture_output=True, text=True, timeout=600)
        if result.returncode != 0 or not target.exists():
            raise RuntimeError(f"Chromium did not print {target.name}: {result.stderr[-2000:]}")


def split_documents(printed: Path, count: int) -> list[bytes]:
    """The printed corpus split at the pages carrying each document's link."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    corpus = pdfium.PdfDocument(printed)
    starts: dict[int, int] = {}
    try:
        for index in range(len(corpus)):
            page = corpus[index]
            position, link = ctypes.c_int(0), pdfium_c.FPDF_LINK()
            while pdfium_c.FPDFLink_Enumerate(page.raw, position, link):
                action = pdfium_c.FPDFLink_GetAction(link)
                size = pdfium_c.FPDFAction_GetURIPath(corpus.raw, action, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pdfium_c.FPDFAction_GetURIPath(corpus.raw, action, buffer, size)
                uri = buffer.value.decode()
                if uri.startswith(DOCUMENT_MARK):
                    starts.setdefault(int(uri.removeprefix(DOCUMENT_MARK)), index)
            page.close()
        if sorted(starts) != list(range(count)):
            raise RuntimeError(f"{printed}: found the start of documents {sorted(starts)} "
                               f"of {count}")
        bounds = [starts[i] for i in range(count)] + [len(corpus)]
        parts = []
        for first, end in zip(bounds, bounds[1:], strict=False):
            part = pdfium.PdfDocument.new()
            part.import_pages(corpus, list(range(first, end)))
            parts.append(_saved(part))
            part.close()
        return parts
    finally:
        corpus.close()


def _saved(document) -> bytes:
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _fpdf2(text: str, layout: Layout) -> bytes:
    # Glyphs DejaVu lacks (a private-use bullet of the OCR text) print as nothing: no need
    # to log each.
    logging.getLogger("fpdf").setLevel(logging.ERROR)
    return pdf_layout.layout(text.split("\n"), layout.style)


# The corpus -----------------------------------------------------------------------------------

def _key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def _code_version(producer: str) -> str:
    files = [Path(__file__)] + ([Path(pdf_layout.__file__)] if producer == "fpdf2" else [])
    if producer == "chromium":
        return _key(*(p.read_bytes() for p in files), chromium_version())
    import fpdf

    return _key(*(p.read_bytes() for p in files), fpdf.__version__)


def build(paths: Sequence[Path], layouts: Sequence[Layout] = LAYOUTS,
          folder: Path | None = None, workers: int = 2) -> dict[tuple[str, str], Path]:
    """(document name, layout name) -> its PDF, built where the cache does not hold it."""
    folder = folder or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    found: dict[tuple[str, str], Path] = {}
    jobs = []
    for layout in layouts:
        version = _code_version(layout.producer)
        if layout.producer == "chromium":
            key = _key(version, repr(layout), *texts)
            targets = [folder / f"{key}-{i}.pdf" for i in range(len(paths))]
            if not all(t.exists() for t in targets):
                jobs.append((_print_layout, texts, layout, targets))
        else:
            targets = [folder / f"{_key(version, repr(layout), text)}.pdf" for text in texts]
            for text, target in zip(texts, targets, strict=True):
                if not target.exists():
                    jobs.append((_write_fpdf2, [text], layout, [target]))
        for path, target in zip(paths, targets, strict=True):
            found[(path.name, layout.name)] = target
    if jobs:
        if any(job[2].producer == "chromium" for job in jobs) and not chromium_version():
            raise RuntimeError(f"{CHROMIUM} is missing: the Chromium layouts cannot be built")
        # Chromium prints in its own processes; fpdf2 holds the GIL, so threads suffice.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(*job) for job in jobs]:
                future.result()
    return found


def _print_layout(texts: list[str], layout: Layout, targets: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        printed = Path(scratch) / "corpus.pdf"
        print_html(corpus_html(texts, layout), printed)
        for part, target in zip(split_documents(printed, len(texts)), targets, strict=True):
            _write(target, part)


def _write_fpdf2(texts: list[str], layout: Layout, targets: list[Path]) -> None:
    _write(targets[0], _fpdf2(texts[0], layout))


def _write(target: Path, data: bytes) -> None:
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


# Comparison -----------------------------------------------------------------------------------

KEY = ("metric", "member", "intervention", "gender", "reason", "basis", "period_start",
       "period_end", "value")


def figures(data: bytes, name: str, associations) -> Counter:
    """The figures of a document as comparable keys; cached under the corpus cache by the
    document's bytes and the extractor's code and registry, so an unchanged extractor
    reads each PDF once."""
    import pickle

    from ingestion.reports.extract import extract_bytes
    from ingestion.reports.pipeline import extractor_version

    path = cache_dir() / "figures" / f"{_key(extractor_version(associations), name, data)}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):
        pass
    found = Counter(tuple(f[k] for k in KEY)
                    for f in extract_bytes(data, name, associations).figures)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, pickle.dumps(found))
    return found


@dataclass(frozen=True)
class Agreement:
    document: str
    layout: str
    text_figures: int
    agreed: int
    extra: int

    @property
    def read_share(self) -> float:
        return self.agreed / self.text_figures if self.text_figures else 1.0

    @property
    def extra_share(self) -> float:
        """Figures the PDF gives and the text does not, per figure of the text."""
        return self.extra / max(self.text_figures, 1)


def compare(text: Counter, pdf: Counter, document: str, layout: str) -> Agreement:
    return Agreement(document, layout, sum(text.values()), sum((text & pdf).values()),
                     sum((pdf - text).values()))


def registry_for(path: Path):
    """The registry the document's association is in: the written test documents name
    associations invented for the tests."""
    from ingestion.reports.documents import load_associations

    if path.parent == TEST_DOCUMENTS:
        return load_associations(TEST_DOCUMENTS / "associations.csv")
    return load_associations()


def table(agreements: Sequence[Agreement]) -> str:
    layouts = list(dict.fromkeys(a.layout for a in agreements))
    names = list(dict.fromkeys(a.document for a in agreements))
    cells = {(a.document, a.layout): a for a in agreements}
    lines = ["| document (text figures) | " + " | ".join(layouts) + " |",
             "| --- |" + " --- |" * len(layouts)]
    for name in names:
        first = cells[(name, layouts[0])]
        row = [f"{name[:28]} ({first.text_figures})"]
        for layout in layouts:
            a = cells[(name, layout)]
            row.append(f"{a.read_share:.0%}" + (f" +{a.extra}" if a.extra else ""))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def agreements(paths: Sequence[Path], layouts: Sequence[Layout] = LAYOUTS
               ) -> list[Agreement]:
    """Per document and layout, how the PDF's figures compare with the text's."""
    built = build(paths, layouts)
    found = []
    for path in paths:
        registry = registry_for(path)
        text = figures(path.read_bytes(), path.name, registry)
        for layout in layouts:
            pdf = built[(path.name, layout.name)].read_bytes()
            found.append(compare(text, figures(pdf, f"{path.stem}.pdf", registry), path.name,
                                 layout.name))
    return found


def main(argv: list[str]) -> int:
    from ingestion.config import SHARED_SEEDS_DIR

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=SHARED_SEEDS_DIR)
    parser.add_argument("--no-cache", action="store_true", help="build every PDF again")
    args = parser.parse_args(argv)
    if args.no_cache:
        shutil.rmtree(cache_dir(), ignore_errors=True)
    print(table(agreements(documents(args.seeds))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
