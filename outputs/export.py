"""Writing the exports into one folder: the entry points for the CLI and the Dagster assets.

Layout of the folder (``data/exports/`` after a refresh)::

    finsam.xlsx                 workbook: Läs mig + one sheet per exported mart
    csv/<mart>.csv              every exported mart as CSV
    parquet/<mart>.parquet      every exported mart as Parquet
    charts/<chart>.png          the charts that have enough points to mean something
    charts.html                 those charts on one self-contained page
    report.html                 one page: the year's funding against the ideal allocation,
                                the charts and a live what-if of the allocation model
"""

from __future__ import annotations

from pathlib import Path

from outputs.charts import Chart, build_charts, write_pngs
from outputs.marts import NO_FILTERS, Filters, Snapshot, load_snapshot, write_flat_files
from outputs.report import write_charts_page, write_report
from outputs.workbook import write_workbook

WORKBOOK = "finsam.xlsx"
CHARTS_DIR = "charts"
CHARTS_PAGE = "charts.html"
REPORT = "report.html"


def export_workbook(snapshot: Snapshot, out_dir: Path) -> Path:
    return write_workbook(snapshot, out_dir / WORKBOOK)


def export_charts(snapshot: Snapshot, out_dir: Path, charts: list[Chart] | None = None
                  ) -> tuple[list[Path], Path]:
    """The chart PNGs (in the order of ``charts``) and the page showing them all."""
    charts = charts or build_charts(snapshot)
    pngs = write_pngs(charts, out_dir / CHARTS_DIR)
    return pngs, write_charts_page(snapshot, charts, out_dir / CHARTS_PAGE)


def export_report(snapshot: Snapshot, out_dir: Path, charts: list[Chart] | None = None
                  ) -> Path:
    return write_report(snapshot, charts or build_charts(snapshot), out_dir / REPORT)


def export_all(warehouse: Path, out_dir: Path, filters: Filters = NO_FILTERS,
               snapshot: Snapshot | None = None) -> list[Path]:
    snapshot = snapshot or load_snapshot(warehouse, filters)
    charts = build_charts(snapshot)
    pngs, charts_page = export_charts(snapshot, out_dir, charts)
    return [
        export_workbook(snapshot, out_dir),
        *write_flat_files(warehouse, out_dir, filters),
        *pngs,
        charts_page,
        export_report(snapshot, out_dir, charts),
    ]
