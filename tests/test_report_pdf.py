"""A PDF with a text layer yields the same figures as the same report as plain text."""

from __future__ import annotations

from fpdf import FPDF

from ingestion.reports.extract import extract_bytes

REPORT = [
    "Samordningsförbundet Exempelstad",
    "Årsredovisning 2024",
    "",
    "Under året har totalt 120 deltagare (70 kvinnor och 50 män) tagit del av förbundets insatser.",
    "",
    "Tabell 1. Resultaträkning",
    "",
    "Belopp i kr 2024-01-01 - 2024-12-31 2023-01-01 - 2023-12-31",
    "Driftbidrag från staten 4 000 000 3 800 000",
    "Driftbidrag från Region Exempel 2 000 000 1 900 000",
    "Driftbidrag från Exempelstads kommun 2 000 000 1 900 000",
    "Summa intäkter 8 000 000 7 600 000",
    "Verksamhetens kostnader -7 500 000 -7 900 000",
    "Årets resultat 500 000 -300 000",
]
COMPARED = ["basis", "metric", "member", "intervention", "gender", "reason", "value", "unit",
            "period_start", "period_end", "check_status"]
ASSOCIATIONS = {"exempelstad": ("samordningsforbundet exempelstad",)}


def build_pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def figures(data: bytes, name: str):
    frame = extract_bytes(data, name, ASSOCIATIONS).frames()[0]
    return frame[COMPARED].sort_values(COMPARED[:6]).reset_index(drop=True)


def test_pdf_text_layer_gives_the_same_rows_as_text():
    from_text = figures("\n".join(REPORT).encode("utf-8"), "report.txt")
    from_pdf = figures(build_pdf(REPORT), "report.pdf")
    # participants by gender (3), contributions (3 × 2 years), income, costs, result (× 2)
    assert len(from_text) == 15
    assert from_pdf.equals(from_text)
    state = from_pdf[(from_pdf["member"] == "state") & (from_pdf["value"] == 4_000_000)]
    assert len(state) == 1


def test_pdf_pages_are_numbered():
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    for part in (REPORT[:5], REPORT[5:]):
        pdf.add_page()
        for line in part:
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    frame = extract_bytes(bytes(pdf.output()), "two-pages.pdf", ASSOCIATIONS).frames()[0]
    assert set(frame.loc[frame["metric"] == "participants", "page"]) == {1}
    assert set(frame.loc[frame["metric"] == "member_contribution", "page"]) == {2}
