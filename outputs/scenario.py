"""``finsam scenario``: the marts rebuilt with other model parameters, beside the warehouse.

An analyst asks "what if the population weight were 0.5?" without touching the published
warehouse: the published file is copied, dbt rebuilds the models in the copy with the given
vars (`dbt_project/dbt_project.yml` lists them), and the funding comparison is printed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import duckdb

from ingestion import config
from ingestion.warehouse import run_dbt


def scenario_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="finsam scenario",
        description="Rebuild the marts in a copy of the published warehouse with other vars.",
    )
    parser.add_argument("--vars", required=True, metavar="YAML",
                        help="dbt vars, e.g. \"{population_weight: 0.5, measure_weight: 0.5}\"")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="the scenario warehouse (default: data/scenarios/scenario.duckdb)")
    args = parser.parse_args(argv)

    published = config.published_warehouse_path()
    if not published.exists():
        print(f"no published warehouse at {published}; run `finsam refresh`", file=sys.stderr)
        return 1
    out = (args.out or config.data_dir() / "scenarios" / "scenario.duckdb").resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(published, out)

    # seeds too: the scenario file may predate a change of the parameter seed
    result = run_dbt(out, ["--quiet", "build", "--resource-type", "seed", "--resource-type",
                           "model", "--vars", args.vars], out.parent / "dbt_target")
    if result.returncode != 0:
        print("dbt failed; the scenario file is incomplete", file=sys.stderr)
        return result.returncode
    print(f"scenario warehouse: {out}")
    with duckdb.connect(str(out), read_only=True) as con:
        print(con.sql(
            "select association_name, year, round(ideal_allocation_sek / 1e6, 1) as ideal_msek,"
            " round(contribution_total_sek / 1e6, 1) as actual_msek,"
            " round(100 * funding_ratio) as percent_of_ideal"
            " from marts.fct_funding_vs_ideal"
            " where year = (select max(year) from marts.fct_funding_vs_ideal"
            "               where contribution_total_sek is not null)"
            " order by funding_ratio nulls last, association_name"
        ))
    return 0
