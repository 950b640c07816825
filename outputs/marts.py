"""The marts the exports publish, with Swedish and English headers, and reading them from
the published warehouse with the user's filters.

Every export (workbook, CSV, Parquet, charts, report) reads through this module; the
columns, their headers and definitions come from each mart's contract in the dbt YAML
(``ingestion.contracts``), so a column is named, translated and defined in one place.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from ingestion import contracts
from ingestion.files import atomic_path
from outputs.codes import word

# How a column's values are shown: decides Excel number formats and text formatting.
# One percent convention everywhere a person reads a share: ``ratio`` is stored as a fraction
# (0.58), ``pct`` as a percentage (58); both are shown as "58,0 %" (an Excel percentage
# cell). ``points`` is a difference of percentages (procentenheter). ``document`` holds
# document ids (sha256), shown by the documents' file names.
Kind = Literal["text", "document", "year", "date", "sek", "count", "ratio", "pct", "points",
               "decimal", "bool"]
PERCENT_KINDS = frozenset({"ratio", "pct"})
# How the year filter applies to a mart: a ``year`` column, a ``month`` date, or a period.
TimeFilter = Literal["year", "month", "period"]


@dataclass(frozen=True)
class Column:
    name: str  # database column name; also the CSV and Parquet header
    sv: str  # Swedish header (workbook, report)
    en: str  # English header (Read me sheet, docs)
    kind: Kind
    definition: str  # Swedish definition for the Read me sheet
    codes: str | None = None  # code family (outputs.codes) whose words are shown
    is_text: bool = False  # varchar in the warehouse


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

    @property
    def has_association(self) -> bool:
        return "association_id" in self.column_names

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
                   c.meta["definition_sv"], c.meta.get("codes"), c.data_type == "varchar")
            for c in table.columns
        ),
        workbook_months=export.get("workbook_months"),
    )


MARTS: tuple[Mart, ...] = tuple(mart_from_contract(name) for name in EXPORTED_MARTS)


def mart(table: str) -> Mart:
    return next(m for m in MARTS if m.table == table)


FUNDING = mart("fct_funding_vs_ideal")
HE_BY_BENEFIT = mart("fct_he_by_benefit")
UNEMPLOYMENT = mart("fct_unemployment_monthly")
PARTICIPANTS = mart("fct_participants")
EXITS = mart("fct_exits")
INTERVENTION_COSTS = mart("fct_intervention_costs")
FINANCES = mart("fct_association_finances")
PARAMETERS = mart("dim_allocation_parameters")
DOCUMENTS = mart("dim_report_document")

# The row of fct_funding_vs_ideal for the rest of the country (no association).
UNPLACED = "unplaced"

# What the what-if of the report reads besides the exported marts: every allocation unit's
# population by age (not a sheet: tens of thousands of rows of inputs).
POPULATION_BY_AGE = "fct_allocation_population_by_age"

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
    association_name: str | None = None  # for the reader; the id filters

    def describe(self) -> str:
        parts = []
        if self.association_id is not None:
            parts.append(self.association_name or f"förbund {self.association_id}")
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

    frames: dict[str, pd.DataFrame]  # by mart table name, with the user's filters
    refreshed_at: datetime
    filters: Filters
    # Every document's file name by id, whatever the filters: the sheets name documents.
    document_names: dict[str, str] = field(default_factory=dict)
    # The allocation inputs of every unit (not only the filtered association: the shares
    # depend on all of them), for the what-if and the national counts of the report.
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    population_by_age: pd.DataFrame = field(default_factory=pd.DataFrame)

    def frame(self, mart: Mart) -> pd.DataFrame:
        return self.frames[mart.table]

    def sample_counts(self) -> list[SampleCount]:
        return [sample_count(mart, self.frame(mart)) for mart in MARTS]

    def display(self, column: Column, value: object) -> str:
        """How a person reads the value: codes as words, documents by file name, numbers in
        the Swedish form."""
        if is_missing(value):
            return ""
        if column.kind == "document":
            return ", ".join(self.document_names.get(part.strip(), part.strip())
                             for part in str(value).split(","))
        if column.codes:
            return word(column.codes, str(value))
        return format_value(value, column.kind)

    @property
    def has_sample(self) -> bool:
        return any(c.sample_rows for c in self.sample_counts())

    @property
    def refreshed_label(self) -> str:
        return self.refreshed_at.strftime("%Y-%m-%d %H:%M UTC")


def sample_count(mart: Mart, frame: pd.DataFrame) -> SampleCount:
    flagged = int(frame["is_sample"].fillna(False).sum()) if mart.has_sample_flag else None
    return SampleCount(mart, flagged, len(frame))


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
    if filters.association_id is not None and mart.has_association:
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
        document_names = dict(con.execute(
            f"select document_id, document_name from marts.{DOCUMENTS.table}").fetchall())
        every_unit = Filters(year=filters.year)
        allocation = read_mart(con, FUNDING, every_unit)
        population = con.execute(
            f"select association_id, year, age, population from marts.{POPULATION_BY_AGE}"
            + (" where year = ?" if filters.year is not None else "")
            + " order by year, association_id, age",
            [filters.year] if filters.year is not None else [],
        ).df()
    return Snapshot(frames, refreshed_at(warehouse), filters, document_names, allocation,
                    population)


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
        return _swedish(f"{float(value) * 100:,.1f}") + "\u00a0%"
    if kind == "pct":
        return _swedish(f"{float(value):,.1f}") + "\u00a0%"
    if kind in ("points", "decimal"):
        return _swedish(f"{float(value):,.1f}")
    return str(value)


def _swedish(number: str) -> str:
    # No-break space keeps "1 234 567" on one line in HTML and Markdown; a real minus sign.
    return number.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")


def write_flat_files(warehouse: Path, out_dir: Path, filters: Filters = NO_FILTERS) -> list[Path]:
    """Write every mart to ``out_dir/csv/<table>.csv`` and ``out_dir/parquet/<table>.parquet``
    with DuckDB's COPY, so Parquet keeps the warehouse types.

    CSV: UTF-8, comma-separated, point as decimal sign, database column names as header. A
    text cell that a spreadsheet would run as a formula gets a leading apostrophe
    (``csv_safe_query``); numbers stay numbers and keep their sign.
    """
    written: list[Path] = []
    with open_warehouse(warehouse) as con:
        for mart in MARTS:
            check_columns(con, mart)
            sql, params = mart_query(mart, filters)
            for suffix, query, options in (
                ("csv", csv_safe_query(mart, sql), "format csv, header"),
                ("parquet", sql, "format parquet"),
            ):
                path = out_dir / suffix / f"{mart.table}.{suffix}"
                with atomic_path(path) as partial:
                    target = str(partial).replace("'", "''")
                    con.execute(f"copy ({query}) to '{target}' ({options})", params)
                written.append(path)
    return written


# A text cell starting with one of these is a formula to a spreadsheet (OWASP's list for
# CSV injection): =, +, -, @, tab, carriage return.
_FORMULA_START = r"^[=+\-@\t\r]"


def csv_safe_query(mart: Mart, sql: str) -> str:
    """``sql`` with each text column's formula-like values prefixed by an apostrophe, which
    spreadsheets show as text: the marts hold text read from documents, names and URLs."""
    def select(column: Column) -> str:
        name = f'"{column.name}"'
        if not column.is_text:
            return name
        return (f"case when regexp_matches({name}, '{_FORMULA_START}') "
                f"then '''' || {name} else {name} end as {name}")

    return f"select {', '.join(select(c) for c in mart.columns)} from ({sql})"


class UnknownAssociation(LookupError):
    """No association by that id or name; the message names the closest."""


def find_association(warehouse: Path, text: str) -> tuple[str, str]:
    """The (id, name) of the association ``text`` names: its id, its name or an alias (case
    and spacing aside), or a part of exactly one of them ("Stockholms stad"). Otherwise
    :class:`UnknownAssociation` naming the closest ids."""
    with open_warehouse(warehouse) as con:
        rows = con.execute(
            "select association_id, association_name, coalesce(aliases, '') "
            "from marts.dim_association").fetchall()
    names = {aid: name for aid, name, _ in rows}
    names.setdefault(UNPLACED, "Kommuner som registret inte placerar i något förbund")
    spellings = {aid: {_plain(aid), _plain(name), *(_plain(a) for a in aliases.split("|") if a)}
                 for aid, name, aliases in rows}
    spellings.setdefault(UNPLACED, {UNPLACED})
    wanted = _plain(text)
    exact = [aid for aid, forms in spellings.items() if wanted in forms]
    if len(exact) == 1:
        return exact[0], names[exact[0]]
    partial = [aid for aid, forms in spellings.items() if any(wanted in f for f in forms)]
    if len(partial) == 1 and len(wanted) >= 4:
        return partial[0], names[partial[0]]
    close = difflib.get_close_matches(wanted, [f for forms in spellings.values() for f in forms],
                                      n=8, cutoff=0.6)
    by_form = {f: aid for aid, forms in spellings.items() for f in forms}
    candidates = list(dict.fromkeys([*partial, *(by_form[f] for f in close)]))[:5]
    hint = ("; the closest: " + ", ".join(f"{aid} ({names[aid]})" for aid in candidates)
            if candidates else "; see marts.dim_association")
    raise UnknownAssociation(f"no association {text!r} (by id or name){hint}")


def _plain(text: str) -> str:
    """Case, spacing and diacritics aside: "Göteborg" is the id "goteborg"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
