"""Table column headers: which basis, period and gender each value column holds.

A header is a line such as ``tkr Budget | Utfall | Differens``, ``2024 2023 2022``,
``Belopp i kr Not 2024-01-01 - 2024-12-31 2023-01-01 - 2023-12-31``,
``Avslutsorsak Totalt Kvinnor Man`` or a tab-separated ``\tBudget 2023\tUtfall 31/6``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from ingestion.reports.numbers import light_fold


@dataclass(frozen=True)
class Column:
    kind: str  # value, difference, note, percent, skip, combo (cells like 285(124/161))
    basis: str | None = None
    gender: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    explicit_period: bool = False
    metric: str | None = None  # for combo columns
    reason: str | None = None


_KEYWORDS = {
    "budget": Column("value", basis="budget"),
    "utfall": Column("value", basis="outcome"),
    "bokslut": Column("value", basis="outcome"),
    "prognos": Column("value", basis="forecast"),
    "differens": Column("difference"),
    "difference": Column("difference"),
    "avvikelse": Column("difference"),
    "not": Column("note"),
    "kvinnor": Column("value", gender="women"),
    "man": Column("value", gender="men"),
    "totalt": Column("value", gender="total"),
    "procent": Column("percent"),
}
_ITEM = re.compile(
    r"(?P<range>(?P<r1>\d{4}-\d\d-\d\d)\s*[-–]\s*(?P<r2>\d{4}-\d\d-\d\d))"
    r"|(?P<date>\d{4}-\d\d-\d\d)"
    r"|(?P<daymonth>\b(?P<day>\d{1,2})/(?P<month>\d{1,2})(?:[-/ ](?P<dmyear>\d{4}))?)"
    r"|(?P<months>\bjan\w*\s*-\s*(?P<to>feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)\w*"
    r"(?:\s+(?P<myear>\d{4}))?)"
    r"|(?P<half>\bhalvar\w*\s+(?P<hyear>(?:19|20)\d\d)\b)"
    r"|(?P<year>\b(?:19|20)\d\d\b)"
    r"|(?P<word>[a-z%]+)"
)
_TITLED = re.compile(r"\W*(budget|utfall|bokslut|prognos)\W+(?:i\W+)?(?:tkr|kr|mnkr|kronor)\b")
# Words that qualify a column name ("Utfall jan-juni", "Bokslut helår") rather than label it.
_UNIT_AND_PERIOD_WORDS = {"i", "kr", "tkr", "jan", "juni", "helar", "halvaret", "halvar"}
_MAX_HEADER_WORDS = 4  # header lines carry few words besides column names (tkr, Insats)
# Every value column is named by a period (digits, "jan-juni", "halvår") or a value keyword.
_NAMES_A_VALUE_COLUMN = re.compile("|".join(
    [r"\d", *(word for word, column in _KEYWORDS.items() if column.kind == "value"), "jan",
     "halvar"]))


# "Utfall jan–aug 2024": the months a column covers, to the end of the last one.
_MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_header(text: str, default_year: int | None, cell: bool = False
                 ) -> tuple[list[Column], str] | None:
    """The columns a header line names, and its label part (e.g. ``Avslutsorsak``).

    A line must name two columns, or one by keyword (``12-månaders prognos``); a tab cell
    (``cell``) names at most one and may name it by period alone (``2022``)."""
    parsed = _parse_header(text, default_year, cell)
    return (list(parsed[0]), parsed[1]) if parsed is not None else None


# Every line that may be a header is parsed, in each reading of a document and in many
# documents alike: the cache makes the repeats free (the caller gets its own list).
@lru_cache(maxsize=100_000)
def _parse_header(text: str, default_year: int | None, cell: bool
                  ) -> tuple[tuple[Column, ...], str] | None:
    # Parenthesised notes ("(budget-utfall)") explain a column; they name none.
    plain = re.sub(r"\([^)]*\)|\(\S*|\S*\)", " ", light_fold(text))
    if not _NAMES_A_VALUE_COLUMN.search(plain):  # most lines are prose: skip them cheaply
        return None
    # "Utfall 31/6" takes its year from the other columns of the line when they name one.
    years = re.findall(r"\b(?:19|20)\d\d\b", plain)
    default_year = int(max(years, key=years.count)) if years else default_year
    columns: list[Column] = []
    label_words: list[str] = []
    keywords = 0
    for item in _ITEM.finditer(plain):
        word = item.group("word")
        if word is not None:
            if word in _KEYWORDS:
                columns.append(_KEYWORDS[word])
                keywords += 1
            elif not columns or word not in _UNIT_AND_PERIOD_WORDS:
                label_words.append(word)
            continue
        start, end = _item_period(item, default_year)
        if start is None:
            continue
        if columns and not columns[-1].explicit_period and columns[-1].kind == "value":
            columns[-1] = replace(columns[-1], period_start=start, period_end=end,
                                  explicit_period=True)
        else:
            columns.append(Column("value", period_start=start, period_end=end,
                                  explicit_period=True))
    if not cell and len(columns) > 2 and not columns[0].explicit_period \
            and (titled := _TITLED.match(plain)):
        # "Budget, tkr  Bokslut 2023  Budget 2024": a keyword before the table's unit
        # names the table (its label cell), not a column.
        columns, label_words = columns[1:], [titled.group(1), *label_words]
    values = [c for c in columns if c.kind == "value"]
    if not values or len(label_words) > _MAX_HEADER_WORDS:
        return None
    if len(columns) < 2 and not (cell or keywords):
        return None
    # A tab cell's basis is decided with the other cells of its header (tab_header).
    return tuple(columns if cell else _fill_bases(columns)), " ".join(label_words)


def _item_period(item: re.Match, default_year: int | None) -> tuple[date | None, date | None]:
    if item.group("range"):
        return date.fromisoformat(item.group("r1")), date.fromisoformat(item.group("r2"))
    if item.group("date"):
        end = date.fromisoformat(item.group("date"))
        return date(end.year, 1, 1), end
    if item.group("daymonth"):
        year = int(item.group("dmyear") or default_year or 0)
        month = int(item.group("month"))
        if not year or not 1 <= month <= 12:
            return None, None
        return date(year, 1, 1), month_end(year, month)  # "31/6" is printed for 30 June
    if item.group("months"):
        year = int(item.group("myear") or default_year or 0)
        if not year:
            return None, None
        month = _MONTHS.index(item.group("to")) + 1
        return date(year, 1, 1), month_end(year, month)
    if item.group("half"):
        year = int(item.group("hyear"))
        return date(year, 1, 1), date(year, 6, 30)
    if item.group("year"):
        year = int(item.group("year"))
        return date(year, 1, 1), date(year, 12, 31)
    return None, None


def _fill_bases(columns: list[Column]) -> list[Column]:
    """Columns named only by a period: the budget when the table compares it with a column
    named outcome (or has a difference column) and no column says budget, else outcomes."""
    bases = {c.basis for c in columns}
    compares = "outcome" in bases or any(c.kind == "difference" for c in columns)
    missing = "budget" if compares and "budget" not in bases else "outcome"
    filled = []
    for column in columns:
        if column.kind == "value" and column.basis is None:
            if column.gender is None:
                column = replace(column, basis=missing)
                missing = "outcome"
            else:
                column = replace(column, basis="outcome")
        filled.append(column)
    return filled


def combo_column(text: str) -> Column | None:
    """A tab cell header like ``Antal deltagare (♀/♂)`` over cells ``285(124/161)``."""
    if "♀" not in text and "/♂" not in text:
        return None
    plain = light_fold(text)
    if "deltagare" in plain:
        return Column("combo", basis="outcome", metric="participants")
    for word, reason in (("arbete", "work"), ("studier", "studies")):
        if word in plain:
            return Column("combo", basis="outcome", metric="exits", reason=reason)
    return Column("skip")


_COMBO_MARK = re.compile(r"\(\s*♀\s*/\s*♂\s*\)")


def combo_header(text: str) -> tuple[list[Column], str] | None:
    """The columns of a header printed on one line whose columns hold cells like
    ``285(124/161)`` ("Insatser 2023 Antal deltagare (♀/♂) Volyminsats Utfall arbete
    (♀/♂)"), as a text layer prints a tab-separated header: each column so marked is named
    from its last "antal"/"utfall" on (else by its last word); words between two such names
    are a column of their own, not read."""
    parts = _COMBO_MARK.split(text)
    if len(parts) < 2:
        return None
    columns: list[Column] = []
    label = ""
    for number, part in enumerate(parts[:-1]):
        words = part.split()
        if not words:
            return None
        start = max((i for i, w in enumerate(words) if light_fold(w) in ("antal", "utfall")),
                    default=len(words) - 1)
        if number == 0:
            label = " ".join(words[:start])
        elif start:
            columns.append(Column("skip"))
        columns.append(combo_column(" ".join(words[start:]) + " (♀/♂)") or Column("skip"))
    return columns, label


def tab_header(cells: list[str], default_year: int | None) -> tuple[list[Column], str] | None:
    """Columns of a tab-separated header, one per cell after the label cell."""
    label, *rest = cells
    if not rest:
        return None
    columns = []
    for cell in rest:
        combo = combo_column(cell)
        parsed = parse_header(cell, default_year, cell=True) if combo is None else None
        if combo is not None:
            columns.append(combo)
        elif parsed and len(parsed[0]) >= 1:
            columns.append(parsed[0][0])
        elif (named := _KEYWORDS.get(light_fold(cell).strip(" :"))) and named.kind == "difference":
            columns.append(named)  # "Avvikelse": checked against budget and outcome
        else:
            columns.append(Column("skip"))
    if not any(c.kind in {"value", "combo"} for c in columns):
        return None
    return _fill_bases(columns), label
