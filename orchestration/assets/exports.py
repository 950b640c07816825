"""Exports for analysts (workbook, CSV/Parquet, charts, HTML report), written to
``data/exports/`` after every refresh.

They read the published warehouse read-only, so they run after ``published_warehouse`` and
never see a half-built file. The work is done in ``outputs/``; these assets only call it and
show previews in the Dagster UI.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from ingestion import config
from orchestration.versions import EXPORTS_CODE
from outputs.marts import FUNDING, MARTS, Snapshot, load_snapshot, write_flat_files

# outputs.charts, .export and .report load matplotlib (a third of a second): imported where
# they are used, so loading the definitions (every refresh, every tick) does not pay for it.
if TYPE_CHECKING:
    from outputs.charts import Chart

PUBLISHED_WAREHOUSE = AssetKey(["published_warehouse"])
# Dagster records it with each export, so a refresh sees exports written by other code and
# rewrites them from the published warehouse without rebuilding it.
CODE_VERSION = EXPORTS_CODE
# Lower resolution than the files: the preview is stored in Dagster's event log.
PREVIEW_DPI = 60


# The published file as the exports read it: a new publish is a new file (an atomic rename).
PublishedFile = tuple[Path, int, int, int]


def _published() -> PublishedFile:
    path = config.published_warehouse_path()
    stat = path.stat()
    return path, stat.st_ino, stat.st_mtime_ns, stat.st_size


# The four exports run one after the other in one process after a publish: they read the
# marts, and the charts and report draw the charts, once per published file, not once each.
@lru_cache(maxsize=1)
def _snapshot_of(published: PublishedFile) -> Snapshot:
    return load_snapshot(published[0])


@lru_cache(maxsize=1)
def _charts_of(published: PublishedFile) -> list[Chart]:
    """A chart keeps what it has rendered: the charts page and the report share its SVG."""
    from outputs.charts import build_charts

    return build_charts(_snapshot_of(published))


def _snapshot() -> Snapshot:
    return _snapshot_of(_published())


def _charts() -> tuple[Snapshot, list[Chart]]:
    published = _published()
    return _snapshot_of(published), _charts_of(published)


@asset(deps=[PUBLISHED_WAREHOUSE], group_name="exports", code_version=CODE_VERSION)
def exports_workbook() -> MaterializeResult:
    """data/exports/finsam.xlsx: "Läs mig" and one sheet per mart, Swedish headers."""
    from outputs.export import export_workbook
    from outputs.report import markdown_preview

    snapshot = _snapshot()
    path = export_workbook(snapshot, config.exports_dir())
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(path)),
        "refreshed_at": snapshot.refreshed_label,
        "sample_rows": _sample_rows(snapshot),
        "preview": MetadataValue.md(markdown_preview(FUNDING, snapshot.frame(FUNDING))),
        **{f"rows_{mart.table}": len(snapshot.frame(mart)) for mart in MARTS},
    })


@asset(deps=[PUBLISHED_WAREHOUSE], group_name="exports", code_version=CODE_VERSION)
def exports_tables() -> MaterializeResult:
    """data/exports/csv/<mart>.csv and data/exports/parquet/<mart>.parquet."""
    from outputs.report import markdown_preview

    paths = write_flat_files(config.published_warehouse_path(), config.exports_dir())
    snapshot = _snapshot()
    previews = "\n\n".join(markdown_preview(mart, snapshot.frame(mart), limit=5)
                           for mart in MARTS)
    return MaterializeResult(metadata={
        "files": MetadataValue.md("\n".join(f"- `{p}`" for p in paths)),
        "preview": MetadataValue.md(previews),
    })


@asset(deps=[PUBLISHED_WAREHOUSE], group_name="exports", code_version=CODE_VERSION)
def exports_charts() -> MaterializeResult:
    """data/exports/charts/*.png and data/exports/charts.html."""
    from outputs.export import export_charts

    snapshot, charts = _charts()
    pngs, page = export_charts(snapshot, config.exports_dir(), charts)
    return MaterializeResult(metadata={
        "page": MetadataValue.path(str(page)),
        **{f"chart_{chart.name}": MetadataValue.md(_inline_png(chart)) for chart in charts},
        **{f"png_{chart.name}": MetadataValue.path(str(path))
           for chart, path in zip(charts, pngs, strict=True)},
    })


@asset(deps=[PUBLISHED_WAREHOUSE], group_name="exports", code_version=CODE_VERSION)
def exports_report() -> MaterializeResult:
    """data/exports/report.html: the year's funding against the ideal allocation, the charts
    and the live what-if on one page."""
    from outputs.export import export_report
    from outputs.report import markdown_preview

    snapshot, charts = _charts()
    path = export_report(snapshot, config.exports_dir(), charts)
    # a chart is drawn only when it has enough points: there may be none
    chart = {"chart": MetadataValue.md(_inline_png(charts[0]))} if charts else {}
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(path)),
        **chart,
        "preview": MetadataValue.md(markdown_preview(FUNDING, snapshot.frame(FUNDING))),
    })


EXPORT_ASSETS = [exports_workbook, exports_tables, exports_charts, exports_report]


def _inline_png(chart: Chart) -> str:
    data = base64.b64encode(chart.png_bytes(dpi=PREVIEW_DPI)).decode("ascii")
    return f"![{chart.title}](data:image/png;base64,{data})"


def _sample_rows(snapshot: Snapshot) -> int:
    return sum(count.sample_rows or 0 for count in snapshot.sample_counts())
