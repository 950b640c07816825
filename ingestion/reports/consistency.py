"""Domain checks over one document's figures. A failed check never drops a row: the rows
are flagged (``check_status``/``check_messages``) and one issue is reported per finding.

- ``contradiction``: the same figure printed with different values (beyond rounding).
- ``member_split``: state contribution = region + municipality (50/25/25 by law).
- ``gender_sum``: women + men = total.
- ``exits_sum``: exits by reason add up to the participants exited.
(``budget − outcome = printed difference`` is checked per row while reading the table.)

- ``implausible_value``: a figure outside the range its metric can take (money beyond
  1 000 MSEK, a negative or fractional count, a share out of range) is a misreading or a
  misprint, never a fact: the row is ``rejected`` (kept in the raw table with its source
  line, kept out of staging and the marts) and reported as an error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pa

from ingestion.reports import vocabulary
from ingestion.reports.numbers import UNIT_FACTORS
from ingestion.validation.schemas import rule

Finding = tuple[str, str, int, str, list[dict]]  # check, severity, line, message, rows
OK, FLAGGED, REJECTED = "ok", "flagged", "rejected"  # check_status
_KEY = ("period_start", "period_end", "basis", "metric", "member", "intervention", "gender",
        "reason")


def flag(row: dict, message: str) -> None:
    if row["check_status"] != REJECTED:
        row["check_status"] = FLAGGED
    row["check_messages"] = "; ".join(m for m in (row.get("check_messages"), message) if m)


# What a figure can be. Money: an association's whole budget is tens of millions; the
# largest is far below 1 000 MSEK. People: counts of one association's participants. The
# funding as a share of the ideal allocation is a ratio, printed up to 150 % (seed 001
# names FINSAM Göteborg at 150 %), not a share of a whole.
MAX_MONEY_SEK = 1e9
MAX_PERSONS = 100_000
MAX_IDEAL_SHARE_PCT = 500.0


def implausible(row: dict) -> str | None:
    """Why a figure cannot be what it claims to be, or None."""
    metric, value = row["metric"], row["value"]
    if metric in vocabulary.MONEY_METRICS and abs(value) > MAX_MONEY_SEK:
        return f"{metric} of {value:,.0f} kr is beyond {MAX_MONEY_SEK:,.0f} kr".replace(
            ",", " ")
    if row["unit"] == "persons" and not (0 <= value <= MAX_PERSONS and value == int(value)):
        return f"{metric} of {value:g} persons is not a count (0 to {MAX_PERSONS:,})".replace(
            ",", " ")
    if metric == "ideal_allocation_share" and not 0 <= value <= MAX_IDEAL_SHARE_PCT:
        return f"{metric} of {value:g} % is outside 0–{MAX_IDEAL_SHARE_PCT:g} %"
    if row["unit"] == "percent" and metric != "ideal_allocation_share" \
            and not 0 <= value <= 100:
        return f"{metric} of {value:g} % is not a share (0–100 %)"
    return None


def reject(row: dict, reason: str) -> None:
    row["check_status"] = REJECTED
    row["check_messages"] = "; ".join(m for m in (row.get("check_messages"),
                                                  f"implausible: {reason}") if m)


def rounding(row: dict) -> float:
    """How far a printed figure may be from the exact value: half its printed unit."""
    return UNIT_FACTORS.get(row["unit"], 1.0) / 2 + 0.5


def run(rows: list[dict]) -> Iterator[Finding]:
    """The findings of every check over one document's rows (rejected rows are no figure)."""
    rows = [r for r in rows if r["check_status"] != REJECTED]
    yield from _contradictions(rows)
    for passed, finding in evaluate(rows):
        if not passed:
            yield finding


def evaluate(rows: list[dict]) -> list[tuple[bool, Finding]]:
    """The arithmetic checks among these, passed or not (``ingestion.reports.arithmetic``
    counts both)."""
    return [*_member_split(rows), *_gender_sum(rows), *_exits_sum(rows)]


def _describe(row: dict) -> str:
    parts = [row["metric"], row["basis"], row["member"], row["intervention"], row["gender"],
             row["reason"], f"{row['period_start']}–{row['period_end']}"]
    return " ".join(str(p) for p in parts if p)


def _contradictions(rows: list[dict]) -> Iterator[Finding]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in _KEY)].append(row)
    for group in groups.values():
        low = min(group, key=lambda r: r["value"])
        high = max(group, key=lambda r: r["value"])
        if high["value"] - low["value"] <= rounding(low) + rounding(high):
            continue
        values = "; ".join(f"{r['value']:,.0f} (line {r['line']})".replace(",", " ")
                           for r in sorted(group, key=lambda r: r["line"]))
        # Small gaps are usually rounding or öresutjämning; large ones are real conflicts.
        gap = high["value"] - low["value"]
        severity = "warning" if gap < 0.01 * abs(high["value"]) else "error"
        yield ("contradiction", severity, low["line"],
               f"{_describe(low)} printed with different values: {values}", group)


def _first(rows: list[dict], **where) -> dict | None:
    return next((r for r in rows if all(r[k] == v for k, v in where.items())), None)


def _member_split(rows: list[dict]) -> Iterator[tuple[bool, Finding]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if row["metric"] == "member_contribution":
            groups[(row["period_start"], row["period_end"], row["basis"])].append(row)
    for group in groups.values():
        state, region, municipality = (_first(group, member=m)
                                       for m in ("state", "region", "municipality"))
        if not (state and region and municipality):
            continue
        others = region["value"] + municipality["value"]
        passed = abs(state["value"] - others) <= rounding(state) + rounding(region) + \
            rounding(municipality)
        yield passed, ("member_split", "warning", state["line"],
                       f"state contribution {state['value']:,.0f} {'=' if passed else '≠'} "
                       f"region + municipality {others:,.0f} ({state['basis']}, "
                       f"{state['period_start']}–{state['period_end']})".replace(",", " "),
                       group if not passed else [state, region, municipality])


def _gender_sum(rows: list[dict]) -> Iterator[tuple[bool, Finding]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if row["gender"] is not None:
            key = tuple(row[k] for k in _KEY if k != "gender")
            groups[(*key, row["line"])].append(row)
    for group in groups.values():
        total, women, men = (_first(group, gender=g) for g in ("total", "women", "men"))
        if not (total and women and men):
            continue
        passed = abs(women["value"] + men["value"] - total["value"]) <= 0.5
        yield passed, ("gender_sum", "warning", total["line"],
                       f"women {women['value']:g} + men {men['value']:g} "
                       f"{'=' if passed else '≠'} total {total['value']:g} "
                       f"({_describe(total)})", group)


def _exits_sum(rows: list[dict]) -> Iterator[tuple[bool, Finding]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if row["metric"] in {"exits", "participants_exited"}:
            key = (row["period_start"], row["period_end"], row["basis"], row["intervention"],
                   row["gender"])
            groups[key].append(row)
    for group in groups.values():
        by_reason: dict[str, dict] = {}
        for row in group:
            if row["metric"] == "exits":
                by_reason.setdefault(row["reason"], row)
        totals = [r for r in group if r["metric"] == "participants_exited"]
        if not by_reason or not totals:
            continue
        last = max(r["line"] for r in by_reason.values())
        total = min(totals, key=lambda r: (r["line"] < last, abs(r["line"] - last)))
        summed = sum(r["value"] for r in by_reason.values())
        passed = abs(summed - total["value"]) <= 0.5
        yield passed, ("exits_sum", "warning", total["line"],
                       f"exits by reason add up to {summed:g}, "
                       f"{'the' if passed else 'not the'} {total['value']:g} exited "
                       f"({_describe(total)})", [*by_reason.values(), total])


def every_violation_is_flagged_rule() -> pa.Check:
    """The raw table's rule for these checks: they flag rows instead of rejecting them, so an
    extracted row that breaks one without being flagged is a bug. Overrides are an
    analyst's word and are not re-checked."""
    return rule("domain_violations_are_flagged", "a row breaking a report check is flagged",
                _every_violation_is_flagged)


def _every_violation_is_flagged(frame: pd.DataFrame) -> bool:
    extracted = frame[frame["origin"] == "extracted"]
    # One conversion for the whole frame, then grouped in Python: converting per document
    # took ~15 s for the ~2,000 documents of a national run.
    by_document: dict[str, list[dict]] = {}
    for row in extracted.astype(object).where(extracted.notna(), None).to_dict("records"):
        by_document.setdefault(row["document_id"], []).append(row)
    return all(
        row["check_status"] != OK
        for rows in by_document.values()
        for *_, involved in run(rows)
        for row in involved
    )
