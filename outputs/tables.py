"""The marts the exports publish: their columns with Swedish and English headers, and reading
them from the published warehouse with the user's filters.

Every export (workbook, CSV, Parquet, charts, report) reads through this module, so a
column is named, translated and defined in exactly one place (``MARTS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from outputs.files import atomic_path

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
    required: bool = True  # False: exported when the mart has it (beyond the contract)


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

    def present_in(self, available: set[str]) -> Mart:
        """This mart with only the columns the warehouse has; a missing required column is an
        error (the contract in docs/architecture.md is broken)."""
        missing = [c.name for c in self.columns if c.required and c.name not in available]
        if missing:
            raise ValueError(f"marts.{self.table} lacks columns {missing}")
        return replace(self, columns=tuple(c for c in self.columns if c.name in available))


_ASSOCIATION = (
    Column("association_id", "Förbunds-id", "Association ID", "text",
           "Förbundets id i referensregistret (data/reference/associations.csv)."),
    Column("association_name", "Samordningsförbund", "Association", "text",
           "Förbundets namn."),
)
_PERIOD = (
    Column("period_start", "Period från", "Period start", "date",
           "Första dagen i perioden som uppgiften gäller."),
    Column("period_end", "Period till", "Period end", "date",
           "Sista dagen i perioden som uppgiften gäller."),
)
_INTERVENTION = Column("intervention", "Insats", "Intervention", "text",
                       "Insatsens namn som det står i rapporten; '(all)' = hela förbundet.")
_GENDER = Column("gender", "Kön", "Gender", "text", "total, women (kvinnor) eller men (män).")
_DOCUMENT = Column("document_id", "Dokument-id", "Document ID", "text",
                   "SHA-256 av rapportfilen som uppgiften lästes ur.")
_IS_SAMPLE = Column("is_sample", "Exempeldata", "Sample data", "bool",
                    "SANT när uppgiften är exempeldata och inte ett publicerat värde.")
# The report-based marts carry no is_sample in the contract; export it when they have it.
_IS_SAMPLE_OPTIONAL = replace(_IS_SAMPLE, required=False)

FUNDING = Mart(
    table="fct_funding_vs_ideal",
    sheet="Finansiering",
    title_en="Funding vs ideal allocation",
    description="Förbundens bidrag från staten, regionen och kommunerna jämfört med "
    "idealfördelningen, per förbund och år; raden unplaced är resten av landet.",
    time_filter="year",
    order_by=("association_id", "year"),
    columns=(
        *_ASSOCIATION,
        Column("year", "År", "Year", "year", "Budgetåret som bidragen och idealet avser."),
        Column("data_year", "Dataår", "Data year", "year",
               "Året för befolknings- och HE-uppgifterna bakom idealfördelningen."),
        Column("contribution_state_sek", "Bidrag staten (kr)", "State contribution (SEK)",
               "sek", "Statens bidrag (Försäkringskassan och Arbetsförmedlingen)."),
        Column("contribution_region_sek", "Bidrag regionen (kr)", "Region contribution (SEK)",
               "sek", "Regionens bidrag."),
        Column("contribution_municipalities_sek", "Bidrag kommunerna (kr)",
               "Municipalities' contribution (SEK)", "sek", "Medlemskommunernas bidrag."),
        Column("contribution_total_sek", "Bidrag totalt (kr)", "Total contribution (SEK)",
               "sek", "Summan av bidragen från staten, regionen och kommunerna."),
        Column("ideal_allocation_sek", "Idealfördelning (kr)", "Ideal allocation (SEK)", "sek",
               "Förbundets medel enligt statens fördelningsmodell: statens del och "
               "medlemmarnas lika stora motfinansiering."),
        Column("funding_ratio", "Andel av idealfördelning", "Share of ideal allocation",
               "ratio", "Bidrag totalt delat med idealfördelningen (100 % = som idealet)."),
        Column("share_scope", "Andelarnas nämnare", "Scope of the shares", "text",
               "members: registret placerar alla kommuner det året, ett grundbelopp per "
               "förbund. country_less_outside: registret är ofullständigt; andelarna räknas "
               "på hela riket utom kommuner som står utanför alla förbund, grundbeloppet "
               "för det dokumenterade antalet förbund, och resten av landet är raden "
               "unplaced."),
        Column("denominator_population_coverage", "Nämnarens andel av rikets invånare",
               "Denominators' share of the national population", "ratio",
               "Hur stor del av rikets invånare i åldersgruppen som nämnaren omfattar "
               "(riket utom kommuner utanför alla förbund)."),
        Column("funding_gap_sek", "Skillnad mot idealfördelning (kr)",
               "Gap to ideal allocation (SEK)", "sek",
               "Bidrag totalt minus idealfördelningen (negativt = under idealet)."),
        Column("ideal_state_allocation_sek", "Idealfördelning, statens del (kr)",
               "Ideal allocation, state's share (SEK)", "sek",
               "Statens del av idealfördelningen; årets rader summerar till statens ram."),
        Column("reported_ideal_allocation_sek", "Rapporterad idealfördelning (kr)",
               "Reported ideal allocation (SEK)", "sek",
               "Idealfördelningen som förbundet själv anger i sin rapport."),
        Column("ideal_vs_reported_difference_pct", "Beräknad mot rapporterad idealfördelning "
               "(%)", "Computed vs reported ideal (%)", "pct",
               "Beräknad idealfördelning minus den rapporterade, i procent av den "
               "rapporterade."),
        Column("reported_ideal_share_pct", "Rapporterad andel av idealfördelning (%)",
               "Reported share of ideal allocation (%)", "pct",
               "Andelen av idealfördelningen som förbundet själv anger i sin rapport."),
        Column("funding_ratio_vs_reported_pct_points", "Beräknad minus rapporterad andel "
               "(procentenheter)", "Computed minus reported share (points)", "pct",
               "Beräknad andel av idealfördelningen minus den rapporterade."),
        Column("age_band", "Åldersgrupp", "Age band", "text",
               "Åldersgruppen i modellens befolkningsnyckel för dataåret (16–64 eller 16–65)."),
        Column("population_in_age_band", "Invånare i åldersgruppen",
               "Inhabitants in the age band", "count",
               "Invånare i åldersgruppen i förbundets kommuner (SCB)."),
        Column("population_share", "Andel av nämnarens invånare",
               "Share of the denominator's inhabitants", "ratio",
               "Förbundets andel av invånarna i åldersgruppen i nämnaren (riket utom "
               "kommuner utanför alla förbund), inte av hela riket."),
        Column("full_year_equivalents", "Helårsekvivalenter (HE)", "Full-year equivalents (HE)",
               "decimal", "Helårsekvivalenter i förbundets kommuner (SCB)."),
        Column("he_share", "Andel av nämnarens HE", "Share of the denominator's HE", "ratio",
               "Förbundets andel av helårsekvivalenterna i nämnaren (riket utom kommuner "
               "utanför alla förbund)."),
        Column("he_rate_pct", "HE per 100 invånare 20–64", "HE per 100 inhabitants 20–64",
               "pct", "SCB:s HE-andel: helårsekvivalenter per 100 invånare 20–64 år."),
        Column("funding_per_he_sek", "Bidrag per HE (kr)", "Funding per HE (SEK)", "sek",
               "Bidrag totalt delat med antalet helårsekvivalenter."),
        Column("funding_per_inhabitant_sek", "Bidrag per invånare i åldersgruppen (kr)",
               "Funding per inhabitant in the age band (SEK)", "sek",
               "Bidrag totalt delat med antalet invånare i åldersgruppen."),
        Column("base_amounts", "Grundbelopp", "Base amounts", "count",
               "Antal grundbelopp i raden: 1 för ett förbund; för unplaced de dokumenterade "
               "förbund vars medlemmar registret inte känner."),
        Column("state_pot_sek", "Statens ram (kr)", "State pot (SEK)", "sek",
               "Statens medel till alla samordningsförbund budgetåret."),
        Column("registry_population_coverage", "Registrets andel av rikets invånare",
               "Registry's share of the national population", "ratio",
               "Andelen av rikets invånare i åldersgruppen som bor i en medlemskommun i ett "
               "förbund i registret."),
        Column("parameter_status", "Parametrarnas status", "Status of the parameters", "text",
               "Hur säker varje modellparameter för året är: confirmed (styrkt), unconfirmed "
               "(ej styrkt för året), carried_forward (senast kända värdet), scenario."),
        _IS_SAMPLE,
    ),
)

HE_BY_BENEFIT = Mart(
    table="fct_he_by_benefit",
    sheet="HE",
    title_en="Full-year equivalents by benefit",
    description="Helårsekvivalenter (HE) per förbund, år och ersättningsslag.",
    time_filter="year",
    order_by=("association_id", "year", "benefit_type"),
    columns=(
        *_ASSOCIATION,
        Column("year", "År", "Year", "year", "Året som uppgiften avser."),
        Column("benefit_type", "Ersättningsslag", "Benefit type", "text",
               "Ersättningsslagets kod, se listan över koder nedan."),
        Column("full_year_equivalents", "Helårsekvivalenter (HE)", "Full-year equivalents (HE)",
               "decimal", "Helårsekvivalenter i medlemskommunerna (SCB)."),
        Column("he_population", "Invånare 20–64 år", "Inhabitants aged 20–64", "count",
               "Invånare i SCB:s åldersgrupp för HE i medlemskommunerna (SCB)."),
        Column("he_rate_pct", "HE per 100 invånare 20–64", "HE per 100 inhabitants 20–64",
               "pct", "SCB:s HE-andel: helårsekvivalenter per 100 invånare 20–64 år."),
        _IS_SAMPLE,
    ),
)

UNEMPLOYMENT = Mart(
    table="fct_unemployment_monthly",
    sheet="Arbetslöshet",
    title_en="Unemployment by month",
    description="Inskrivna arbetslösa hos Arbetsförmedlingen per förbund och månad.",
    time_filter="month",
    order_by=("association_id", "month", "age_band", "sex", "measure"),
    workbook_months=24,
    columns=(
        *_ASSOCIATION,
        Column("month", "Månad", "Month", "date", "Månadens första dag."),
        Column("age_band", "Åldersgrupp", "Age band", "text", "Åldersgrupp, t.ex. 16-64."),
        Column("sex", "Kön", "Sex", "text", "total, women (kvinnor) eller men (män)."),
        Column("measure", "Mått", "Measure", "text",
               "Måttets kod, se listan över koder nedan."),
        Column("persons", "Personer", "Persons", "count",
               "Antal personer; tom när Arbetsförmedlingen maskerat värdet (<5)."),
        Column("labour_force", "Arbetskraft (registerbaserad)", "Labour force (register-based)",
               "count", "Den registerbaserade arbetskraften som andelen räknas på."),
        Column("share_pct", "Andel av arbetskraften (%)", "Share of labour force (%)", "pct",
               "Personer i procent av den registerbaserade arbetskraften."),
        _IS_SAMPLE,
    ),
)

PARTICIPANTS = Mart(
    table="fct_participants",
    sheet="Deltagare",
    title_en="Participants",
    description="Deltagare i förbundens insatser enligt förbundens rapporter.",
    time_filter="period",
    order_by=("association_id", "period_start", "period_end", "intervention", "gender"),
    columns=(
        *_ASSOCIATION,
        *_PERIOD,
        Column("report_type", "Rapporttyp", "Report type", "text",
               "Rapportens typ, se listan över koder nedan."),
        _INTERVENTION,
        _GENDER,
        Column("participants", "Deltagare", "Participants", "count",
               "Antal deltagare under perioden."),
        Column("participants_started", "Påbörjade", "Participants started", "count",
               "Antal deltagare som började under perioden."),
        Column("participants_exited", "Avslutade", "Participants exited", "count",
               "Antal deltagare som avslutade under perioden."),
        _DOCUMENT,
        _IS_SAMPLE_OPTIONAL,
    ),
)

EXITS = Mart(
    table="fct_exits",
    sheet="Avslut",
    title_en="Exits by reason",
    description="Avslutade deltagare per avslutsorsak enligt förbundens rapporter.",
    time_filter="period",
    order_by=("association_id", "period_start", "period_end", "intervention", "reason",
              "gender"),
    columns=(
        *_ASSOCIATION,
        *_PERIOD,
        _INTERVENTION,
        Column("reason", "Avslutsorsak", "Exit reason", "text", "Avslutsorsakens kod."),
        _GENDER,
        Column("exits", "Avslut", "Exits", "count", "Antal avslutade deltagare."),
        _DOCUMENT,
        _IS_SAMPLE_OPTIONAL,
    ),
)

INTERVENTION_COSTS = Mart(
    table="fct_intervention_costs",
    sheet="Insatskostnader",
    title_en="Intervention costs",
    description="Budget och utfall per insats enligt förbundens rapporter.",
    time_filter="period",
    order_by=("association_id", "period_start", "period_end", "intervention"),
    columns=(
        *_ASSOCIATION,
        *_PERIOD,
        _INTERVENTION,
        Column("budget_sek", "Budget (kr)", "Budget (SEK)", "sek", "Budgeterad kostnad."),
        Column("outcome_sek", "Utfall (kr)", "Outcome (SEK)", "sek", "Faktisk kostnad."),
        Column("difference_sek", "Avvikelse (kr)", "Difference (SEK)", "sek",
               "Budget minus utfall (positivt = lägre kostnad än budgeterat)."),
        Column("participants", "Deltagare", "Participants", "count",
               "Antal deltagare under perioden."),
        Column("cost_per_participant_sek", "Kostnad per deltagare (kr)",
               "Cost per participant (SEK)", "sek", "Utfall delat med antalet deltagare."),
        _DOCUMENT,
        _IS_SAMPLE_OPTIONAL,
    ),
)

MARTS: tuple[Mart, ...] = (
    FUNDING, HE_BY_BENEFIT, UNEMPLOYMENT, PARTICIPANTS, EXITS, INTERVENTION_COSTS,
)

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

    marts: tuple[Mart, ...]  # MARTS with the columns this warehouse has
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
            for mart in self.marts
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


def resolve(con: duckdb.DuckDBPyConnection, mart: Mart) -> Mart:
    available = {
        name for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ?",
            [mart.table],
        ).fetchall()
    }
    if not available:
        raise ValueError(f"the warehouse has no table marts.{mart.table}")
    return mart.present_in(available)


def read_mart(con: duckdb.DuckDBPyConnection, mart: Mart, filters: Filters) -> pd.DataFrame:
    sql, params = mart_query(mart, filters)
    return con.execute(sql, params).df()


def load_snapshot(warehouse: Path, filters: Filters = NO_FILTERS) -> Snapshot:
    with open_warehouse(warehouse) as con:
        marts = tuple(resolve(con, mart) for mart in MARTS)
        frames = {mart.table: read_mart(con, mart, filters) for mart in marts}
    return Snapshot(marts, frames, refreshed_at(warehouse), filters)


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
            sql, params = mart_query(resolve(con, mart), filters)
            for suffix, options in (("csv", "format csv, header"), ("parquet", "format parquet")):
                path = out_dir / suffix / f"{mart.table}.{suffix}"
                with atomic_path(path) as partial:
                    target = str(partial).replace("'", "''")
                    con.execute(f"copy ({sql}) to '{target}' ({options})", params)
                written.append(path)
    return written
