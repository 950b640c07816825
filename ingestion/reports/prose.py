"""Figures stated in running text: participants by gender, the result, equity and the
ideal allocation (idealfördelning).

Paragraphs are joined across line breaks (and hyphenations) and each match is traced back
to the line it starts on. Participant counts of single interventions are also written as
"N deltagare (W kvinnor och M män)"; only sentences about the whole association ("totalt",
"förbundets") are read here, and the extractor keeps the largest of them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from datetime import date

from ingestion.reports.documents import Document
from ingestion.reports.numbers import UNIT_FACTORS, fold, normalise_unit, parse_number

NUM = r"([+−–-]?\s?\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?)"
UNIT = r"(tkr|mnkr|mnk|mkr|kr|miljoner kronor)\b"
_PEOPLE = re.compile(
    r"(\d{1,3}(?: \d{3})?) deltagare,? \((\d+) kvinnor,? (?:och )?(\d+) m\S{0,3}n\b")
# Totals without a gender split ("totalt har närmare 630 deltagare", "294 nya deltagare").
_PEOPLE_TOTAL = re.compile(r"(?:totalt|sammanlagt) (?:har |var det )?(?:narmare |cirka |ca |over )?"
                           r"(\d{1,3}(?: \d{3})?) deltagare(?! ?,? ?\()")
_PEOPLE_NEW = re.compile(r"(\d{1,3}(?: \d{3})?) nya deltagare")
_MONEY = (
    ("result", re.compile(rf"resultat\w*[^.]{{0,80}}?(?:uppg\w*|blev) till {NUM} ?{UNIT}")),
    ("equity_opening", re.compile(
        rf"ing\w{{1,2}}ngen[^.]{{0,60}}?eget kapital[^.]{{0,30}}? till {NUM} ?{UNIT}"
        rf"|eget kapital vid ing\w+[^.]{{0,40}}? till {NUM} ?{UNIT}"
        rf"|{NUM} ?{UNIT} (?:i )?eget kapital (?:vid ing|fran foregaende ar)")),
    ("equity_closing", re.compile(
        rf"utg\w{{1,2}}ngen[^.]{{0,60}}?(?:eget|egna) kapital\w*[^.]{{0,30}}? till {NUM} ?{UNIT}"
        rf"|eget kapital vid utg\w+[^.]{{0,40}}? (?:till|blir) {NUM} ?{UNIT}")),
    ("ideal_allocation_amount", re.compile(rf"{NUM} ?{UNIT} (?:enligt|i) (?:den )?idealf")),
)
_SHARE = re.compile(r"(\d{1,3}(?:,\d+)?) ?(?:procent|%) av (?:den )?(?:beraknade )?idealf")


_SIGNS = str.maketrans({"&": "a", "é": "o", "−": "-", "–": "-", "—": "-", "\u00a0": " "})


def _light_fold(text: str) -> str:
    """Lower-case ASCII, keeping signs (minus forms become "-") and decimal commas."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_SIGNS))
    return text.encode("ascii", "ignore").decode("ascii")


def paragraphs(lines: list[str]) -> list[tuple[str, list[int], list[int]]]:
    """(text, offsets, line indexes) per paragraph: the character offset each line starts at."""
    found, text, offsets, indexes = [], "", [], []
    for index, line in enumerate([*lines, ""]):
        stripped = _light_fold(line.strip())
        if not stripped or "\t" in line:
            if text:
                found.append((text, offsets, indexes))
            text, offsets, indexes = "", [], []
            continue
        if text.endswith("-") and stripped[:1].islower():
            text = text[:-1]
        elif text:
            text += " "
        offsets.append(len(text))
        indexes.append(index)
        text += stripped
    return found


def _sentence(text: str, position: int) -> str:
    start = text.rfind(". ", 0, position) + 1
    end = text.find(". ", position)
    return text[start : end if end >= 0 else len(text)]


def extract(doc: Document) -> list[dict]:
    figures = []
    name = fold(doc.association or "").removeprefix("samordningsforbundet ").removeprefix("i ")
    for text, offsets, indexes in paragraphs(doc.lines):
        def line_of(position: int, offsets=offsets, indexes=indexes) -> int:
            return indexes[bisect_right(offsets, position) - 1]

        for pattern in (_PEOPLE, _PEOPLE_TOTAL, _PEOPLE_NEW):
            for match in pattern.finditer(text):
                sentence = _sentence(text, match.start())
                if "totalt" not in sentence and "forbundets" not in sentence:
                    continue
                # What happened to them is said after the count ("... har avslutats").
                rest = sentence[sentence.find(match.group(0)):]
                metric = "participants_started" if pattern is _PEOPLE_NEW else \
                    _people_metric(rest)
                line = line_of(match.start())
                for gender, raw in zip(("total", "women", "men"), match.groups(), strict=False):
                    figures.append(_figure(doc, metric, line, float(raw.replace(" ", "")),
                                           "persons", gender=gender))
        for metric, pattern in _MONEY:
            for match in pattern.finditer(text):
                number, unit = [g for g in match.groups() if g is not None][:2]
                value = parse_number(number)
                if value is None:
                    continue
                figure = _figure(doc, metric, line_of(match.start()), value,
                                 normalise_unit(unit) or "tkr")
                # The words just before the figure say whether it is budgeted or forecast.
                sentence_start = text.rfind(". ", 0, match.start()) + 1
                _set_basis(figure, text[max(sentence_start, match.start() - 30) : match.end()])
                figures.append(figure)
        for match in _SHARE.finditer(text):
            sentence = _sentence(text, match.start())
            if name and name in sentence or "forbundet har" in sentence:
                figures.append(_figure(doc, "ideal_allocation_share", line_of(match.start()),
                                       parse_number(match.group(1)) or 0.0, "percent"))
    return figures


def _people_metric(sentence: str) -> str:
    if "avslut" in sentence:
        return "participants_exited"
    if re.search(r"startade|startat|nya deltagare|paborjat", sentence):
        return "participants_started"
    return "participants"


def _set_basis(figure: dict, sentence: str) -> None:
    if "budget" in sentence:
        figure["basis"] = "budget"
    elif "prognos" in sentence or "beraknas" in sentence:
        figure["basis"] = "forecast"
    if figure["basis"] != "outcome" or "hela aret" in sentence:
        end = figure["period_end"]
        if end is not None:
            figure["period_start"], figure["period_end"] = date(end.year, 1, 1), date(
                end.year, 12, 31)


def _figure(doc: Document, metric: str, line: int, value: float, unit: str,
            gender: str | None = None) -> dict:
    value *= UNIT_FACTORS.get(unit, 1.0)
    return {"metric": metric, "member": None, "intervention": None, "gender": gender,
            "reason": None, "basis": "outcome", "period_start": doc.period_start,
            "period_end": doc.period_end, "value": value, "unit": unit, "line_index": line,
            "from_prose": True}
