"""What a document says about itself: who wrote it (or whom it is about), what kind of
document it is and which period it covers.

The association is matched against the registry (``data/reference/associations.csv``:
``association_name`` and ``aliases``, as printed). Reports name their association in many
ways: "Samordningsförbundet Södra Roslagen", "Sjuhärads samordningsförbund", "Västra
Mälardalens Samordningsförbund", "Finsam Gotland", "SUVS", a name broken over two lines.
Every registered name and alias is turned into the word sequences that print it, and the
document's words (folded: å/ä→a, ö→o, OCR look-alikes mapped) are searched for them,
longest first, so "Samordningsförbundet Göteborg Hisingen" is Hisingen even when
"Samordningsförbundet Göteborg" is registered too. A place name alone ("Stockholms stad")
never counts: it must stand next to "samordningsförbund(et)"/"Finsam", or be a registered
alias. The association named most often wins; a tie is ``ambiguous`` and no name is
``unknown``: neither is guessed.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from ingestion import config
from ingestion.reports.columns import month_end
from ingestion.reports.numbers import fold

# association_id -> its names as printed (official name first, then the aliases).
Registry = dict[str, tuple[str, ...]]

MATCHED, UNKNOWN, AMBIGUOUS = "matched", "unknown", "ambiguous"

# Words that say "this is a samordningsförbund", folded. OCR mangles ö ("fdrbundet").
_ASSOCIATION_WORD = re.compile(r"samordningsf[a-z]{1,2}rbund(?:et)?|finsamforbund(?:et)?")
SF, FINSAM = "<samordningsforbund>", "<finsam>"


# --- the registry --------------------------------------------------------------------------

def load_associations(path: Path | None = None) -> Registry:
    """association_id -> (association_name, *aliases) from the registry; empty when it is
    missing (every document is then ``unknown``)."""
    path = path or config.reference_dir() / "associations.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["association_id"]: (row["association_name"], *(
                alias.strip() for alias in (row.get("aliases") or "").split("|") if alias.strip()))
            for row in csv.DictReader(handle)
        }


def _words(name: str) -> tuple[str, ...]:
    """A name's folded words, with the association words made one token."""
    name = re.sub(r"\([^)]*\)", " ", name)  # "(Sfris)", "(Eslöv, Höör och Hörby)"
    return tuple(_token(word) for word in fold(name).split())


def _token(word: str) -> str:
    if word == "finsam":
        return FINSAM
    return SF if _ASSOCIATION_WORD.fullmatch(word) else word


def _genitive(words: tuple[str, ...]) -> tuple[str, ...]:
    """"Sjuhärad" -> "Sjuhärads"; names ending in s take none ("Västerås samordningsförbund")."""
    last = words[-1]
    if last in (SF, FINSAM) or last.endswith(("s", "x", "z")):
        return words
    return (*words[:-1], last + "s")


def _phrases(name: str) -> set[tuple[str, ...]]:
    """The word sequences that print ``name``: itself (and its genitive), and the place part
    in the orders reports use: "Samordningsförbundet (i) X", "Finsam (i) X", "X(s)
    samordningsförbund"."""
    words = _words(name)
    if not words:
        return set()
    phrases = {words, _genitive(words)}
    places = []
    if words[0] in (SF, FINSAM):  # "Samordningsförbundet (i) Sundsvall", "Finsam Falun-Borlänge"
        place = words[1:]
        if place[:1] == ("i",):
            place = place[1:]
        if place[:1] == (FINSAM,):  # "Samordningsförbundet Finsam Falun-Borlänge"
            places.append(place[1:])
        places.append(place)
    elif words[-1] == SF:  # "Sjuhärads samordningsförbund": the place is "Sjuhärad(s)"
        place = words[:-1]
        places.append(place)
        if place and place[-1].endswith("s"):
            places.append((*place[:-1], place[-1][:-1]))
    for place in places:
        if not place or SF in place:
            continue
        for prefix in ((SF,), (SF, "i"), (FINSAM,), (FINSAM, "i")):
            phrases |= {(*prefix, *place), (*prefix, *_genitive(place))}
        phrases |= {(*place, SF), (*_genitive(place), SF)}
    # A lone association word names no association.
    return {p for p in phrases if p and set(p) - {SF, FINSAM, "i"}}


Phrases = dict[tuple[str, ...], frozenset[str]]  # phrase -> the associations it names


@dataclass(frozen=True)
class _Index:
    starts: dict[str, list[tuple[int, Phrases]]]  # first word -> by length, longest first
    aliases: tuple[str, ...]  # first words of names without an association word ("suvs")


@lru_cache(maxsize=16)
def _index(registry: tuple[tuple[str, tuple[str, ...]], ...]) -> _Index:
    """First word -> [(phrase, association ids)], and the phrases without an association
    word (every other phrase holds one)."""
    owners: dict[tuple[str, ...], set[str]] = {}
    for association_id, names in registry:
        for name in names:
            for phrase in _phrases(name):
                owners.setdefault(phrase, set()).add(association_id)
    by_length: dict[str, dict[int, Phrases]] = {}
    for phrase, ids in owners.items():
        by_length.setdefault(phrase[0], {}).setdefault(len(phrase), {})[phrase] = frozenset(ids)
    starts = {word: sorted(lengths.items(), reverse=True) for word, lengths in by_length.items()}
    # Their first words: the rest may follow on the next line ("RAR i" / "Sörmland").
    aliases = tuple(sorted({p[0] for p in owners if SF not in p and FINSAM not in p}))
    return _Index(starts, aliases)


# --- who wrote it --------------------------------------------------------------------------

@dataclass(frozen=True)
class AssociationMatch:
    status: str  # matched, unknown, ambiguous
    association_id: str | None
    printed: str | None  # the name as the document prints it
    candidates: tuple[str, ...]  # every association named, most often named first


# An unregistered name, for the record: "Samordningsförbundet Annanstad",
# "Annanstads samordningsförbund".
_PRINTED_NAME = re.compile(
    r"\b(?:Samordningsf\S{1,3}rbundet|Finsam)(?:[ \t]+(?:i|för)\b)?"
    r"(?:[ \t]+[A-ZÅÄÖ][\wåäöé&/-]*(?:[ \t]+(?:stad|län))?)+"
    r"|\b[A-ZÅÄÖ][\wåäöé-]*s[ \t]+[Ss]amordningsf\S{1,3}rbund\b")
_TITLE_WORDS = re.compile(r"(arsredovisning|halvarsrapport|delarsrapport|verksamhetsplan|"
                          r"budget|protokoll|revisionsberattelse|sammantrad)")


def match_association(lines: list[str], folded: list[str], registry: Registry
                      ) -> AssociationMatch:
    """The association a document is by (or about), counted over the whole document."""
    index = _index(tuple(sorted(registry.items())))
    words = _Words(lines, folded, _lines_to_read(folded, index.aliases))
    mentions: Counter[str] = Counter()
    forms: Counter[tuple[str, tuple[str, ...]]] = Counter()  # how each one is printed
    first: dict[tuple[str, tuple[str, ...]], int] = {}
    end = 0
    for i in [i for i, word in enumerate(words.words) if word in index.starts]:
        if i < end:  # inside the name just read
            continue
        phrase, ids = _longest_name(index, words, i)
        for association_id in ids:
            mentions[association_id] += 1
            forms[(association_id, phrase)] += 1
            first.setdefault((association_id, phrase), i)
        end = i + len(phrase)
    ranked = mentions.most_common()
    candidates = tuple(association_id for association_id, _ in ranked)
    if not ranked:
        return AssociationMatch(UNKNOWN, None, _unregistered_name(lines), ())
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return AssociationMatch(AMBIGUOUS, None, None, candidates)
    winner = ranked[0][0]
    # Its name as printed: a full name before an abbreviation, the form printed most often,
    # the shorter (not the genitive), where it is first printed.
    form = max((key for key in forms if key[0] == winner), key=lambda k: (
        SF in k[1] or FINSAM in k[1], forms[k], -len("".join(k[1])), -first[k]))
    start = first[form]
    return AssociationMatch(MATCHED, winner, words.printed(start, start + len(form[1])),
                            candidates)


def _lines_to_read(folded: list[str], aliases: tuple[str, ...]) -> list[int]:
    """The lines that hold an association word or an alias, with the line before and after
    (a name may be broken over them). Reading only these keeps long documents fast."""
    text = "\n".join(folded)
    starts = list(accumulate((len(line) + 1 for line in folded), initial=0))
    found = set()
    # "samordnings" also finds a name hyphenated over a line end ("Samordnings-/förbundet").
    for word in ("samordnings", "finsam", *aliases):
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if word in ("samordnings", "finsam") or not (
                    text[at - 1:at].isalnum() or text[end:end + 1].isalnum()):
                found.add(bisect_right(starts, at) - 1)
            at = text.find(word, end)
    return sorted({i for line in found for i in (line - 1, line, line + 1)
                   if 0 <= i < len(folded)})


def _longest_name(index: _Index, words: _Words, i: int) -> tuple[tuple[str, ...], frozenset[str]]:
    """The longest registered name printed from word ``i`` on, and whose it is."""
    for length, phrases in index.starts.get(words.words[i], ()):
        phrase = tuple(words.words[i:i + length])
        # Only a place after "Samordningsförbundet" can run on; "X samordningsförbund" ends.
        if phrase in phrases and not (
                phrase[0] in (SF, FINSAM) and words.name_goes_on(i + length)):
            return phrase, phrases[phrase]
    return (), frozenset()


class _Words:
    """The document's folded words (a word hyphenated over a line end joined), and where
    each one was printed."""

    def __init__(self, lines: list[str], folded: list[str], read: list[int]) -> None:
        self.lines = lines
        self.words: list[str] = []
        self.line_of: list[int] = []
        self.skipped: dict[int, int] = {}  # line -> its words joined onto the line before
        hyphenated = False
        for index in read:
            text = folded[index]
            hyphenated = hyphenated and self.line_of[-1:] == [index - 1]
            found = text.split()
            if "samordningsf" in text or "finsam" in text:
                found = [_token(w) if w.startswith(("samordningsf", "finsam")) else w
                         for w in found]
            if hyphenated and found and self.words:  # "Samordnings-" / "förbundet"
                self.words[-1] = _token(self.words[-1] + found.pop(0))
                self.skipped[index] = 1
            self.words += found
            self.line_of += [index] * len(found)
            stripped = lines[index].rstrip()
            hyphenated = stripped.endswith("-") and not stripped.endswith(" -")

    def _in_line(self, k: int) -> tuple[int, int]:
        """(line, position among the line's folded words) of word ``k``."""
        line = self.line_of[k]
        return line, k - bisect_left(self.line_of, line) + self.skipped.get(line, 0)

    def name_goes_on(self, end: int) -> bool:
        """Does the printed name run on past a registered one ("Samordningsförbundet
        Göteborg Nordväst" when only "… Göteborg" is registered)? Yes when a capitalised word
        follows on the same line after a space, unless it is a title word ("… Södra Roslagen
        Årsredovisning 2014")."""
        words = self.words
        if end >= len(words) or self.line_of[end] != self.line_of[end - 1]:
            return False
        if _TITLE_WORDS.match(words[end]):
            return False
        line, position = self._in_line(end)
        pieces = _cased_pieces(self.lines[line])
        if len(pieces) // 2 != len(fold(self.lines[line]).split()):
            return False  # folding merged or split words here: take the name as it stands
        separator, word = pieces[2 * position], pieces[2 * position + 1]
        return separator.isspace() and word[:1].isupper() and not word.isupper()

    def printed(self, start: int, end: int) -> str:
        """The printed words of words ``start``..``end`` (perhaps over two lines), one line."""
        first_line, position = self._in_line(start)
        last_line = self.line_of[end - 1]
        text = " ".join(self.lines[i].strip() for i in range(first_line, last_line + 1))
        taken, seen, count = [], 0, end - start
        for word in text.split():
            n = len(fold(word).split())
            if seen >= position and count > 0:
                taken.append(word)
                count -= n
            seen += n
        return " ".join(taken).strip(" ,.;:!()–-") or text.strip()


def _cased_pieces(line: str) -> list[str]:
    """[separator, word, separator, word, …, separator]: the line split as ``fold`` splits
    it, with the case kept."""
    text = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode("ascii")
    pieces = re.split(r"([A-Za-z0-9%]+)", text)
    return pieces[:-1] if len(pieces) % 2 else pieces


def _unregistered_name(lines: list[str]) -> str | None:
    names = Counter(m.group(0).strip() for line in lines for m in _PRINTED_NAME.finditer(line))
    return names.most_common(1)[0][0] if names else None


# --- what kind of document -----------------------------------------------------------------

# Folded title words per kind, most specific first. Plans and auditors' reports are named in
# most annual reports ("följer verksamhetsplanen"), so only a line that starts with them
# counts.
REPORT_TYPES = (
    ("board_minutes", r"sammantradesprotokoll|protokoll fran styrelse"),
    # Many associations title the annual report "Verksamhetsberättelse (och årsbokslut)";
    # as a line's first words only: annual reports cite the plan's and the last year's.
    ("annual_report", r"arsredovisning|^(?:\d+ )?(?:verksamhetsberattelse|arsbokslut)\b"),
    ("half_year_report", r"halvarsrapport|halvarsredovisning"),
    ("interim_report", r"delarsrapport|delarsbokslut"),
    ("budget_follow_up", r"budgetuppfoljning"),
    ("plan_and_budget", r"^(?:\d+ )?(?:verksamhetsplan(?: (?:och|med|samt) budget|"
                        r" (?:for )?20\d\d|$)|budget (?:och|med|samt) verksamhetsplan)"),
    ("audit_report", r"^(?:\d+ )?revisionsberattelse\b"),
)
_REPORT_TYPES = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in REPORT_TYPES))
# A member's body issuing the document (its first lines): "Kommunstyrelsen föreslår
# Kommunfullmäktige", "ARBOGA KOMMUN SAMMANTRÄDESPROTOKOLL" - unless the association's
# own board meets first (its minutes record the members' decisions too).
_MEMBER_BODY = re.compile(r"\b(?:kommun|region|landstings)(?:styrelse|fullmaktige)|"
                          r"\bkommun (?:sammantradesprotokoll|protokollsutdrag|tjansteskrivelse)")
_OWN_BOARD = re.compile(r"styrelsemote|protokoll fran styrelse|forbundsstyrelsens sammantrade")
_HEAD_CHARS = 600  # the first lines, where an issuing body names itself
_DECISION_CHARS = 3_000
_TITLE_CHARS = 2_000  # a period named this early is the title's, later a heading's


def report_type(folded: list[str]) -> str | None:
    """A member's decision on an association's annual report when a municipality or region
    issues the document; else the kind of report its title names (the first one named)."""
    head = " ".join(folded[:200])
    body = _MEMBER_BODY.search(head[:_HEAD_CHARS])
    board = _OWN_BOARD.search(head[:_HEAD_CHARS])
    # Ansvarsfrihet is granted on the annual report: a member's decision on it is one, even
    # when its heading does not name the report.
    if (body and not (board and board.start() < body.start())
            and "ansvarsfrihet" in head[:_DECISION_CHARS]):
        return "annual_report_decision"
    for line in folded:
        match = _REPORT_TYPES.search(line)
        if match:
            return match.lastgroup
    return None


# --- which period --------------------------------------------------------------------------

MONTHS = {name: number for number, name in enumerate(
    ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
     "oktober", "november", "december"), start=1)}
_MONTH = "(" + "|".join(MONTHS) + ")"
_YEAR = r"((?:19|20)\d\d)\b"
# "januari–augusti 2023", "för perioden januari till och med juni 2023"
_MONTHS = rf"(?:for )?(?:perioden )?januari (?:till och med |tom |t o m )?{_MONTH} {_YEAR}"
_ANNUAL = rf"arsredovisning\w* (?:for )?(?:ar |aret |verksamhetsaret )?{_YEAR}"
# "Årsredovisning för Samordningsförbundet X år 2013" (not a date: "… 2014-03-20")
_ANNUAL_OF = (rf"arsredovisning\w* (?:for|fran) (?:[a-z]+ ){{1,6}}?(?:ar |aret )?{_YEAR}"
              r"(?! \d\d \d\d)")
# "Fråga om ansvarsfrihet för styrelsen i Samordningsförbundet X för år 2016": the year
# discharged, named in the decision's heading (years compared with come later, unnamed).
_DISCHARGE = (rf"ansvarsfrihet (?:[a-z0-9]+ ){{0,15}}?(?:for |under )?(?:ar|aret|"
              rf"verksamhetsaret|rakenskapsaret) {_YEAR}")
_FISCAL_YEAR = rf"(?:verksamhetsaret|rakenskapsaret) {_YEAR}"
# Titles and headings, per kind (folded text): the first match decides.
_TITLES = {
    "annual_report": (_ANNUAL, _ANNUAL_OF,
                      rf"(?:verksamhetsberattelse|arsbokslut)(?: (?:och|med) "
                      rf"(?:arsbokslut|arsredovisning))? (?:for )?(?:ar |aret )?{_YEAR}"),
    "annual_report_decision": (_ANNUAL, _ANNUAL_OF, _DISCHARGE, _FISCAL_YEAR),
    "audit_report": (rf"revisionsberattelse (?:for )?(?:ar |aret |verksamhetsaret |"
                     rf"rakenskapsaret )?{_YEAR}", _ANNUAL, _DISCHARGE, _FISCAL_YEAR),
    "half_year_report": (rf"halvars(?:rapport|redovisning)\w* (?:for )?(?:ar )?{_YEAR}",
                         rf"halvars(?:rapport|redovisning)\w* {_MONTHS}"),
    "interim_report": (rf"delars(?:rapport|bokslut)\w* {_MONTHS}",
                       rf"delars(?:rapport|bokslut)\w* (?:per )?{_YEAR} (\d\d) (\d\d)",
                       rf"delars(?:rapport|bokslut)\w* (?:for )?{_YEAR}"),
    "budget_follow_up": (rf"budgetuppfoljning (?:per )?{_YEAR} (\d\d) (\d\d)",
                         rf"budgetuppfoljning (?:for )?{_YEAR}"),
    "plan_and_budget": (rf"verksamhetsplan (?:(?:och|med|samt) budget )?(?:for )?(?:ar )?{_YEAR}",
                        rf"budget (?:och|med|samt) verksamhetsplan (?:for )?(?:ar )?{_YEAR}"),
    "board_minutes": (rf"sammantradesdatum {_YEAR}",),
}
# Running text that states the period when no title does.
_STATEMENTS = {
    "year": (rf"for (?:verksamhetsaret|rakenskapsaret|budgetaret) {_YEAR}",
             rf"resultatet for (?:ar )?{_YEAR}"),
    "half": (rf"januari (?:till och med|tom|t o m) juni {_YEAR}", rf"forsta halvaret {_YEAR}",
             rf"halvaret {_YEAR}"),
}
_COMPILED_TITLES = {kind: tuple(map(re.compile, patterns)) for kind, patterns in _TITLES.items()}
_COMPILED_STATEMENTS = {kind: tuple(map(re.compile, p)) for kind, p in _STATEMENTS.items()}
_HALF_YEAR_KINDS = {"half_year_report", "interim_report"}


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None
    evidence: str | None  # title, heading, meeting_date, statement, frequent_year


def period(kind: str | None, folded: list[str]) -> Period:
    """From the title or a heading naming the kind and its period; else a statement in the
    text ("för verksamhetsåret 2013"); else the year printed most often in the opening."""
    text = " ".join(folded)
    first = None
    for pattern in _COMPILED_TITLES.get(kind or "", ()):
        found = pattern.search(text)
        if found and (first is None or found.start() < first.start()):
            first = found
    if first is not None:
        evidence = "meeting_date" if kind == "board_minutes" else (
            "title" if first.start() < _TITLE_CHARS else "heading")
        return _from_title(kind, first, evidence)
    statements = _COMPILED_STATEMENTS["half" if kind in _HALF_YEAR_KINDS else "year"]
    found = [m for pattern in statements if (m := pattern.search(text))]
    if found:
        year = int(min(found, key=lambda m: m.start()).group(1))
        return _whole(kind, year, "statement")
    years = Counter(int(y) for y in re.findall(r"\b(20\d\d)\b", " ".join(folded[:80])))
    if years:
        return _whole(kind, years.most_common(1)[0][0], "frequent_year")
    return Period(None, None, None)


def _from_title(kind: str | None, found: re.Match, evidence: str) -> Period:
    groups = [g for g in found.groups() if g is not None]
    if groups[0] in MONTHS:  # "delårsrapport januari–augusti 2023"
        year, month = int(groups[1]), MONTHS[groups[0]]
        return Period(date(year, 1, 1), month_end(year, month), evidence)
    year = int(groups[0])
    if len(groups) == 3 and kind != "board_minutes":  # "budgetuppföljning 2023-06-30"
        end = date(year, int(groups[1]), int(groups[2]))
        return Period(date(year, 1, 1), end, evidence)
    return _whole(kind, year, evidence)


def _whole(kind: str | None, year: int, evidence: str) -> Period:
    if kind in _HALF_YEAR_KINDS:
        return Period(date(year, 1, 1), date(year, 6, 30), evidence)
    return Period(date(year, 1, 1), date(year, 12, 31), evidence)
