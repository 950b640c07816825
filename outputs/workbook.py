"""The Excel workbook: a "Läs mig" sheet, then one sheet per mart.

Each data sheet has one header row in Swedish (so filters, pivot tables and Power Query see
a plain table); the English header and the definition of every column are on "Läs mig".
Written in openpyxl's write-only mode: the unemployment mart can have many rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from outputs.files import atomic_path
from outputs.tables import CODES, SOURCES, Column, Kind, Mart, Snapshot, is_missing

README_SHEET = "Läs mig"
EXCEL_MAX_ROWS = 1_048_576
NUMBER_FORMATS: dict[Kind, str] = {
    "year": "0",
    "date": "yyyy-mm-dd",
    "sek": "#,##0",
    "count": "#,##0",
    "ratio": "0.0%",
    "pct": "0.0",
    "decimal": "#,##0.0",
}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_TITLE_FONT = Font(bold=True, size=14)


def write_workbook(snapshot: Snapshot, path: Path) -> Path:
    workbook = Workbook(write_only=True)
    _write_readme(workbook.create_sheet(README_SHEET), snapshot)
    for mart in snapshot.marts:
        _write_mart(workbook.create_sheet(mart.sheet), mart, _workbook_rows(mart, snapshot))
    with atomic_path(path) as partial:
        workbook.save(partial)
    return path


def _workbook_rows(mart: Mart, snapshot: Snapshot) -> pd.DataFrame:
    frame = snapshot.frame(mart)
    if mart.workbook_months is None or frame.empty:
        return frame
    months = pd.to_datetime(frame["month"])
    first = months.max() - pd.DateOffset(months=mart.workbook_months - 1)
    return frame[months >= first]


def _write_mart(sheet: WriteOnlyWorksheet, mart: Mart, frame: pd.DataFrame) -> None:
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(
            f"{mart.table} has {len(frame)} rows, more than an Excel sheet holds; "
            "export with --association or --year, or use the CSV/Parquet files"
        )
    # Layout settings must come before the first row in write-only mode.
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(len(mart.columns))
    sheet.auto_filter.ref = f"A1:{last_column}{len(frame) + 1}"
    for index, column in enumerate(mart.columns, start=1):
        width = max(len(column.sv), 12 if column.kind != "text" else 18) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 45)
    sheet.append([_header_cell(sheet, column.sv) for column in mart.columns])
    for values in frame.itertuples(index=False, name=None):
        sheet.append([
            _data_cell(sheet, value, column) for value, column in zip(values, mart.columns,
                                                                       strict=True)
        ])


def _header_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _data_cell(sheet: WriteOnlyWorksheet, value: object, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, _excel_value(value, column.kind))
    if column.kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[column.kind]
    return cell


def _excel_value(value: object, kind: Kind) -> object:
    """Python value openpyxl stores with the right cell type: numbers as numbers, dates as
    dates, booleans as booleans, missing as an empty cell."""
    if is_missing(value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "bool":
        return bool(value)
    if kind in ("year", "count"):
        return int(value)
    if kind in ("sek", "ratio", "pct", "decimal"):
        return float(value)
    return str(value)


def _write_readme(sheet: WriteOnlyWorksheet, snapshot: Snapshot) -> None:
    for letter, width in zip("ABCDE", (34, 40, 40, 36, 80), strict=True):
        sheet.column_dimensions[letter].width = width

    def title(text: str) -> None:
        sheet.append([])
        cell = WriteOnlyCell(sheet, text)
        cell.font = Font(bold=True, size=12)
        sheet.append([cell])

    first = WriteOnlyCell(sheet, "Finsam – samordningsförbundens finansiering och statistik")
    first.font = _TITLE_FONT
    sheet.append([first])
    refreshed = WriteOnlyCell(sheet, snapshot.refreshed_at.replace(tzinfo=None, microsecond=0))
    refreshed.number_format = "yyyy-mm-dd hh:mm"
    sheet.append(["Uppdaterad (UTC) / Refreshed (UTC)", refreshed])
    sheet.append(["Urval / Filter", snapshot.filters.describe()])
    sheet.append(["Skapad av / Produced by", "finsam export (data/exports/finsam.xlsx)"])

    title("Exempeldata / Sample data")
    sheet.append(["Flik / Sheet", "Exempeldata / Sample data"])
    for count in snapshot.sample_counts():
        if count.sample_rows is None:
            note = "Tabellen har ingen markering av exempeldata."
        elif count.sample_rows:
            note = (f"{count.sample_rows} av {count.total_rows} rader är exempeldata "
                    "(kolumnen Exempeldata = SANT), inte publicerade värden.")
        else:
            note = f"Inga exempeldata ({count.total_rows} rader)."
        sheet.append([count.mart.sheet, note])

    title("Flikar / Sheets")
    sheet.append(["Flik / Sheet", "Innehåll", "Contents", "Tabell / Table"])
    for mart in snapshot.marts:
        description = mart.description
        if mart.workbook_months:
            description += (f" Fliken visar de senaste {mart.workbook_months} månaderna; hela "
                            f"serien finns i csv/{mart.table}.csv och parquet/{mart.table}"
                            ".parquet.")
        sheet.append([mart.sheet, description, mart.title_en, f"marts.{mart.table}"])

    title("Kolumner / Columns")
    sheet.append(["Flik / Sheet", "Rubrik (svenska)", "Header (English)", "Kolumn i databasen",
                  "Definition"])
    for mart in snapshot.marts:
        for column in mart.columns:
            sheet.append([mart.sheet, column.sv, column.en, column.name, column.definition])

    title("Koder / Codes")
    for code, meaning in CODES.items():
        sheet.append([code, meaning])

    title("Källor / Sources")
    for source in SOURCES:
        sheet.append([source])

