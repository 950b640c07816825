"""Domain checks over one document's figures. A failed check never drops a row: the rows
are flagged (``check_status``/``check_messages``) and one issue is reported per finding.

- ``contradiction``: the same figure printed with different values (beyond rounding).
- ``member_split``: state contribution = region + municipality (50/25/25 by law).
- ``gender_sum``: women + men = total.
- ``exits_sum``: exits by reason add up to the participants exited.
(``budget − outcome = printed difference`` is checked per row while reading the table.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pa

from ingestion.reports.numbers import UNIT_FACTORS
from ingestion.validation.schemas import rule

Finding = tuple[str, str, int, str, list[dict]]  # check, severity, line, message, rows
_KEY = ("period_start", "period_end", "basis", "metric", "member", "intervention", "gender",
        "reason")


def flag(row: dict, message: str) -> None:
    row["check_status"] = "flagged"
    row["check_messages"] = "; ".join(m for m in (row.get("check_messages"), message) if m)


def rounding(row: dict) -> float:
    """How far a printed figure may be from the exact value: half its printed unit."""
    return UNIT_FACTORS.get(row["unit"], 1.0) / 2 + 0.5


def run(rows: list[dict]) -> Iterator[Finding]:
    yield from _contradictions(rows)
    yield from _member_split(rows)
    yield from _gender_sum(rows)
    yield from _exits_sum(rows)


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


def _member_split(rows: list[dict]) -> Iterator[Finding]:
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
        if abs(state["value"] - others) > rounding(state) + rounding(region) + rounding(
                municipality):
            yield ("member_split", "warning", state["line"],
                   f"state contribution {state['value']:,.0f} ≠ region + municipality "
                   f"{others:,.0f} ({state['basis']}, {state['period_start']}–"
                   f"{state['period_end']})".replace(",", " "), group)


def _gender_sum(rows: list[dict]) -> Iterator[Finding]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if row["gender"] is not None:
            key = tuple(row[k] for k in _KEY if k != "gender")
            groups[(*key, row["line"])].append(row)
    for group in groups.values():
        total, women, men = (_first(group, gender=g) for g in ("total", "women", "men"))
        if total and women and men and abs(women["value"] + men["value"] - total["value"]) > 0.5:
            yield ("gender_sum", "warning", total["line"],
                   f"women {women['value']:g} + men {men['value']:g} ≠ total "
                   f"{total['value']:g} ({_describe(total)})", group)


def _exits_sum(rows: list[dict]) -> Iterator[Finding]:
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
        if abs(summed - total["value"]) > 0.5:
            yield ("exits_sum", "warning", total["line"],
                   f"exits by reason add up to {summed:g}, not the {total['value']:g} exited "
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
        row["check_status"] == "flagged"
        for rows in by_document.values()
        for *_, involved in run(rows)
        for row in involved
    )
