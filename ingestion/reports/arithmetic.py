"""The report's own arithmetic: how far one reading of a document can be trusted.

A report's figures must add up: a sum row (Summa …, Totalt) is the sum of the rows above it,
Budget − Utfall is the printed difference, the members' contributions add up to the
contributions together and split 50/25/25 (state = region + municipality), the result is
income less costs, equity moves by the result, women and men add up to the total and exits
by reason to the exits. Every such relation a reading of a document allows is a check that
passes or fails. ``ingestion.reports.extract`` keeps, page by page, the reading whose checks
pass (a table read into the wrong columns, a number split in two or two columns of prose
read as one break them) and records the winner's score, checks passed / checks possible.

Table checks (sum rows, differences) are made by the walker while it reads a table, in the
table's printed units; figure checks here, over a document's figures in SEK. The figure
checks new here report a failure as a warning issue; the older ones (member split, gender
and exit sums, ``ingestion.reports.consistency``) also flag the rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice, product

from ingestion.reports import consistency

SUM_ROW, DIFFERENCE = "sum_row", "difference"
MEMBERS_TOTAL, INCOME_LESS_COSTS, EQUITY_MOVEMENT = ("members_total", "income_less_costs",
                                                    "equity_movement")
# Income less costs and the move of equity leave out what the reports seldom print
# (financial items, depreciation in some statements): this share of the larger amount.
_SLACK = 0.001
_MAX_COMBINATIONS = 64  # a figure printed with several values: so many are tried at most


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    lines: tuple[int, ...]  # indexes of the document's lines holding what was compared
    message: str


def sum_check(stack: list[tuple[float, tuple[int, ...]]], value: float, line: int,
              rounded: bool = True) -> Check | None:
    """Does the sum row ``value`` equal the rows just above it? ``stack`` holds the rows
    (and earlier sums) of one table column since its start, last one last: the sum row
    takes the place of the rows it adds up, so "Summa kostnader" may add the sums of the
    cost groups above it; a sum that adds up to no run of them ends them all. Printed
    amounts are ``rounded`` (each by up to half a unit), counts are not. None when fewer
    than two rows precede it."""
    if len(stack) < 2:
        stack.append((value, (line,)))
        return None
    total, lines = 0.0, [line]
    for k in range(1, len(stack) + 1):
        part, part_lines = stack[-k]
        total += part
        lines += part_lines
        if abs(total - value) <= (max(1.0, 0.5 * (k + 1)) if rounded else 1e-9):
            del stack[-k:]
            stack.append((value, (line,)))
            return Check(SUM_ROW, True, tuple(sorted(lines)),
                         f"sum row {value:g} = the {k} rows above")
    above = stack[-1][1]
    stack[:] = [(value, (line,))]
    return Check(SUM_ROW, False, tuple(sorted({line, *above})),
                 f"sum row {value:g} is the sum of no run of rows above it")


def figure_checks(rows: list[dict]) -> list[Check]:
    """The checks over one document's figures (rows of raw.report_figures, ``line``
    counted from 1)."""
    rows = [r for r in rows if r["check_status"] != consistency.REJECTED]
    checks = [Check(name, passed, tuple(sorted({r["line"] - 1 for r in involved})), message)
              for passed, (name, _, _, message, involved) in consistency.evaluate(rows)]
    checks += _members_total(rows)
    checks += _income_less_costs(rows)
    checks += _equity_movement(rows)
    return checks


def score(checks: Iterable[Check]) -> tuple[int, int]:
    """(checks passed, checks possible)."""
    checks = list(checks)
    return sum(c.passed for c in checks), len(checks)


def _whole(rows: list[dict], *metrics: str) -> dict[tuple, dict[str, list[dict]]]:
    """Figures about the whole association, by period and basis, then metric (or member
    for contributions)."""
    groups: dict[tuple, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row["metric"] in metrics and row["intervention"] is None and row["gender"] is None:
            name = (row["member"] or "all") if row["metric"] == "member_contribution" \
                else row["metric"]
            groups[(row["period_start"], row["period_end"], row["basis"])][name].append(row)
    return groups


def _fits(groups: list[list[dict]], relation, slack: float = 0.0) -> tuple[bool, list[dict]]:
    """Does one printed value of each group satisfy ``relation`` (which returns how far
    the values are from it), within their rounding and ``slack`` of the largest value?"""
    choices = [list({r["value"]: r for r in group}.values()) for group in groups]
    for combination in islice(product(*choices), _MAX_COMBINATIONS):
        values = [r["value"] for r in combination]
        tolerance = sum(consistency.rounding(r) for r in combination) + slack * max(
            abs(v) for v in values)
        if abs(relation(*values)) <= tolerance:
            return True, list(combination)
    return False, [r for group in groups for r in group]


def _check(name: str, passed: bool, rows: list[dict], message: str) -> Check:
    return Check(name, passed, tuple(sorted({r["line"] - 1 for r in rows if r["line"]})),
                 message)


def _period(key: tuple) -> str:
    return f"{key[2]}, {key[0]}–{key[1]}"


def _members_total(rows: list[dict]) -> list[Check]:
    checks = []
    for key, by in _whole(rows, "member_contribution").items():
        if not all(by.get(m) for m in ("state", "region", "municipality", "all")):
            continue
        passed, used = _fits([by["state"], by["region"], by["municipality"], by["all"]],
                             lambda s, r, m, total: s + r + m - total)
        checks.append(_check(MEMBERS_TOTAL, passed, used,
                             f"state + region + municipality contributions "
                             f"{'=' if passed else '≠'} all members' ({_period(key)})"))
    return checks


def _income_less_costs(rows: list[dict]) -> list[Check]:
    checks = []
    for key, by in _whole(rows, "total_income", "total_costs", "result").items():
        if not all(by.get(m) for m in ("total_income", "total_costs", "result")):
            continue
        passed, used = _fits([by["total_income"], by["total_costs"], by["result"]],
                             lambda income, costs, result: income - costs - result, _SLACK)
        checks.append(_check(INCOME_LESS_COSTS, passed, used,
                             f"income − costs {'=' if passed else '≠'} result "
                             f"({_period(key)})"))
    return checks


def _equity_movement(rows: list[dict]) -> list[Check]:
    checks = []
    for key, by in _whole(rows, "equity_opening", "equity_closing", "result").items():
        if not all(by.get(m) for m in ("equity_opening", "equity_closing", "result")):
            continue
        passed, used = _fits([by["equity_opening"], by["result"], by["equity_closing"]],
                             lambda opening, result, closing: opening + result - closing,
                             _SLACK)
        checks.append(_check(EQUITY_MOVEMENT, passed, used,
                             f"opening equity + result {'=' if passed else '≠'} closing "
                             f"equity ({_period(key)})"))
    return checks
