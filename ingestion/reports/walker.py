"""Walk a document's lines and read its tables: find headers, follow the sections within a
table (income, costs, interventions), read rows and attach the table's unit."""

from __future__ import annotations

import calendar
import re
from collections import deque
from dataclasses import replace
from datetime import date
from functools import lru_cache

from ingestion.reports import arithmetic, table_rows, vocabulary
from ingestion.reports.columns import Column, combo_header, parse_header, tab_header
from ingestion.reports.documents import Document
from ingestion.reports.numbers import UNIT_FACTORS, fold, parse_number, tokens
from ingestion.reports.table_rows import Table

_SINGLE_KEYWORDS = {"avvikelse": Column("difference"), "differens": Column("difference"),
                    "difference": Column("difference")}
_PROSE_WORDS = 7  # a text line this long ends a table
_MAX_HEADER_CHARS = 120
_INTERVENTION_CAPTION = (
    re.compile(r"[Aa]vslutsorsaker,?\s+(?!och\b|totalt\b|uppdelat\b|per\b)([^,\d]+?)\s*(?:,|\d|$)"),
    re.compile(r"(\S[\w-]*?)s avslutsorsaker"),
)
_GENERIC_NAMES = {"deltagarna", "deltagarnas", "deltagare"}
# A caption naming the table's period ("2023-01-01–2023-06-30", "till och med 30/6-2023").
_CAPTION_RANGE = re.compile(r"(\d{4}-\d\d-\d\d)\s*(?:-|–|tom|till)\s*(\d{4}-\d\d-\d\d)")
_CAPTION_TO = re.compile(r"(?:till och med|t\.?o\.?m\.?)\s+(\d{1,2})/(\d{1,2})[- ](\d{4})")


class Walker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.year = doc.period_end.year if doc.period_end else None
        self.table: Table | None = None
        self.recent: deque[str] = deque(maxlen=5)
        self.figures: list[dict] = []
        self.issues: list[dict] = []
        self.checks: list[arithmetic.Check] = []  # sum rows and differences of the tables
        self.skip_until = -1

    def run(self) -> tuple[list[dict], list[dict]]:
        for index, line in enumerate(self.doc.lines):
            if index > self.skip_until and line.strip():
                self._line(index, line)
        self._close()
        return self.figures, self.issues

    def _line(self, index: int, line: str) -> None:
        stripped = line.strip()
        if re.match(r"(tabell|figur)\s*\d", fold(stripped)):
            self._close()
            self.recent.clear()  # a caption starts the context of the next table
        elif "\t" in line and len([c for c in line.split("\t") if c.strip()]) > 1:
            self._tab_line(index, [c.strip() for c in line.split("\t")])
        elif not self._header(index, stripped):
            self._text_or_row(index, stripped)
        self.recent.append(stripped)

    # Headers -----------------------------------------------------------------------------
    def _header(self, index: int, text: str) -> bool:
        if len(text) > _MAX_HEADER_CHARS:
            return False
        combos = combo_header(text) if "♀" in text else None
        if combos is not None:
            self._open(index, combos[0], combos[1], tab=False, text=text)
            return True
        if _holds_figures(text):
            return False
        parsed = parse_header(text, self.year)
        if parsed is None:
            return False
        columns, label = parsed
        table = self.table
        if (table and index - table.line <= 3 and not any(c.explicit_period for c in table.columns)
                and all(c.basis is None or c.explicit_period for c in columns if c.kind == "value")
                and all(c.kind == "value" and c.gender is None for c in columns)
                and len(columns) <= sum(c.kind == "value" for c in table.columns)):
            # A line of periods under the column names ("jan-juni 2019 jan-juni 2019").
            values = [i for i, c in enumerate(table.columns) if c.kind == "value"]
            for i, column in zip(values, columns, strict=False):
                table.columns[i] = replace(table.columns[i], period_start=column.period_start,
                                           period_end=column.period_end, explicit_period=True)
            table.section = table_rows.section_of(text) or table.section
            return True
        self._open(index, columns, label, tab=False, text=text)
        return True

    def _open(self, index: int, columns: list[Column], label: str, tab: bool,
              text: str = "") -> None:
        self._close()
        # A stacked header cell printed on a line of its own just above ("Avvikelse").
        for previous in list(self.recent)[-3:]:
            extra = _SINGLE_KEYWORDS.get(fold(previous))
            if extra and extra.kind not in {c.kind for c in columns}:
                columns = [*columns, extra]
        # Captions are the short lines above a header; prose above it says nothing about it.
        caption = " ".join(t for t in self.recent
                           if len(t.split()) < _PROSE_WORDS or fold(t).startswith("tabell"))
        folded = fold(f"{caption} {text or label}")
        people = any(c.gender or c.kind == "combo" for c in columns)
        metric = "participants"
        if "avslut" in folded:
            metric = "exits"
        elif re.search(r"start|nya deltagare|paborjat", folded):
            metric = "participants_started"
        self.table = Table(columns=columns, label=label, line=index, tab=tab,
                           unit=_unit(folded), people=people, people_metric=metric,
                           intervention=_caption_intervention(list(self.recent)) if people
                           else None, section=table_rows.section_of(label),
                           period=_caption_period(caption))

    def _close(self) -> None:
        table, self.table = self.table, None
        if table is None or not table.rows:
            return
        unit = table.unit
        money = [f for f in table.rows if f["metric"] in vocabulary.MONEY_METRICS]
        if money and unit is None:
            # No unit printed: budget tables of a few million SEK are printed in tkr.
            unit = "kr" if max(abs(f["value"]) for f in money) >= 100_000 else "tkr"
            self.issues.append({"check_name": "unit_inferred", "severity": "warning",
                                "line_index": table.line,
                                "message": f"no unit printed for the table; read as {unit}"})
        for figure in table.rows:
            if figure["metric"] in vocabulary.MONEY_METRICS:
                figure["unit"] = unit
                figure["value"] *= UNIT_FACTORS[unit]
            else:
                figure["unit"] = "persons"
            if figure["metric"] in vocabulary.POSITIVE_METRICS and figure["value"] < 0:
                figure["value"] = -figure["value"]
        self.figures += table.rows

    # Rows --------------------------------------------------------------------------------
    def _tab_line(self, index: int, cells: list[str]) -> None:
        # Years and dates name header columns ("2022", "2023-06-30"); other numbers are data.
        is_data = any((parse_number(c) is not None and not re.fullmatch(r"(19|20)\d\d", c))
                      or re.match(r"\d+\s*\(\d+/", c) for c in cells[1:])
        if not is_data:
            header = tab_header(cells, self.year)
            if header is not None:
                # Every heading cell may state the unit ("Belopp i tkr", "Utfall (tkr)").
                self._open(index, header[0], header[1], tab=True,
                           text=" ".join(c for c in cells if c))
                for cell in cells:
                    self.table.section = table_rows.section_of(cell) or self.table.section
                return
            self._text_or_row(index, " ".join(c for c in cells if c))
            return
        if self.table is None or not self.table.tab:
            return
        start = next(i for i, c in enumerate(cells) if c)
        label = re.sub(r"\s+not\s*\d+$", "", cells[start], flags=re.IGNORECASE)
        pairs = table_rows.tab_values(self.table.columns, cells[start + 1:])
        self._add(index, label, pairs, None)

    def _text_or_row(self, index: int, text: str) -> None:
        if self.table is not None and not self.table.tab and any(
                c.kind == "combo" for c in self.table.columns):
            self._combo_row(index, text)
            return
        row = table_rows.split_row(text)
        words = len(text.split())
        if row is None or len(row[0].split()) >= _PROSE_WORDS:
            if self.table is None:
                return
            if words >= _PROSE_WORDS:
                self._close()
                return
            self.table.section = table_rows.section_of(text) or self.table.section
            last_word = (fold(text).split() or [""])[-1]
            kinds = {c.kind for c in self.table.columns}
            if index - self.table.line <= 3 and last_word in _SINGLE_KEYWORDS and \
                    _SINGLE_KEYWORDS[last_word].kind not in kinds:
                self.table.columns.append(_SINGLE_KEYWORDS[last_word])
            return
        if self.table is None or self.table.tab:
            return
        label, pieces = row
        label = self._continued(index, label)
        pairs, fitted = table_rows.fit_values(self.table.columns, pieces)
        self._add(index, label, pairs, fitted)

    def _combo_row(self, index: int, text: str) -> None:
        """A row of a table of ``285(124/161)`` cells printed without tabs: read as the
        tab-separated row it was when it has one cell per column."""
        row = table_rows.combo_cells(text)
        if row is None:
            if len(text.split()) >= _PROSE_WORDS:
                self._close()
            return
        label, cells = row
        if len(cells) != len(self.table.columns):
            self.issues.append({"check_name": "row_unread", "severity": "warning",
                                "line_index": index, "message": f"the values of '{label}' "
                                "did not fit the table's columns"})
            return
        self._add(index, label, table_rows.tab_values(self.table.columns, cells), None)

    def _continued(self, index: int, label: str) -> str:
        """Labels wrapped onto following lower-case lines ("Verksamhetens" / "intakter");
        a label ending in a comma may continue after a blank line."""
        for next_index in range(index + 1, min(index + 4, len(self.doc.lines))):
            text = self.doc.lines[next_index].strip()
            if not text and label.endswith(","):
                continue
            if not text or re.search(r"\d", text) or not text[0].islower() or len(text.split()) > 4:
                break
            label, self.skip_until = f"{label} {text}", next_index
        return label

    def _add(self, index: int, label: str, pairs: list, fitted: bool | None) -> None:
        table = self.table
        default_period = table.period or (self.doc.period_start, self.doc.period_end)
        figures = table_rows.row_figures(table, label, pairs, default_period)
        messages = []
        if fitted is False and figures:
            messages.append(("row_fit", "values did not fit the table's columns; the single "
                                        "value was read as the outcome"))
        difference = [v for c, v in pairs if c.kind == "difference"]
        values = {c.basis: v for c, v in pairs if c.kind == "value" and isinstance(v, float)}
        fits = table_rows.difference_ok(values, difference[0]) if difference else None
        if fits is not None:
            self.checks.append(arithmetic.Check(
                arithmetic.DIFFERENCE, fits, (index,),
                f"budget − outcome {'=' if fits else '≠'} printed difference "
                f"{difference[0]:g}"))
        if fits is False:
            messages.append(("difference", f"budget − outcome ≠ printed difference "
                                           f"{difference[0]:g}"))
        self._sums(index, label, pairs)
        if not pairs and (vocabulary.match(label, "money", table.section)
                          or vocabulary.match(label, "people", None)):
            self.issues.append({"check_name": "row_unread", "severity": "warning",
                                "line_index": index, "message": f"the values of '{label}' "
                                "did not fit the table's columns"})
        for figure in figures:
            figure.update(line_index=index, row_messages=messages)
        table.rows += figures


    def _sums(self, index: int, label: str, pairs: list) -> None:
        """Check a sum row against the rows above it, column by column (any row of the
        table counts, read as a figure or not)."""
        is_sum = vocabulary.is_sum_label(label)
        for column, value in pairs:
            if column.kind != "value" or not isinstance(value, float):
                continue
            key = (column.basis, column.gender, column.period_start, column.period_end)
            stack = self.table.sums.setdefault(key, [])
            if not is_sum:
                stack.append((value, (index,)))
            elif (check := arithmetic.sum_check(stack, value, index,
                                                rounded=not self.table.people)) is not None:
                self.checks.append(check)


@lru_cache(maxsize=100_000)
def _holds_figures(text: str) -> bool:
    """Headers carry no numbers but years, dates and small ones ("12-månaders prognos");
    "Utfall 30/6-2023" leaves "-2023", a year, not a negative number."""
    return any(len(p.lstrip("-")) > 2 and not re.fullmatch(r"(19|20)\d\d", p.lstrip("-"))
               for p in tokens(re.sub(r"\d{4}-\d\d-\d\d|\d+/\d+", " ", text)))


def _unit(folded: str) -> str | None:
    if re.search(r"\btusentals kronor\b|\btkr\b|\bi tkr\b", folded):
        return "tkr"
    if re.search(r"\bmnkr\b|\bmiljoner kronor\b", folded):
        return "mnkr"
    if re.search(r"\bkronor\b|\bbelopp i kr\b|\bkr\b", folded):
        return "kr"
    return None


def _caption_period(caption: str) -> tuple[date, date] | None:
    found = _CAPTION_RANGE.search(caption)
    if found:
        return date.fromisoformat(found.group(1)), date.fromisoformat(found.group(2))
    found = _CAPTION_TO.search(caption)
    if found:
        day, month, year = map(int, found.groups())
        end = date(year, month, min(day, calendar.monthrange(year, month)[1]))
        return date(year, 1, 1), end
    return None


def _caption_intervention(lines: list[str]) -> str | None:
    for text in reversed(lines):
        for pattern in _INTERVENTION_CAPTION:
            match = pattern.search(text)
            if match and match.group(1).strip().lower() not in _GENERIC_NAMES:
                return match.group(1).strip()
    return None
