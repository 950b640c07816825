"""Build the dbt project against hand-made raw tables in a temporary data directory.

Each call writes the raw tables into ``<data_dir>/build/warehouse.duckdb`` and runs dbt in
a subprocess on that file (``ingestion.warehouse.run_dbt``), so runs of parallel tests
never share an environment variable, a target folder or a log folder.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ingestion import contracts, warehouse


def raw_frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A raw table in its contract's columns and types (``ingestion.contracts``); missing
    fields are null and ``source``/``is_sample`` default to a test marker and false."""
    defaults = {"source": "test", "is_sample": False}
    names = [c.name for c in contracts.written_columns(table)]
    return contracts.raw_frame(
        table, [{**{k: v for k, v in defaults.items() if k in names}, **row} for row in rows])


def write_raw_tables(data_dir: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write every raw table of the contract (absent ones empty) into the build file."""
    path = data_dir / "build" / "warehouse.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.connect(path) as con:
        for table in contracts.raw_table_names():
            warehouse.write_table(con, "raw", table, raw_frame(table, tables.get(table, [])))
    return path


# One dbt target folder for the session's dbt runs, and the database named relative to each
# run's folder: dbt then parses the project once and reuses it (another database path is
# another profile to dbt, which parses everything again: ~5 s a run).
TARGET = Path(tempfile.mkdtemp(prefix="finsam-dbt-target-"))


def run_dbt(
    data_dir: Path, *args: str, dbt_vars: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` on the project against ``data_dir``; raises with dbt's output when
    it fails."""
    dbt_args = [*args, "--vars", json.dumps(dbt_vars)] if dbt_vars else list(args)
    result = warehouse.run_dbt(Path("build") / "warehouse.duckdb", dbt_args, TARGET,
                               cwd=data_dir, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def build_warehouse(
    data_dir: Path,
    tables: dict[str, list[dict[str, Any]]],
    dbt_vars: dict[str, Any] | None = None,
    command: str = "build",
) -> Path:
    """Write the raw tables and run ``dbt <command>``; returns the warehouse file."""
    path = write_raw_tables(data_dir, tables)
    run_dbt(data_dir, command, dbt_vars=dbt_vars)
    return path


def query(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).df()


def three_association_case() -> dict[str, list[dict[str, Any]]]:
    """A small hand-made country: three associations, six municipalities, statistics of
    2022 (the data year of budget year 2024) and reports of 2024.

    Population in the model's age band of data year 2022 (16-65): 0001 40 000, 0002 20 000,
    0003 30 000, 0004 10 000, 0005 100 000, 0006 70 000. HE (total) in 2022: 1 500, 500,
    1 500, 1 500, 5 000, 8 888. On 1 January 2024 sf-a has 0001 and 0002 (0005 left on
    2023-06-30 and is unplaced since), sf-b has 0003 (0006 joins on 2024-01-02; until then
    it is documented as outside every association) and sf-c has 0004 (joins on
    2024-01-01).
    """
    municipalities = [
        {"municipality_code": code, "municipality_name": name, "county_code": "01"}
        for code, name in [
            ("0001", "Alfa"),
            ("0002", "Beta"),
            ("0003", "Gamma"),
            ("0004", "Delta"),
            ("0005", "Epsilon"),
            ("0006", "Zeta"),
        ]
    ]
    for row in municipalities:
        row["county_name"] = "Testlän"
    associations = [
        {
            "association_id": f"sf-{x}",
            "association_name": f"Förbund {x.upper()}",
            "county_code": "01",
            "source": "https://example.org/registry",
        }
        for x in "abc"
    ]
    members = [
        {"association_id": "sf-a", "municipality_code": "0001", "valid_from": "2010-01-01"},
        {"association_id": "sf-a", "municipality_code": "0002", "valid_from": "2010-01-01"},
        {
            "association_id": "sf-a",
            "municipality_code": "0005",
            "valid_from": "2010-01-01",
            "valid_to": "2023-06-30",
        },
        {"association_id": "sf-b", "municipality_code": "0003", "valid_from": "2010-01-01"},
        {"association_id": "sf-b", "municipality_code": "0006", "valid_from": "2024-01-02"},
        {"association_id": "sf-c", "municipality_code": "0004", "valid_from": "2024-01-01"},
    ]
    for row in members:
        row.update(confidence="confirmed", source="https://example.org/members")
    outside = [
        {
            "municipality_code": "0006",
            "valid_from": "2020-01-01",
            "valid_to": "2024-01-01",
            "source": "https://example.org/outside",
        },
    ]
    population_in_band = {
        "0001": 40_000,
        "0002": 20_000,
        "0003": 30_000,
        "0004": 10_000,
        "0005": 100_000,
        "0006": 70_000,
    }
    population = []
    for code, total in population_in_band.items():
        for sex in ("women", "men"):
            # a quarter at each end of the band, plus people just outside it
            for age, persons in ((15, 1_000), (16, total // 4), (65, total // 4), (66, 1_000)):
                population.append(
                    {
                        "municipality_code": code,
                        "year": 2022,
                        "age": age,
                        "sex": sex,
                        "population": persons,
                    }
                )
    he_total = {
        "0001": 1_500,
        "0002": 500,
        "0003": 1_500,
        "0004": 1_500,
        "0005": 5_000,
        "0006": 8_888,
    }
    social_assistance = {
        "0001": 300, "0002": 100, "0003": 600, "0004": 500, "0005": 1_000, "0006": 1
    }
    full_year_equivalents = []
    for code, he in he_total.items():
        full_year_equivalents += [
            {
                "municipality_code": code,
                "year": 2022,
                "sex": "total",
                "benefit_type": "total",
                "full_year_equivalents": he,
            },
            # per-sex rows must not be added to the total
            {
                "municipality_code": code,
                "year": 2022,
                "sex": "women",
                "benefit_type": "total",
                "full_year_equivalents": he / 2,
            },
            {
                "municipality_code": code,
                "year": 2022,
                "sex": "total",
                "benefit_type": "social_assistance",
                "full_year_equivalents": social_assistance[code],
            },
        ]
    he_population_share = [
        {
            "municipality_code": code,
            "year": 2022,
            "sex": "total",
            "age_band": "20-64",
            "population": population,
            "share_pct": 3.9,
        }
        for code, population in (("0001", 38_000), ("0002", 18_000), ("0005", 90_000))
    ]
    unemployment = [
        {"municipality_code": "0001", "month": "2024-01-01", "persons": 100, "labour_force": 2_000},
        {
            "municipality_code": "0002",
            "month": "2024-01-01",
            "persons": None,
            "labour_force": 1_000,
        },
        {"municipality_code": "0005", "month": "2024-01-01", "persons": 999, "labour_force": 9_999},
    ]
    for row in unemployment:
        row.update(age_band="16-64", sex="total", measure="registered_unemployed")
    documents = [
        ("doc-a-2024", "sf-a", "annual_report", "2024-01-01", "2024-12-31"),
        ("doc-a-2024h1", "sf-a", "half_year_report", "2024-01-01", "2024-06-30"),
        ("doc-b-2024", "sf-b", "budget_follow_up", "2024-01-01", "2024-12-31"),
    ]
    report_documents = [
        {
            "document_id": doc,
            "association_id": assoc,
            "report_type": kind,
            "period_start": start,
            "period_end": end,
            "status": "loaded",
            "n_figures": 1,
        }
        for doc, assoc, kind, start, end in documents
    ]
    kinds = {doc: (assoc, kind, start, end) for doc, assoc, kind, start, end in documents}

    def figure(doc: str, basis: str, metric: str, value: float, unit: str, **extra: Any) -> dict:
        assoc, kind, start, end = kinds[doc]
        return {
            "document_id": doc,
            "association_id": assoc,
            "report_type": kind,
            "period_start": start,
            "period_end": end,
            "basis": basis,
            "metric": metric,
            "value": value,
            "unit": unit,
            "page": 1,
            "line": 1,
            "origin": "extracted",
            "check_status": "ok",
            **extra,
        }

    x = {"intervention": "Insats X"}  # one intervention's figures, per gender and reason
    report_figures = [
        figure("doc-a-2024", "outcome", "member_contribution", 16_000_000, "tkr", member="state"),
        figure("doc-a-2024", "outcome", "member_contribution", 8_000_000, "tkr", member="region"),
        # an analyst's correction wins over the extracted figure
        figure("doc-a-2024", "outcome", "member_contribution", 8_100_000, "tkr", member="region",
               origin="override"),
        figure("doc-a-2024", "outcome", "member_contribution", 8_000_000, "tkr",
               member="municipality"),
        # the outcome wins over the budget of the same year
        figure("doc-a-2024", "budget", "member_contribution", 17_000_000, "tkr", member="state"),
        # half a year is not a year's contribution
        figure("doc-a-2024h1", "outcome", "member_contribution", 8_000_000, "tkr", member="state"),
        figure("doc-a-2024", "outcome", "ideal_allocation_share", 58, "percent"),
        figure("doc-a-2024", "outcome", "ideal_allocation_amount", 57_500_000, "mnkr"),
        *(figure("doc-a-2024", "outcome", metric, value, "persons", **x, gender=gender)
          for metric, value, gender in (("participants", 100, "total"),
                                        ("participants", 60, "women"),
                                        ("participants_started", 70, "total"),
                                        ("participants_exited", 50, "total"))),
        *(figure("doc-a-2024", "outcome", "exits", value, "persons", **x, gender="total",
                 reason=reason) for value, reason in ((20, "work"), (10, "studies"))),
        figure("doc-a-2024", "budget", "intervention_cost", 2_000_000, "tkr", **x),
        figure("doc-a-2024", "outcome", "intervention_cost", 1_800_000, "tkr", **x),
        *(figure("doc-b-2024", "budget", "member_contribution", value, "tkr", member=member)
          for member, value in (("state", 10_000_000), ("region", 5_000_000),
                                ("municipality", 5_000_000))),
    ]
    report_issues = [
        {
            "document_id": "doc-a-2024",
            "check_name": "sum_of_members",
            "severity": "warning",
            "line": 1,
            "message": "members do not add up to the total",
        },
    ]
    return {
        "municipalities": municipalities,
        "associations": associations,
        "association_members": members,
        "municipalities_outside": outside,
        "population": population,
        "full_year_equivalents": full_year_equivalents,
        "he_population_share": he_population_share,
        "unemployment": unemployment,
        "report_documents": report_documents,
        "report_figures": report_figures,
        "report_issues": report_issues,
    }
