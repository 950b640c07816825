"""``finsam extract FILE... [--format csv|json]``: print the figures read from documents."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion.reports.extract import Extraction, extract_file
from ingestion.reports.numbers import UNIT_FACTORS


def extract_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="finsam extract",
                                     description="Print the figures read from report documents.")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--issues", action="store_true",
                        help="print the issues (failed checks, contradictions) instead")
    args = parser.parse_args(argv)
    result = Extraction()
    for path in args.files:
        result += extract_file(path)
    figures, documents, issues = result.frames()
    # dates as ISO text in both formats; a missing one is empty (astype(str) printed "None");
    # `value` is stored in kronor for money, so `unit` names that and the printed unit
    # stays beside it
    frame = issues if args.issues else _in_stored_units(figures.assign(
        period_start=figures["period_start"].map(_iso), period_end=figures["period_end"].map(_iso)))
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        frame.to_json(sys.stdout, orient="records", force_ascii=False, lines=True)
    failed = documents[documents["status"] == "failed"]
    for _, row in failed.iterrows():
        print(f"failed: {row['source']}: {row['error']}", file=sys.stderr)
    return 1 if len(failed) else 0


def _in_stored_units(figures: pd.DataFrame) -> pd.DataFrame:
    """``unit`` as the unit of ``value`` (kr for every amount: values are normalised to
    kronor) and the unit the document printed as ``unit_as_printed``, next to it."""
    stored = figures["unit"].where(~figures["unit"].isin(list(UNIT_FACTORS)), "kr")
    frame = figures.assign(unit=stored)
    frame.insert(frame.columns.get_loc("unit") + 1, "unit_as_printed", figures["unit"])
    return frame


def _iso(day: date | None) -> str | None:
    return None if pd.isna(day) else day.isoformat()


if __name__ == "__main__":
    sys.exit(extract_command(sys.argv[1:]))
