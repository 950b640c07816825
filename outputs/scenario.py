"""``finsam scenario``: the marts rebuilt with other model parameters, beside the warehouse.

An analyst asks "what if the population weight were 0.5?" without touching the published
warehouse: the published file is copied, dbt rebuilds in the copy the models that read a var
(`dbt_project/dbt_project.yml` lists them) and everything built from them, and the year's
ideal allocations are printed as published, in the scenario, and the difference.

dbt runs in this process. It parses the project without the vars (a parse with vars is a
full parse, 5-8 s each time; without them dbt reuses its last parse) and builds with them:
the vars only enter the models' SQL, never which models exist or what they read. The
scenario then checks that the copy's parameters are the ones asked for.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from ingestion import config, warehouse
from outputs.marts import UNPLACED

# The vars that set a parameter of dim_allocation_parameters, by its column.
PARAMETER_VARS = {
    "state_pot_sek": "state_pot_sek",
    "base_per_association_sek": "base_per_association_sek",
    "measure_weight": "measure_weight",
    "population_weight": "population_weight",
    "association_count": "association_count",
    "data_year_lag": "data_year_lag",
    "population_age_min": "population_age_min",
    "population_age_max": "population_age_max",
}
# The seed of the parameters: rebuilt too, the copy may predate a change of it.
PARAMETER_SEED = "allocation_parameters"


class ScenarioError(RuntimeError):
    pass


def scenario_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="finsam scenario",
        description="Rebuild the allocation in a copy of the published warehouse with other "
        "model parameters and print the ideal allocations as published, in the scenario, and "
        "the difference.",
    )
    parser.add_argument("--vars", required=True, metavar="YAML",
                        help="dbt vars, e.g. \"{population_weight: 0.5, measure_weight: 0.5}\"")
    parser.add_argument("--year", type=int, metavar="YYYY",
                        help="the budget year to print (default: the last year with known "
                        "funding, else the last with an ideal allocation)")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="the scenario warehouse (default: data/scenarios/scenario.duckdb)")
    args = parser.parse_args(argv)

    try:
        dbt_vars = parse_vars(args.vars)
    except ScenarioError as error:
        parser.error(str(error))
    published = config.published_warehouse_path()
    if not published.exists():
        print(f"no published warehouse at {published}; run `finsam refresh`", file=sys.stderr)
        return 1
    out = (args.out or config.data_dir() / "scenarios" / "scenario.duckdb").resolve()
    try:
        build_scenario(published, out, dbt_vars)
        comparison = compare(published, out, args.year)
    except ScenarioError as error:
        print(f"finsam scenario: {error}", file=sys.stderr)
        return 1
    print(f"scenario warehouse: {out} (the published warehouse is unchanged)")
    print(comparison.render())
    return 0


def parse_vars(text: str) -> dict[str, Any]:
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError(f"--vars is not YAML: {error}") from None
    if not isinstance(parsed, dict) or not parsed:
        raise ScenarioError("--vars must be a mapping, e.g. \"{population_age_max: 64}\"")
    # The two keys share the pot between them: one weight alone, or two that do not add up
    # to 1, would hand out more or less than the pot.
    weights = [parsed.get("measure_weight"), parsed.get("population_weight")]
    if weights != [None, None] and (
            None in weights or not all(isinstance(w, int | float) for w in weights)
            or abs(sum(weights) - 1) > 1e-9):
        raise ScenarioError(
            "measure_weight and population_weight are the two keys' shares of the pot: give "
            "both, adding up to 1, e.g. \"{measure_weight: 0.6, population_weight: 0.4}\" "
            f"(got {weights[0]} and {weights[1]})")
    return parsed


def build_scenario(published: Path, out: Path, dbt_vars: dict[str, Any]) -> Path:
    """``out``: a copy of ``published`` whose var-reading models (and what is built from
    them) dbt rebuilt with ``dbt_vars``. Nothing is written to ``out`` when dbt fails."""
    from dbt.cli.main import dbtRunner

    out.parent.mkdir(parents=True, exist_ok=True)
    # dbt writes a file named as a refresh's build file, in a folder of its own: the profile
    # is then the one the project's prepared parse was made with (ingestion.warehouse.dbt_env),
    # so dbt starts from that parse instead of parsing the whole project (5-8 s).
    work = out.parent / f"{out.stem}.build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    database = work / config.build_warehouse_path().name
    shutil.copyfile(published, database)
    target = out.parent / "dbt_target"
    warehouse.seed_partial_parse(target)
    common = ["--quiet", "--project-dir", str(config.DBT_PROJECT_DIR),
              "--profiles-dir", str(config.DBT_PROFILES_DIR),
              "--target-path", str(target), "--log-path", str(target)]
    try:
        with _dbt_database(database):
            manifest = _parsed(common)
            selection = [f"{name}+" for name in [PARAMETER_SEED, *models_reading_vars(manifest)]]
            built = dbtRunner(manifest=manifest).invoke([
                "build", "--select", *selection, "--resource-type", "seed",
                "--resource-type", "model", "--vars", yaml.safe_dump(dbt_vars,
                                                                     default_flow_style=True),
                *common])
        if not built.success:
            raise ScenarioError(f"dbt failed ({built.exception or 'see ' + str(target)}); "
                                f"no scenario written to {out}")
        _check_parameters(database, dbt_vars)
        os.replace(database, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


# The project as dbt parsed it, kept for a second scenario in this process (the database's
# name, and with it the models' relations, is the same for every scenario).
_PARSED: list[Any] = []


def _parsed(common: list[str]) -> Any:
    from dbt.cli.main import dbtRunner

    if not _PARSED:
        parsed = dbtRunner().invoke(["parse", *common])
        if not parsed.success:
            raise ScenarioError(f"dbt could not parse the project: {parsed.exception}")
        _PARSED.append(parsed.result)
    return _PARSED[0]


def models_reading_vars(manifest: Any) -> list[str]:
    """The project's models whose SQL reads a var, directly or through a macro of the
    project: the ones a scenario must rebuild (with what is built from them)."""
    project = manifest.metadata.project_name if manifest.metadata else "finsam"
    macros = {uid: macro for uid, macro in manifest.macros.items()
              if macro.package_name == project}
    reading = {uid for uid, macro in macros.items() if "var(" in macro.macro_sql}
    grew = True
    while grew:  # macros calling a macro that reads a var
        grew = False
        for uid, macro in macros.items():
            if uid not in reading and reading & set(macro.depends_on.macros):
                reading.add(uid)
                grew = True
    return sorted(
        node.name for node in manifest.nodes.values()
        if node.resource_type == "model" and node.package_name == project
        and ("var(" in node.raw_code or reading & set(node.depends_on.macros))
    )


@contextmanager
def _dbt_database(path: Path) -> Iterator[None]:
    """dbt writes the file named by FINSAM_DBT_DATABASE (dbt_project/profiles.yml), in the
    folder it runs in: this process works in ``path``'s folder meanwhile. dbt-duckdb keeps
    its DuckDB instance open in the process after a run; it is closed on leaving, so the
    file can be read read-only, copied or replaced."""
    saved = os.environ.get(config.DBT_DATABASE_VARIABLE)
    os.environ[config.DBT_DATABASE_VARIABLE] = path.name
    try:
        with chdir(path.parent):
            yield
    finally:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
        from dbt.adapters.factory import cleanup_connections, reset_adapters

        cleanup_connections()
        reset_adapters()
        DuckDBConnectionManager.close_all_connections()
        gc.collect()  # the instance closes when its last reference goes
        if saved is None:
            os.environ.pop(config.DBT_DATABASE_VARIABLE, None)
        else:
            os.environ[config.DBT_DATABASE_VARIABLE] = saved


def _check_parameters(out: Path, dbt_vars: dict[str, Any]) -> None:
    """Every parameter var given is the value of that parameter in every year of the copy:
    the build used the vars (a parse without them cannot have left one out)."""
    given = {column: dbt_vars[var] for var, column in PARAMETER_VARS.items() if var in dbt_vars}
    if not given:
        return
    with duckdb.connect(str(out), read_only=True) as con:
        parameters = con.execute("select * from marts.dim_allocation_parameters").df()
    for column, value in given.items():
        values = parameters[column]
        if not (values.astype(float) - float(value)).abs().lt(1e-9).all():
            raise ScenarioError(f"the scenario's {column} is {sorted(set(values))}, not {value}")


@dataclass(frozen=True)
class Comparison:
    year: int
    parameters: pd.DataFrame  # published and scenario parameters of the year, by column
    rows: pd.DataFrame  # one row per unit: name, funding, ideals, difference, shares

    def render(self) -> str:
        lines = [f"budget year {self.year}", ""]
        lines.append(f"{'parameter':<28}{'published':>18}{'scenario':>18}")
        for name, row in self.parameters.iterrows():
            mark = "" if row["published"] == row["scenario"] else "  *"
            lines.append(f"{name:<28}{row['published']:>18}{row['scenario']:>18}{mark}")
        lines.append("")
        header = (f"{'association':<44}{'funding':>14}{'ideal published':>17}"
                  f"{'ideal scenario':>16}{'difference':>14}{'share':>8}{'share':>8}")
        lines += [header, f"{'':<44}{'(kr)':>14}{'(kr)':>17}{'(kr)':>16}{'(kr)':>14}"
                  f"{'publ.':>8}{'scen.':>8}"]
        for row in self.rows.itertuples(index=False):
            lines.append(
                f"{_cut(row.name, 43):<44}{_kr(row.funding):>14}{_kr(row.published):>17}"
                f"{_kr(row.scenario):>16}{_signed(row.difference):>14}"
                f"{_share(row.funding, row.published):>8}{_share(row.funding, row.scenario):>8}")
        totals = self.rows[["published", "scenario", "difference"]].sum()
        lines.append(f"{'total (state share x multiplier)':<44}{'':>14}"
                     f"{_kr(totals['published']):>17}{_kr(totals['scenario']):>16}"
                     f"{_signed(totals['difference']):>14}")
        return "\n".join(lines)


def compare(published: Path, scenario: Path, year: int | None = None) -> Comparison:
    """The year's ideal allocation of every unit, published beside the scenario."""
    before, before_parameters = _read(published)
    after, after_parameters = _read(scenario)
    if year is None:
        known = before.loc[before["contribution_total_sek"].notna(), "year"]
        year = int(known.max()) if len(known) else int(before["year"].max())
    joined = before[before["year"] == year].merge(
        after[after["year"] == year][["association_id", "ideal_allocation_sek"]],
        on="association_id", how="outer", suffixes=("_published", "_scenario"))
    if joined.empty:
        raise ScenarioError(f"no ideal allocation for {year} in the warehouse")
    rest = joined["association_id"] == UNPLACED
    joined = pd.concat([joined[~rest].sort_values("association_name"), joined[rest]])
    rows = pd.DataFrame({
        "name": [f"{n} (no association)" if a == UNPLACED else n
                 for a, n in zip(joined["association_id"], joined["association_name"],
                                 strict=True)],
        "funding": joined["contribution_total_sek"].astype(float),
        "published": joined["ideal_allocation_sek_published"].astype(float),
        "scenario": joined["ideal_allocation_sek_scenario"].astype(float),
    })
    # of the whole kronor shown, so that the columns add up as printed
    rows["difference"] = rows["scenario"].map(_whole) - rows["published"].map(_whole)
    parameters = pd.DataFrame({
        "published": _parameter_texts(before_parameters, year),
        "scenario": _parameter_texts(after_parameters, year),
    })
    return Comparison(year, parameters, rows.reset_index(drop=True))


def _read(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        funding = con.execute(
            "select association_id, association_name, year, contribution_total_sek, "
            "ideal_allocation_sek from marts.fct_funding_vs_ideal "
            "where ideal_allocation_sek is not null").df()
        parameters = con.execute("select * from marts.dim_allocation_parameters").df()
    return funding, parameters


def _parameter_texts(parameters: pd.DataFrame, year: int) -> dict[str, str]:
    rows = parameters[parameters["year"] == year]
    if rows.empty:
        return {}
    p = rows.iloc[0]
    return {
        "state pot (kr)": _kr(p["state_pot_sek"]),
        "base per association (kr)": _kr(p["base_per_association_sek"]),
        "measure weight (HE)": f"{float(p['measure_weight']):g}",
        "population weight": f"{float(p['population_weight']):g}",
        "associations (base amounts)": str(int(p["association_count"])),
        "age band": f"{int(p['population_age_min'])}-{int(p['population_age_max'])}",
        "data year": str(int(p["data_year"])),
    }


def _whole(value: float) -> float:
    """Whole kronor, half a krona up (as the report's what-if shows them)."""
    if pd.isna(value):
        return value
    return float(Decimal(repr(float(value))).quantize(Decimal(1), ROUND_HALF_UP))


def _kr(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{int(_whole(float(value))):,}".replace(",", " ")


def _signed(value: object) -> str:
    text = _kr(value)
    return f"+{text}" if text and float(value) > 0 else text  # type: ignore[arg-type]


def _share(funding: float, ideal: float) -> str:
    if pd.isna(funding) or pd.isna(ideal) or not ideal:
        return ""
    return f"{100 * funding / ideal:.1f}%"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

