"""The extractor on the four real seed documents, asserted against figures read by hand
from the documents (page/table named in each test). Money is asserted in SEK.

``PRINTED`` lists, per seed, every figure the document prints for the members'
contributions, total income and costs, the result, equity, ESF and other income, and the
association's participants and exits: each must be read, with every value it is printed
with (a figure printed twice with different values is a contradiction, flagged)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ingestion.reports.extract import extract_file

H1_2019 = (date(2019, 1, 1), date(2019, 6, 30))
Y2019 = (date(2019, 1, 1), date(2019, 12, 31))
Y2020 = (date(2020, 1, 1), date(2020, 12, 31))
Y2021 = (date(2021, 1, 1), date(2021, 12, 31))
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
        rows = rows[(pd.to_datetime(rows["period_start"]) == pd.Timestamp(period[0]))
                    & (pd.to_datetime(rows["period_end"]) == pd.Timestamp(period[1]))]
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


# --- who wrote each seed, what it is, which period ------------------------------------------

IDENTITY = {  # seed: association, kind, period, what decided the period
    "000": ("stockholms-stad", "half_year_report", H1_2023, "title"),  # "Halvårsrapporten 2023"
    "001": ("stockholms-stad", "annual_report", Y2024, "heading"),  # "Årsredovisning 2024" heads
    "003": ("stockholms-stad", "half_year_report", H1_2019, "statement"),  # "första halvåret 2019"
    "004": ("sundsvall", "board_minutes", Y2023, "meeting_date"),  # "Sammanträdesdatum: 2023-08-29"
}


@pytest.mark.parametrize("prefix", sorted(IDENTITY))
def test_identity(seeds, prefix):
    association, kind, period, evidence = IDENTITY[prefix]
    document = seeds[prefix][1].documents[0]
    assert (document["association_id"], document["association_status"]) == (association,
                                                                             "matched")
    assert document["report_type"] == kind
    assert (document["period_start"], document["period_end"]) == period
    assert document["period_evidence"] == evidence


def test_other_associations_named_are_candidates_not_the_author(seeds):
    # Seed 003 names four other associations once each (ESF partners, a conference), its own
    # name three times; seed 004 names three others.
    candidates = seeds["003"][1].documents[0]["association_candidates"].split("|")
    assert candidates[0] == "stockholms-stad"
    assert {"sodertalje", "suvs", "centrala-ostergotland",
            "ostra-sodertorn"} <= set(candidates[1:])
    assert seeds["004"][1].documents[0]["association_candidates"].split("|")[0] == "sundsvall"


# --- every printed figure ----------------------------------------------------------------------

S, R, M = "state", "region", "municipality"
PRINTED: list[tuple[str, str, str, tuple[date, date], dict, set[float]]] = [
    # 000, half-year report Jan–Jun 2023. Tabell 6 (Halvårsresultat, tkr), section 3 prose,
    # the summary and Tabell 2 (exits by reason).
    *[("000", "member_contribution", basis, H1_2023, {"member": member}, {value * TKR})
      for basis in ("budget", "outcome") for member, value in ((S, 8_000), (R, 4_000),
                                                               (M, 4_000))],
    ("000", "other_income", "budget", H1_2023, {}, {132 * TKR}),
    ("000", "other_income", "outcome", H1_2023, {}, {839 * TKR}),
    ("000", "total_income", "budget", H1_2023, {}, {16_132 * TKR}),
    ("000", "total_income", "outcome", H1_2023, {}, {16_839 * TKR}),
    ("000", "total_income", "budget", Y2023, {}, {32_264 * TKR}),  # "Budgeterade intäkter för 2023"
    ("000", "total_income", "forecast", Y2023, {}, {34_962 * TKR}),  # "beräknas intäkterna …"
    ("000", "esf_income", "forecast", Y2023, {}, {2_698 * TKR}),  # "Bidraget från ESF beräknas …"
    ("000", "total_costs", "budget", H1_2023, {}, {18_456 * TKR}),
    ("000", "total_costs", "outcome", H1_2023, {}, {19_677 * TKR}),  # table and "Totala kostnader"
    ("000", "total_costs", "forecast", Y2023, {}, {39_873 * TKR}),  # 12-månaders prognos
    ("000", "result", "budget", H1_2023, {}, {-2_324 * TKR}),
    ("000", "result", "outcome", H1_2023, {}, {-2_838 * TKR, -2_715 * TKR}),
    ("000", "result", "budget", Y2023, {}, {-2_661 * TKR}),  # budgeted result for the year
    ("000", "result", "forecast", Y2023, {}, {17 * TKR}),  # "att bli ett överskott med 17 tkr"
    ("000", "equity_opening", "outcome", H1_2023, {}, {4_928 * TKR}),
    *[("000", metric, "outcome", H1_2023, {"gender": gender}, {value})
      for metric, split in (("participants", (480, 298, 182)),
                            ("participants_exited", (191, 116, 75)))
      for gender, value in zip(("total", "women", "men"), split, strict=True)],
    *[("000", "exits", "outcome", H1_2023, {"gender": gender, "reason": reason}, {value})
      for reason, split in (("work", (19, 11, 8)), ("studies", (3, 0, 3)),
                            ("job_seeking", (34, 15, 19)),
                            ("continued_rehabilitation", (42, 27, 15)),
                            ("health_care", (80, 55, 25)), ("other", (13, 8, 5)))
      for gender, value in zip(("total", "women", "men"), split, strict=True)],
    # 001, annual report 2024. Notes 2–3, income statement, balance sheet, Tabell 1 (five
    # years), the summary's and section 5's prose, Tabell 2 and 5.
    ("001", "member_contribution", "outcome", Y2024, {"member": S}, {16_559_000}),
    ("001", "member_contribution", "outcome", Y2024, {"member": R}, {8_279_500}),
    ("001", "member_contribution", "outcome", Y2024, {"member": M}, {8_279_500}),
    ("001", "member_contribution", "outcome", Y2024, {}, {33_118 * TKR}),  # "i medlemsbidrag"
    ("001", "member_contribution", "outcome", Y2023, {"member": S}, {16_000_000}),
    ("001", "member_contribution", "outcome", Y2023, {"member": R}, {8_000_000}),
    ("001", "member_contribution", "outcome", Y2023, {"member": M}, {8_000_000}),
    # "EU-medel och andra bidrag" 4 009 486 kr (note 2); "3 749 tkr medel från Europeiska
    # Socialfonden" (prose): a contradiction, flagged.
    ("001", "esf_income", "outcome", Y2024, {}, {4_009_486, 3_749 * TKR}),
    ("001", "esf_income", "outcome", Y2023, {}, {2_435_878}),
    ("001", "other_income", "outcome", Y2024, {}, {745_458, 1_006 * TKR}),
    ("001", "other_income", "outcome", Y2023, {}, {52_906}),
    # 37 872 944 kr, "intäkter till 37 873 tkr" and, in section 5, "till 37 823 tkr".
    ("001", "total_income", "outcome", Y2024, {}, {37_872_944, 37_873 * TKR, 37_823 * TKR}),
    ("001", "total_income", "outcome", Y2023, {}, {34_488_784}),
    ("001", "total_income", "outcome", Y2022, {}, {37_299_692}),
    ("001", "total_income", "outcome", Y2021, {}, {40_935_720}),
    ("001", "total_income", "outcome", Y2020, {}, {39_160_496}),
    ("001", "total_costs", "outcome", Y2024, {}, {36_038_993, 36_187_072, 36_187 * TKR}),
    ("001", "total_costs", "outcome", Y2023, {}, {39_139_822, 39_351_122}),
    ("001", "total_costs", "outcome", Y2022, {}, {42_959_720}),
    ("001", "total_costs", "outcome", Y2021, {}, {38_077_637}),
    ("001", "total_costs", "outcome", Y2020, {}, {35_364_753}),
    ("001", "result", "outcome", Y2024, {}, {1_685_871, 1_685_872, 1_686 * TKR}),
    ("001", "result", "budget", Y2024, {}, {-362 * TKR}),  # "Budgeterat resultat … var -362 tkr"
    ("001", "result", "outcome", Y2023, {}, {-4_862_338, -4_862_339}),
    ("001", "result", "outcome", Y2022, {}, {-5_660_028}),
    ("001", "result", "outcome", Y2021, {}, {2_858_083}),
    ("001", "result", "outcome", Y2020, {}, {3_795_743}),
    ("001", "equity_opening", "outcome", Y2024, {}, {65_656, 66 * TKR}),
    ("001", "equity_opening", "outcome", Y2023, {}, {4_927_995}),
    ("001", "equity_closing", "outcome", Y2024, {}, {1_751_527, 1_752 * TKR}),
    ("001", "equity_closing", "outcome", Y2023, {}, {65_656}),
    *[("001", metric, "outcome", Y2024, {"gender": gender}, {value})
      for metric, split in (("participants", (878, 521, 357)),
                            ("participants_exited", (348, 197, 151)),
                            ("participants_started", (352, 197, 154)))
      for gender, value in zip(("total", "women", "men"), split, strict=True)],
    *[("001", "exits", "outcome", Y2024, {"gender": gender, "reason": reason}, {value})
      for reason, split in (("work", (36, 16, 20)), ("studies", (25, 12, 13)),
                            ("job_seeking", (26, 16, 10)), ("job_centre", (57, 35, 22)),
                            ("continued_rehabilitation", (20, 15, 5)),
                            ("finsam_intervention", (3, 3, 0)), ("occupation", (26, 16, 10)),
                            ("sickness_compensation", (17, 8, 9)),
                            ("health_care", (111, 64, 47)), ("other", (27, 12, 15)))
      for gender, value in zip(("total", "women", "men"), split, strict=True)],
    # 003, half-year report Jan–Jun 2019. The Halvårsresultat table (tkr), section 6 and the
    # summary.
    *[("003", "member_contribution", basis, H1_2019, {"member": member}, {value * TKR})
      for basis in ("budget", "outcome") for member, value in ((S, 8_000), (R, 4_000),
                                                               (M, 4_000))],
    # "Fakturerade kostnader, ESF-ersättning 926 1 432 -506"; "förväntade ersättningar från
    # ESF på 1 852 tkr" for the year.
    ("003", "esf_income", "budget", H1_2019, {}, {926 * TKR}),
    ("003", "esf_income", "outcome", H1_2019, {}, {1_432 * TKR}),
    ("003", "esf_income", "forecast", Y2019, {}, {1_852 * TKR}),
    ("003", "total_income", "budget", H1_2019, {}, {16_926 * TKR}),
    ("003", "total_income", "outcome", H1_2019, {}, {17_432 * TKR}),
    ("003", "total_income", "budget", Y2019, {}, {32_000 * TKR}),  # "Budgeterade intäkter för 2019"
    ("003", "total_costs", "budget", H1_2019, {}, {22_411 * TKR}),
    ("003", "total_costs", "outcome", H1_2019, {}, {16_865 * TKR}),
    ("003", "total_costs", "forecast", Y2019, {}, {34_016 * TKR}),
    ("003", "result", "budget", H1_2019, {}, {-5_485 * TKR}),
    ("003", "result", "outcome", H1_2019, {}, {567 * TKR}),  # also "Förbundets utfall är 567 tkr"
    ("003", "equity_opening", "outcome", H1_2019, {}, {6_218 * TKR}),
    ("003", "participants", "outcome", H1_2019, {"gender": "total"}, {630}),
    ("003", "participants_started", "outcome", H1_2019, {"gender": "total"}, {294}),
    # 004, Sundsvall board minutes Aug 2023: budget follow-ups (tkr), the interim report's
    # prose, income statement, balance sheet and note 1 (kr), Tabell 1.
    ("004", "member_contribution", "budget", Y2023, {"member": S}, {3_680 * TKR}),
    ("004", "member_contribution", "budget", Y2023, {"member": R}, {1_840 * TKR}),
    ("004", "member_contribution", "budget", Y2023, {"member": M}, {1_840 * TKR}),
    ("004", "member_contribution", "budget", Y2023, {}, {7_360_000}),  # "… kr i driftsbidrag"
    *[("004", "member_contribution", "outcome", H1_2023, {"member": member}, {1_840_000})
      for member in (S, R, M)],
    ("004", "member_contribution", "forecast", Y2023, {"member": S}, {3_680 * TKR}),
    ("004", "member_contribution", "forecast", Y2023, {"member": R}, {1_840 * TKR}),
    ("004", "member_contribution", "forecast", Y2023, {"member": M}, {1_840 * TKR}),
    ("004", "member_contribution", "outcome", Y2022, {"member": S}, {3_689_000}),
    ("004", "member_contribution", "outcome", Y2022, {"member": R}, {1_844_500}),
    ("004", "member_contribution", "outcome", Y2022, {"member": M}, {1_844_500}),
    ("004", "total_income", "budget", Y2023, {}, {7_360_000}),
    ("004", "total_income", "forecast", Y2023, {}, {7_360_000}),
    ("004", "total_income", "outcome", H1_2023, {}, {5_520_000}),
    ("004", "total_income", "outcome", Y2022, {}, {7_377_991}),
    ("004", "total_costs", "outcome", H1_2023, {}, {2_895_637, 2_896_500}),
    ("004", "total_costs", "budget", Y2023, {}, {7_359_000, 7_360_000}),
    ("004", "total_costs", "forecast", Y2023, {}, {7_265_500, 7_266_500, 7_267 * TKR}),
    ("004", "total_costs", "outcome", Y2022, {}, {7_786_784}),
    # The follow-up prints 0 at 30/6, the interim report 2 623 946 kr: flagged.
    ("004", "result", "outcome", H1_2023, {}, {0, 2_623_946}),
    ("004", "result", "budget", Y2023, {}, {0}),
    # "ser ut att göra ett överskott på 93 500 kr"; the follow-up's prognos 94 tkr.
    ("004", "result", "forecast", Y2023, {}, {93_500, 94 * TKR}),
    ("004", "result", "outcome", Y2022, {}, {-409_222}),
    ("004", "equity_opening", "outcome", H1_2023, {}, {812_116}),
    ("004", "equity_opening", "outcome", Y2022, {}, {1_221_338}),
    ("004", "equity_closing", "outcome", H1_2023, {}, {3_436_062}),
    ("004", "equity_closing", "outcome", Y2022, {}, {812_116}),
    ("004", "equity_closing", "forecast", Y2023, {}, {905_616}),  # "vid årsskiftet vara 905 616 kr"
    ("004", "equity_closing", "budget", Y2023, {}, {755_000}),
    # Tabell 1 prints 516(251/265); the goals section "512 individer fått stöd": flagged.
    ("004", "participants", "outcome", H1_2023, {"gender": "total"}, {512, 516}),
    ("004", "participants", "outcome", H1_2023, {"gender": "women"}, {251}),
    ("004", "participants", "outcome", H1_2023, {"gender": "men"}, {265}),
    *[("004", "exits", "outcome", H1_2023, {"gender": gender, "reason": reason}, {value})
      for reason, split in (("work", (94, 44, 50)), ("studies", (6, 5, 1)))
      for gender, value in zip(("total", "women", "men"), split, strict=True)],
]


@pytest.mark.parametrize(
    ("prefix", "metric", "basis", "period", "dimensions", "printed"), PRINTED,
    ids=[f"{p}-{m}-{b}-{d[0].year}{'H1' if d[1].month == 6 else ''}-"
         f"{'-'.join(str(v) for v in dims.values())}" for p, m, b, d, dims, _ in PRINTED])
def test_every_printed_figure_is_read(seeds, prefix, metric, basis, period, dimensions,
                                      printed):
    frame, _ = seeds[prefix]
    assert set(values(frame, metric, basis, period, **dimensions)) == printed


def test_figures_printed_with_different_values_are_flagged(seeds):
    for prefix, metric, basis, period, dimensions, printed in PRINTED:
        if max(printed) - min(printed) <= 1_000:  # rounding of a tkr figure
            continue
        frame, _ = seeds[prefix]
        rows = frame[(frame["metric"] == metric) & (frame["basis"] == basis)
                     & (pd.to_datetime(frame["period_start"]) == pd.Timestamp(period[0]))
                     & (pd.to_datetime(frame["period_end"]) == pd.Timestamp(period[1]))]
        for name in DIMENSIONS:
            wanted = dimensions.get(name)
            rows = rows[rows[name].isna()] if wanted is None else rows[rows[name] == wanted]
        assert (rows["check_status"] == "flagged").all(), (prefix, metric, basis, period)


def test_differences_and_scenarios_are_not_read_as_figures(seeds):
    # 000: "Kostnaderna per sista juni blev 1 221 tkr högre än budgeterat"; 003: "kostnader
    # blev 5 546 tkr lägre än vad som budgeterats"; 004: "Ett scenario skulle var att
    # förbundet gör ett överskott på 400 000 kr".
    assert 1_221 * TKR not in values(seeds["000"][0], "total_costs", "outcome", H1_2023)
    assert 5_546 * TKR not in values(seeds["003"][0], "total_costs", "outcome", H1_2019)
    assert 400_000 not in values(seeds["004"][0], "result", "forecast", Y2023)


# --- 000: half-year report Jan–Jun 2023 (Tabell 6, Tabell 2, Tabell 7, section 1.2) ---------

def test_000_contradicting_results_are_reported_not_resolved(seeds):
    frame, result = seeds["000"]
    # The summary and the income table say -2 838 tkr; section 3 says -2 715 tkr.
    assert set(values(frame, "result", "outcome", H1_2023)) == {-2_838 * TKR, -2_715 * TKR}
    rows = frame[(frame["metric"] == "result") & (frame["basis"] == "outcome")]
    assert (rows["check_status"] == "flagged").all()
    found = issues(result, "contradiction")
    assert any("-2 838 000" in m and "-2 715 000" in m for m in found["message"])
    assert (found["severity"] == "error").any()


def test_000_intervention_exits(seeds):
    frame, _ = seeds["000"]
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

def test_001_esf_and_other_income_contradict_between_note_and_prose(seeds):
    _, result = seeds["001"]
    # Note 2 lumps "EU-medel och andra bidrag" (4 009 486 kr); the prose splits ESF (3 749
    # tkr) from other income (1 006 tkr, note 2's 745 458 kr plus the other grants).
    messages = " ".join(issues(result, "contradiction")["message"])
    assert "esf_income" in messages and "4 009 486" in messages and "3 749 000" in messages
    assert "other_income" in messages and "745 458" in messages and "1 006 000" in messages


def test_001_costs_result_and_equity(seeds):
    frame, result = seeds["001"]
    # Income statement 36 038 993 kr; five-year overview 36 187 072 kr incl. depreciation.
    assert not issues(result, "contradiction").query("line == 1787").empty
    # Section 5 prints income of 37 823 tkr, the summary 37 873 tkr: flagged.
    rows = frame[(frame["metric"] == "total_income") & (frame["value"] == 37_823 * TKR)]
    assert len(rows) == 1 and rows.iloc[0]["line"] == 1932
    assert (rows["check_status"] == "flagged").all()


def test_001_participants_by_intervention(seeds):
    frame, result = seeds["001"]
    assert value(frame, "participants_started", gender="total", intervention="Novum") == 87
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

def test_003_participants_have_no_gender_split(seeds):
    frame, _ = seeds["003"]
    # Summary: 294 new participants registered, close to 630 participants in total (no split
    # by gender is printed for the whole association).
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

def test_004_budget_follow_up_intervention_costs(seeds):
    frame, _ = seeds["004"]
    # A header cell named only by its year ("2023") beside "Utfall 30/6-2023" is the budget.
    assert values(frame, "member_contribution", "outcome", Y2023, member="state") == []
    assert value(frame, "intervention_cost", "budget", Y2023, intervention="Psykolog") == 912_000
    assert value(frame, "intervention_cost", "outcome", H1_2023,
                 intervention="Arbetsterapeut") == 311_000


def test_004_half_year_state_share_is_flagged(seeds):
    frame, result = seeds["004"]
    # By mid-year the state had paid 1 840 tkr, as much as the region alone: not 50/25/25.
    rows = frame[(frame["metric"] == "member_contribution") & (frame["basis"] == "outcome")
                 & (pd.to_datetime(frame["period_end"]) == pd.Timestamp(H1_2023[1]))]
    assert (rows["check_status"] == "flagged").all()
    assert not issues(result, "member_split").empty


def test_004_interim_report_contradicts_the_follow_up(seeds):
    _, result = seeds["004"]
    # The follow-up prints a zero result for the half-year: reported as a contradiction.
    assert any("2 623 946" in m for m in issues(result, "contradiction")["message"])


def test_004_participants_per_intervention(seeds):
    frame, _ = seeds["004"]
    # Interim report, Tabell 1 "resultat per insats till och med 30/6-2023".
    assert value(frame, "participants", gender="women", intervention="Psykolog") == 14
    assert value(frame, "exits", gender="total", reason="work", intervention="Psykolog") == 3


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
