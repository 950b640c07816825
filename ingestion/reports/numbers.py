"""Swedish number parsing and text folding for OCR'd report text.

Reports print numbers with a space as thousands separator and a comma as decimal mark
(``2 838``, ``1 840,00``), minus as ``-``, ``−`` or ``–`` (sometimes detached: ``- 2 895``)
and a lone dash for zero. OCR often drops the thousands space (``37 872944``) or merges
table cells, so a run of digit groups can split into numbers in several ways:
:func:`groupings` lists them and the table parser picks the one that fits its columns.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

MINUS = "-−–—"
# One printed number piece: optional sign, digits, optional decimals; or a lone dash (a
# detached sign "- 2 895" is read only within a tab-separated cell, see parse_number).
_TOKEN = re.compile(rf"(?<![\w,.])([{MINUS}])?(\d+(?:[.,]\d+)?)(?![\w])|(?<!\S)[{MINUS}](?!\S)")
_UNIT = re.compile(r"^(tkr|mnkr|mnk|mkr|kr|kronor|sek|procent|%|st)\b", re.IGNORECASE)
UNIT_FACTORS = {"kr": 1.0, "tkr": 1_000.0, "mnkr": 1_000_000.0}
# OCR renders å/ä/ö as these look-alikes; folded they all become a/o so labels still match.
# Dashes separate words ("januari–juni", "Skellefteå–Norsjö"); ASCII folding would drop them.
_OCR_LETTERS = str.maketrans({"&": "a", "é": "o", "ê": "o", "ó": "o", "ò": "o", "¢": "o",
                              "–": " ", "—": " ", "−": " "})


# Every line is folded more than once (document reading, table walking), and generated or
# repeated reports share most of their lines: a cache makes the repeats free.
@functools.lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case ASCII letters and digits with single spaces: ``Intäkter`` -> ``intakter``.

    Digits that stand for letters at a word start (``6vriga``, ``0ka``) become ``o``.
    """
    text = text.lower().translate(_OCR_LETTERS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"\b[60](?=[a-z]{2})", "o", text)
    text = re.sub(r"[^a-z0-9%]+", " ", text)
    return text.strip()


# Signs kept, as words and numbers read them: minus forms and dashes become "-" ("jan–aug",
# "−412"), a no-break space a space; OCR's "é" for ä/ö an o, "&" for å an a.
_SIGNS = str.maketrans({"&": "a", "é": "o", "−": "-", "–": "-", "—": "-", "\u00a0": " "})


@functools.lru_cache(maxsize=200_000)
def light_fold(text: str) -> str:
    """Lower-case ASCII that keeps signs, punctuation and decimal commas (``fold`` drops
    them): for prose and column headers, where "-", "," and "/" carry meaning."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_SIGNS))
    return text.encode("ascii", "ignore").decode("ascii")


def normalise_unit(text: str | None) -> str | None:
    """``tkr``/``mnkr``/``kr`` as printed (``mnk``, ``kronor`` folded in), else None."""
    if not text:
        return None
    word = fold(text)
    if word in {"mnk", "mnkr", "mkr", "miljoner kronor"}:
        return "mnkr"
    if word in {"kronor", "sek", "kr"}:
        return "kr"
    return "tkr" if word == "tkr" else None


def parse_number(text: str) -> float | None:
    """One Swedish number: ``-2 838``, ``−1 418``, ``1 840,00``, ``32,5``, ``8,5 procent``,
    ``-`` (zero). None when the text is not exactly one number."""
    text = text.strip()
    text = re.sub(r"\s*(%|procent|tkr|mnkr|kr|kronor)$", "", text, flags=re.IGNORECASE)
    if text and all(c in MINUS for c in text):
        return 0.0
    match = re.fullmatch(rf"([{MINUS}+])?\s?(\d{{1,3}}(?:[ \u00a0]\d{{3}})*|\d+)(?:,(\d+))?", text)
    if not match:
        return None
    sign, digits, decimals = match.groups()
    value = float(re.sub(r"\s", "", digits) + ("." + decimals if decimals else ""))
    return -value if sign and sign != "+" else value


def tokens(text: str) -> list[str]:
    """The number pieces of a table row's value part, in order (``'-'`` for a dash)."""
    found = []
    for match in _TOKEN.finditer(text):
        if match.group(2) is None:
            found.append("-")
        else:
            sign = "-" if match.group(1) else ""
            found.append(sign + match.group(2))
    return found


def _joinable(previous: str, piece: str) -> bool:
    """May ``piece`` continue the number ``previous`` as thousands groups?"""
    if previous in {"-", ""} or "," in previous or "." in previous:
        return False
    if piece.startswith("-") or piece == "-":
        return False
    digits = piece.split(",")[0]
    return digits.isdigit() and len(digits) % 3 == 0 and not digits.startswith("0" * 4)


def _value(piece: str) -> float:
    if piece == "-":
        return 0.0
    return float(piece.replace(",", "."))


def _regular(parts: list[str]) -> bool:
    return len(parts[0].lstrip("-")) <= 3 and all(len(p.split(",")[0]) == 3 for p in parts[1:])


def groupings(pieces: list[str], limit: int = 4096) -> Iterator[tuple[list[float], int]]:
    """Every way to read ``pieces`` as numbers, with a penalty counting 3-digit groups left
    standing alone where a thousands group would also fit (lower = more usual print)."""

    def walk(i: int) -> Iterator[tuple[list[str], int]]:
        if i == len(pieces):
            yield [], 0
            return
        if re.match(r"-?0\d", pieces[i]):  # "000" only continues a number
            return
        parts = [pieces[i]]
        while True:
            j = i + len(parts)
            can_join = j < len(pieces) and _joinable(parts[-1], pieces[j])
            # Stopping where a regular thousands group follows a regular number is unusual.
            usual = can_join and len(pieces[j].split(",")[0]) == 3 and _regular(parts)
            for rest, penalty in walk(j):
                yield ["".join(parts), *rest], penalty + (1 if usual else 0)
            if not can_join:
                return
            parts.append(pieces[j])

    for count, (numbers, penalty) in enumerate(walk(0)):
        if count >= limit:
            return
        yield [_value(n) for n in numbers], penalty


def standard_reading(pieces: list[str]) -> list[float]:
    """The most usual reading: thousands groups joined wherever they fit; empty when the
    pieces are no number ("-05" of a date "2023-06-05" starts none)."""
    best = min(groupings(pieces), key=lambda item: (item[1], len(item[0])), default=None)
    return best[0] if best is not None else []


def unit_after(text: str) -> str | None:
    """The unit word that starts ``text`` (``tkr``, ``mnkr``, ``kr``, ``procent``)."""
    match = _UNIT.match(text.strip())
    if not match:
        return None
    word = match.group(1).lower()
    if word in {"procent", "%"}:
        return "percent"
    return normalise_unit(word)
