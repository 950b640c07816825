"""Figures stated in running text: the result, equity, total income and costs, the members'
contributions, ESF and other income, participants and the ideal allocation.

Paragraphs are joined across line breaks (and hyphenations) and each match is traced back
to the line it starts on. A statement is a subject ("Förbundets resultat", "Totala
kostnaderna", "det egna kapitalet vid utgången av året") followed, within the same clause,
by a verb (är, var, blev, uppgår/uppgick till, landade på, redovisas med, …) and an amount;
or an amount followed by what it is ("33 118 tkr i medlemsbidrag"). The words between
subject and verb may not hold an amount or another subject, so "Resultatet … är 288 tkr
och det egna kapitalet uppgår till 1 200 tkr" gives the result 288 tkr and equity 1 200
tkr, never equity as the result. An amount compared with something ("1 221 tkr högre än
budgeterat") is a difference and is not read.

Whether a figure is an outcome, a budget or a forecast, and which period it covers, is read
from its clause ("Budgeterade intäkter för 2023", "beräknas", "Till halvåret 2023").
Participant counts of single interventions are also written as "N deltagare (W kvinnor och
M män)"; only sentences about the whole association ("totalt", "förbundets") are read here,
and the extractor keeps the largest of them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ingestion.reports.documents import Document
from ingestion.reports.numbers import (
    UNIT_FACTORS,
    fold,
    light_fold,
    normalise_unit,
    parse_number,
)

_AMOUNT = (r"(?P<number>[+-]? ?\d{1,3}(?: \d{3})*(?:,\d+)?) ?"
           r"(?P<unit>tkr|mnkr|mnk|mkr|kr|kronor|miljoner kronor)\b")
_ANY_AMOUNT = r"\d[\d ]*(?:,\d+)? ?(?:tkr|mnkr|mnk|mkr|kr|kronor|miljoner)\b"
# "… blev 1 221 tkr högre än budgeterat": a difference, not the figure.
_NOT_COMPARED = r"(?! (?:hogre|lagre|mer|mindre|battre|samre) (?:an|jamfort))"
_ABOUT = r"(?:cirka |ca |drygt |knappt |nastan |totalt |sammanlagt )?"
_VERBS = (r"ar|var|blev|blir|bli|vara|uppgar till|uppgick till|uppgatt till|uppga till|"
          r"uppgaende till|landade pa|landar pa|hamnade pa|stannade pa|redovisas med|"
          r"redovisades med|beraknas till|motsvarar")
_SIGNED = (r"(?:ett |en )?(?:(?P<sign>[o6]verskott|underskott|positivt resultat|negativt resultat)"
           r" (?:pa|med|om) )?")


def _gap(stops: str) -> str:
    """Words between a subject and its verb: no amount, no other subject, no new sentence."""
    return rf"(?:(?!{_ANY_AMOUNT}|{stops}|\. ).){{0,80}}?"


def _statement(subject: str, stops: str, verbs: str = _VERBS) -> re.Pattern:
    return re.compile(rf"(?:{subject}){_gap(stops)}\b(?:{verbs}) {_SIGNED}{_ABOUT}{_AMOUNT}"
                      rf"{_NOT_COMPARED}")


# The verb first, as after an adverbial: "Under 2023 landade förbundets resultat på 210 tkr".
_INVERTED_VERBS = r"blev|blir|landade|landar|uppgick|uppgar|hamnade|stannade|var|ar"


def _inverted(subject: str) -> re.Pattern:
    return re.compile(rf"\b(?:{_INVERTED_VERBS}) (?:det |den )?(?:{subject}) (?:till |pa )?"
                      rf"{_SIGNED}{_ABOUT}{_AMOUNT}{_NOT_COMPARED}")


def _amount_of(what: str) -> re.Pattern:
    """An amount followed by what it is: "33 118 tkr i medlemsbidrag"."""
    return re.compile(rf"(?<![\d,])(?<![\d] ){_AMOUNT} (?:{what})")


@dataclass(frozen=True)
class Statement:
    metric: str
    keywords: tuple[str, ...]  # one of them is in every paragraph it can match (speed)
    pattern: re.Pattern
    member: str | None = None  # else read from the match's "member" group, if any


_RESULT = (r"(?:(?:arets|periodens|forbundets|halvarets|budgeterat|budgeterade) )?"
           r"(?:halvars)?resultat(?:et)?\b|forbundets utfall\b")
_INCOME = (r"(?<![o6d]vriga )(?<!andra )(?<!finansiella )(?<!\w)(?:(?:forbundets|arets|totala|"
           r"budgeterade|samtliga) )*int[ao]kter(?:na)?\b")
_COSTS = (r"(?:(?:forbundets|arets|totala|samtliga) )+kostnad(?:er|erna|ema)\b|"
          r"kostnaderna totalt|kostnader totalt")
_ESF = (r"esf[ -]?(?:medel|medlen|bidrag\w*|ersattning\w*|intakter)|"
        r"(?:medel|bidrag\w*|ersattning\w*|intakter) fran (?:europeiska socialfonden|esf)\b")
_MEMBERS = (r"(?P<member>staten|forsakringskassan|arbetsformedlingen|regionen|region \w+|"
            r"landstinget|kommunen|kommunerna|\w+ kommun|\w+ stad)")
_CONTRIBUTION = r"(?:medlemsbidrag|drifts?bidrag|bidrag)\w*"
_OPENING = r"ing\w{1,2}ngen|arets borjan|periodens borjan"
_CLOSING = r"utg\w{1,2}ngen|arsskiftet|arets slut|periodens slut|bokslutsdagen"
_EQUITY = r"(?:eget|egna) kapital\w*"
_EQUITY_VERBS = r"till|ar|var|blev|blir|vara|uppgar till|uppgick till"
_NOT_EQUITY = "resultat|int[ao]kt|kostnad"

def _equity_at(metric: str, moment: str, other_moment: str) -> tuple[Statement, ...]:
    """Equity at a moment, said either way round: "vid årets början var det egna kapitalet
    …" and "det egna kapitalet vid årets början var …" (never across the other moment)."""
    return (
        Statement(metric, _CAPITAL, re.compile(
            rf"(?:{moment})\b{_gap(_NOT_EQUITY + '|' + other_moment)}{_EQUITY}"
            rf"{_gap(_NOT_EQUITY)} (?:{_EQUITY_VERBS}) {_ABOUT}{_AMOUNT}")),
        Statement(metric, _CAPITAL, re.compile(
            rf"{_EQUITY} vid (?:{moment})\b{_gap(_NOT_EQUITY)} (?:{_EQUITY_VERBS}) "
            rf"{_ABOUT}{_AMOUNT}")),
    )


_RESULTS = ("resultat", "utfall")
_CAPITAL = ("kapital",)
_GRANTS = ("bidrag",)
_ESF_WORDS = ("esf", "socialfond")
STATEMENTS = (
    Statement("result", _RESULTS, _statement(
        _RESULT, "int[ao]kt|kostnad|kapital|avvikelse|jamfor")),
    Statement("result", _RESULTS, _inverted(_RESULT)),
    # "Förbundet ser ut att göra ett överskott på 93 500 kr", "utfallet … att bli ett
    # underskott med 17 tkr": the association's (or the year's) surplus or deficit.
    Statement("result", ("skott",), re.compile(
        rf"(?:forbund\w*|utfallet|aret)\b{_gap('avvikelse|insats|jamfor|budget|kapital')}"
        rf"\b(?:bli|blir|blev|gora|gor|gjorde|ga med|gick med|redovisa\w*|visa\w*|uppvisa\w*|"
        rf"fick|har|hade) (?:ett )?(?P<sign>[o6]verskott|underskott) (?:pa|med|om) {_ABOUT}"
        rf"{_AMOUNT}{_NOT_COMPARED}")),
    *_equity_at("equity_opening", _OPENING, other_moment="utg"),
    Statement("equity_opening", _CAPITAL, _amount_of(
        r"(?:i )?eget kapital (?:vid ing|fran foregaende ar)")),
    *_equity_at("equity_closing", _CLOSING, other_moment="ing"),
    Statement("equity_closing", _CAPITAL, re.compile(
        rf"vid (?:{_CLOSING})\b{_gap(_NOT_EQUITY)} (?:har|hade|ha) (?:ett )?"
        rf"eget kapital (?:pa|om) {_ABOUT}{_AMOUNT}")),
    # "det egna kapitalet uppgår till 1 200 tkr": equity at the end of the period.
    Statement("equity_closing", _CAPITAL, re.compile(
        rf"\b{_EQUITY} (?:uppgar till|uppgick till|ar|var) {_ABOUT}{_AMOUNT}")),
    Statement("total_income", ("kter",), _statement(
        _INCOME, "kostnad|kapital|resultat|fran|[o6d]vriga|bidrag|esf", rf"{_VERBS}|till|pa")),
    Statement("total_costs", ("kostnad",), _statement(
        _COSTS, "int[ao]kt|kapital|resultat|insats|kansli|administration",
        rf"{_VERBS}|till|pa")),
    Statement("total_income", ("kter",), _inverted(_INCOME)),
    Statement("total_costs", ("kostnad",), _inverted(_COSTS)),
    Statement("member_contribution", _GRANTS, _amount_of(
        r"(?:i )?(?:medlemsbidrag|drifts?bidrag)(?! fran (?:staten|region|kommun|"
        r"forsakringskassan|arbetsformedlingen|landsting))")),
    Statement("member_contribution", _GRANTS, _statement(
        r"medlemsbidrag\w*|(?:drifts?bidrag\w*|bidrag\w*) fran (?:huvudmannen|medlemmarna)|"
        r"medlemmarnas bidrag", "kostnad|kapital|resultat|staten|region|kommun")),
    Statement("member_contribution", _GRANTS, re.compile(
        rf"medlemmarnas bidrag \({_AMOUNT}\)")),
    Statement("member_contribution", _GRANTS, _statement(
        rf"{_CONTRIBUTION} fran {_MEMBERS}", "kostnad|kapital|resultat|huvudman",
        rf"{_VERBS}|pa")),
    Statement("member_contribution", ("bidr", "betal"), re.compile(
        rf"{_MEMBERS} (?:bidrar|bidrog|har bidragit|betalar|betalade|har betalat) med "
        rf"{_ABOUT}{_AMOUNT}(?! vardera| var)")),
    Statement("esf_income", _ESF_WORDS, _amount_of(
        r"(?:i )?(?:medel |bidrag |ersattning\w* )?(?:fran )?(?:europeiska socialfonden|esf)\b")),
    Statement("esf_income", _ESF_WORDS, _statement(
        _ESF, "kostnad|kapital|resultat|och andra|[o6d]vriga", rf"{_VERBS}|pa")),
    Statement("other_income", ("vriga",), _amount_of(r"(?:i )?[o6d]vriga int[ao]kter")),
    Statement("other_income", ("vriga",), _statement(
        r"[o6d]vriga int[ao]kter(?:na)?", "kostnad|kapital|resultat", rf"{_VERBS}|pa")),
    Statement("ideal_allocation_amount", ("idealf",), _amount_of(
        r"(?:enligt|i) (?:den )?idealf")),
)

# A count keeps its printed sign ("-610 deltagare": a misprint the range check rejects); a
# dash right after a digit or a letter joins words ("2018-610") and is no sign.
_COUNT = r"((?<![\w-])-?(?:\d{1,3}(?: \d{3})+|\d+))"
# The split by gender in brackets or after "varav" (of whom): "480 deltagare (298 kvinnor
# och 182 män)", "40 deltagare avslutades, varav 25 kvinnor och 15 män"; or the count after
# a label: "Antal deltagare under året: 212, varav 118 kvinnor och 94 män".
_GENDERS = r"(\d+) kvinnor,? (?:och )?(\d+) m\S{0,3}n\b"
_PEOPLE = re.compile(rf"{_COUNT} deltagare(?:,? \(|(?: [^.\d()]{{0,40}}?)?,? varav ){_GENDERS}")
_PEOPLE_LABEL = re.compile(rf"deltagare[^.:\d]{{0,40}}: {_COUNT},? (?:\(|varav ){_GENDERS}")
# Totals without a gender split ("totalt har närmare 630 deltagare", "294 nya deltagare").
_PEOPLE_TOTAL = re.compile(r"(?:totalt|sammanlagt) (?:har |var det )?(?:narmare |cirka |ca |over )?"
                           rf"{_COUNT} deltagare(?! ?,? ?\()")
_PEOPLE_NEW = re.compile(rf"{_COUNT} nya deltagare")
# "512 individer har fått stöd", "N deltagare har tagit del av".
_PEOPLE_SUPPORTED = re.compile(rf"{_COUNT} (?:individer|deltagare|personer) (?:har )?"
                               r"(?:fatt stod|tagit del av|deltagit i)")
_WHOLE_ASSOCIATION = re.compile(r"totalt|forbundets|forbundsfinansierade|"
                                r"forbundet (?:har|hade)\b|\b(?:har|hade) forbundet\b")
# "Totalt har insatsen hittills haft 199 deltagare": one intervention, or since it began.
_NOT_THE_PERIODS_WHOLE = re.compile(r"\b(?:insatsen|projektet|hittills)\b")
# "Ett scenario skulle vara att förbundet gör ett överskott på 400 000 kr": not a figure.
_HYPOTHETICAL = re.compile(r"scenario|\bexempelvis\b|\bom (?:forbundet|vi)\b")
# The share of the ideal allocation the association gets, said either way round: "78 procent
# av (den beräknade / sin) idealfördelning(en)", "andelen av idealfördelningen är 78 %".
_SHARE = re.compile(
    r"(\d{1,3}(?:,\d+)?) ?(?:procent|%) av (?:den |sin |var |forbundets )?(?:beraknade )?idealf|"
    r"andel(?:en)? av (?:den )?(?:beraknade )?idealf\w* (?:ar|var|blev|uppgar till|uppgick till) "
    r"(?:cirka |ca |drygt |knappt )?(\d{1,3}(?:,\d+)?) ?(?:procent|%)")
# Whose share: the association's own ("förbundet", "vi"), or its name.
_OWN = re.compile(r"\bforbund(?:et|ets)\b|\bvi\b|\bsin\b")

# Where a clause starts: what is said before it does not qualify its figure.
_CLAUSE_START = re.compile(r"\. |, |; | och | samt | plus | men ")
_BUDGET = re.compile(r"budget|\bfar\b[^.]*bidrag|tilldela")
_FORECAST = re.compile(r"prognos|ber[ao]kna|f[ao]rv[ao]nta|ser ut att|skulle|kommer att")
_HALF_YEAR = re.compile(r"\b(?:till|under|forsta|for) halvaret (20\d\d)|per (?:den )?"
                        r"(?:sista juni|30 juni|30/6)(?: (20\d\d))?|"
                        r"januari (?:till och med|tom|-) juni (20\d\d)")
_YEAR = re.compile(r"\b(?:for|under|ar|aret|hela|verksamhetsaret|budgetaret|infor) (?:ar )?"
                   r"(20\d\d)\b(?![ -]\d)")

def paragraphs(lines: list[str]) -> list[tuple[str, list[int], list[int]]]:
    """(text, offsets, line indexes) per paragraph: the character offset each line starts at."""
    found, text, offsets, indexes = [], "", [], []
    for index, line in enumerate([*lines, ""]):
        stripped = light_fold(line.strip())
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


def _clause_end(text: str, position: int) -> int:
    boundary = _CLAUSE_START.search(text, position)
    return boundary.start() if boundary else len(text)


def _clause(text: str, start: int, end: int) -> str:
    """The clause a match starting at ``start`` stands in, up to the match's ``end``."""
    # ". " is a boundary no other one overlaps, so the last boundary before ``start`` is
    # found scanning from the last ". " as from the paragraph's start (not quadratic).
    clause_start = 0
    for boundary in _CLAUSE_START.finditer(text, max(text.rfind(". ", 0, start), 0), start):
        clause_start = boundary.end()
    return text[clause_start:end]


def extract(doc: Document) -> list[dict]:
    figures = []
    name = fold(doc.association or "").removeprefix("samordningsforbundet ").removeprefix("i ")
    for text, offsets, indexes in paragraphs(doc.lines):
        for figure in _paragraph(text, doc.period_start, doc.period_end, name):
            figure = dict(figure)  # its own copy: the caller completes it
            figure["line_index"] = indexes[bisect_right(offsets, figure["line_index"]) - 1]
            figures.append(figure)
    return figures


@dataclass(frozen=True)
class _Period:
    """What a statement's figure depends on besides its paragraph: the document's period."""
    period_start: date | None
    period_end: date | None


# A paragraph's figures depend only on its text, the document's period and the
# association's name: the same paragraph in another reading of the document (or another
# document of the same period) is read once. ``line_index`` holds the character offset.
@lru_cache(maxsize=20_000)
def _paragraph(text: str, start: date | None, end: date | None, name: str
               ) -> tuple[dict, ...]:
    doc = _Period(start, end)

    def at(position: int) -> int:
        return position

    figures = _people(doc, text, at)
    if "kr" in text:  # every money statement names its unit
        figures += _money(doc, text, at)
    for match in _SHARE.finditer(text) if "idealf" in text else ():
        sentence = _sentence(text, match.start())
        if name and name in sentence or _OWN.search(sentence):
            share = match.group(1) or match.group(2)
            figures.append(_figure(doc, "ideal_allocation_share", match.start(),
                                   parse_number(share) or 0.0, "percent"))
    return tuple(figures)


def _people(doc: _Period, text: str, line_of) -> list[dict]:
    figures, seen = [], set()
    if not any(word in text for word in ("deltagare", "individer", "personer")):
        return figures  # every pattern below names them (speed: most paragraphs do not)
    for pattern in (_PEOPLE, _PEOPLE_LABEL, _PEOPLE_TOTAL, _PEOPLE_NEW, _PEOPLE_SUPPORTED):
        for match in pattern.finditer(text):
            sentence = _sentence(text, match.start())
            if (not _WHOLE_ASSOCIATION.search(sentence) or _NOT_THE_PERIODS_WHOLE.search(sentence)
                    or match.start(1) in seen):
                continue
            seen.add(match.start(1))
            # What happened to them is said after the count, in its clause ("... har
            # avslutats", not "…, och 61 nya deltagare har skrivits in").
            rest = text[match.start():_clause_end(text, match.end())]
            metric = "participants_started" if pattern is _PEOPLE_NEW else _people_metric(rest)
            line = line_of(match.start())
            period = _clause_period(doc, _clause(text, match.start(), match.end()))
            for gender, raw in zip(("total", "women", "men"), match.groups(), strict=False):
                figure = _figure(doc, metric, line, float(raw.replace(" ", "")), "persons",
                                 gender=gender)
                if period:
                    figure["period_start"], figure["period_end"] = period
                figures.append(figure)
    return figures


def _money(doc: _Period, text: str, line_of) -> list[dict]:
    figures, seen = [], set()
    for statement in STATEMENTS:
        if not any(keyword in text for keyword in statement.keywords):
            continue
        for match in statement.pattern.finditer(text):
            # One amount is one figure: the first (most specific) statement reading it wins.
            if match.start("number") in seen or _HYPOTHETICAL.search(
                    _sentence(text, match.start())):
                continue
            seen.add(match.start("number"))
            value = parse_number(match.group("number"))
            if value is None:
                continue
            sign = match.groupdict().get("sign")
            if sign in ("underskott", "negativt resultat") and value > 0:
                value = -value
            member = statement.member
            if "member" in match.groupdict():
                member = _member(match.group("member"))
            figure = _figure(doc, statement.metric, line_of(match.start()), value,
                             normalise_unit(match.group("unit")) or "tkr")
            figure["member"] = member
            _set_basis_and_period(doc, figure, _clause(text, match.start(), match.end()))
            figures.append(figure)
    return figures


def _member(printed: str) -> str:
    if printed in ("staten", "forsakringskassan", "arbetsformedlingen"):
        return "state"
    if printed.startswith(("region", "landsting")):
        return "region"
    return "municipality"


def _people_metric(sentence: str) -> str:
    if "avslut" in sentence:
        return "participants_exited"
    if re.search(r"startade|startat|nya deltagare|paborjat", sentence):
        return "participants_started"
    return "participants"


def _set_basis_and_period(doc: _Period, figure: dict, clause: str) -> None:
    """Budget or forecast as the clause says; the period it names, else the document's (a
    budget or forecast covers the whole year)."""
    if _BUDGET.search(clause):
        figure["basis"] = "budget"
    elif _FORECAST.search(clause):
        figure["basis"] = "forecast"
    period = _clause_period(doc, clause)
    if period:
        figure["period_start"], figure["period_end"] = period
    elif figure["basis"] != "outcome" or "hela aret" in clause or "helaret" in clause:
        end = figure["period_end"]
        if end is not None:
            figure["period_start"], figure["period_end"] = (date(end.year, 1, 1),
                                                            date(end.year, 12, 31))


def _clause_period(doc: _Period, clause: str) -> tuple[date, date] | None:
    """"Till halvåret 2023", "per den sista juni" -> January–June; "för 2023", "under år
    2023" -> that year."""
    half = _HALF_YEAR.search(clause)
    if half:
        year = next((int(y) for y in half.groups() if y), None)
        year = year or (doc.period_end.year if doc.period_end else None)
        return (date(year, 1, 1), date(year, 6, 30)) if year else None
    years = _YEAR.findall(clause)
    if years:
        year = int(years[-1])
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _figure(doc: _Period, metric: str, line: int, value: float, unit: str,
            gender: str | None = None) -> dict:
    value *= UNIT_FACTORS.get(unit, 1.0)
    return {"metric": metric, "member": None, "intervention": None, "gender": gender,
            "reason": None, "basis": "outcome", "period_start": doc.period_start,
            "period_end": doc.period_end, "value": value, "unit": unit, "line_index": line,
            "from_prose": True}
