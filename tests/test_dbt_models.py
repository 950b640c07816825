"""dbt models on a hand-made three-association country (tests/dbt_helpers.py).

Expected amounts are computed by hand below from the case's literal inputs and the model's
parameters for budget year 2024 in seeds/allocation_parameters.csv: pot 339 000 000, base
400 000 counted for the 70 associations documented for 2024 (the case's registry is
incomplete), weights 0.75 / 0.25, data year 2022, age band 16-65. Shares are over the
country less the municipality documented as outside (0006): population 200 000, HE 10 000.
distributed pot = 339 000 000 - 70 * 400 000 = 311 000 000.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.config import REPO_ROOT
from ingestion.validation.validate import check_model, model_checks
from outputs.scenario import scenario_command
from tests import dbt_helpers
from tests.dbt_helpers import (
    build_warehouse,
    query,
    run_dbt,
    three_association_case,
    write_raw_tables,
)

BENCH_QUERIES = sorted((REPO_ROOT / "bench" / "queries").glob("q*.sql"))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dbt_default")
    build_warehouse(path, three_association_case())
    return path


@pytest.fixture(scope="module")
def warehouse(data_dir: Path) -> Path:
    return data_dir / "build" / "warehouse.duckdb"


def scenario(tmp_path_factory: pytest.TempPathFactory, warehouse: Path, dbt_vars: str) -> Path:
    """``finsam scenario --vars dbt_vars`` on a published copy of the case's warehouse; the
    published file must come out untouched."""
    folder = tmp_path_factory.mktemp("scenario")
    published = folder / "warehouse.duckdb"
    shutil.copyfile(warehouse, published)
    digest = hashlib.sha256(published.read_bytes()).hexdigest()
    out = folder / "scenarios" / "what-if.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINSAM_DATA_DIR", str(folder))
        assert scenario_command(["--vars", dbt_vars, "--out", str(out)]) == 0
    assert hashlib.sha256(published.read_bytes()).hexdigest() == digest
    return out


@pytest.fixture(scope="module")
def scenario_warehouse(tmp_path_factory: pytest.TempPathFactory, warehouse: Path) -> Path:
    return scenario(tmp_path_factory, warehouse, "{measure_weight: 0.5, population_weight: 0.5}")


@pytest.fixture(scope="module")
def excluded_benefit_warehouse(tmp_path_factory: pytest.TempPathFactory,
                               warehouse: Path) -> Path:
    return scenario(tmp_path_factory, warehouse,
                    "{allocation_excluded_benefit_types: [social_assistance]}")


def ideal_by_association(path: Path, year: int = 2024) -> dict[str, float]:
    frame = query(
        path,
        "select association_id, ideal_allocation_sek from marts.fct_funding_vs_ideal "
        f"where year = {year} order by association_id",
    )
    return dict(zip(frame.association_id, frame.ideal_allocation_sek, strict=True))


DISTRIBUTED = 339_000_000 - 70 * 400_000


def test_ideal_allocation_matches_hand_computation(warehouse: Path) -> None:
    # Members on 1 Jan 2024, statistics of 2022; 0005 (left sf-a in 2023) is unplaced:
    #   sf-a = 0001 + 0002: population 60 000 (share 0.3),  HE 2 000 (share 0.2)
    #   sf-b = 0003:        population 30 000 (0.15),        HE 1 500 (0.15)
    #   sf-c = 0004:        population 10 000 (0.05),        HE 1 500 (0.15)
    #   unplaced = 0005:    population 100 000 (0.5),        HE 5 000 (0.5), 67 bases
    # sf-a:     400 000 + 311 000 000 * (0.75*0.2  + 0.25*0.3  = 0.225) = 70 375 000
    # sf-b:     400 000 + 311 000 000 * (0.75*0.15 + 0.25*0.15 = 0.15)  = 47 050 000
    # sf-c:     400 000 + 311 000 000 * (0.75*0.15 + 0.25*0.05 = 0.125) = 39 275 000
    # unplaced: 67 * 400 000 + 311 000 000 * 0.5                        = 182 300 000
    assert ideal_by_association(warehouse) == pytest.approx(
        {"sf-a": 140_750_000, "sf-b": 94_100_000, "sf-c": 78_550_000, "unplaced": 364_600_000}
    )


def test_state_ideals_add_up_to_the_pot(warehouse: Path) -> None:
    total = query(
        warehouse,
        "select sum(ideal_state_allocation_sek) as total from marts.fct_funding_vs_ideal"
        " where year = 2024",
    ).total.iloc[0]
    assert float(total) == pytest.approx(339_000_000, abs=1)


def test_ideal_allocation_shares_scope_and_coverage(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select association_id, data_year, share_scope, age_band, n_municipalities,"
        " base_amounts, population_in_age_band, full_year_equivalents, population_share,"
        " he_share, denominator_population, denominator_population_coverage,"
        " registry_population_coverage, parameter_status"
        " from marts.fct_funding_vs_ideal where year = 2024 order by association_id",
    ).set_index("association_id")
    # 0005 left sf-a on 2023-06-30, 0006 joins sf-b on 2024-01-02 (outside until then):
    # neither counts for an association in 2024; 0004 joins sf-c on 2024-01-01 and counts.
    assert frame.n_municipalities.to_dict() == {"sf-a": 2, "sf-b": 1, "sf-c": 1, "unplaced": 1}
    assert frame.base_amounts.to_dict() == {"sf-a": 1, "sf-b": 1, "sf-c": 1, "unplaced": 67}
    assert set(frame.share_scope) == {"country_less_outside"}
    assert set(frame.age_band) == {"16-65"}
    assert frame.data_year.tolist() == [2022] * 4
    assert frame.population_in_age_band.to_dict() == {
        "sf-a": 60_000, "sf-b": 30_000, "sf-c": 10_000, "unplaced": 100_000
    }
    assert frame.population_share.to_dict() == pytest.approx(
        {"sf-a": 0.3, "sf-b": 0.15, "sf-c": 0.05, "unplaced": 0.5}
    )
    assert frame.he_share.to_dict() == pytest.approx(
        {"sf-a": 0.2, "sf-b": 0.15, "sf-c": 0.15, "unplaced": 0.5}
    )
    # the denominators are the country (270 000) less 0006 (70 000), documented outside
    assert set(frame.denominator_population) == {200_000}
    assert frame.denominator_population_coverage.tolist() == pytest.approx([200 / 270] * 4)
    assert frame.registry_population_coverage.tolist() == pytest.approx([100 / 270] * 4)
    assert frame.parameter_status.iloc[0].startswith("pot unconfirmed, base confirmed")


def test_years_without_statistics_get_no_ideal(warehouse: Path) -> None:
    # 2022 is a statistics year, but its own data year (2020) has no statistics
    frame = query(warehouse, "select * from marts.fct_funding_vs_ideal where year <> 2024")
    assert frame.empty


def test_scenario_weights_change_the_allocation(scenario_warehouse: Path) -> None:
    # measure_weight = population_weight = 0.5:
    # sf-a: 400 000 + 311 000 000 * (0.5*0.2 + 0.5*0.3 = 0.25)   = 78 150 000 -> x2
    # sf-b: 400 000 + 311 000 000 * (0.5*0.15 + 0.5*0.15 = 0.15) = 47 050 000 -> x2 (unchanged)
    # sf-c: 400 000 + 311 000 000 * (0.5*0.15 + 0.5*0.05 = 0.1)  = 31 500 000 -> x2
    assert ideal_by_association(scenario_warehouse) == pytest.approx(
        {"sf-a": 156_300_000, "sf-b": 94_100_000, "sf-c": 63_000_000, "unplaced": 364_600_000}
    )


def test_excluding_a_benefit_type_changes_the_measure(excluded_benefit_warehouse: Path) -> None:
    # HE without social assistance: sf-a 2 000 - 400 = 1 600, sf-b 1 500 - 600 = 900,
    # sf-c 1 500 - 500 = 1 000, unplaced 5 000 - 1 000 = 4 000; total 7 500. Population
    # shares stay 0.3 / 0.15 / 0.05 / 0.5.
    assert ideal_by_association(excluded_benefit_warehouse) == pytest.approx(
        {
            "sf-a": 2 * (400_000 + DISTRIBUTED * (0.75 * 1_600 / 7_500 + 0.25 * 0.3)),
            "sf-b": 2 * (400_000 + DISTRIBUTED * (0.75 * 900 / 7_500 + 0.25 * 0.15)),
            "sf-c": 2 * (400_000 + DISTRIBUTED * (0.75 * 1_000 / 7_500 + 0.25 * 0.05)),
            "unplaced": 2 * (67 * 400_000 + DISTRIBUTED * (0.75 * 4_000 / 7_500 + 0.25 * 0.5)),
        }
    )
    he_share = query(
        excluded_benefit_warehouse,
        "select he_share from marts.fct_funding_vs_ideal where association_id = 'sf-a'",
    ).he_share.iloc[0]
    assert he_share == pytest.approx(0.2)  # HE itself is still all benefits


def test_funding_vs_ideal_uses_annual_outcome_and_override(warehouse: Path) -> None:
    row = query(
        warehouse, "select * from marts.fct_funding_vs_ideal where association_id = 'sf-a'"
    ).iloc[0]
    assert row.contribution_basis == "outcome"
    assert row.contribution_state_sek == 16_000_000  # not the budget's 17 000 000
    assert row.contribution_region_sek == 8_100_000  # the override, not the extracted 8 000 000
    assert row.contribution_municipalities_sek == 8_000_000
    assert row.contribution_total_sek == 32_100_000
    assert row.funding_ratio == pytest.approx(32_100_000 / 140_750_000)
    assert float(row.funding_gap_sek) == pytest.approx(32_100_000 - 140_750_000)
    assert float(row.funding_per_he_sek) == pytest.approx(16_050)  # 32 100 000 / 2 000
    assert float(row.funding_per_inhabitant_sek) == pytest.approx(535)  # / 60 000
    assert row.he_rate_pct == pytest.approx(100 * 2_000 / (38_000 + 18_000))
    # computed and reported side by side
    assert row.reported_ideal_share_pct == 58
    assert row.reported_ideal_allocation_sek == 57_500_000
    assert row.ideal_vs_reported_difference_pct == pytest.approx(
        100 * (140_750_000 - 57_500_000) / 57_500_000
    )
    assert row.funding_ratio_vs_reported_pct_points == pytest.approx(
        100 * 32_100_000 / 140_750_000 - 58
    )
    assert row.contribution_document_id == "doc-a-2024"
    assert not row.is_sample


def test_funding_vs_ideal_falls_back_to_budget(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select association_id, contribution_basis, contribution_total_sek"
        " from marts.fct_funding_vs_ideal order by association_id",
    )
    assert frame.contribution_basis.tolist() == ["outcome", "budget", None, None]
    assert frame.contribution_total_sek.tolist()[:2] == [32_100_000, 20_000_000]


def test_he_by_benefit_uses_members_of_the_statistics_year(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select association_id, benefit_type, full_year_equivalents, he_population, he_rate_pct"
        " from marts.fct_he_by_benefit where year = 2022 order by 1, 2",
    )
    rows = {(r.association_id, r.benefit_type): r for r in frame.itertuples()}
    # on 1 Jan 2022 sf-a has 0001, 0002 and 0005; sf-c has no members yet
    assert rows[("sf-a", "total")].full_year_equivalents == 1_500 + 500 + 5_000
    assert rows[("sf-a", "social_assistance")].full_year_equivalents == 300 + 100 + 1_000
    # SCB's own HE rate: HE per inhabitant of its HE band (20-64)
    assert rows[("sf-a", "total")].he_population == 38_000 + 18_000 + 90_000
    assert rows[("sf-a", "total")].he_rate_pct == pytest.approx(100 * 7_000 / 146_000)
    assert set(frame.association_id) == {"sf-a", "sf-b"}


def test_unemployment_is_summed_over_members(warehouse: Path) -> None:
    row = query(warehouse, "select * from marts.fct_unemployment_monthly").iloc[0]
    # 0001 (100 of 2 000) and 0002 (masked, of 1 000); 0005 left sf-a in 2023
    assert (row.association_id, row.persons, row.labour_force) == ("sf-a", 100, 3_000)
    # the share of sums over the members whose count is known: 100 of 0001's 2 000
    assert row.share_pct == pytest.approx(100 * 100 / 2_000)
    assert row.n_municipalities_masked == 1


def test_outcome_facts(warehouse: Path) -> None:
    participants = query(
        warehouse, "select * from marts.fct_participants where gender = 'total'"
    ).iloc[0]
    assert (participants.participants, participants.participants_started) == (100, 70)
    assert participants.participants_exited == 50
    exits = query(warehouse, "select reason, exits from marts.fct_exits order by reason")
    assert dict(zip(exits.reason, exits.exits, strict=True)) == {"studies": 10, "work": 20}
    costs = query(warehouse, "select * from marts.fct_intervention_costs").iloc[0]
    assert (costs.budget_sek, costs.outcome_sek) == (2_000_000, 1_800_000)
    assert costs.difference_sek == 200_000
    assert costs.cost_per_participant_sek == 18_000  # 1 800 000 / 100


def test_association_finances_keep_every_money_figure_once(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select * from marts.fct_association_finances where association_id = 'sf-a'"
        " and metric = 'member_contribution' and member = 'region'",
    )
    assert frame[["value_sek", "origin", "n_candidates"]].values.tolist() == [
        [8_100_000, "override", 2]
    ]
    assert bool(frame.has_conflicting_values.iloc[0])


def test_docs_generate_writes_the_catalogue(data_dir: Path) -> None:
    run_dbt(data_dir, "docs", "generate", "--no-compile")  # the module's build compiled it
    catalog = json.loads((dbt_helpers.TARGET / "catalog.json").read_text())
    assert "model.finsam.fct_funding_vs_ideal" in catalog["nodes"]
    assert "source.finsam.scb.population" in catalog["sources"]
    # every model, source and column that exists in the warehouse is documented
    manifest = json.loads((dbt_helpers.TARGET / "manifest.json").read_text())
    for kind in ("nodes", "sources"):
        for unique_id, table in catalog[kind].items():
            node = manifest[kind][unique_id]
            documented = {name for name, column in node["columns"].items() if column["description"]}
            assert node["description"], unique_id
            assert {name.lower() for name in table["columns"]} == documented, unique_id


def test_ten_bench_queries_run(warehouse: Path) -> None:
    assert len(BENCH_QUERIES) == 10
    for path in BENCH_QUERIES:
        frame = query(warehouse, path.read_text())
        assert len(frame.columns) > 0, path.name


def test_analyst_guide_shows_the_bench_queries() -> None:
    guide = (REPO_ROOT / "docs" / "analyst-guide.md").read_text()
    for path in BENCH_QUERIES:
        body = "\n".join(
            line for line in path.read_text().splitlines() if not line.startswith("--")
        ).strip()
        assert body in guide, f"{path.name} differs from its copy in docs/analyst-guide.md"
        assert path.name in guide


def test_bad_rows_fail_the_build_naming_the_test_and_the_check(tmp_path: Path) -> None:
    """One build, two kinds of bad rows: a municipality in two associations at once breaks
    the memberships' grain (primary_key), and a report figure without its document breaks a
    row check, each failing row naming the check it breaks (row_checks)."""
    case = three_association_case()
    # 0003 also in sf-a while it is in sf-b: a municipality in two associations at once
    case["association_members"].append(
        {"association_id": "sf-a", "municipality_code": "0003", "valid_from": "2020-01-01"}
    )
    orphan = {**case["report_figures"][0], "document_id": None, "metric": "costs_total"}
    case["report_figures"].append(orphan)
    write_raw_tables(tmp_path, case)
    with pytest.raises(AssertionError) as failure:
        run_dbt(tmp_path, "build", "--store-failures", "--select",
                "+int_association_members_by_year", "+int_report_figures_deduplicated")
    assert "primary_key_int_association_members_by_year" in str(failure.value)
    assert "row_checks_int_report_figures_deduplicated" in str(failure.value)
    warehouse_file = tmp_path / "build" / "warehouse.duckdb"
    stored = query(warehouse_file, """
        select table_schema, table_name from information_schema.tables
        where table_name like 'row_checks_int_report_figures%'""")
    assert len(stored) == 1, stored
    schema, table = stored.iloc[0]
    broken = query(warehouse_file, f'select failed_check, metric from "{schema}"."{table}"')
    assert broken.values.tolist() == [["not_null: document_id", "costs_total"]]


def test_pandera_schemas_accept_the_built_tables(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, check in model_checks().items():
            frame = con.execute(f'select * from "{check.layer}"."{name}"').df()
            result = check_model(frame, check)
            assert result.passed, result.description


def _funding_check(frame):
    return check_model(frame, model_checks()["fct_funding_vs_ideal"])


def test_pandera_failure_names_the_failing_rows(warehouse: Path) -> None:
    frame = query(warehouse, "select * from marts.fct_funding_vs_ideal order by association_id")
    frame.loc[frame.association_id == "sf-b", "population_share"] = 1.5
    result = _funding_check(frame)
    assert not result.passed
    assert [(row["association_id"], row["year"]) for row in result.failing_rows] == [
        ("sf-b", "2024")]
    assert "association_id=sf-b, year=2024" in result.description


def test_an_ideal_larger_than_its_input_shares_is_blocked(warehouse: Path) -> None:
    frame = query(warehouse, "select * from marts.fct_funding_vs_ideal order by association_id")
    # sf-b's keys are 0.15 and 0.15 of the distributed pot; an ideal of 0.25 of it cannot be
    sf_b = frame.association_id == "sf-b"
    frame.loc[sf_b, "ideal_state_allocation_sek"] = 400_000 + DISTRIBUTED * 0.25
    frame.loc[sf_b, "ideal_allocation_sek"] = 2 * (400_000 + DISTRIBUTED * 0.25)
    frame.loc[sf_b, "funding_gap_sek"] = (frame.loc[sf_b, "contribution_total_sek"]
                                          - frame.loc[sf_b, "ideal_allocation_sek"])
    result = _funding_check(frame)
    assert not result.passed
    failing = result.failing_rows
    assert [(row["association_id"], row["year"]) for row in failing] == [("sf-b", "2024")]
    assert [check.split(":")[0] for check in failing[0]["failed"]] == [
        "ideal_share_within_its_input_shares"]


def test_plain_sql_benchmark_reproduces_the_mart(warehouse: Path) -> None:
    """bench/plain_funding_vs_ideal.sql is the speed reference for dbt; it must stay the
    same computation, or the benchmark compares different work."""
    from bench.run_all import COMPARED, compare_frames

    sql = (REPO_ROOT / "bench" / "plain_funding_vs_ideal.sql").read_text()
    plain = query(warehouse, sql).set_index(["association_id", "year"]).sort_index()
    mart = query(warehouse, "select * from marts.fct_funding_vs_ideal")
    mart = mart.set_index(["association_id", "year"]).sort_index()
    assert len(plain) == len(mart) == 4
    assert compare_frames(plain, mart[COMPARED]) == []
