"""Lay a report's text out as a PDF the way associations publish theirs: runs of
tab-separated lines become real tables (one cell per tab-separated cell; long cells wrap
inside their cell; a table runs over page breaks with its heading row repeated), every
other line is a paragraph (long ones wrap, justified), a blank line is vertical space.

Used by the PDF tests and the PDF corpus of the benchmark (fpdf2, a dev dependency).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# Not every Unicode character the seeds print (♀, →, Δ) is in the 14 core PDF fonts.
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Longer cells (free text pasted into a form) are printed as paragraphs: one table row may
# not be taller than a page.
MAX_CELL_CHARS = 700
_DATA = re.compile(r"\d")
_YEAR_OR_DATE = re.compile(r"^\D*((19|20)\d\d(-\d\d-\d\d)?|\d{1,2}/\d{1,2}(-\d{4})?)\D*$")


@dataclass(frozen=True)
class Style:
    ruled: bool = True  # cell borders, or none at all
    font_size: float = 8.0
    label_share: float = 0.4  # share of the width for the first (label) column
    max_label_mm: float | None = None  # a narrow label column: long labels wrap
    v_align: str = "TOP"  # where the other cells of a row with a wrapped cell stand
    repeat_heading: bool = True  # the heading row again on every page the table runs to
    footer: str | None = None  # a running footer with the page number, e.g. "Sida {page}"
    # Landscape pages drawn rotated onto portrait pages shown turned (/Rotate 90), the
    # content in a form object: how imposition and scanning software write landscape pages.
    rotated: bool = False


def font_path(style: str = "") -> Path:
    """DejaVu Sans from the system, else the copy matplotlib ships."""
    path = FONT_DIR / FONT_FILES[style]
    if path.exists():
        return path
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / FONT_FILES[style]


class _Pdf(FPDF):
    footer_text: str | None = None

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-10)
            self.cell(0, 4, self.footer_text.format(page=self.page_no()), align="C")


def new_pdf(font_size: float = 8.0, footer: str | None = None, landscape: bool = False
            ) -> FPDF:
    pdf = _Pdf(orientation="L" if landscape else "P", format="A4")
    pdf.footer_text = footer
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    for emphasis in FONT_FILES:
        pdf.add_font("DejaVu", emphasis, str(font_path(emphasis)))
    pdf.set_font("DejaVu", size=font_size)
    pdf.add_page()
    return pdf


def blocks(lines: Sequence[str | tuple[str, ...]]) -> list[list[list[str]] | str]:
    """Consecutive table rows (tuples of cells, or tab-separated lines) as one table (a
    list of rows), every other line as itself."""
    found: list[list[list[str]] | str] = []
    for line in lines:
        row = list(line) if isinstance(line, tuple) else line.split("\t") if "\t" in line \
            else None
        if row is None:
            found.append(line)
        elif found and isinstance(found[-1], list):
            found[-1].append(row)
        else:
            found.append([row])
    return found


def is_heading(cells: Sequence[str]) -> bool:
    """A first row that names columns (no data but years and dates) is the heading row."""
    return not any(_DATA.search(c) and not _YEAR_OR_DATE.match(c) for c in cells[1:])


def write_table(pdf: FPDF, rows: list[list[str]], style: Style) -> None:
    width = pdf.epw
    n = max(len(r) for r in rows)
    rows = [r + [""] * (n - len(r)) for r in rows]
    if n == 1:
        label = width
    else:
        label = width * style.label_share
        if style.max_label_mm is not None:
            label = min(label, style.max_label_mm)
    widths = [label] + [(width - label) / (n - 1)] * (n - 1) if n > 1 else [label]
    heading = is_heading(rows[0])
    with pdf.table(
        col_widths=widths, width=width, borders_layout="ALL" if style.ruled else "NONE",
        first_row_as_headings=heading, text_align=["LEFT"] + ["RIGHT"] * (n - 1),
        line_height=pdf.font_size * 1.35, v_align=style.v_align, padding=(0.6, 1.2),
        headings_style=FontFace(emphasis="B"), repeat_headings=1 if style.repeat_heading else 0,
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell.strip())


def write_paragraph(pdf: FPDF, text: str, line_height: float) -> None:
    if not text.strip():
        pdf.ln(line_height * 0.8)
        return
    pdf.multi_cell(0, line_height, text.strip(), new_x="LMARGIN", new_y="NEXT")


def layout(lines: Sequence[str | tuple[str, ...]], style: Style = Style()) -> bytes:
    """The PDF of ``lines`` (a report's text, one line per item; a table row as a tuple of
    cells or a tab-separated line)."""
    pdf = new_pdf(style.font_size, style.footer, landscape=style.rotated)
    line_height = pdf.font_size * 1.3
    for block in blocks(lines):
        if isinstance(block, str):
            write_paragraph(pdf, block, line_height)
            continue
        table: list[list[str]] = []
        for cells in block:
            if max(len(c) for c in cells) > MAX_CELL_CHARS:  # free text: paragraphs
                if table:
                    write_table(pdf, table, style)
                    table = []
                for cell in cells:
                    write_paragraph(pdf, cell, line_height)
            else:
                table.append(cells)
        if table:
            write_table(pdf, table, style)
        pdf.ln(line_height * 0.5)
    data = bytes(pdf.output())
    return rotate_pages(data) if style.rotated else data


def rotate_pages(data: bytes) -> bytes:
    """Each (landscape) page of ``data`` as a form object turned a quarter counter-clockwise
    on a portrait page that is shown turned a quarter clockwise: the page looks the same,
    but its text runs upwards in the page's own coordinates."""
    import io

    import pypdfium2 as pdfium

    source, target = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    try:
        for index in range(len(source)):
            width, height = source.get_page_size(index)
            page = target.new_page(height, width)
            form = source.page_as_xobject(index, target).as_pageobject()
            # (x, y) -> (height - y, x): the page's bottom edge becomes its right edge.
            form.transform(pdfium.PdfMatrix().rotate(90, ccw=True).translate(height, 0))
            page.insert_obj(form)
            page.gen_content()
            page.set_rotation(90)
            page.close()
        buffer = io.BytesIO()
        target.save(buffer)
        return buffer.getvalue()
    finally:
        source.close()
        target.close()


def write(lines: Sequence[str | tuple[str, ...]], path: Path, style: Style = Style()
          ) -> Path:
    path.write_bytes(layout(lines, style))
    return path
