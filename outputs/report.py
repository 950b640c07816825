"""Self-contained HTML pages (charts inline as SVG, CSS inline, no scripts) and Markdown
previews for the Dagster UI.

The pages open straight from disk (file://) and can be mailed as one file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from ingestion.files import write_text_atomically
from outputs.charts import Chart, latest_year
from outputs.marts import FUNDING, SOURCES, Mart, Snapshot, format_value

# The key table of the report: funding against the ideal allocation in one year.
# The scope and coverage of the shares stand next to the ratio: an ideal is only as good as
# its denominators.
KEY_COLUMNS = (
    "association_name",
    "contribution_total_sek",
    "ideal_allocation_sek",
    "funding_ratio",
    "share_scope",
    "denominator_population_coverage",
    "reported_ideal_allocation_sek",
    "reported_ideal_share_pct",
    "funding_gap_sek",
    "he_rate_pct",
    "funding_per_inhabitant_sek",
    "is_sample",
)
_NUMERIC_KINDS = {"year", "sek", "count", "ratio", "pct", "decimal"}

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #222; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.meta { color: #555; margin-top: 0; }
.sample { background: #fdecea; border-left: 4px solid #b00020; padding: 0.5rem 0.8rem; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.9rem; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; }
th { background: #dde6f0; vertical-align: bottom; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
footer { margin-top: 2rem; color: #555; font-size: 0.85rem; }
@media print { figure, table { break-inside: avoid; } }
"""


def charts_page(snapshot: Snapshot, charts: list[Chart]) -> str:
    body = "\n".join(_figure(chart) for chart in charts)
    return _page("Finsam – diagram", snapshot, body)


def report_page(snapshot: Snapshot, charts: list[Chart]) -> str:
    year = snapshot.filters.year or latest_year(snapshot.frame(FUNDING))
    key_table = key_table_html(snapshot.frame(FUNDING), year)
    body = "\n".join([
        *(_figure(chart) for chart in charts),
        f"<h2>Finansiering och idealfördelning {year or ''}</h2>",
        f"<p>{escape(scope_note(snapshot.frame(FUNDING), year))}</p>",
        key_table,
        "<p>Alla tabeller finns i <code>finsam.xlsx</code> (flik Läs mig har definitioner) "
        "och som CSV och Parquet i mapparna <code>csv/</code> och <code>parquet/</code>.</p>",
    ])
    return _page("Finsam – rapport", snapshot, body)


def scope_note(funding: pd.DataFrame, year: int | None) -> str:
    """What the year's shares are shares of, in a sentence for the reader of the table."""
    rows = funding[(funding["year"] == year) & funding["share_scope"].notna()]
    if rows.empty:
        return "Ingen idealfördelning är beräknad för året."
    first = rows.iloc[0]
    covered = format_value(first["denominator_population_coverage"], "ratio")
    if first["share_scope"] == "members":
        return (f"Registret placerar alla kommuner detta år: andelarna räknas på förbundens "
                f"medlemskommuner ({covered} av rikets invånare i åldersgruppen "
                f"{first['age_band']}), med ett grundbelopp per förbund.")
    registered = format_value(first["registry_population_coverage"], "ratio")
    return (f"Registret är ofullständigt detta år: andelarna räknas på hela riket utom "
            f"kommuner som står utanför alla förbund ({covered} av rikets invånare i "
            f"åldersgruppen {first['age_band']}); förbunden i registret omfattar {registered}. "
            f"Resten av landet är raden \"Kommuner som registret inte placerar i något "
            f"förbund\", så att årets idealfördelningar summerar till statens ram.")


def key_table_html(funding: pd.DataFrame, year: int | None) -> str:
    rows = funding[funding["year"] == year].sort_values(
        ["funding_ratio", "association_name"], na_position="last"
    )
    columns = [FUNDING.column(name) for name in KEY_COLUMNS]
    head = "".join(f"<th>{escape(c.sv)}</th>" for c in columns)
    lines = []
    for _, row in rows.iterrows():
        cells = "".join(
            f'<td class="num">{escape(format_value(row[c.name], c.kind))}</td>'
            if c.kind in _NUMERIC_KINDS
            else f"<td>{escape(format_value(row[c.name], c.kind))}</td>"
            for c in columns
        )
        lines.append(f"<tr>{cells}</tr>")
    if not lines:
        lines.append(f'<tr><td colspan="{len(columns)}">Inga uppgifter för urvalet.</td></tr>')
    return (f'<table id="key-table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
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
<p class="meta">Uppdaterad {escape(snapshot.refreshed_label)} · Urval: \
{escape(snapshot.filters.describe())}</p>
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
