"""The standard charts, each drawn only when it has enough points, with matplotlib's object
API on the Agg canvas (no pyplot, so nothing depends on a display or on global figure
state).

Each chart carries its own caption (source, refresh time, sample-data warning) inside the
image, so a PNG pasted into a document still says where it came from.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from ingestion.files import atomic_path
from outputs.marts import FUNDING, PARAMETERS, UNPLACED, Snapshot
from outputs.parameters import year_statuses

BASE_COLOUR = "#4a78a8"
HIGHLIGHT_COLOUR = "#d9822b"
IDEAL_COLOUR = "#333333"
REPORTED_COLOUR = "#b9c9dc"
DPI = 150
FUNDING_SOURCE = (
    "Källa: Finsam-lagret, tabell marts.fct_funding_vs_ideal (bidrag ur förbundens rapporter; "
    "idealfördelning beräknad ur SCB:s befolkning och HE)."
)
# Text stays text in the SVG, so the HTML page is searchable and Swedish letters survive.
_SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "finsam"}


@dataclass(frozen=True)
class Chart:
    name: str  # file stem and HTML id
    title: str
    figure: Figure
    # Each rendering is drawn once (a draw of the national bar chart takes ~0.3 s): the
    # charts page and the report inline the same SVG, and previews reuse a PNG.
    _rendered: dict[str, bytes | str] = field(default_factory=dict, compare=False, repr=False)

    def png_bytes(self, dpi: int = DPI) -> bytes:
        key = f"png:{dpi}"
        if key not in self._rendered:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
            self._rendered[key] = buffer.getvalue()
        return self._rendered[key]

    def svg_markup(self) -> str:
        """The ``<svg>`` element alone, ready to inline in HTML."""
        if "svg" not in self._rendered:
            buffer = io.StringIO()
            with rc_context(_SVG_RC):
                self.figure.savefig(buffer, format="svg", bbox_inches="tight")
            text = buffer.getvalue()
            self._rendered["svg"] = text[text.index("<svg"):]
        return self._rendered["svg"]


def latest_year(funding: pd.DataFrame) -> int | None:
    """The report's year: the last with a funding ratio (contributions and ideal allocation
    both known), else the last with an ideal allocation."""
    for column in ("funding_ratio", "ideal_allocation_sek"):
        years = funding.loc[funding[column].notna(), "year"]
        if len(years):
            return int(years.max())
    return None


def associations_only(funding: pd.DataFrame) -> pd.DataFrame:
    """Without the ``unplaced`` row (the rest of the country), which is no association."""
    return funding[funding["association_id"] != UNPLACED]


def focus_association(snapshot: Snapshot) -> str | None:
    """The association of the over-time chart: the one asked for, else the one furthest
    from its ideal allocation in the report's year (the case an analyst looks at first)."""
    if snapshot.filters.association_id:
        return snapshot.filters.association_id
    funding = associations_only(snapshot.frame(FUNDING))
    year = report_year(snapshot)
    rows = funding[(funding["year"] == year) & funding["funding_ratio"].notna()]
    if rows.empty:
        return None
    distance = (rows["funding_ratio"] - 1).abs()
    return str(rows.loc[distance.idxmax(), "association_id"])


def report_year(snapshot: Snapshot) -> int | None:
    return snapshot.filters.year or latest_year(snapshot.frame(FUNDING))


# A chart is drawn only when it has enough points to mean something; below that the
# report's tables say it all.
MIN_RANKED = 3  # associations in the share chart
MIN_SCATTERED = 5  # associations in the scatter
MIN_YEARS = 2  # years in the over-time chart


def build_charts(snapshot: Snapshot) -> list[Chart]:
    """The charts that have enough points for the snapshot, in the report's order."""
    funding = associations_only(snapshot.frame(FUNDING))
    year = report_year(snapshot)
    highlight = focus_association(snapshot)
    provisional = {y for y, s in year_statuses(snapshot.frame(PARAMETERS)).items()
                   if s.provisional}
    refreshed = snapshot.refreshed_label
    charts = []
    ranked = funding[(funding["year"] == year) & funding["funding_ratio"].notna()]
    if len(ranked) >= MIN_RANKED:
        charts.append(funding_share_chart(funding, year, highlight, refreshed,
                                          year in provisional))
    over_time = funding[(funding["association_id"] == highlight)
                        & (funding["ideal_allocation_sek"].notna()
                           | funding["contribution_total_sek"].notna())]
    if over_time["year"].nunique() >= MIN_YEARS:
        charts.append(association_over_time_chart(funding, highlight, refreshed, provisional))
    scattered = funding[(funding["year"] == year) & funding["he_rate_pct"].notna()
                        & funding["funding_per_he_sek"].notna()]
    if len(scattered) >= MIN_SCATTERED:
        charts.append(he_vs_funding_chart(funding, year, highlight, refreshed))
    return charts


def funding_share_chart(
    funding: pd.DataFrame, year: int | None, highlight: str | None, refreshed: str,
    provisional: bool = False,
) -> Chart:
    """Every association's total contribution as a share of its ideal allocation, sorted, with
    the share its own report states beside it where it states one."""
    rows = funding[(funding["year"] == year) & funding["funding_ratio"].notna()]
    rows = rows.sort_values(["funding_ratio", "association_name"], ascending=[True, False])
    title = f"Bidrag i procent av idealfördelningen {year or ''}".strip()
    if provisional:
        title += " (preliminär)"
    figure = _figure(width=8.0, height=max(3.5, 1.8 + 0.34 * len(rows)))
    ax = figure.add_subplot()
    shares = rows["funding_ratio"] * 100
    reported = rows["reported_ideal_share_pct"]
    positions = np.arange(len(rows))
    has_reported = bool(reported.notna().any())
    height = 0.4 if has_reported else 0.7
    offset = height / 2 if has_reported else 0.0
    bars = ax.barh(positions + offset, shares, height=height, color=_colours(rows, highlight),
                   label="Beräknad (lagrets idealfördelning)")
    ax.bar_label(bars, labels=[f"{v:.0f} %" for v in shares], padding=3, fontsize=8)
    if has_reported:
        stated = reported.notna().to_numpy()
        reported_bars = ax.barh(positions[stated] - offset, reported[stated], height=height,
                                color=REPORTED_COLOUR, label="Enligt förbundets rapport")
        ax.bar_label(reported_bars, labels=[f"{v:.0f} %" for v in reported[stated]],
                     padding=3, fontsize=8)
        ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_yticks(positions, labels=rows["association_name"])
    for label, association in zip(ax.get_yticklabels(), rows["association_id"], strict=True):
        if association == highlight:
            label.set_fontweight("bold")
    ax.axvline(100, color=IDEAL_COLOUR, linestyle="--", linewidth=1.2)
    ax.text(100, 1.0, " 100 % = idealfördelning", transform=ax.get_xaxis_transform(),
            va="bottom", ha="center", fontsize=8)
    top = max(float(shares.max()), float(reported.max()) if has_reported else 0.0)
    ax.set_xlim(0, max(110.0, top * 1.15))
    ax.set_ylim(-0.6, len(rows) - 0.4)  # no empty band above and below the bars
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f} %"))
    ax.set_xlabel("Bidrag totalt (stat, region, kommuner) i procent av idealfördelningen")
    ax.set_title(title, loc="left", fontweight="bold", pad=16)
    _caption(figure, FUNDING_SOURCE, refreshed, _any_sample(rows))
    return Chart("funding_share", title, figure)


def association_over_time_chart(
    funding: pd.DataFrame, association_id: str | None, refreshed: str,
    provisional: set[int] | frozenset[int] = frozenset(),
) -> Chart:
    """One association's total contribution and ideal allocation, year by year; the ideal of
    a provisional year (parameters not confirmed) is an open marker."""
    rows = funding[funding["association_id"] == association_id].sort_values("year")
    name = rows["association_name"].iloc[0] if len(rows) else association_id
    title = f"{name}: bidrag och idealfördelning per år" if name else "Bidrag och idealfördelning"
    figure = _figure(width=8.0, height=4.5)
    ax = figure.add_subplot()
    ideal = rows[rows["ideal_allocation_sek"].notna()]
    firm = ideal[~ideal["year"].isin(provisional)]
    loose = ideal[ideal["year"].isin(provisional)]
    ax.plot(ideal["year"], ideal["ideal_allocation_sek"] / 1e6, color=IDEAL_COLOUR,
            linestyle="--", linewidth=1.2)
    ax.plot(firm["year"], firm["ideal_allocation_sek"] / 1e6, "s", color=IDEAL_COLOUR,
            label="Idealfördelning")
    if len(loose):
        ax.plot(loose["year"], loose["ideal_allocation_sek"] / 1e6, "s", markerfacecolor="white",
                color=IDEAL_COLOUR, label="Idealfördelning, preliminär (parametrar ej bekräftade)")
    paid = rows[rows["contribution_total_sek"].notna()]
    ax.plot(paid["year"], paid["contribution_total_sek"] / 1e6, marker="o", color=BASE_COLOUR,
            label="Bidrag totalt")
    # Whole years only; the margin keeps a single year from filling the axis.
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(rows["year"].min() - 0.5, rows["year"].max() + 0.5)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:g}".replace(".", ",")))
    top = rows[["contribution_total_sek", "ideal_allocation_sek"]].max().max() / 1e6
    ax.set_ylim(0, top * 1.35)  # headroom for the legend
    ax.set_xlabel("Budgetår")
    ax.set_ylabel("Miljoner kronor")
    ax.legend(frameon=False, loc="upper left", ncols=2, fontsize=8)
    ax.set_title(title, loc="left", fontweight="bold")
    _caption(figure, FUNDING_SOURCE, refreshed, _any_sample(rows))
    return Chart("association_over_time", title, figure)


def he_vs_funding_chart(
    funding: pd.DataFrame, year: int | None, highlight: str | None, refreshed: str
) -> Chart:
    """SCB's HE rate against the contributions per HE, one point per association: both of
    the HE population, 20-64 years, so the chart holds one age band."""
    rows = funding[
        (funding["year"] == year)
        & funding["he_rate_pct"].notna()
        & funding["funding_per_he_sek"].notna()
    ]
    title = f"Ohälsa och bidrag per HE {year or ''}".strip()
    figure = _figure(width=8.0, height=5.0)
    ax = figure.add_subplot()
    ax.scatter(rows["he_rate_pct"], rows["funding_per_he_sek"].astype(float),
               color=_colours(rows, highlight), s=36, zorder=3)
    for _, row in rows[rows["association_id"] == highlight].iterrows():
        ax.annotate(row["association_name"],
                    (row["he_rate_pct"], float(row["funding_per_he_sek"])),
                    xytext=(6, 6), textcoords="offset points", fontsize=8)
    ax.xaxis.set_major_formatter(PercentTicks())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}".replace(",", " ")))
    ax.set_xlabel("HE i procent av invånarna 20–64 år (SCB)")
    ax.set_ylabel("Bidrag per HE (kr; HE räknas för 20–64 år)")
    ax.grid(alpha=0.3)
    ax.set_title(title, loc="left", fontweight="bold")
    _caption(figure, FUNDING_SOURCE, refreshed, _any_sample(rows))
    return Chart("he_vs_funding", title, figure)


class PercentTicks(Formatter):
    """Tick labels in percent with as many decimals as the tick spacing needs, so a narrow
    range (10.1 %, 10.2 %, …) never shows the same label twice; Swedish decimal comma."""

    def format_ticks(self, values: list[float]) -> list[str]:
        decimals = _decimals_for_spacing(values)
        return [_percent(value, decimals) for value in values]

    def __call__(self, x: float, pos: int | None = None) -> str:
        ticks = self.axis.get_majorticklocs() if self.axis is not None else []
        return _percent(x, _decimals_for_spacing(list(ticks)))


def _decimals_for_spacing(values: list[float]) -> int:
    ordered = sorted(values)
    steps = [b - a for a, b in zip(ordered, ordered[1:], strict=False) if b > a]
    if not steps:
        return 0
    return max(0, min(4, -math.floor(math.log10(min(steps)) + 1e-9)))


def _percent(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f} %".replace(".", ",")


def write_pngs(charts: list[Chart], out_dir: Path) -> list[Path]:
    paths = []
    for chart in charts:
        path = out_dir / f"{chart.name}.png"
        with atomic_path(path) as partial:
            partial.write_bytes(chart.png_bytes())
        paths.append(path)
    return paths


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _colours(rows: pd.DataFrame, highlight: str | None) -> list[str]:
    return [HIGHLIGHT_COLOUR if a == highlight else BASE_COLOUR for a in rows["association_id"]]


def _any_sample(rows: pd.DataFrame) -> bool:
    return bool(rows["is_sample"].fillna(False).any())


def _caption(figure: Figure, source: str, refreshed: str, sample: bool) -> None:
    text = f"{source} Uppdaterad {refreshed}."
    if sample:
        text += " OBS: diagrammet innehåller exempeldata, inte publicerade värden."
    # Below the axes; bbox_inches="tight" at save time widens the image to include it.
    figure.text(0.0, -0.01, textwrap.fill(text, 120), ha="left", va="top", fontsize=7.5,
                color="#b00020" if sample else "#444444")
