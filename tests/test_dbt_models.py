"""dbt models on a hand-made three-association country (tests/dbt_helpers.py).

Expected amounts are computed by hand below from the case's literal inputs; the state's
model: ideal_state = 400 000 + (339 000 000 - 400 000 * 3) * (0.75 * HE share + 0.25 *
population share), ideal budget = 2 * ideal_state.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingestion.config import REPO_ROOT
from ingestion.validation.marts import FctFundingVsIdeal
from orchestration.assets.checks import SCHEMAS_BY_LAYER, validate_frame, validate_table
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


@pytest.fixture(scope="module")
def scenario_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dbt_scenario")
    return build_warehouse(
        path,
        three_association_case(),
        dbt_vars={"measure_weight": 0.5, "population_weight": 0.5},
        command="run",
    )


def _funding_scenario(path: Path, dbt_vars: dict) -> Path:
    """The case's funding mart (and what it needs) built with ``dbt_vars``."""
    write_raw_tables(path, three_association_case())
    run_dbt(path, "run", "--select", "+fct_funding_vs_ideal", dbt_vars=dbt_vars)
    return path / "build" / "warehouse.duckdb"


@pytest.fixture(scope="module")
def national_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _funding_scenario(
        tmp_path_factory.mktemp("dbt_national"),
        {"share_scope": "national", "association_count": 3},
    )


@pytest.fixture(scope="module")
def excluded_benefit_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _funding_scenario(
        tmp_path_factory.mktemp("dbt_excluded_benefit"),
        {"allocation_excluded_benefit_types": ["social_assistance"]},
    )


def ideal_by_association(path: Path, year: int = 2024) -> dict[str, float]:
    frame = query(
        path,
        "select association_id, ideal_allocation_sek from marts.fct_funding_vs_ideal "
        f"where year = {year} order by association_id",
    )
    return dict(zip(frame.association_id, frame.ideal_allocation_sek, strict=True))


def test_ideal_allocation_matches_hand_computation(warehouse: Path) -> None:
    # Members on 1 Jan 2024, statistics of 2022:
    #   sf-a = 0001 + 0002: population 16-64 60 000 (share 0.6), HE 2 000 (share 0.4)
    #   sf-b = 0003:        population 30 000 (0.3),           HE 1 500 (0.3)
    #   sf-c = 0004:        population 10 000 (0.1),           HE 1 500 (0.3)
    # rest of the pot = 339 000 000 - 3 * 400 000 = 337 800 000
    # sf-a: 400 000 + 337 800 000 * (0.75*0.4 + 0.25*0.6 = 0.45)  = 152 410 000 -> x2
    # sf-b: 400 000 + 337 800 000 * (0.75*0.3 + 0.25*0.3 = 0.30)  = 101 740 000 -> x2
    # sf-c: 400 000 + 337 800 000 * (0.75*0.3 + 0.25*0.1 = 0.25)  =  84 850 000 -> x2
    assert ideal_by_association(warehouse) == pytest.approx(
        {"sf-a": 304_820_000, "sf-b": 203_480_000, "sf-c": 169_700_000}
    )


def test_ideal_allocation_shares_and_membership(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select association_id, data_year, n_member_municipalities, population_16_64,"
        " full_year_equivalents, population_share, he_share, member_population_coverage"
        " from marts.fct_funding_vs_ideal where year = 2024 order by association_id",
    ).set_index("association_id")
    # 0005 left sf-a on 2023-06-30, 0006 joins sf-b on 2024-01-02: neither counts in 2024;
    # 0004 joins sf-c on 2024-01-01 and counts.
    assert frame.n_member_municipalities.to_dict() == {"sf-a": 2, "sf-b": 1, "sf-c": 1}
    assert frame.data_year.tolist() == [2022, 2022, 2022]
    assert frame.population_16_64.to_dict() == {"sf-a": 60_000, "sf-b": 30_000, "sf-c": 10_000}
    assert frame.full_year_equivalents.to_dict() == {"sf-a": 2_000, "sf-b": 1_500, "sf-c": 1_500}
    assert frame.population_share.to_dict() == pytest.approx(
        {"sf-a": 0.6, "sf-b": 0.3, "sf-c": 0.1}
    )
    assert frame.he_share.to_dict() == pytest.approx({"sf-a": 0.4, "sf-b": 0.3, "sf-c": 0.3})
    # 100 000 of the country's 220 000 aged 16-64 live in a member municipality
    assert frame.member_population_coverage.tolist() == pytest.approx([100_000 / 220_000] * 3)


def test_years_without_statistics_get_no_ideal(warehouse: Path) -> None:
    # 2022 is a statistics year, but its own data year (2020) has no statistics
    frame = query(warehouse, "select * from marts.fct_funding_vs_ideal where year <> 2024")
    assert frame.empty


def test_scenario_weights_change_the_allocation(scenario_warehouse: Path) -> None:
    # measure_weight = population_weight = 0.5:
    # sf-a: 400 000 + 337 800 000 * (0.5*0.4 + 0.5*0.6 = 0.5) = 169 300 000 -> x2
    # sf-b: 400 000 + 337 800 000 * (0.5*0.3 + 0.5*0.3 = 0.3) = 101 740 000 -> x2 (unchanged)
    # sf-c: 400 000 + 337 800 000 * (0.5*0.3 + 0.5*0.1 = 0.2) =  67 960 000 -> x2
    assert ideal_by_association(scenario_warehouse) == pytest.approx(
        {"sf-a": 338_600_000, "sf-b": 203_480_000, "sf-c": 135_920_000}
    )


def test_national_scope_takes_shares_of_the_whole_country(national_warehouse: Path) -> None:
    # Country 2022: population 16-64 220 000, HE 1 500 + 500 + 1 500 + 1 500 + 9 999 + 8 888
    # = 23 887, so the non-member municipalities 0005 and 0006 dilute every share.
    assert ideal_by_association(national_warehouse) == pytest.approx(
        {
            "sf-a": 2 * (400_000 + 337_800_000 * (0.75 * 2_000 / 23_887 + 0.25 * 60 / 220)),
            "sf-b": 2 * (400_000 + 337_800_000 * (0.75 * 1_500 / 23_887 + 0.25 * 30 / 220)),
            "sf-c": 2 * (400_000 + 337_800_000 * (0.75 * 1_500 / 23_887 + 0.25 * 10 / 220)),
        }
    )


def test_excluding_a_benefit_type_changes_the_measure(excluded_benefit_warehouse: Path) -> None:
    # HE without social assistance: sf-a 2 000 - 400 = 1 600, sf-b 1 500 - 600 = 900,
    # sf-c 1 500 - 500 = 1 000; total 3 500. Population shares stay 0.6 / 0.3 / 0.1.
    # sf-a: 2 * (400 000 + 337 800 000 * (0.75 * 1600/3500 + 0.25 * 0.6))
    assert ideal_by_association(excluded_benefit_warehouse) == pytest.approx(
        {
            "sf-a": 2 * (400_000 + 337_800_000 * (0.75 * 1_600 / 3_500 + 0.25 * 0.6)),
            "sf-b": 2 * (400_000 + 337_800_000 * (0.75 * 900 / 3_500 + 0.25 * 0.3)),
            "sf-c": 2 * (400_000 + 337_800_000 * (0.75 * 1_000 / 3_500 + 0.25 * 0.1)),
        }
    )
    he_share = query(
        excluded_benefit_warehouse,
        "select he_share from marts.fct_funding_vs_ideal where association_id = 'sf-a'",
    ).he_share.iloc[0]
    assert he_share == pytest.approx(0.4)  # HE itself is still all benefits


def test_funding_vs_ideal_uses_annual_outcome_and_override(warehouse: Path) -> None:
    row = query(
        warehouse, "select * from marts.fct_funding_vs_ideal where association_id = 'sf-a'"
    ).iloc[0]
    assert row.contribution_basis == "outcome"
    assert row.contribution_state_sek == 16_000_000  # not the budget's 17 000 000
    assert row.contribution_region_sek == 8_100_000  # the override, not the extracted 8 000 000
    assert row.contribution_municipalities_sek == 8_000_000
    assert row.contribution_total_sek == 32_100_000
    assert row.funding_ratio == pytest.approx(32_100_000 / 304_820_000)
    assert row.funding_gap_sek == pytest.approx(32_100_000 - 304_820_000)
    assert row.funding_per_he_sek == pytest.approx(16_050)  # 32 100 000 / 2 000
    assert row.funding_per_inhabitant_16_64_sek == pytest.approx(535)  # / 60 000
    assert row.he_rate_pct == pytest.approx(100 * 2_000 / 60_000)
    assert row.reported_ideal_share_pct == 58
    assert row.reported_ideal_allocation_sek == 57_500_000
    assert row.contribution_document_id == "doc-a-2024"
    assert not row.is_sample


def test_funding_vs_ideal_falls_back_to_budget(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select association_id, contribution_basis, contribution_total_sek"
        " from marts.fct_funding_vs_ideal order by association_id",
    )
    assert frame.contribution_basis.tolist() == ["outcome", "budget", None]
    assert frame.contribution_total_sek.tolist()[:2] == [32_100_000, 20_000_000]


def test_he_by_benefit_uses_members_of_the_statistics_year(warehouse: Path) -> None:
    frame = query(
        warehouse,
        "select association_id, benefit_type, full_year_equivalents, population_16_64"
        " from marts.fct_he_by_benefit where year = 2022 order by 1, 2",
    )
    rows = {(r.association_id, r.benefit_type): r for r in frame.itertuples()}
    # on 1 Jan 2022 sf-a has 0001, 0002 and 0005; sf-c has no members yet
    assert rows[("sf-a", "total")].full_year_equivalents == 1_500 + 500 + 9_999
    assert rows[("sf-a", "social_assistance")].full_year_equivalents == 300 + 100 + 1
    assert rows[("sf-a", "total")].population_16_64 == 40_000 + 20_000 + 50_000
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
    run_dbt(data_dir, "docs", "generate")
    catalog = json.loads((data_dir / "dbt_target" / "catalog.json").read_text())
    assert "model.finsam.fct_funding_vs_ideal" in catalog["nodes"]
    assert "source.finsam.scb.population" in catalog["sources"]
    # every model, source and column that exists in the warehouse is documented
    manifest = json.loads((data_dir / "dbt_target" / "manifest.json").read_text())
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


def test_overlapping_membership_fails_the_build(tmp_path: Path) -> None:
    case = three_association_case()
    # 0003 also in sf-a while it is in sf-b: a municipality in two associations at once
    case["association_members"].append(
        {"association_id": "sf-a", "municipality_code": "0003", "valid_from": "2020-01-01"}
    )
    write_raw_tables(tmp_path, case)
    with pytest.raises(AssertionError, match="unique_combination_int_association_members_by_year"):
        run_dbt(tmp_path, "build", "--select", "+int_association_members_by_year")


def test_pandera_schemas_accept_the_built_tables(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for layer, schemas in SCHEMAS_BY_LAYER.items():
            for table, model in schemas.items():
                result = validate_table(con, layer, table, model)
                assert result.passed, result.description


def test_pandera_failure_names_the_failing_rows(warehouse: Path) -> None:
    frame = query(warehouse, "select * from marts.fct_funding_vs_ideal order by association_id")
    frame.loc[frame.association_id == "sf-b", "population_share"] = 1.5
    result = validate_frame(frame, FctFundingVsIdeal, "marts.fct_funding_vs_ideal")
    assert not result.passed
    failing = result.metadata["failing_rows"].value
    assert [(row["association_id"], row["year"]) for row in failing] == [("sf-b", "2024")]
    assert "association_id=sf-b, year=2024" in result.description
