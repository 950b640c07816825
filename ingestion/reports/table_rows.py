"""Reading one table row: split label from values, fit the values to the header's columns
and turn them into figures through the vocabulary."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ingestion.reports import vocabulary
from ingestion.reports.columns import Column
from ingestion.reports.numbers import fold, groupings, parse_number, standard_reading, tokens

_NUMERIC_WORD = re.compile(r"[|(\[]*[-−–]?\d[\d.,]*[|()%]*|[-−–|]+|%|\(\d+%\)")
_COMBO = re.compile(r"^(\d+)\s*\((\d+)\s*/\s*(\d+)\)$")
_YEAR = re.compile(r"^(19[89]\d|20[0-3]\d)$")
SECTIONS = (
    ("income", r"(verksamhetens )?intakter\b"),
    ("interventions", r"in+s+ats\w*|individinriktade insatser|strukturella insatser"
                      r"|aktiviteter insatser|insatser\b"),
    ("costs", r"kostnader\b|styrelse|administration|kansli"),
    ("balance", r"tillgangar|eget kapital|skulder"),
)


@dataclass
class Table:
    columns: list[Column]
    label: str  # the header's own label, e.g. "Avslutsorsak" or "Insats"
    line: int
    tab: bool
    unit: str | None
    people: bool
    people_metric: str  # participants, participants_started or exits
    intervention: str | None  # the intervention a whole table is about (from its caption)
    section: str | None = None
    period: tuple[date, date] | None = None  # named by the caption; else the document's
    rows: list[dict] = field(default_factory=list)
    # Per value column, the values of the rows read so far (arithmetic.sum_check).
    sums: dict[tuple, list] = field(default_factory=dict)


def section_of(text: str) -> str | None:
    folded = fold(text)
    for name, pattern in SECTIONS:
        if re.match(pattern, folded):
            return name
    return None


def split_row(line: str) -> tuple[str, list[str]] | None:
    """``label`` and number pieces of a space-separated row, or None when it has none."""
    row = _split_row(line)
    return (row[0], list(row[1])) if row is not None else None


@lru_cache(maxsize=100_000)  # every line of every reading is tried as a row
def _split_row(line: str) -> tuple[str, tuple[str, ...]] | None:
    words = line.split()
    cut = len(words)
    while cut and _NUMERIC_WORD.fullmatch(words[cut - 1]) or (
        cut and words[cut - 1].lower() in {"tkr", "kr", "mnkr", "kronor"}
    ):
        cut -= 1
    label = " ".join(words[:cut]).rstrip(":").strip()
    tail = " ".join(words[cut:])
    pieces = tokens(tail)
    # "Eget kapital 2018 6 218": a year right after the label belongs to the label, as does
    # the number of a note ("Kassa och bank Not 2 138 713").
    while len(pieces) > 1 and label and (_YEAR.match(pieces[0]) or (
            re.search(r"\b[Nn]ot$", label) and re.fullmatch(r"\d{1,2}", pieces[0]))):
        label, pieces = f"{label} {pieces[0]}", pieces[1:]
    if not pieces or not re.search(r"[A-Za-zÅÄÖåäö]", label) or (
            len(pieces) == 1 and _YEAR.match(pieces[0])):  # "Bilaga insatser 2019" is a title
        return None
    return label, tuple(pieces)


_CELL = re.compile(r"\d+\s*\(\d+\s*/\s*\d+\)|[-−–]?\d+(?:,\d+)?|[-−–]")


def combo_cells(line: str) -> tuple[str, list[str]] | None:
    """``label`` and cells of a row of a table with ``285(124/161)`` cells printed without
    tabs: the label runs up to the first number; after it each number is a cell, and words
    between numbers ("ej aktuellt") are one."""
    first = _CELL.search(line)
    while first is not None and first.start() > 0 and not line[first.start() - 1].isspace():
        first = _CELL.search(line, first.end())  # a digit inside the label ("SIP-2")
    if first is None or not line[:first.start()].strip():
        return None
    label, cells, text = line[:first.start()].strip(), [], ""
    for piece in re.split(r"\s+", line[first.start():].strip()):
        if _CELL.fullmatch(piece) or re.fullmatch(r"\d+\(\d+/\d+\)", piece):
            if text:
                cells.append(text)
                text = ""
            cells.append(piece)
        else:
            text = f"{text} {piece}".strip()
    if text:
        cells.append(text)
    return label, cells


def _tolerance(*values: float) -> float:
    return max(1.0, 0.0005 * max(abs(v) for v in values))


def difference_ok(values: dict[str, float], difference: float) -> bool | None:
    """Does budget − value (either order, as tables differ) equal the printed difference?"""
    budget = values.get("budget")
    other = values.get("outcome", values.get("forecast"))
    if budget is None or other is None:
        return None
    tol = _tolerance(budget, other, difference)
    return abs(budget - other - difference) <= tol or abs(other - budget - difference) <= tol


def fit_values(columns: list[Column], pieces: list[str]) -> tuple[list[tuple[Column, float]], bool]:
    """Read ``pieces`` as one number per column (a note column may be empty); prefer
    readings where the difference column adds up. Returns pairs and whether it fitted."""
    wanted = [c for c in columns if c.kind != "skip"]
    without_note = [c for c in wanted if c.kind != "note"]
    best: tuple[tuple[int, int, float], list[tuple[Column, float]]] | None = None
    # A dash before a number is its sign when that makes the row fit ("-577 - 429 - 1 000"),
    # else a dash for zero ("Studier 3 - 3").
    signed = _attach_signs(pieces)
    readings = [(n, p) for n, p in groupings(pieces)]
    if signed != pieces:
        readings += [(n, p + 1) for n, p in groupings(signed)]
    for numbers, penalty in readings:
        for cols in (wanted, without_note):
            if len(numbers) != len(cols):
                continue
            pairs = list(zip(cols, numbers, strict=True))
            if any(c.kind == "note" and not 0 < v < 100 for c, v in pairs):
                continue
            score = (0 if _difference_fits(pairs) is not False else 1, penalty,
                     _spread(numbers))
            if best is None or score < best[0]:
                best = (score, pairs)
    if best is not None:
        return best[1], True
    numbers = standard_reading(pieces)
    if len(numbers) == 1:
        # Only money tables: a lone count cannot be told apart between women, men and total.
        value_columns = [c for c in wanted if c.kind == "value" and c.gender is None]
        target = next((c for c in value_columns if c.basis == "outcome"), None)
        target = target or (value_columns[0] if value_columns else None)
        return ([(target, numbers[0])] if target else []), False
    return [], False


def _attach_signs(pieces: list[str]) -> list[str]:
    signed: list[str] = []
    for piece in pieces:
        if signed and signed[-1] == "-" and piece[:1].isdigit():
            signed[-1] = "-" + piece
        else:
            signed.append(piece)
    return signed


def _spread(numbers: list[float]) -> float:
    """How many orders of magnitude the row's figures span: the columns of one row (budget,
    outcome, forecast) are alike, so "1 322 661 1 322" is 1 322, 661, 1 322."""
    sizes = [math.log10(abs(n)) for n in numbers if abs(n) >= 1]
    return max(sizes) - min(sizes) if sizes else 0.0


def _difference_fits(pairs: list[tuple[Column, float]]) -> bool | None:
    values = {c.basis: v for c, v in pairs if c.kind == "value" and c.basis}
    differences = [v for c, v in pairs if c.kind == "difference"]
    if not differences:
        return None
    return difference_ok(values, differences[0])


def tab_values(columns: list[Column], cells: list[str]) -> list[tuple[Column, object]]:
    """Tab cells right-aligned to the columns; a cell is a number or a (total, women, men)."""
    cells = cells[-len(columns):] if len(cells) > len(columns) else cells
    offset = len(columns) - len(cells)
    pairs: list[tuple[Column, object]] = []
    for column, cell in zip(columns[offset:], cells, strict=True):
        cell = re.sub(r"\s*\(\d+\s*%\)|\s*(kronor|kr|tkr)\b.*$", "", cell.strip())
        cell = re.sub(r"^([-−–])\s+(?=\d)", r"\1", cell)  # "- 2 895 637" in a cell is negative
        if not cell or column.kind == "skip":
            continue
        combo = _COMBO.match(cell.replace(" ", ""))
        if combo:
            pairs.append((column, tuple(float(g) for g in combo.groups())))
            continue
        value = parse_number(cell)
        if value is None:  # merged cells ("- 7 786 784 0"): the first number is this row's
            pieces = tokens(cell)
            numbers = standard_reading(pieces) if pieces else []
            value = numbers[0] if numbers else None
        if value is not None:
            pairs.append((column, value))
    return pairs


def row_figures(table: Table, label: str, pairs: list[tuple[Column, object]],
                doc_period: tuple[date | None, date | None]) -> list[dict]:
    """Figures of one row (value not yet converted to SEK)."""
    figures = []
    for column, value in pairs:
        if column.kind == "combo":
            figures += _combo_figures(table, label, column, value, doc_period)
            continue
        if column.kind != "value" or not isinstance(value, float):
            continue
        base = _classify(table, label, column)
        if base is None:
            continue
        start, end = _period(column, doc_period)
        metric = base["metric"]
        if metric == "equity_closing" and _earlier_year(label, start):
            metric = "equity_opening"
        figures.append({**base, "metric": metric, "basis": column.basis or "outcome",
                        "period_start": start, "period_end": end, "value": value})
    return figures


def _earlier_year(label: str, start: date | None) -> bool:
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", label)]
    return bool(start and years and max(years) < start.year)


def _period(column: Column, doc_period: tuple[date | None, date | None]):
    if column.explicit_period:
        return column.period_start, column.period_end
    start, end = doc_period
    if column.basis == "forecast" and end is not None:  # forecasts are for the whole year
        return date(end.year, 1, 1), date(end.year, 12, 31)
    return start, end


def _clean_name(label: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"^\d+\s*(st\.?)?\s+", "", label)).strip(" .,:")


def _classify(table: Table, label: str, column: Column) -> dict | None:
    """metric and dimensions of a row label in this table, or None to skip it."""
    in_interventions = table.section == "interventions"
    if table.people:
        rule = vocabulary.match(label, "people", None)
        base = {"member": None, "reason": None, "gender": column.gender or "total",
                "intervention": table.intervention}
        if rule is None:
            if not in_interventions or vocabulary.is_sum_label(label):
                return None
            return {**base, "metric": table.people_metric, "intervention": _clean_name(label)}
        if rule.metric == "total":
            metric = "participants_exited" if table.people_metric == "exits" else \
                table.people_metric
            return {**base, "metric": metric}
        return {**base, "metric": "exits", "reason": rule.reason}
    rule = vocabulary.match(label, "money", table.section)
    base = {"member": None, "reason": None, "gender": None, "intervention": None}
    if rule is None:
        if in_interventions and not vocabulary.is_sum_label(label):
            return {**base, "metric": "intervention_cost", "intervention": _clean_name(label)}
        return None
    if rule.metric in vocabulary.INCOME_METRICS and in_interventions:
        rule = None  # "ESF-projekt MIA" in a cost table is an intervention, not income
    if rule is None:
        if in_interventions and not vocabulary.is_sum_label(label):
            return {**base, "metric": "intervention_cost", "intervention": _clean_name(label)}
        return None
    if rule.metric == vocabulary.IGNORE:
        return None
    return {**base, "metric": rule.metric, "member": rule.member}


def _combo_figures(table, label, column, value, doc_period) -> list[dict]:
    sum_row = vocabulary.is_sum_label(label)
    intervention = table.intervention if sum_row else _clean_name(label)
    start, end = _period(column, doc_period)
    metric = column.metric
    figures = []
    counts = value if isinstance(value, tuple) else (value,)  # a bare "0" has no split
    for gender, number in zip(("total", "women", "men"), counts, strict=False):
        figures.append({"metric": metric, "member": None, "reason": column.reason,
                        "gender": gender, "intervention": intervention, "basis": "outcome",
                        "period_start": start, "period_end": end, "value": number})
    return figures
