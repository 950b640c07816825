"""The marts the exports publish, with Swedish and English headers, and reading them from
the published warehouse with the user's filters.

Every export (workbook, CSV, Parquet, charts, report) reads through this module; the
columns, their headers and definitions come from each mart's contract in the dbt YAML
(``ingestion.contracts``), so a column is named, translated and defined in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from ingestion import contracts
from ingestion.files import atomic_path

# How a column's values are shown: decides Excel number formats and text formatting.
Kind = Literal["text", "year", "date", "sek", "count", "ratio", "pct", "decimal", "bool"]
# How the year filter applies to a mart: a ``year`` column, a ``month`` date, or a period.
TimeFilter = Literal["year", "month", "period"]


@dataclass(frozen=True)
class Column:
    name: str  # database column name; also the CSV and Parquet header
    sv: str  # Swedish header (workbook, report)
    en: str  # English header (Read me sheet, docs)
    kind: Kind
    definition: str  # Swedish definition for the Read me sheet


@dataclass(frozen=True)
class Mart:
    table: str  # table in schema ``marts``
    sheet: str  # workbook sheet name (Swedish, at most 31 characters)
    title_en: str
    description: str  # Swedish, one sentence
    time_filter: TimeFilter
    order_by: tuple[str, ...]
    columns: tuple[Column, ...]
    # A sheet of a monthly mart holds only its latest months: every month of 290
    # municipalities × ages × sexes × measures would be millions of cells, slow to write and
    # to open. The CSV and Parquet files hold the whole series.
    workbook_months: int | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def has_sample_flag(self) -> bool:
        return "is_sample" in self.column_names

    def check_present(self, available: set[str]) -> None:
        """A column of the contract missing from the warehouse is an error: the warehouse
        was built by other code than this export's."""
        missing = [c.name for c in self.columns if c.name not in available]
        if missing:
            raise ValueError(f"marts.{self.table} lacks columns {missing}")


# The marts with an export section in their dbt YAML, in their workbook order.
EXPORTED_MARTS = tuple(table.name for table in contracts.exported_marts())


def mart_from_contract(name: str) -> Mart:
    """A mart's export definition, read from its contract."""
    table = contracts.model(name)
    export = table.meta["export"]
    return Mart(
        table=table.name,
        sheet=export["sheet"],
        title_en=export["title_en"],
        description=export["description_sv"],
        time_filter=export["time_filter"],
        order_by=tuple(export["order_by"]),
        columns=tuple(
            Column(c.name, c.meta["label_sv"], c.meta["label_en"], c.meta["kind"],
                   c.meta["definition_sv"])
            for c in table.columns
        ),
        workbook_months=export.get("workbook_months"),
    )


MARTS: tuple[Mart, ...] = tuple(mart_from_contract(name) for name in EXPORTED_MARTS)
FUNDING, HE_BY_BENEFIT, UNEMPLOYMENT, PARTICIPANTS, EXITS, INTERVENTION_COSTS = MARTS

# Codes kept as the warehouse stores them (stable for formulas); explained in Read me.
CODES: dict[str, str] = {
    "sickness_benefit": "sjukpenning inkl. rehabiliteringspenning",
    "sickness_compensation": "sjukersättning",
    "activity_compensation": "aktivitetsersättning",
    "sickness_and_activity_compensation": "sjuk- och aktivitetsersättning (redovisade ihop)",
    "unemployment_benefit": "arbetslöshetsersättning",
    "activity_support": "aktivitetsstöd inkl. utvecklingsersättning",
    "establishment_benefit": "etableringsersättning inkl. tillägg",
    "social_assistance": "ekonomiskt bistånd",
    "total": "summa / totalt",
    "open_unemployed": "öppet arbetslösa",
    "in_programme": "sökande i program med aktivitetsstöd",
    "registered_unemployed": "inskrivna arbetslösa (öppet arbetslösa + i program)",
    "long_term_unemployed": "långtidsarbetslösa (inskrivna arbetslösa > 12 månader)",
    "annual_report": "årsredovisning",
    "half_year_report": "halvårsrapport",
    "interim_report": "delårsrapport",
    "budget_follow_up": "budgetuppföljning",
    "board_minutes": "styrelseprotokoll",
}

SOURCES: tuple[str, ...] = (
    "Bidrag, deltagare, avslut och insatskostnader: samordningsförbundens årsredovisningar, "
    "delårsrapporter, budgetuppföljningar och protokoll.",
    "Befolkning och helårsekvivalenter (HE): SCB.",
    "Arbetslöshet: Arbetsförmedlingen.",
    "Idealfördelning: beräknad i lagret med statens fördelningsmodell (grundtilldelning, "
    "75 % behovsmått och 25 % invånare i åldersgruppen); som behovsmått används HE från SCB "
    "i stället för Försäkringskassans försörjningsmått i kronor. Parametrarna per år och "
    "deras källor: dbt_project/seeds/allocation_parameters.csv.",
    "Förbund och medlemskommuner: projektets referensregister.",
)


@dataclass(frozen=True)
class Filters:
    association_id: str | None = None
    year: int | None = None

    def describe(self) -> str:
        parts = []
        if self.association_id is not None:
            parts.append(f"förbund {self.association_id}")
        if self.year is not None:
            parts.append(f"år {self.year}")
        return ", ".join(parts) if parts else "alla förbund och år"


NO_FILTERS = Filters()


@dataclass(frozen=True)
class SampleCount:
    mart: Mart
    sample_rows: int | None  # None: the mart has no is_sample column
    total_rows: int


@dataclass(frozen=True)
class Snapshot:
    """The marts as read for one export: what every output is built from."""

    frames: dict[str, pd.DataFrame]  # by mart table name
    refreshed_at: datetime
    filters: Filters

    def frame(self, mart: Mart) -> pd.DataFrame:
        return self.frames[mart.table]

    def sample_counts(self) -> list[SampleCount]:
        return [
            SampleCount(
                mart,
                int(self.frame(mart)["is_sample"].fillna(False).sum())
                if mart.has_sample_flag else None,
                len(self.frame(mart)),
            )
            for mart in MARTS
        ]

    @property
    def has_sample(self) -> bool:
        return any(c.sample_rows for c in self.sample_counts())

    @property
    def refreshed_label(self) -> str:
        return self.refreshed_at.strftime("%Y-%m-%d %H:%M UTC")


@contextmanager
def open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only: analysts may hold the published file open, and exports never write to it."""
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}; run a refresh first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def mart_query(mart: Mart, filters: Filters) -> tuple[str, list[object]]:
    """The select of ``mart`` with the filters, as SQL with ``?`` parameters."""
    where: list[str] = []
    params: list[object] = []
    if filters.association_id is not None:
        where.append("association_id = ?")
        params.append(filters.association_id)
    if filters.year is not None:
        if mart.time_filter == "year":
            where.append("year = ?")
            params.append(filters.year)
        elif mart.time_filter == "month":
            where.append("year(month) = ?")
            params.append(filters.year)
        else:  # a report period belongs to every year it overlaps
            where.append("period_start <= ? and period_end >= ?")
            params.extend([date(filters.year, 12, 31), date(filters.year, 1, 1)])
    columns = ", ".join(f'"{name}"' for name in mart.column_names)
    sql = f'select {columns} from marts."{mart.table}"'
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by " + ", ".join(f'"{name}"' for name in mart.order_by)
    return sql, params


def check_columns(con: duckdb.DuckDBPyConnection, mart: Mart) -> None:
    """The warehouse has the mart with every column of its contract."""
    available = {
        name for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ?",
            [mart.table],
        ).fetchall()
    }
    if not available:
        raise ValueError(f"the warehouse has no table marts.{mart.table}")
    mart.check_present(available)


def read_mart(con: duckdb.DuckDBPyConnection, mart: Mart, filters: Filters) -> pd.DataFrame:
    sql, params = mart_query(mart, filters)
    return con.execute(sql, params).df()


def load_snapshot(warehouse: Path, filters: Filters = NO_FILTERS) -> Snapshot:
    with open_warehouse(warehouse) as con:
        frames = {}
        for mart in MARTS:
            check_columns(con, mart)
            frames[mart.table] = read_mart(con, mart, filters)
    return Snapshot(frames, refreshed_at(warehouse), filters)


def refreshed_at(warehouse: Path) -> datetime:
    """When the published warehouse was last written: a refresh publishes by renaming its
    build file, which keeps the build file's modification time."""
    return datetime.fromtimestamp(warehouse.stat().st_mtime, tz=UTC)


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA (DuckDB gives nullable integer columns as pandas Int64)."""
    return value is None or bool(pd.isna(value))


def format_value(value: object, kind: Kind) -> str:
    """Swedish text form of a value: space as thousands separator, decimal comma."""
    if is_missing(value):
        return ""
    if kind == "bool":
        return "ja" if value else "nej"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "year":
        return str(int(value))
    if kind in ("sek", "count"):
        return _swedish(f"{float(value):,.0f}")
    if kind == "ratio":
        return _swedish(f"{float(value) * 100:,.1f}") + " %"
    if kind in ("pct", "decimal"):
        return _swedish(f"{float(value):,.1f}")
    return str(value)


def _swedish(number: str) -> str:
    # No-break space keeps "1 234 567" on one line in HTML and Markdown.
    return number.replace(",", "\u00a0").replace(".", ",")


def write_flat_files(warehouse: Path, out_dir: Path, filters: Filters = NO_FILTERS) -> list[Path]:
    """Write every mart to ``out_dir/csv/<table>.csv`` and ``out_dir/parquet/<table>.parquet``
    with DuckDB's COPY, so Parquet keeps the warehouse types.

    CSV: UTF-8, comma-separated, point as decimal sign, database column names as header.
    """
    written: list[Path] = []
    with open_warehouse(warehouse) as con:
        for mart in MARTS:
            check_columns(con, mart)
            sql, params = mart_query(mart, filters)
            for suffix, options in (("csv", "format csv, header"), ("parquet", "format parquet")):
                path = out_dir / suffix / f"{mart.table}.{suffix}"
                with atomic_path(path) as partial:
                    target = str(partial).replace("'", "''")
                    con.execute(f"copy ({sql}) to '{target}' ({options})", params)
                written.append(path)
    return written
