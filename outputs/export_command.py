"""``finsam export``: write the exports on demand, optionally for one association or year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion import config
from outputs.export import export_all
from outputs.marts import FUNDING, Filters, open_warehouse


def export_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="finsam export",
        description="Write the workbook, CSV, Parquet, charts and HTML report from the "
        "published warehouse.",
    )
    parser.add_argument("--association", metavar="ID",
                        help="only this association (id as in data/reference/associations.csv)")
    parser.add_argument("--year", type=int, metavar="YYYY", help="only this year")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="folder to write to (default: data/exports)")
    args = parser.parse_args(argv)

    warehouse = config.published_warehouse_path()
    out_dir = args.out or config.exports_dir()
    filters = Filters(association_id=args.association, year=args.year)
    if not warehouse.exists():
        print(f"finsam export: no warehouse at {warehouse}; run a refresh first",
              file=sys.stderr)
        return 1
    if filters.association_id and not _association_exists(warehouse, filters.association_id):
        print(f"finsam export: unknown association id {filters.association_id!r} "
              "(see marts.dim_association)", file=sys.stderr)
        return 2
    for path in export_all(warehouse, out_dir, filters):
        print(path)
    return 0


def _association_exists(warehouse: Path, association_id: str) -> bool:
    with open_warehouse(warehouse) as con:
        found = con.execute(
            "select 1 from marts.dim_association where association_id = ? union all "
            f"select 1 from marts.{FUNDING.table} where association_id = ? limit 1",
            [association_id, association_id],
        ).fetchone()
    return found is not None


if __name__ == "__main__":
    raise SystemExit(export_command(sys.argv[1:]))
