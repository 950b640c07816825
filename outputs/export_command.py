"""``finsam export``: write the exports on demand, optionally for one association or year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion import config
from outputs.export import export_all
from outputs.marts import (
    FUNDING,
    MARTS,
    Filters,
    UnknownAssociation,
    find_association,
    load_snapshot,
    open_warehouse,
)


def export_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="finsam export",
        description="Write the workbook, CSV, Parquet, charts and HTML report from the "
        "published warehouse.",
    )
    parser.add_argument("--association", metavar="ID_OR_NAME",
                        help="only this association: its id (data/reference/associations.csv)"
                        " or its name")
    parser.add_argument("--year", type=int, metavar="YYYY", help="only this year")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="folder to write to (default: data/exports, or for a filtered "
                        "export data/exports/<association>-<year>, so the nightly exports "
                        "stay whole)")
    args = parser.parse_args(argv)

    warehouse = config.published_warehouse_path()
    if not warehouse.exists():
        print(f"finsam export: no warehouse at {warehouse}; run a refresh first",
              file=sys.stderr)
        return 1
    filters = Filters(year=args.year)
    if args.association:
        try:
            association_id, name = find_association(warehouse, args.association)
        except UnknownAssociation as error:
            print(f"finsam export: {error}", file=sys.stderr)
            return 2
        filters = Filters(association_id, args.year, name)
    # A filtered export never replaces the refresh's whole exports: the nightly run counts
    # those as written from the published warehouse.
    filtered = filters.association_id is not None or filters.year is not None
    out_dir = args.out or (config.exports_dir() / _folder(filters) if filtered
                           else config.exports_dir())
    snapshot = load_snapshot(warehouse, filters)
    # the model's parameters are no data of an association or a year's reports
    if not any(len(snapshot.frame(mart)) for mart in MARTS if mart.has_association):
        print(f"finsam export: nothing matches {_described(filters)} ({_years(warehouse)}); "
              "no file written", file=sys.stderr)
        return 3
    for path in export_all(warehouse, out_dir, filters, snapshot):
        print(path)
    return 0


def _folder(filters: Filters) -> str:
    return "-".join(str(part) for part in (filters.association_id, filters.year)
                    if part is not None)


def _described(filters: Filters) -> str:
    parts = []
    if filters.association_id:
        parts.append(f"association {filters.association_id} ({filters.association_name})")
    if filters.year is not None:
        parts.append(f"year {filters.year}")
    return " and ".join(parts) or "the whole warehouse"


def _years(warehouse: Path) -> str:
    with open_warehouse(warehouse) as con:
        first, last = con.execute(
            f"select min(year), max(year) from marts.{FUNDING.table}").fetchone()
    return f"the warehouse's budget years are {first}-{last}" if first else \
        "the warehouse holds no funding rows"


if __name__ == "__main__":
    raise SystemExit(export_command(sys.argv[1:]))
