"""The Excel workbook: a "Läs mig" sheet, then one sheet per mart.

Each data sheet has one header row in Swedish (so filters, pivot tables and Power Query see
a plain table); the English header and the definition of every column are on "Läs mig".
Every share is an Excel percentage (a fraction shown as "58,0 %"), codes are shown as Swedish
words and documents by their file names; "Läs mig" lists the codes beside their words. The
CSV and Parquet files keep the warehouse's values (codes, document ids, percentages as
stored).

Written with XlsxWriter: a number format is set once per column (cells without a format of
their own take their column's) and values are converted a column at a time. At national
scale (about 550,000 cells) this is several times faster than openpyxl, which builds a cell
object per value. Not in XlsxWriter's constant-memory mode: its inline strings made the
national workbook 10 % slower to write than the shared-string table.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ingestion.files import atomic_path
from outputs.codes import FAMILIES, PARAMETER_STATUS_MEANINGS
from outputs.marts import MARTS, SOURCES, Column, Kind, Mart, Snapshot, sample_count

README_SHEET = "Läs mig"
EXCEL_MAX_ROWS = 1_048_576
NUMBER_FORMATS: dict[Kind, str] = {
    "year": "0",
    "date": "yyyy-mm-dd",
    "sek": "#,##0",
    "count": "#,##0",
    "ratio": "0.0%",
    "pct": "0.0%",  # written as a fraction: one percent convention in the workbook
    "points": "0.0",
    "decimal": "#,##0.0",
}
# Day 0 of Excel's date numbers (1900 date system, with its leap-year quirk).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def write_workbook(snapshot: Snapshot, path: Path) -> Path:
    with atomic_path(path) as partial, _without_cyclic_gc():
        # An infinite ratio (never expected) shows as #DIV/0! rather than failing the export.
        workbook = Workbook(str(partial), {"constant_memory": False, "nan_inf_to_errors": True})
        formats = _Formats(workbook)
        readme = workbook.add_worksheet(README_SHEET)
        sheets = {mart.table: _workbook_rows(mart, snapshot) for mart in MARTS}
        for mart in MARTS:
            _write_mart(workbook.add_worksheet(mart.sheet), mart, sheets[mart.table], snapshot,
                        formats)
        _write_readme(readme, snapshot, sheets, formats)
        workbook.close()
    return path


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """XlsxWriter keeps a small object per cell and creates no reference cycles; without the
    cyclic collector, which would otherwise run thousands of times over them (and over
    everything else the process holds), the national workbook takes 10 % less time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Formats:
    """The workbook's cell formats, each created once."""

    def __init__(self, workbook: Workbook) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDE6F0", "text_wrap": True, "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.section = workbook.add_format({"bold": True, "font_size": 12})
        self.refreshed = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.by_kind = {kind: workbook.add_format({"num_format": number_format})
                        for kind, number_format in NUMBER_FORMATS.items()}

    def column(self, kind: Kind) -> Format | None:
        return self.by_kind.get(kind)


def _workbook_rows(mart: Mart, snapshot: Snapshot) -> pd.DataFrame:
    frame = snapshot.frame(mart)
    if mart.workbook_months is None or frame.empty:
        return frame
    months = pd.to_datetime(frame["month"])
    first = months.max() - pd.DateOffset(months=mart.workbook_months - 1)
    return frame[months >= first]


def _write_mart(sheet: Worksheet, mart: Mart, frame: pd.DataFrame, snapshot: Snapshot,
                formats: _Formats) -> None:
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(
            f"{mart.table} has {len(frame)} rows, more than an Excel sheet holds; "
            "export with --association or --year, or use the CSV/Parquet files"
        )
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(frame), len(mart.columns) - 1)
    for index, column in enumerate(mart.columns):
        width = max(len(column.sv), 12 if column.kind != "text" else 18) + 2
        sheet.set_column(index, index, min(width, 45), formats.column(column.kind))
    sheet.write_row(0, 0, [column.sv for column in mart.columns], formats.header)

    values = [_excel_values(frame[column.name], column, snapshot) for column in mart.columns]
    writers = [_writer(sheet, column) for column in mart.columns]
    cells = list(zip(range(len(writers)), writers, strict=True))
    for row, row_values in enumerate(zip(*values, strict=True), start=1):
        for (col, write), value in zip(cells, row_values, strict=True):
            if value is not None:
                write(row, col, value)


def _excel_values(series: pd.Series, column: Column, snapshot: Snapshot) -> list[object]:
    """The column as Python values of the cell type Excel stores (numbers, dates as day
    numbers, booleans, text: codes as words, documents by name), None where the value is
    missing: converted a column at a time."""
    kind = column.kind
    if kind == "date":
        days = (pd.to_datetime(series) - EXCEL_EPOCH).dt.days
        numbers: pd.Series = days.astype("float64")
    elif kind in NUMBER_FORMATS:  # year, count, sek, ratio, pct, points, decimal
        numbers = pd.to_numeric(series, errors="raise").astype("float64")
        if kind == "pct":
            numbers = numbers / 100
    elif kind == "bool":
        return [None if pd.isna(v) else bool(v) for v in series.astype("object")]
    elif kind == "document" or column.codes:
        # few distinct values: each is translated once
        shown = {v: snapshot.display(column, v) for v in series.dropna().unique()}
        return [None if pd.isna(v) else shown[v] for v in series.astype("object")]
    else:
        return [None if pd.isna(v) else str(v) for v in series.astype("object")]
    return numbers.astype("object").where(numbers.notna(), None).tolist()


def _writer(sheet: Worksheet, column: Column) -> Callable[[int, int, object], object]:
    if column.kind == "bool":
        return sheet.write_boolean
    if column.kind in NUMBER_FORMATS:
        return sheet.write_number
    return sheet.write_string


def _write_readme(sheet: Worksheet, snapshot: Snapshot, sheets: dict[str, pd.DataFrame],
                  formats: _Formats) -> None:
    for index, width in enumerate((34, 40, 40, 36, 80)):
        sheet.set_column(index, index, width)
    rows = _Rows(sheet)

    def title(text: str) -> None:
        rows.skip()
        rows.add([text], formats.section)

    rows.add(["Finsam – samordningsförbundens finansiering och statistik"], formats.title)
    refreshed: datetime = snapshot.refreshed_at.replace(tzinfo=None, microsecond=0)
    row = rows.add(["Uppdaterad (UTC) / Refreshed (UTC)"])
    sheet.write_datetime(row, 1, refreshed, formats.refreshed)
    rows.add(["Urval / Filter", snapshot.filters.describe()])
    rows.add(["Skapad av / Produced by", "finsam export (data/exports/finsam.xlsx)"])
    rows.add(["Procent / Percent", "Alla andelar är procent (Excel-procent: 0,58 visas som "
              "58,0 %). Procentenheter är skillnader mellan två procentsatser."])
    rows.add(["Koder / Codes", "Flikarna visar koder som svenska ord och dokument med "
              "filnamn; CSV- och Parquet-filerna har koderna och dokumentens id (listan "
              "under Koder)."])

    title("Rader och exempeldata / Rows and sample data")
    rows.add(["Flik / Sheet", "Rader och exempeldata / Rows and sample data"])
    for mart in MARTS:
        count = sample_count(mart, sheets[mart.table])
        if count.sample_rows is None:
            note = f"{count.total_rows} rader; tabellen har ingen markering av exempeldata."
        elif count.sample_rows:
            note = (f"{count.total_rows} rader, varav {count.sample_rows} exempeldata "
                    "(kolumnen Exempeldata = SANT), inte publicerade värden.")
        else:
            note = f"{count.total_rows} rader, inga exempeldata."
        whole = len(snapshot.frame(mart))
        if whole != count.total_rows:
            note += (f" Hela urvalet har {whole} rader: csv/{mart.table}.csv och "
                     f"parquet/{mart.table}.parquet.")
        rows.add([mart.sheet, note])

    title("Flikar / Sheets")
    rows.add(["Flik / Sheet", "Innehåll", "Contents", "Tabell / Table"])
    for mart in MARTS:
        description = mart.description
        if mart.workbook_months:
            description += (f" Fliken visar de senaste {mart.workbook_months} månaderna; hela "
                            f"serien finns i csv/{mart.table}.csv och parquet/{mart.table}"
                            ".parquet.")
        rows.add([mart.sheet, description, mart.title_en, f"marts.{mart.table}"])

    title("Kolumner / Columns")
    rows.add(["Flik / Sheet", "Rubrik (svenska)", "Header (English)", "Kolumn i databasen",
              "Definition"])
    for mart in MARTS:
        for column in mart.columns:
            rows.add([mart.sheet, column.sv, column.en, column.name, column.definition])

    title("Koder / Codes")
    rows.add(["Kodlista / Code list", "Kod i databasen / Code", "Visas som / Shown as",
              "Betydelse / Meaning"])
    for family in FAMILIES.values():
        for code, shown in family.words.items():
            meaning = (PARAMETER_STATUS_MEANINGS.get(code, "")
                       if family is FAMILIES["parameter_status"] else "")
            rows.add([family.title, code, shown, meaning])

    title("Källor / Sources")
    for source in SOURCES:
        rows.add([source])


class _Rows:
    """Text rows appended one under the other (constant-memory mode writes in row order)."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.next = 0

    def add(self, texts: list[str], cell_format: Format | None = None) -> int:
        """Write ``texts`` on the next row; returns that row's index."""
        row = self.next
        for col, text in enumerate(texts):
            self.sheet.write_string(row, col, text, cell_format)
        self.next += 1
        return row

    def skip(self) -> None:
        """Leave the next row empty."""
        self.next += 1
