"""PDF reports: tables are read from the words' positions (ruled and unruled, wrapped
cells, a unit in the heading or caption, a table over a page break), and a report gives
the same figures as PDF and as text — also each real seed laid out with real tables."""

from __future__ import annotations

from collections import Counter

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from bench import layout_corpus, pdf_layout
from bench.pdf_layout import Style
from ingestion.reports.extract import extract_bytes
from ingestion.reports.pdf import pdf_pages

ASSOCIATIONS = {"exempelstad": ("samordningsforbundet exempelstad",)}
KEY = ["metric", "member", "intervention", "gender", "reason", "basis", "period_start",
       "period_end", "value"]
STYLES = {
    "ruled": Style(),
    "unruled": Style(ruled=False),
    "ruled, narrow label column": Style(max_label_mm=32),
    "unruled, narrow label column, values beside the middle": Style(
        ruled=False, max_label_mm=32, v_align="MIDDLE"),
}

# A half-year report: a budget follow-up whose heading row states the unit, with labels
# long enough to wrap in a narrow label column.
FOLLOW_UP = [
    "Samordningsförbundet Exempelstad",
    "Halvårsrapport 2024",
    "",
    "Förbundet har under första halvåret fortsatt arbetet med samordnade insatser för "
    "personer som står långt från arbetsmarknaden, i nära samverkan med medlemmarna.",
    "",
    ("Belopp i tkr", "Budget 2024", "Utfall 30/6-2024", "Prognos 2024"),
    ("Försäkringskassan", "4 000", "2 000", "4 000"),
    ("Exempelstads kommun", "2 000", "1 000", "2 000"),
    ("Region Exempel", "2 000", "1 000", "2 000"),
    ("Summa intäkter", "8 000", "4 000", "8 000"),
    ("Insatser 2024", "", "", ""),
    ("Arbetskonsulent gemensam för kommunen och regionen", "1 322", "661", "1 322"),
    ("Samordnat stöd till unga vuxna", "875", "402", "860"),
    ("Summa kostnader 2024", "7 600", "3 100", "7 500"),
    ("Resultat 2024", "400", "900", "500"),
    "",
    "Resultatet för halvåret är bättre än budgeterat eftersom två insatser startade senare "
    "än planerat under våren.",
]


def figures(data: bytes, name: str) -> Counter:
    return Counter(tuple(f[k] for k in KEY)
                   for f in extract_bytes(data, name, ASSOCIATIONS).figures)


def as_text(lines: list, separator: str = "\t") -> bytes:
    return "\n".join(line if isinstance(line, str) else separator.join(line)
                     for line in lines).encode("utf-8")


def page_lines(data: bytes) -> list[str]:
    return [line for page in pdf_pages(data) for line in page]


@pytest.mark.parametrize("style", STYLES.values(), ids=STYLES.keys())
def test_a_table_reads_as_the_same_tab_separated_rows(style: Style):
    lines = page_lines(pdf_layout.layout(FOLLOW_UP, style))
    assert "\tBudget 2024\tUtfall 30/6-2024\tPrognos 2024" not in lines  # unit cell kept
    assert "Belopp i tkr\tBudget 2024\tUtfall 30/6-2024\tPrognos 2024" in lines
    # Wrapped cells are one cell; an empty cell stays in its column.
    assert "Arbetskonsulent gemensam för kommunen och regionen\t1 322\t661\t1 322" in lines
    assert "Exempelstads kommun\t2 000\t1 000\t2 000" in lines
    assert "Insatser 2024\t\t\t" in lines
    # Prose is not a table, however it is justified.
    assert not any("\t" in line for line in lines if "samordnade" in line or "våren" in line)


@pytest.mark.parametrize("style", STYLES.values(), ids=STYLES.keys())
def test_pdf_gives_the_figures_of_the_text(style: Style):
    from_text = figures(as_text(FOLLOW_UP), "report.txt")
    from_pdf = figures(pdf_layout.layout(FOLLOW_UP, style), "report.pdf")
    assert from_pdf == from_text
    values = {(k[0], k[1], k[2], k[5]): k[-1] for k in from_pdf}
    # The heading's "tkr" applies to every row.
    assert values[("member_contribution", "state", None, "budget")] == 4_000_000
    assert values[("intervention_cost", None,
                   "Arbetskonsulent gemensam för kommunen och regionen", "outcome")] == 661_000
    assert values[("total_income", None, None, "forecast")] == 8_000_000


def test_unit_in_a_column_heading_applies_to_every_row():
    lines = ["Samordningsförbundet Exempelstad", "Halvårsrapport 2024", "",
             ("Intäkter", "Budget 2024 (tkr)", "Utfall 30/6-2024 (tkr)"),
             ("Region Exempel", "2 000", "1 000"), ("Exempelstads kommun", "2 000", "1 000")]
    found = figures(pdf_layout.layout(lines), "report.pdf")
    assert {k[-1] for k in found if k[5] == "budget"} == {2_000_000}


def test_a_table_over_a_page_break_is_one_table():
    rows = [(f"Insats {n:02d} i samverkan", f"{100 + n}", f"{50 + n}") for n in range(90)]
    lines = ["Samordningsförbundet Exempelstad", "Årsredovisning 2024", "",
             "Tabell 3. Kostnad per insats, tkr", "",
             ("Insats", "Budget", "Utfall"), ("Individinriktade insatser",), *rows,
             ("Summa insatser", "9 000", "4 500")]
    for style in (Style(), Style(ruled=False, footer="Sida {page} av Exempelstads årsredovisning")):
        data = pdf_layout.layout(lines, style)
        pages = pdf_pages(data)
        assert len(pages) >= 2
        on_second = [line for line in pages[1] if line.startswith("Insats ")]
        assert on_second and "Insats\tBudget\tUtfall" not in pages[1]  # repeated heading
        # A running footer between the two parts does not end the table.
        assert (style.footer is None) != ("Sida 1 av Exempelstads årsredovisning" in pages[0])
        found = extract_bytes(data, "report.pdf", ASSOCIATIONS).frames()[0]
        costs = found[found["metric"] == "intervention_cost"]
        assert len(costs) == 2 * len(rows)
        assert set(costs["unit"]) == {"tkr"}  # the caption's unit, on both pages
        assert set(costs["page"]) == {1, 2}
        last = costs[(costs["intervention"] == "Insats 89 i samverkan")
                     & (costs["basis"] == "outcome")]
        assert last["value"].tolist() == [139_000.0]


def test_a_grid_drawn_as_one_path_and_words_set_apart_without_spaces():
    """Another producer: the whole grid as one path of lines, and each cell placed by its
    position in one text object."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.set_xy(10, 10)
    pdf.cell(0, 5, "Samordningsförbundet Exempelstad - Årsredovisning 2024")
    columns = [10, 80, 120, 160]
    rows = [("Belopp i tkr", "Budget", "Utfall"), ("Driftbidrag från staten", "4 000", "3 900"),
            ("Driftbidrag från Region Exempel", "2 000", "1 950")]
    top = 20
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            width = pdf.get_string_width(cell)
            x = columns[c] + 1 if c == 0 else columns[c + 1] - 1 - width
            pdf.text(x, top + 6 * r + 4, cell)
    for x in columns:
        pdf.line(x, top, x, top + 6 * len(rows))
    for r in range(len(rows) + 1):
        pdf.line(columns[0], top + 6 * r, columns[-1], top + 6 * r)
    lines = page_lines(bytes(pdf.output()))
    assert "Driftbidrag från staten\t4 000\t3 900" in lines
    found = figures(bytes(pdf.output()), "report.pdf")
    assert ("member_contribution", "state", None, None, None, "budget") in {k[:6] for k in found}
    assert max(k[-1] for k in found) == 4_000_000


def test_pdf_pages_are_numbered():
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    for part in (["Samordningsförbundet Exempelstad", "Årsredovisning 2024", "",
                  "Under året har totalt 120 deltagare (70 kvinnor och 50 män) tagit del av "
                  "förbundets insatser."],
                 ["Belopp i kr 2024-01-01 - 2024-12-31 2023-01-01 - 2023-12-31",
                  "Driftbidrag från staten 4 000 000 3 800 000"]):
        pdf.add_page()
        for line in part:
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    frame = extract_bytes(bytes(pdf.output()), "two-pages.pdf", ASSOCIATIONS).frames()[0]
    assert set(frame.loc[frame["metric"] == "participants", "page"]) == {1}
    assert set(frame.loc[frame["metric"] == "member_contribution", "page"]) == {2}


def test_an_unreadable_pdf_is_a_failed_document():
    result = extract_bytes(b"%PDF-1.7 truncated", "broken.pdf", ASSOCIATIONS)
    assert result.documents[0]["status"] == "failed" and not result.figures
    assert "Pdfium" in result.documents[0]["error"] or "PDF" in result.documents[0]["error"]


def test_a_defect_of_the_extractor_fails_that_document_with_its_traceback(monkeypatch):
    from ingestion.reports import walker

    def broken(self):
        raise ZeroDivisionError("a bug in the walker")

    monkeypatch.setattr(walker.Walker, "run", broken)
    result = extract_bytes(pdf_layout.layout(FOLLOW_UP), "report.pdf", ASSOCIATIONS)
    document, = result.documents
    assert document["status"] == "failed" and not result.figures
    assert document["error"] == "extractor defect: ZeroDivisionError: a bug in the walker"
    issue, = result.issues
    assert (issue["check_name"], issue["severity"]) == ("extractor_defect", "error")
    assert issue["message"].startswith("extractor defect: ZeroDivisionError: a bug in the walker")
    assert "Traceback (most recent call last)" in issue["message"]
    assert 'in broken\n    raise ZeroDivisionError("a bug in the walker")' in issue["message"]


# Layouts other producers write -----------------------------------------------------------

def test_a_table_on_a_page_turned_a_quarter_reads_as_upright():
    """Landscape pages drawn turned onto portrait pages shown turned (/Rotate 90): the text
    runs upwards in the page's coordinates, the grid is inside a form object."""
    upright = figures(pdf_layout.layout(FOLLOW_UP), "report.pdf")
    data = pdf_layout.layout(FOLLOW_UP, Style(rotated=True))
    assert pdfium.PdfDocument(data)[0].get_rotation() == 90
    assert "Exempelstads kommun\t2 000\t1 000\t2 000" in page_lines(data)
    assert figures(data, "report.pdf") == upright


@pytest.mark.parametrize("angle", [90, -90, 180])
def test_text_turned_on_an_upright_page_reads_in_its_own_direction(angle: int):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    with pdf.rotation(angle, 105, 148):
        for row, line in enumerate(["Samordningsforbundet Exempelstad",
                                    "Arets resultat 1 250 tkr"]):
            pdf.text(60, 130 + 6 * row, line)
    assert page_lines(bytes(pdf.output())) == ["Samordningsforbundet Exempelstad",
                                               "Arets resultat 1 250 tkr"]


def test_glyphs_placed_one_by_one_are_words():
    """A producer that places each glyph by itself, without space characters: the words
    are the glyphs set edge to edge, a space is a gap."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    x = 20.0
    for word in ["Summa", "intäkter", "7", "360", "tkr"]:
        for glyph in word:
            pdf.text(x, 30, glyph)
            x += pdf.get_string_width(glyph)
        x += pdf.get_string_width(" ")
    assert page_lines(bytes(pdf.output())) == ["Summa intäkter 7 360 tkr"]


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u2009", "\u202f"],
                         ids=["space", "no-break", "thin", "narrow no-break"])
def test_thousands_separators_in_unruled_right_aligned_columns(space: str):
    rows = [("Belopp i tkr", "Budget 2024", "Utfall 30/6-2024"),
            ("Försäkringskassan", "4 000", "2 000"),
            ("Exempelstads kommun", "12 500", "1 250"),
            ("Summa intäkter", "16 500", "3 250")]
    lines = ["Samordningsförbundet Exempelstad", "Halvårsrapport 2024", "",
             *[tuple(cell.replace(" ", space) if cell[0].isdigit() else cell for cell in row)
               for row in rows]]
    found = figures(pdf_layout.layout(lines, Style(ruled=False)), "report.pdf")
    assert {(k[0], k[1], k[5], k[-1]) for k in found} == {
        ("member_contribution", "state", "budget", 4_000_000.0),
        ("member_contribution", "state", "outcome", 2_000_000.0),
        ("member_contribution", "municipality", "budget", 12_500_000.0),
        ("member_contribution", "municipality", "outcome", 1_250_000.0),
        ("total_income", None, "budget", 16_500_000.0),
        ("total_income", None, "outcome", 3_250_000.0)}


def test_two_columns_of_prose_are_read_one_after_the_other():
    left = ["Förbundets resultat för 2024 blev", "1 250 tkr, och de totala",
            "kostnaderna landade på 9 750 tkr."]
    right = ["Under året har totalt 420", "deltagare (250 kvinnor och 170",
             "män) tagit del av insatserna."]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.text(20, 20, "Samordningsforbundet Exempelstad - Arsredovisning 2024")
    for row, (a, b) in enumerate(zip(left, right, strict=True)):
        pdf.text(20, 32 + 5 * row, a)
        pdf.text(115, 32 + 5 * row, b)
    lines = page_lines(bytes(pdf.output()))
    assert lines[-6:] == [*left, *right]
    found = figures(bytes(pdf.output()), "report.pdf")
    assert {(k[0], k[3], k[-1]) for k in found} >= {
        ("result", None, 1_250_000.0), ("total_costs", None, 9_750_000.0),
        ("participants", "total", 420.0), ("participants", "women", 250.0)}


def test_a_scanned_page_is_reported_by_number():
    import io

    from PIL import Image

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.cell(0, 5, "Samordningsforbundet Exempelstad - Arsredovisning 2024",
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, "Arets resultat 1 250 tkr", new_x="LMARGIN", new_y="NEXT")
    scan = io.BytesIO()
    Image.new("L", (200, 280), 255).save(scan, format="PNG")
    for _ in range(2):
        pdf.add_page()
        pdf.image(scan, x=10, y=10, w=190)
    result = extract_bytes(bytes(pdf.output()), "scanned.pdf", ASSOCIATIONS)
    assert result.documents[0]["status"] == "loaded"
    scanned = [i for i in result.issues if i["check_name"] == "scanned_pages"]
    assert [i["message"].split(" are ")[0] for i in scanned] == ["pages 2, 3"]
    only_scans = FPDF()
    only_scans.add_page()
    only_scans.image(scan, x=10, y=10, w=190)
    failed = extract_bytes(bytes(only_scans.output()), "scan.pdf", ASSOCIATIONS)
    assert failed.documents[0]["status"] == "failed"
    assert "page 1 are images" in failed.documents[0]["error"]


# Two readings, kept by the report's own arithmetic ----------------------------------------

HALF_YEAR = [
    "Samordningsförbundet Exempelstad",
    "Halvårsrapport januari-juni 2024",
    "",
    "Förbundets intäkter och kostnader första halvåret, tkr",
    "",
    "Intäkter Budget Utfall Differens",
    "Försäkringskassan 8 000 8 000 0",
    "Exempelstads kommun 4 000 4 000 0",
    "Region Exempel 4 000 4 000 0",
    "Fakturerade kostnader, ESF-ersättning 926 1 432 -506",
    "Summa intäkter 16 926 17 432 -506",
    "",
    "Förbundets resultat för halvåret är 567 tkr.",
]


def justified_text_pdf(lines: list[str]) -> bytes:
    """Every line of four words or more justified over the whole width, word by word (as
    a word processor sets the lines of a justified paragraph): the spaces of a row of
    figures are stretched as wide as a table's columns."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    y = 20.0
    for line in lines:
        words = line.split()
        if len(words) > 3:
            free = pdf.epw - sum(pdf.get_string_width(w) for w in words)
            x = pdf.l_margin
            for word in words:
                pdf.text(x, y, word)
                x += pdf.get_string_width(word) + free / (len(words) - 1)
        elif words:
            pdf.text(pdf.l_margin, y, line)
        y += 6 if words else 3
    return bytes(pdf.output())


def test_justified_rows_are_read_from_the_text_layer_when_its_arithmetic_holds():
    data = justified_text_pdf(HALF_YEAR)
    # Read by the words' positions, stretched spaces split numbers into cells.
    assert any("\t" in line for line in page_lines(data))
    result = extract_bytes(data, "report.pdf", ASSOCIATIONS)
    document, = result.documents
    assert document["reading"] == "text_layer"
    # Summa intäkter in the budget and outcome columns (8 000 + 4 000 + 4 000 + 926 =
    # 16 926; 17 432), five differences (926 - 1 432 = -506, ...), the member split in both
    # columns (8 000 = 4 000 + 4 000): nine checks, all passed.
    assert (document["arithmetic_checks_passed"], document["arithmetic_checks_possible"]) \
        == (9, 9)
    text = figures(as_text(HALF_YEAR, " "), "report.txt")
    assert figures(data, "report.pdf") == text
    values = {(k[0], k[1], k[5]): k[-1] for k in text}
    assert values[("esf_income", None, "outcome")] == 1_432_000
    assert values[("total_income", None, "budget")] == 16_926_000


def test_a_text_document_has_one_reading_and_its_score():
    result = extract_bytes(as_text(HALF_YEAR, " "), "report.txt", ASSOCIATIONS)
    document, = result.documents
    assert document["reading"] == "text"
    assert (document["arithmetic_checks_passed"], document["arithmetic_checks_possible"]) \
        == (9, 9)


# The real seeds laid out as PDFs ------------------------------------------------------------
# Every seed in ten layouts, fpdf2's ruled and unruled among them: tests/test_report_layouts.py.

def test_seed_004_tables_read_cell_by_cell(seed_file, seeds_dir):
    """Every tab-separated row with figures in the Sundsvall minutes is a row of the PDF
    (unruled, with a narrow label column: the corpus's PDF, cached)."""
    path = seed_file("004")
    lines = path.read_text(encoding="utf-8").split("\n")
    layout = next(lay for lay in layout_corpus.LAYOUTS if lay.name == "fpdf2 unruled narrow label")
    pdf = layout_corpus.build(layout_corpus.documents(seeds_dir), [layout])[(path.name,
                                                                              layout.name)]
    got = {line.rstrip("\t") for line in page_lines(pdf.read_bytes())}
    budget = [line.rstrip("\t") for line in lines[651:691]]  # Budgetuppföljning 2023-06-30
    assert budget[0] == "\tBudget 2023\tUtfall 31/6\tPrognos 2023"
    assert [line for line in budget if line not in got] == []
