"""``finsam extract FILE... [--format csv|json]``: print the figures read from documents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion.reports.extract import Extraction, extract_file


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
    # dates as ISO text in both formats
    frame = issues if args.issues else figures.assign(
        period_start=figures["period_start"].astype(str),
        period_end=figures["period_end"].astype(str))
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        frame.to_json(sys.stdout, orient="records", force_ascii=False, lines=True)
    failed = documents[documents["status"] == "failed"]
    for _, row in failed.iterrows():
        print(f"failed: {row['source']}: {row['error']}", file=sys.stderr)
    return 1 if len(failed) else 0


if __name__ == "__main__":
    sys.exit(extract_command(sys.argv[1:]))
