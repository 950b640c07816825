"""Self-contained HTML pages (charts inline as SVG, CSS and the what-if's script inline) and
Markdown previews for the Dagster UI.

The pages open straight from disk (file://), can be mailed as one file, fit a 1,400 px
laptop screen without scrolling sideways and print on A4. ``report.html`` is one page per
export: the year's funding against the ideal allocation (the whole country, or one
association with ``finsam export --association``), the charts that have enough points, and a
live what-if of the allocation model.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from ingestion.files import write_text_atomically
from outputs.charts import Chart, associations_only, report_year
from outputs.marts import (
    FUNDING,
    PARAMETERS,
    SOURCES,
    UNPLACED,
    Mart,
    Snapshot,
    format_value,
    is_missing,
)
from outputs.parameters import YearStatus, lag_note, year_statuses
from outputs.whatif import whatif_section

_NUMERIC_KINDS = {"year", "sek", "count", "ratio", "pct", "points", "decimal"}

_STYLE = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem auto;
       max-width: 78rem; padding: 0 1.5rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 0.2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #ccd; }
p, li { max-width: 62rem; }
.meta { color: #555; margin-top: 0; }
.sample { background: #fdecea; border-left: 4px solid #b00020; padding: 0.5rem 0.8rem; }
.provisional { background: #fff6e0; border-left: 4px solid #c77700; padding: 0.5rem 0.8rem; }
.lead { font-size: 1.1em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(19rem, 1fr));
         gap: 0.8rem; margin: 1rem 0; }
.card { border: 1px solid #ccd; border-top: 4px solid #4a78a8; padding: 0.6rem 0.9rem; }
.card h3 { font-size: 1em; margin: 0 0 0.4rem; }
.card p { margin: 0.25rem 0; }
.big { font-size: 1.7em; font-weight: 700; font-variant-numeric: tabular-nums;
       margin-right: 0.3rem; }
.big.reported { color: #5a6f88; }
figure { margin: 1.5rem 0; max-width: 100%; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 0.88em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.45rem; text-align: left;
         vertical-align: top; }
th { background: #dde6f0; vertical-align: bottom; font-weight: 600; }
td.num, table.numbers td:not(.name) { text-align: right; white-space: nowrap;
         font-variant-numeric: tabular-nums; }
tr.focus td { font-weight: 600; background: #f3f7fb; }
tbody.rest td { color: #555; border-top: 2px solid #99a; }
tbody.total td { font-weight: 600; border-top: 2px solid #99a; }
td.changed { color: #8a3b00; }
.controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr));
            gap: 0.6rem 1.2rem; align-items: end; background: #f5f7fa; padding: 0.8rem;
            border: 1px solid #dde; margin: 0.8rem 0; }
.controls label { display: flex; flex-direction: column; font-size: 0.85rem; gap: 0.2rem; }
.controls input, .controls select, .controls button { font: inherit; max-width: 100%; }
.controls output { font-variant-numeric: tabular-nums; }
.summary { font-weight: 600; }
.note { color: #444; font-size: 0.92em; }
.command code { overflow-wrap: anywhere; }
code { font-size: 0.85em; }
footer { margin-top: 2rem; color: #555; font-size: 0.85rem; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { margin: 0; padding: 0; max-width: none; font-size: 9.5pt; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  table { font-size: 7.5pt; }
  .card { break-inside: avoid; }
  th, td { padding: 0.15rem 0.25rem; }
  .controls, #wi-reset { display: none; }
}
"""


def charts_page(snapshot: Snapshot, charts: list[Chart]) -> str:
    body = "\n".join(_figure(chart) for chart in charts) or (
        "<p>Inget diagram: urvalet har för få förbund eller år med uppgifter för att ett "
        "diagram ska säga något. Se tabellerna i report.html och finsam.xlsx.</p>")
    return _page("Finsam – diagram", snapshot, body)


def report_page(snapshot: Snapshot, charts: list[Chart]) -> str:
    year = report_year(snapshot)
    status = year_statuses(snapshot.frame(PARAMETERS)).get(year or 0)
    name = _association_name(snapshot)
    title = (f"{name}: finansiering och idealfördelning" if name
             else f"Samordningsförbundens finansiering och idealfördelning {year or ''}".strip())
    body = "\n".join(part for part in [
        "<section id=\"summary\">",
        "<h2>I korthet</h2>" if not name else f"<h2>I korthet {year or ''}</h2>",
        _known_funding(snapshot, year),
        _headline_cards(snapshot, year),
        _provisional(status, snapshot),
        _headline_table(snapshot, year),
        f"<p>{escape(scope_note(snapshot.allocation, year))}</p>",
        _rest_of_country(snapshot, year),
        "</section>",
        _association_years(snapshot) if name else "",
        *(_figure(chart) for chart in charts),
        whatif_section(snapshot, year),
        "<p>Alla tabeller finns i <code>finsam.xlsx</code> (flik Läs mig har definitioner och "
        "koder) och som CSV och Parquet i mapparna <code>csv/</code> och "
        "<code>parquet/</code>.</p>",
    ] if part)
    return _page(title, snapshot, body)


def _association_name(snapshot: Snapshot) -> str | None:
    if not snapshot.filters.association_id:
        return None
    rows = snapshot.allocation[snapshot.allocation["association_id"]
                               == snapshot.filters.association_id]
    if len(rows):
        return str(rows["association_name"].iloc[0])
    return snapshot.filters.association_name or snapshot.filters.association_id


def _year_rows(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    return frame[frame["year"] == year]


def _known_funding(snapshot: Snapshot, year: int | None) -> str:
    """How many associations have known funding in the year, said plainly (of the whole
    country, whatever the filter)."""
    if year is None:
        return "<p class=\"lead\">Lagret har ingen idealfördelning eller finansiering för " \
               "urvalet.</p>"
    rows = _year_rows(associations_only(snapshot.allocation), year)
    with_ideal = rows[rows["ideal_allocation_sek"].notna()]
    known = rows[rows["contribution_total_sek"].notna()]
    names = ", ".join(sorted(known["association_name"]))
    if known.empty:
        text = (f"För {year} är inget förbunds bidrag känt: lagret har ingen av deras "
                f"rapporter för året. Sidan visar idealfördelningen för de "
                f"{len(with_ideal)} förbunden.")
    else:
        which = f" ({names})" if len(known) <= 5 else ""
        text = (f"För {year} är bidragen kända för {len(known)} av {len(with_ideal)} förbund"
                f"{which}. Bidragen läses ur förbundens egna rapporter")
        missing = len(with_ideal) - len(known)
        text += (f"; för de övriga {missing} har lagret ingen rapport för året, bara den "
                 "beräknade idealfördelningen." if missing else ".")
    return f'<p class="lead" id="known-funding">{escape(text)}</p>'


def _provisional(status: YearStatus | None, snapshot: Snapshot) -> str:
    notes = []
    if status is not None and status.provisional:
        notes.append(f"Preliminärt: idealfördelningen {status.year} vilar på parametrar som "
                     f"inte är bekräftade för året: {status.describe()}. Preliminära år ritas "
                     "med ofyllda punkter; fliken Modellens parametrar i finsam.xlsx har "
                     "värdena och deras status.")
    lag = lag_note(snapshot.frame(PARAMETERS))
    if lag:
        notes.append(lag)
    if not notes:
        return ""
    return f'<p class="provisional" id="provisional">{escape(" ".join(notes))}</p>'


def _msek(value: object) -> str:
    if is_missing(value):
        return ""
    return format_value(float(value) / 1e6, "decimal") + "\u00a0mnkr"


def _percent(value: object, kind: str) -> str:
    return "" if is_missing(value) else format_value(value, kind)  # type: ignore[arg-type]


def _headline_table(snapshot: Snapshot, year: int | None) -> str:
    """The associations whose funding or own ideal is known in the year: the computed share
    of the ideal beside the share their report states."""
    rows = _year_rows(associations_only(snapshot.frame(FUNDING)), year)
    rows = rows[rows["contribution_total_sek"].notna()
                | rows["reported_ideal_share_pct"].notna()
                | rows["reported_ideal_allocation_sek"].notna()]
    if rows.empty:
        return ""
    rows = rows.sort_values(["funding_ratio", "association_name"], na_position="last")
    documents = FUNDING.column("reported_ideal_document_id")
    contribution_documents = FUNDING.column("contribution_document_id")
    lines = []
    for _, row in rows.iterrows():
        source = snapshot.display(documents, row["reported_ideal_document_id"]) or \
            snapshot.display(contribution_documents, row["contribution_document_id"])
        cells = [
            f'<td class="name">{escape(str(row["association_name"]))}</td>',
            f'<td class="num">{_msek(row["contribution_total_sek"])}</td>',
            f'<td class="num">{_msek(row["ideal_allocation_sek"])}</td>',
            f'<td class="num computed">{_percent(row["funding_ratio"], "ratio")}</td>',
            f'<td class="num">{_msek(row["reported_ideal_allocation_sek"])}</td>',
            f'<td class="num reported">{_percent(row["reported_ideal_share_pct"], "pct")}</td>',
            f'<td class="name">{escape(source)}</td>',
        ]
        lines.append(f'<tr data-association="{escape(str(row["association_id"]))}">'
                     + "".join(cells) + "</tr>")
    return ('<table id="headline" class="numbers">\n<thead><tr><th rowspan="2">Förbund</th>'
            '<th rowspan="2">Bidrag totalt</th><th colspan="2">Idealfördelning enligt lagret'
            '</th><th colspan="2">Enligt förbundets rapport</th><th rowspan="2">Rapport</th>'
            '</tr><tr><th>belopp</th><th>bidragets andel</th><th>belopp</th>'
            '<th>bidragets andel</th></tr></thead>\n<tbody>\n' + "\n".join(lines)
            + "\n</tbody>\n</table>")


# Cards for the first associations with known funding; the table below lists them all.
MAX_CARDS = 6


def _headline_cards(snapshot: Snapshot, year: int | None) -> str:
    """The share of the ideal in big figures, the warehouse's and the report's side by
    side, for each association with known funding in the year."""
    rows = _year_rows(associations_only(snapshot.frame(FUNDING)), year)
    rows = rows[rows["funding_ratio"].notna()].sort_values(
        ["funding_ratio", "association_name"]).head(MAX_CARDS)
    basis = FUNDING.column("contribution_basis")
    cards = []
    for _, row in rows.iterrows():
        reported = ""
        if not is_missing(row["reported_ideal_share_pct"]):
            amount = _msek(row["reported_ideal_allocation_sek"])
            reported = (f'<p><span class="big reported">'
                        f'{_percent(row["reported_ideal_share_pct"], "pct")}</span> enligt '
                        f"förbundets rapport{f' (idealfördelning {amount})' if amount else ''}"
                        "</p>")
        cards.append(
            f'<div class="card" data-association="{escape(str(row["association_id"]))}">'
            f'<h3>{escape(str(row["association_name"]))}</h3>'
            f'<p><span class="big computed">{_percent(row["funding_ratio"], "ratio")}</span> av '
            f'idealfördelningen enligt lagret ({_msek(row["ideal_allocation_sek"])})</p>'
            f"{reported}"
            f'<p class="note">Bidrag totalt {year}: {_msek(row["contribution_total_sek"])} '
            f'({escape(snapshot.display(basis, row["contribution_basis"]))})</p></div>')
    return f'<div class="cards" id="cards">{"".join(cards)}</div>' if cards else ""


def _rest_of_country(snapshot: Snapshot, year: int | None) -> str:
    rows = _year_rows(snapshot.allocation, year)
    rest = rows[(rows["association_id"] == UNPLACED) & rows["ideal_allocation_sek"].notna()]
    if rest.empty:
        return ""
    row = rest.iloc[0]
    count = "" if is_missing(row["n_municipalities"]) else \
        f" ({int(row['n_municipalities'])} kommuner)"
    return (f'<p id="rest-of-country">Resten av landet, kommuner som registret inte placerar '
            f"i något förbund{count}, har idealfördelningen "
            f"{_msek(row['ideal_allocation_sek'])} {year}. Den hålls isär från förbunden och "
            "ingår inte i deras siffror; den finns med så att årets idealfördelningar "
            "summerar till statens ram.</p>")


def scope_note(funding: pd.DataFrame, year: int | None) -> str:
    """What the year's shares are shares of, in a sentence for the reader of the table."""
    rows = funding[(funding["year"] == year) & funding["share_scope"].notna()]
    if rows.empty:
        return "Ingen idealfördelning är beräknad för året."
    first = rows.iloc[0]
    covered = format_value(first["denominator_population_coverage"], "ratio")
    band = str(first["age_band"]).replace("-", "–")
    if first["share_scope"] == "members":
        return (f"Registret placerar alla kommuner detta år: andelarna räknas på förbundens "
                f"medlemskommuner ({covered} av rikets invånare {band} år), med ett "
                "grundbelopp per förbund.")
    registered = format_value(first["registry_population_coverage"], "ratio")
    return (f"Registret är ofullständigt detta år: andelarna räknas på hela riket utom "
            f"kommuner som står utanför alla förbund ({covered} av rikets invånare {band} år); "
            f"förbunden i registret omfattar {registered}.")


def _association_years(snapshot: Snapshot) -> str:
    """The filtered association's years: funding, ideal and both shares."""
    rows = snapshot.frame(FUNDING).sort_values("year")
    statuses = year_statuses(snapshot.frame(PARAMETERS))
    lines = []
    for _, row in rows.iterrows():
        status = statuses.get(int(row["year"]))
        mark = " (preliminär)" if status and status.provisional else ""
        lines.append(
            f'<tr><td class="name">{int(row["year"])}{mark}</td>'
            f'<td class="num">{_msek(row["contribution_total_sek"])}</td>'
            f'<td class="num">{_msek(row["ideal_allocation_sek"])}</td>'
            f'<td class="num">{_percent(row["funding_ratio"], "ratio")}</td>'
            f'<td class="num">{_msek(row["reported_ideal_allocation_sek"])}</td>'
            f'<td class="num">{_percent(row["reported_ideal_share_pct"], "pct")}</td></tr>')
    if not lines:
        return ""
    return ('<h2>År för år</h2>\n<table id="association-years" class="numbers">\n<thead><tr>'
            '<th>Budgetår</th><th>Bidrag totalt</th><th>Idealfördelning enligt lagret</th>'
            '<th>bidragets andel</th><th>Idealfördelning enligt rapporten</th>'
            '<th>bidragets andel enligt rapporten</th></tr></thead>\n<tbody>\n'
            + "\n".join(lines) + "\n</tbody>\n</table>")


def markdown_preview(mart: Mart, frame: pd.DataFrame, limit: int = 10) -> str:
    """The first ``limit`` rows as a Markdown table with Swedish headers."""
    header = "| " + " | ".join(_md(c.sv) for c in mart.columns) + " |"
    rule = "| " + " | ".join("---:" if c.kind in _NUMERIC_KINDS else "---"
                             for c in mart.columns) + " |"
    rows = [
        "| " + " | ".join(_md(format_value(v, c.kind)) for v, c in zip(values, mart.columns,
                                                                       strict=True)) + " |"
        for values in frame.head(limit).itertuples(index=False, name=None)
    ]
    shown = f"{min(limit, len(frame))} av {len(frame)} rader"
    return "\n".join([f"**{mart.sheet}** (marts.{mart.table}), {shown}", "", header, rule, *rows])


def write_charts_page(snapshot: Snapshot, charts: list[Chart], path: Path) -> Path:
    return write_text_atomically(path, charts_page(snapshot, charts))


def write_report(snapshot: Snapshot, charts: list[Chart], path: Path) -> Path:
    return write_text_atomically(path, report_page(snapshot, charts))


def _figure(chart: Chart) -> str:
    return (f'<figure id="chart-{chart.name}" role="img" aria-label="{escape(chart.title)}">\n'
            f"{chart.svg_markup()}\n</figure>")


def _page(title: str, snapshot: Snapshot, body: str) -> str:
    sample = (
        '<p class="sample"><strong>Obs:</strong> urvalet innehåller exempeldata, inte '
        "publicerade värden. Se kolumnen Exempeldata och fliken Läs mig i finsam.xlsx.</p>"
        if snapshot.has_sample else ""
    )
    sources = "".join(f"<li>{escape(s)}</li>" for s in SOURCES)
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
<p class="meta">Samordningsförbund (Finsam) · uppdaterad {escape(snapshot.refreshed_label)} · \
urval: {escape(snapshot.filters.describe())}</p>
{sample}
</header>
<main>
{body}
</main>
<footer>
<p>Källor:</p>
<ul>{sources}</ul>
</footer>
</body>
</html>
"""


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
