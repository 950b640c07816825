"""The extractor on the four real seed documents, asserted against figures read by hand
from the documents (page/table named in each test). Money is asserted in SEK."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingestion.reports.extract import extract_file

H1_2019 = (date(2019, 1, 1), date(2019, 6, 30))
H1_2023 = (date(2023, 1, 1), date(2023, 6, 30))
Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
Y2023 = (date(2023, 1, 1), date(2023, 12, 31))
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
TKR = 1_000
DIMENSIONS = ("member", "intervention", "gender", "reason")


def values(frame: pd.DataFrame, metric: str, basis: str = "outcome",
           period: tuple[date, date] | None = None, **dimensions: str | None) -> list[float]:
    """Every value of a figure (one per line printing it), sorted."""
    rows = frame[(frame["metric"] == metric) & (frame["basis"] == basis)]
    if period is not None:
        rows = rows[(rows["period_start"] == pd.Timestamp(period[0]))
                    & (rows["period_end"] == pd.Timestamp(period[1]))]
    for name in DIMENSIONS:
        wanted = dimensions.get(name)
        rows = rows[rows[name].isna()] if wanted is None else rows[rows[name] == wanted]
    return sorted(rows["value"].tolist())


def value(frame: pd.DataFrame, metric: str, basis: str = "outcome",
          period: tuple[date, date] | None = None, **dimensions: str | None) -> float:
    """The value of a figure that every line printing it agrees on."""
    found = set(values(frame, metric, basis, period, **dimensions))
    assert len(found) == 1, f"{metric} {basis} {dimensions}: {sorted(found)}"
    return found.pop()


@pytest.fixture(scope="module")
def seeds(seed_file):
    results = {prefix: extract_file(seed_file(prefix)) for prefix in ("000", "001", "003", "004")}
    return {prefix: (r.frames()[0], r) for prefix, r in results.items()}


def issues(result, check_name: str) -> pd.DataFrame:
    frame = result.frames()[2]
    return frame[frame["check_name"] == check_name]


# --- 000: half-year report Jan–Jun 2023 (Tabell 6, Tabell 2, Tabell 7, section 1.2) ---------

def test_000_document_metadata(seeds):
    _, result = seeds["000"]
    document = result.documents[0]
    assert document["association_id"] == "stockholms-stad"
    assert document["report_type"] == "half_year_report"
    assert (document["period_start"], document["period_end"]) == H1_2023
    assert document["status"] == "loaded"


@pytest.mark.parametrize("basis", ["budget", "outcome"])
def test_000_member_contributions(seeds, basis):
    frame, _ = seeds["000"]
    assert value(frame, "member_contribution", basis, H1_2023, member="state") == 8_000 * TKR
    assert value(frame, "member_contribution", basis, H1_2023, member="region") == 4_000 * TKR
    assert value(frame, "member_contribution", basis, H1_2023,
                 member="municipality") == 4_000 * TKR


def test_000_income_costs_and_equity(seeds):
    frame, _ = seeds["000"]
    assert value(frame, "other_income", "outcome", H1_2023) == 839 * TKR
    assert value(frame, "total_income", "budget", H1_2023) == 16_132 * TKR
    assert value(frame, "total_income", "outcome", H1_2023) == 16_839 * TKR
    assert value(frame, "total_costs", "budget", H1_2023) == 18_456 * TKR
    assert value(frame, "total_costs", "outcome", H1_2023) == 19_677 * TKR
    assert value(frame, "result", "budget", H1_2023) == -2_324 * TKR
    assert value(frame, "equity_opening", "outcome", H1_2023) == 4_928 * TKR
    assert value(frame, "total_costs", "forecast", Y2023) == 39_873 * TKR


def test_000_contradicting_results_are_reported_not_resolved(seeds):
    frame, result = seeds["000"]
    # The summary and the income table say -2 838 tkr; section 3 says -2 715 tkr.
    assert set(values(frame, "result", "outcome", H1_2023)) == {-2_838 * TKR, -2_715 * TKR}
    rows = frame[(frame["metric"] == "result") & (frame["basis"] == "outcome")]
    assert (rows["check_status"] == "flagged").all()
    found = issues(result, "contradiction")
    assert any("-2 838 000" in m and "-2 715 000" in m for m in found["message"])
    assert (found["severity"] == "error").any()


def test_000_participants_and_exits(seeds):
    frame, _ = seeds["000"]
    assert value(frame, "participants", gender="total") == 480
    assert value(frame, "participants", gender="women") == 298
    assert value(frame, "participants", gender="men") == 182
    assert value(frame, "participants_exited", gender="total") == 191
    assert value(frame, "participants_exited", gender="women") == 116
    assert value(frame, "participants_exited", gender="men") == 75
    # Tabell 2: exits per reason; "-" printed for women in Studier means zero.
    assert value(frame, "exits", gender="total", reason="health_care") == 80
    assert value(frame, "exits", gender="women", reason="health_care") == 55
    assert value(frame, "exits", gender="women", reason="studies") == 0
    assert value(frame, "exits", gender="men", reason="job_seeking") == 19
    # Tabell 3: FINSAM-team's own exits.
    assert value(frame, "participants_exited", gender="total", intervention="FINSAM-team") == 82
    assert value(frame, "exits", gender="total", reason="work", intervention="FINSAM-team") == 13


def test_000_intervention_costs(seeds):
    frame, _ = seeds["000"]
    cost = "intervention_cost"
    assert value(frame, cost, "budget", intervention="Aktivitetsplatsen") == 7_246_000
    assert value(frame, cost, "outcome", intervention="Aktivitetsplatsen") == 8_167_171
    assert value(frame, cost, "outcome", intervention="FINSAM-team") == 2_164_466
    assert value(frame, cost, "outcome", intervention="Novum, struktur unga") == 843_712
    assert value(frame, cost, "outcome", intervention="Rehabiliteringsbanan") == 224_546
    assert value(frame, "individual_interventions_cost", "outcome", H1_2023) == 15_114 * TKR


# --- 001: annual report 2024 (notes 2–3, balance sheet, Tabell 1, 2, 5, 6, section 1.2) -----

def test_001_member_contributions_and_income(seeds):
    frame, result = seeds["001"]
    assert result.documents[0]["report_type"] == "annual_report"
    assert value(frame, "member_contribution", "outcome", Y2024, member="state") == 16_559_000
    assert value(frame, "member_contribution", "outcome", Y2024, member="region") == 8_279_500
    assert value(frame, "member_contribution", "outcome", Y2024,
                 member="municipality") == 8_279_500
    assert value(frame, "member_contribution", "outcome", Y2023, member="state") == 16_000_000
    assert value(frame, "esf_income", "outcome", Y2024) == 4_009_486
    assert value(frame, "other_income", "outcome", Y2024) == 745_458
    assert value(frame, "total_income", "outcome", Y2024) == 37_872_944


def test_001_costs_result_and_equity(seeds):
    frame, result = seeds["001"]
    # Income statement 36 038 993 kr; five-year overview 36 187 072 kr incl. depreciation.
    assert set(values(frame, "total_costs", "outcome", Y2024)) == {36_038_993, 36_187_072}
    assert not issues(result, "contradiction").query("line == 1787").empty
    # 1 685 871 kr (income statement, balance sheet), 1 685 872 kr (overview), 1 686 tkr.
    assert set(values(frame, "result", "outcome", Y2024)) == {1_685_871, 1_685_872, 1_686_000}
    assert value(frame, "result", "outcome", Y2022) == -5_660_028
    assert set(values(frame, "equity_opening", "outcome", Y2024)) == {65_656, 66_000}
    assert set(values(frame, "equity_closing", "outcome", Y2024)) == {1_751_527, 1_752_000}


def test_001_participants_and_exits(seeds):
    frame, result = seeds["001"]
    assert value(frame, "participants", gender="total", period=Y2024) == 878
    assert value(frame, "participants", gender="women", period=Y2024) == 521
    assert value(frame, "participants", gender="men", period=Y2024) == 357
    assert value(frame, "participants_exited", gender="total", period=Y2024) == 348
    assert value(frame, "participants_exited", gender="women", period=Y2024) == 197
    assert value(frame, "participants_exited", gender="men", period=Y2024) == 151
    assert value(frame, "participants_started", gender="total", period=Y2024) == 352
    assert value(frame, "participants_started", gender="total", intervention="Novum") == 87
    # Tabell 5, exits by reason for all five interventions.
    assert value(frame, "exits", gender="total", reason="work") == 36
    assert value(frame, "exits", gender="women", reason="health_care") == 64
    assert value(frame, "exits", gender="men", reason="other") == 15
    # Tabell 2 prints 197 women + 154 men = 352, which is 351: flagged, not corrected.
    assert not issues(result, "gender_sum").empty


def test_001_intervention_costs_and_ideal_allocation(seeds):
    frame, _ = seeds["001"]
    assert value(frame, "intervention_cost", "outcome", intervention="FINSAM-team") == 1_791_000
    assert value(frame, "intervention_cost", "budget", intervention="FINSAM-team") == 1_944_000
    assert value(frame, "intervention_cost", "outcome",
                 intervention="Aktivitetsplatsen") == 14_236_000
    assert value(frame, "intervention_cost", "outcome",
                 intervention="Rehabiliteringsbanan") == -213_000
    assert value(frame, "ideal_allocation_share", period=Y2024) == 58
    assert value(frame, "ideal_allocation_amount", period=Y2024) == 57_500_000


# --- 003: half-year report Jan–Jun 2019 (Halvårsresultat table, Bilaga 3) -------------------

def test_003_income_statement(seeds):
    frame, result = seeds["003"]
    document = result.documents[0]
    assert (document["report_type"], document["period_start"]) == ("half_year_report",
                                                                   H1_2019[0])
    for basis in ("budget", "outcome"):
        assert value(frame, "member_contribution", basis, H1_2019, member="state") == 8_000_000
        assert value(frame, "member_contribution", basis, H1_2019, member="region") == 4_000_000
        assert value(frame, "member_contribution", basis, H1_2019,
                     member="municipality") == 4_000_000
    assert value(frame, "esf_income", "outcome", H1_2019) == 1_432_000
    assert value(frame, "total_income", "budget", H1_2019) == 16_926_000
    assert value(frame, "total_income", "outcome", H1_2019) == 17_432_000
    assert value(frame, "total_costs", "budget", H1_2019) == 22_411_000
    assert value(frame, "total_costs", "outcome", H1_2019) == 16_865_000
    assert value(frame, "result", "budget", H1_2019) == -5_485_000
    assert value(frame, "result", "outcome", H1_2019) == 567_000
    assert value(frame, "equity_opening", "outcome", H1_2019) == 6_218_000


def test_003_participants(seeds):
    frame, _ = seeds["003"]
    # Summary: 294 new participants registered, close to 630 participants in total (no split
    # by gender is printed for the whole association).
    assert value(frame, "participants", "outcome", H1_2019, gender="total") == 630
    assert value(frame, "participants_started", "outcome", H1_2019, gender="total") == 294
    assert values(frame, "participants", "outcome", H1_2019, gender="women") == []


def test_003_intervention_costs(seeds):
    frame, _ = seeds["003"]
    cost = "intervention_cost"
    assert value(frame, cost, "budget", H1_2019, intervention="Aktivitetsplatsen") == 4_455_500
    assert value(frame, cost, "outcome", H1_2019, intervention="Aktivitetsplatsen") == 1_204_800
    assert value(frame, cost, "outcome", H1_2019, intervention="Team Tensta VC") == 3_246
    # An ESF project in the cost table is an intervention, not ESF income.
    assert value(frame, cost, "outcome", H1_2019, intervention="ESF projekt MIA") == 469_739


# --- 004: Sundsvall board minutes 2023 (budget follow-up, interim report, notes) ------------

def test_004_budget_follow_up(seeds):
    frame, result = seeds["004"]
    assert result.documents[0]["association_id"] == "sundsvall"
    assert result.documents[0]["report_type"] == "board_minutes"
    assert value(frame, "member_contribution", "budget", Y2023, member="state") == 3_680_000
    assert value(frame, "member_contribution", "outcome", H1_2023, member="state") == 1_840_000
    assert value(frame, "member_contribution", "forecast", Y2023,
                 member="municipality") == 1_840_000
    assert value(frame, "member_contribution", "budget", Y2023, member="region") == 1_840_000
    assert value(frame, "total_income", "budget", Y2023) == 7_360_000
    assert value(frame, "total_income", "outcome", H1_2023) == 5_520_000
    assert 2_896_500 in values(frame, "total_costs", "outcome", H1_2023)
    assert value(frame, "intervention_cost", "budget", Y2023, intervention="Psykolog") == 912_000
    assert value(frame, "intervention_cost", "outcome", H1_2023,
                 intervention="Arbetsterapeut") == 311_000


def test_004_half_year_state_share_is_flagged(seeds):
    frame, result = seeds["004"]
    # By mid-year the state had paid 1 840 tkr, as much as the region alone: not 50/25/25.
    rows = frame[(frame["metric"] == "member_contribution") & (frame["basis"] == "outcome")
                 & (frame["period_end"] == pd.Timestamp(H1_2023[1]))]
    assert (rows["check_status"] == "flagged").all()
    assert not issues(result, "member_split").empty


def test_004_interim_report_statements(seeds):
    frame, result = seeds["004"]
    assert 2_623_946 in values(frame, "result", "outcome", H1_2023)
    assert value(frame, "result", "outcome", Y2022) == -409_222
    assert value(frame, "total_costs", "outcome", Y2022) == 7_786_784
    assert value(frame, "equity_closing", "outcome", H1_2023) == 3_436_062
    assert value(frame, "equity_closing", "outcome", Y2022) == 812_116
    assert value(frame, "member_contribution", "outcome", Y2022, member="state") == 3_689_000
    # The follow-up prints a zero result for the half-year: reported as a contradiction.
    assert any("2 623 946" in m for m in issues(result, "contradiction")["message"])


def test_004_participants_per_intervention(seeds):
    frame, _ = seeds["004"]
    # Interim report, Tabell 1 "resultat per insats till och med 30/6-2023".
    assert value(frame, "participants", gender="total", period=H1_2023) == 516
    assert value(frame, "participants", gender="women", period=H1_2023) == 251
    assert value(frame, "participants", gender="men", period=H1_2023) == 265
    assert value(frame, "participants", gender="women", intervention="Psykolog") == 14
    assert value(frame, "exits", gender="total", reason="work") == 94
    assert value(frame, "exits", gender="men", reason="studies") == 1


def test_every_seed_row_has_provenance(seeds, seed_file):
    for prefix, (frame, _) in seeds.items():
        lines = seed_file(prefix).read_text(encoding="utf-8").split("\n")
        assert frame["line"].notna().all()
        sample = frame.sample(min(len(frame), 25), random_state=1)
        for _, row in sample.iterrows():
            assert lines[row["line"] - 1].strip() == row["raw_text"]
        assert (frame["page"] >= 1).all()
        assert not frame["is_sample"].any()


def test_pipeline_loads_and_validates_all_seeds(seeds_dir, tmp_path):
    from ingestion.reports.pipeline import extract_reports

    tables = extract_reports([seeds_dir], [], tmp_path / "no-overrides.csv")
    assert (tables.documents["status"] == "loaded").all() and len(tables.documents) == 4
    assert set(tables.documents["association_id"]) == {"stockholms-stad", "sundsvall"}
    contradictions = tables.issues[tables.issues["check_name"] == "contradiction"]
    assert "000_b03f12ffb94f162a.txt" in set(contradictions["source"])
    assert 0 < tables.n_flagged < len(tables.figures)
