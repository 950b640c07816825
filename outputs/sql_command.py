"""``finsam sql``: query the published warehouse from the shell, read-only.

The DuckDB command line is not part of the ``duckdb`` Python package, and the ``duckdb-cli``
wheel on PyPI lags behind it (1.5.6 refuses this warehouse's storage format, written by
DuckDB 2.0), so the set-up ships this instead: the same engine that wrote the file.

    finsam sql "select * from marts.fct_funding_vs_ideal limit 5"
    finsam sql < bench/queries/q01_furthest_below_ideal.sql
    finsam sql --csv "select ..." > out.csv
    finsam sql                      # interactive: statements end with ';', .quit to leave
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import duckdb

from ingestion import config

# Rows shown in a table before DuckDB elides the middle; --csv prints every row.
SHOWN_ROWS = 200


def sql_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="finsam sql",
        description="Run SQL on the published warehouse, read-only (the refresh replaces the "
        "file atomically; this connection keeps seeing the warehouse it opened).",
    )
    parser.add_argument("query", nargs="?", help="SQL to run; without it, read it from "
                        "standard input (or ask for it when that is a terminal)")
    parser.add_argument("--csv", action="store_true", help="print every row as CSV")
    parser.add_argument("--warehouse", type=Path, metavar="FILE",
                        help="another DuckDB file (default: the published warehouse)")
    args = parser.parse_args(argv)

    path = args.warehouse or config.published_warehouse_path()
    if not path.exists():
        print(f"finsam sql: no warehouse at {path}; run `finsam refresh`", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        if args.query is not None:
            return _run(con, args.query, args.csv)
        if not sys.stdin.isatty():
            return _run(con, sys.stdin.read(), args.csv)
        return _interactive(con, args.csv)


def _run(con: duckdb.DuckDBPyConnection, sql: str, as_csv: bool) -> int:
    """Run every statement of ``sql``; print what the last one returns."""
    try:
        relation = con.sql(sql)
    except duckdb.Error as error:
        print(f"finsam sql: {error}", file=sys.stderr)
        return 1
    if relation is None:  # a statement without a result (e.g. SET)
        return 0
    if as_csv:
        relation.df().to_csv(sys.stdout, index=False)
    else:
        relation.show(max_rows=SHOWN_ROWS, max_width=_width())
    return 0


def _interactive(con: duckdb.DuckDBPyConnection, as_csv: bool) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    print(f"{config.published_warehouse_path()} (read-only). End a statement with ';', "
          "leave with .quit or Ctrl-D.")
    lines: list[str] = []
    while True:
        try:
            line = input("finsam> " if not lines else "   ...> ")
        except EOFError:
            print()
            return 0
        if not lines and line.strip() in {".quit", ".exit"}:
            return 0
        lines.append(line)
        if line.rstrip().endswith(";"):
            _run(con, "\n".join(lines), as_csv)
            lines = []


def _width() -> int:
    import shutil

    return shutil.get_terminal_size((160, 40)).columns


if __name__ == "__main__":
    raise SystemExit(sql_command(sys.argv[1:]))
