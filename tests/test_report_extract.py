"""Extraction, checks and overrides on small documents written for the tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ingestion import config
from ingestion.reports.extract import extract_bytes
from ingestion.reports.pipeline import extract_reports

ASSOCIATIONS = {"exempelstad": ("samordningsforbundet exempelstad",)}

HALF_YEAR = """Samordningsförbundet Exempelstad
Halvårsrapport 2023

Förbundets resultat för halvåret 2023 uppgår till -300 tkr.
Totalt har 50 deltagare (30 kvinnor och 21 män) tagit del av förbundets insatser.
\f
Tabell 1. Halvårsresultat

tkr Budget Utfall Differens
Intäkter
Försäkringskassan inkl. Arbetsförmedlingen 2 000 2 000 0
Region Exempel 1 000 1 000 0
Exempelstads kommun 1 000 900 100
Summa intäkter 4 000 3 900 100
Summa kostnader totalt 4 500 4 100 300
Årets resultat -500 -200 -300

Tabell 2. Avslutade deltagare

Avslutsorsak Totalt Kvinnor Män
Arbete 5 3 2
Studier 2 - 2
Summa 8 4 4
"""


def extract(text: str, source: str = "test.txt"):
    result = extract_bytes(text.encode("utf-8"), source, ASSOCIATIONS)
    figures, documents, issues = result.frames()
    return figures, documents, issues


def rows(figures: pd.DataFrame, **where) -> pd.DataFrame:
    selected = figures
    for column, wanted in where.items():
        selected = selected[selected[column] == wanted]
    return selected


def test_document_metadata_and_provenance():
    figures, documents, _ = extract(HALF_YEAR)
    document = documents.iloc[0]
    assert document["association_id"] == "exempelstad"
    assert document["report_type"] == "half_year_report"
    assert str(document["period_end"]) == "2023-06-30"
    state = rows(figures, metric="member_contribution", member="state", basis="budget").iloc[0]
    assert state["value"] == 2_000_000  # tkr converted to SEK
    assert state["unit"] == "tkr"
    assert state["page"] == 2  # after the form feed
    assert state["raw_text"] == "Försäkringskassan inkl. Arbetsförmedlingen 2 000 2 000 0"
    assert HALF_YEAR.split("\n")[state["line"] - 1] == state["raw_text"]


def test_failed_checks_flag_rows_and_report_issues():
    figures, _, issues = extract(HALF_YEAR)
    by_check = issues.groupby("check_name")["line"].apply(set).to_dict()
    # 2 000 ≠ 1 000 + 900: the outcome split is flagged, the budget split is fine.
    outcome_members = rows(figures, metric="member_contribution", basis="outcome")
    assert (outcome_members["check_status"] == "flagged").all()
    budget_members = rows(figures, metric="member_contribution", basis="budget")
    assert (budget_members["check_status"] == "ok").all()
    assert "member_split" in by_check
    # 4 500 − 4 100 is 400, printed 300.
    costs = rows(figures, metric="total_costs")
    assert costs["check_messages"].str.contains("printed difference").all()
    costs_line = HALF_YEAR.split("\n").index("Summa kostnader totalt 4 500 4 100 300") + 1
    assert costs_line in by_check["difference"]
    # 30 women + 21 men ≠ 50.
    assert "gender_sum" in by_check
    # Exits by reason add up to 7, the table's total says 8.
    assert "exits_sum" in by_check
    # -300 tkr in the text, -200 tkr in the table.
    contradiction = issues[issues["check_name"] == "contradiction"].iloc[0]
    assert "-300 000" in contradiction["message"] and "-200 000" in contradiction["message"]
    # Nothing is dropped: every figure of the table is still there.
    assert len(rows(figures, metric="result", basis="outcome")) == 2
    assert (figures["check_status"] == "flagged").eq(figures["check_messages"].notna()).all()


def test_dash_reads_as_zero_in_people_tables():
    figures, _, _ = extract(HALF_YEAR)
    studies = rows(figures, metric="exits", reason="studies").set_index("gender")["value"]
    assert studies.to_dict() == {"total": 2.0, "women": 0.0, "men": 2.0}


def test_sample_marker_marks_every_row():
    figures, documents, _ = extract("EXEMPELDOKUMENT\n" + HALF_YEAR)
    assert figures["is_sample"].all() and documents["is_sample"].all()
    figures, _, _ = extract(HALF_YEAR)
    assert not figures["is_sample"].any()


def test_unreadable_document_is_reported_and_the_others_load(tmp_path: Path):
    (tmp_path / "good.txt").write_text(HALF_YEAR, encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    (tmp_path / "README.md").write_text("not a report", encoding="utf-8")
    tables = extract_reports([tmp_path], [], tmp_path / "no-overrides.csv")
    status = tables.documents.set_index("source")["status"].to_dict()
    assert status == {"good.txt": "loaded", "broken.pdf": "failed"}
    failed = tables.issues[tables.issues["check_name"] == "unreadable"]
    assert failed["source"].tolist() == ["broken.pdf"]
    assert (tables.figures["source"] == "good.txt").all() and len(tables.figures) > 0


OVERRIDES_HEADER = ("document_id,source,association_id,period_start,period_end,basis,metric,"
                    "member,intervention,gender,reason,value,unit,changed_by,changed_on,why")


def write_overrides(folder: Path, *rows: str) -> Path:
    """An analysts' overrides file with ``rows`` (CSV lines) under its header."""
    path = folder / "overrides.csv"
    path.write_text("\n".join([OVERRIDES_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_overrides_replace_and_add_figures(tmp_path: Path):
    (tmp_path / "good.txt").write_text(HALF_YEAR, encoding="utf-8")
    overrides = write_overrides(
        tmp_path,
        ",good.txt,exempelstad,2023-01-01,2023-06-30,outcome,member_contribution,municipality,"
        ",,,1000,tkr,anna,2026-11-25,OCR misread the municipal outcome",
        ",good.txt,exempelstad,2023-01-01,2023-06-30,outcome,esf_income,,,,,150,tkr,anna,"
        "2026-11-25,ESF income is printed only in the appendix",
    )
    tables = extract_reports([tmp_path], [], overrides)
    figures = tables.figures
    municipality = rows(figures, metric="member_contribution", member="municipality",
                        basis="outcome")
    assert municipality[["value", "origin"]].values.tolist() == [[1_000_000.0, "override"]]
    assert "anna" in municipality.iloc[0]["raw_text"]
    esf = rows(figures, metric="esf_income")
    assert esf[["value", "origin"]].values.tolist() == [[150_000.0, "override"]]
    applied = tables.issues[tables.issues["check_name"] == "override_applied"]
    assert len(applied) == 1 and "900000" in applied.iloc[0]["message"]


def test_an_implausible_override_is_rejected_too(tmp_path: Path):
    (tmp_path / "good.txt").write_text(HALF_YEAR, encoding="utf-8")
    overrides = write_overrides(
        tmp_path,
        ",good.txt,exempelstad,2023-01-01,2023-06-30,outcome,member_contribution,region,"
        ",,,100000000000000000,kr,anna,2026-11-25,typed one figure too many zeros")
    tables = extract_reports([tmp_path], [], overrides)
    region = rows(tables.figures, metric="member_contribution", member="region",
                  basis="outcome")
    assert region[["value", "origin", "check_status"]].values.tolist() == [
        [1e17, "override", "rejected"]]
    errors = tables.issues[tables.issues["check_name"] == "implausible_value"]
    assert errors["severity"].tolist() == ["error"]
    assert errors["message"].iloc[0].startswith("override by anna: member_contribution of")


def test_overrides_need_who_and_why(tmp_path: Path):
    overrides = write_overrides(
        tmp_path, ",good.txt,,2023-01-01,2023-06-30,outcome,result,,,,,1,tkr,,,")
    with pytest.raises(ValueError, match="changed_by"):
        extract_reports([tmp_path], [], overrides)


def test_embedded_documents_load_as_samples():
    data = config.REPO_ROOT / "data"
    tables = extract_reports([data / "documents"], [], data / "overrides" / "report_figures.csv")
    assert (tables.documents["status"] == "loaded").all() and len(tables.documents) >= 2
    assert tables.figures["is_sample"].all()
    assert set(tables.figures["association_id"]) == {"stockholms-stad", "sundsvall"}
    assert (tables.figures["origin"] == "override").sum() == 1


def test_a_document_seen_twice_is_read_once(tmp_path: Path):
    (tmp_path / "a.txt").write_text(HALF_YEAR, encoding="utf-8")
    (tmp_path / "b.txt").write_text(HALF_YEAR, encoding="utf-8")
    tables = extract_reports([tmp_path], [], tmp_path / "none.csv")
    assert tables.documents["source"].tolist() == ["a.txt"]
    assert tables.issues.query("check_name == 'duplicate_document'")["source"].tolist() == [
        "b.txt"]
    assert set(tables.figures["source"]) == {"a.txt"}


def test_an_override_for_an_unknown_document_is_reported(tmp_path: Path):
    (tmp_path / "good.txt").write_text(HALF_YEAR, encoding="utf-8")
    overrides = write_overrides(
        tmp_path, ",other.txt,,2023-01-01,2023-06-30,outcome,result,,,,,1,tkr,anna,2026-11-25,typo")
    tables = extract_reports([tmp_path], [], overrides)
    assert tables.issues.query("check_name == 'override_unmatched'")["source"].tolist() == [
        "other.txt"]
    assert (tables.figures["origin"] == "extracted").all()


def test_schema_rejects_an_unflagged_domain_violation():
    from ingestion.reports.consistency import every_violation_is_flagged_rule
    from ingestion.validation.validate import RawValidationError, validate_raw

    figures, _, _ = extract(HALF_YEAR)
    rule = every_violation_is_flagged_rule()
    validate_raw("report_figures", figures, "test", [rule])
    tampered = figures.copy()
    tampered["check_status"], tampered["check_messages"] = "ok", None
    with pytest.raises(RawValidationError, match="domain_violations_are_flagged"):
        validate_raw("report_figures", tampered, "test", [rule])


def test_budget_follow_up_runs_to_its_date():
    text = ("Budgetuppföljning 2023-08-31\nSamordningsförbundet Exempelstad\n\n"
            "\tBudget 2023\tUtfall\n"
            "Försäkringskassan\t2 000\t1 300\nRegion Exempel\t1 000\t650\n"
            "Exempelstads kommun\t1 000\t650\n")
    figures, documents, _ = extract(text)
    assert documents.iloc[0]["report_type"] == "budget_follow_up"
    assert str(documents.iloc[0]["period_end"]) == "2023-08-31"
    outcome = rows(figures, metric="member_contribution", basis="outcome", member="state")
    assert str(outcome.iloc[0]["period_end"]) == "2023-08-31"
    assert outcome.iloc[0]["value"] == 1_300_000  # no unit printed: small figures are tkr
    assert (figures["check_status"] == "ok").all()


def test_an_association_missing_from_the_registry_has_no_id():
    figures, documents, _ = extract(HALF_YEAR.replace("Exempelstad", "Annanstad"))
    assert documents.iloc[0]["association"] == "Samordningsförbundet Annanstad"
    assert documents.iloc[0]["association_id"] is None
    assert figures["association_id"].isna().all() and len(figures) > 0


# --- prose statements ----------------------------------------------------------------------

def prose_figures(sentence: str, title: str = "Årsredovisning 2023") -> set[tuple]:
    figures, _, _ = extract(f"{title}\nSamordningsförbundet Exempelstad\n\n{sentence}\n")
    return {(r.metric, r.basis, r.member, str(r.period_start), str(r.period_end),
             r.value) for r in figures.itertuples()}


Y23 = ("2023-01-01", "2023-12-31")
H1_23 = ("2023-01-01", "2023-06-30")


@pytest.mark.parametrize(("sentence", "expected"), [
    # The verbs and tenses reports use.
    ("Resultatet för år 2023 är 288 tkr.", {("result", "outcome", None, *Y23, 288_000)}),
    ("Årets resultat blev -1 250 tkr.", {("result", "outcome", None, *Y23, -1_250_000)}),
    ("Förbundets resultat uppgick till 75 tkr.", {("result", "outcome", None, *Y23, 75_000)}),
    ("Periodens resultat landade på 312 tkr.", {("result", "outcome", None, *Y23, 312_000)}),
    ("Resultatet redovisas med ett underskott på 410 tkr.",
     {("result", "outcome", None, *Y23, -410_000)}),
    ("Under året landade förbundets resultat på 9 tkr.",
     {("result", "outcome", None, *Y23, 9_000)}),
    ("Förbundet gick med ett överskott på 1,2 mnkr.",
     {("result", "outcome", None, *Y23, 1_200_000)}),
    # One clause, one figure: the result is never the equity that follows it.
    ("Resultatet för 2023 är 288 tkr och det egna kapitalet uppgår till 1 900 tkr.",
     {("result", "outcome", None, *Y23, 288_000),
      ("equity_closing", "outcome", None, *Y23, 1_900_000)}),
    ("Resultatet påverkades av att flera insatser startade sent under året, och det egna "
     "kapitalet uppgår till 1 900 tkr.", {("equity_closing", "outcome", None, *Y23, 1_900_000)}),
    # Income and costs in total, contributions in total and by member, ESF and other income.
    ("Förbundets kostnader under 2023 uppgick till 8 100 tkr och intäkter till 8 400 tkr, "
     "varav 7 900 tkr i medlemsbidrag, 350 tkr medel från Europeiska socialfonden och 150 tkr "
     "i övriga intäkter.",
     {("total_costs", "outcome", None, *Y23, 8_100_000),
      ("total_income", "outcome", None, *Y23, 8_400_000),
      ("member_contribution", "outcome", None, *Y23, 7_900_000),
      ("esf_income", "outcome", None, *Y23, 350_000),
      ("other_income", "outcome", None, *Y23, 150_000)}),
    ("Bidraget från Försäkringskassan uppgick till 3 950 tkr och regionen bidrog med 1 975 tkr.",
     {("member_contribution", "outcome", "state", *Y23, 3_950_000),
      ("member_contribution", "outcome", "region", *Y23, 1_975_000)}),
    ("ESF-medlen uppgick till 420 tkr.", {("esf_income", "outcome", None, *Y23, 420_000)}),
    # Budgets and forecasts cover the whole year; the clause names basis and period.
    ("Budgeterade intäkter för 2024 uppgår till 9 000 tkr.",
     {("total_income", "budget", None, "2024-01-01", "2024-12-31", 9_000_000)}),
    ("Enligt prognosen beräknas årets totala kostnader bli 8 700 tkr.",
     {("total_costs", "forecast", None, *Y23, 8_700_000)}),
    # Differences and scenarios are not figures.
    ("Kostnaderna blev 1 221 tkr högre än budgeterat.", set()),
    ("Förbundets intäkter var 300 tkr lägre än föregående år.", set()),
    ("Ett scenario är att förbundet gör ett överskott på 400 tkr.", set()),
    ("Insatsen har ett underskott på 90 tkr.", set()),
])
def test_prose_statements(sentence, expected):
    assert prose_figures(sentence) == expected


def people_figures(sentence: str) -> set[tuple]:
    figures, _, _ = extract(f"Årsredovisning 2023\nSamordningsförbundet Exempelstad\n\n"
                            f"{sentence}\n")
    return {(r.metric, r.gender, r.value, r.check_status) for r in figures.itertuples()
            if r.unit == "persons"}


def split(metric: str, total: int, women: int, men: int, status: str = "ok") -> set[tuple]:
    return {(metric, "total", total, status), (metric, "women", women, status),
            (metric, "men", men, status)}


@pytest.mark.parametrize(("sentence", "expected"), [
    # The split in brackets, after "varav", or the count after a label.
    ("Totalt har 212 deltagare (118 kvinnor och 94 män) tagit del av förbundets insatser.",
     split("participants", 212, 118, 94)),
    ("Förbundet har under året haft 212 deltagare, varav 118 kvinnor och 94 män.",
     split("participants", 212, 118, 94)),
    ("Under året har förbundet haft 347 deltagare, varav 201 kvinnor och 146 män, i de "
     "insatser som förbundet finansierar.", split("participants", 347, 201, 146)),
    ("Totalt antal deltagare i förbundets insatser: 212, varav 118 kvinnor och 94 män.",
     split("participants", 212, 118, 94)),
    ("Under året har totalt 40 deltagare avslutats, varav 25 kvinnor och 15 män.",
     split("participants_exited", 40, 25, 15)),
    # A split that does not add up is read and flagged (gender_sum), never dropped.
    ("Förbundet har haft 212 deltagare varav 117 kvinnor och 94 män och en icke-binär.",
     split("participants", 212, 117, 94, "flagged")),
    # One intervention, or a count since it began: not the association's year.
    ("Totalt har insatsen hittills haft 199 deltagare varav 67 kvinnor och 117 män.", set()),
    ("Projektet har totalt haft 30 deltagare, varav 20 kvinnor och 10 män.", set()),
    # Nothing says whose participants these are.
    ("Antal deltagare under året: 45, varav 20 kvinnor och 25 män.", set()),
])
def test_participants_by_gender_in_prose(sentence: str, expected: set[tuple]) -> None:
    assert people_figures(sentence) == expected


def test_prose_in_a_half_year_report():
    found = prose_figures("Till halvåret 2023 har 412 individer fått stöd i förbundets insatser."
                          " Förbundets intäkter är 4 100 tkr per den sista juni 2023.",
                          title="Halvårsrapport 2023")
    found = {f for f in found if f[0] != "participants" or f[-1] == 412}
    assert found == {("participants", "outcome", None, *H1_23, 412),
                     ("total_income", "outcome", None, *H1_23, 4_100_000)}


def test_a_prose_figure_contradicting_a_table_is_flagged():
    text = HALF_YEAR.replace("Förbundets resultat för halvåret 2023 uppgår till -300 tkr.",
                             "Periodens intäkter är 3 500 tkr.")
    figures, _, issues = extract(text)
    income = rows(figures, metric="total_income", basis="outcome")
    assert sorted(income["value"]) == [3_500_000, 3_900_000]
    assert (income["check_status"] == "flagged").all()
    assert issues.query("check_name == 'contradiction'")["message"].str.contains(
        "total_income").any()


# --- the report's own arithmetic, signs and plausible ranges -------------------------------

def test_the_arithmetic_score_of_a_document():
    _, documents, _ = extract(HALF_YEAR)
    document = documents.iloc[0]
    # By hand, Tabell 1: six differences (Summa kostnader 4 500 - 4 100 is not 300), Summa
    # intäkter in two columns (2 000 + 1 000 + 1 000; 2 000 + 1 000 + 900), income less
    # costs in two columns (4 000 - 4 500 = -500; 3 900 - 4 100 = -200, the table's result;
    # the prose's -300 is another value of it), the member split in two (2 000 = 1 000 +
    # 1 000 holds, 2 000 = 1 000 + 900 not). Tabell 2: Summa in three columns (5 + 2 is not
    # 8, 3 + 0 not 4, 2 + 2 = 4), exits by reason against the exited (the same: one of
    # three), women + men = total in its three rows and the prose (30 + 21 is not 50).
    assert document["reading"] == "text"
    assert (document["arithmetic_checks_passed"], document["arithmetic_checks_possible"]) \
        == (5 + 2 + 2 + 1 + 1 + 1 + 3, 6 + 2 + 2 + 2 + 3 + 3 + 4)


def test_failed_sums_and_balances_are_reported():
    text = HALF_YEAR.replace("Summa intäkter 4 000 3 900 100", "Summa intäkter 4 000 3 800 200")
    _, _, issues = extract(text)
    sums = issues[issues["check_name"] == "sum_row"]
    lines = text.split("\n")
    # Besides the changed row, Tabell 2 prints 8 for 5 + 2 and 4 for 3 + 0 (counts: exact).
    assert list(zip(sums["line"], sums["message"], strict=True)) == [
        (lines.index("Summa intäkter 4 000 3 800 200") + 1,
         "sum row 3800 is the sum of no run of rows above it"),
        (lines.index("Summa 8 4 4") + 1, "sum row 8 is the sum of no run of rows above it"),
        (lines.index("Summa 8 4 4") + 1, "sum row 4 is the sum of no run of rows above it")]


@pytest.mark.parametrize("sentence", [
    "Under perioden har totalt -610 deltagare tagit del av förbundets insatser.",
    "Under perioden har totalt −610 deltagare tagit del av förbundets insatser."])
def test_a_count_keeps_its_sign_and_a_negative_count_is_rejected(sentence: str):
    text = f"Samordningsförbundet Exempelstad\nÅrsredovisning 2023\n\n{sentence}\n"
    figures, _, issues = extract(text, "minus.txt")
    count = rows(figures, metric="participants")
    assert count["value"].tolist() == [-610]
    assert count["check_status"].tolist() == ["rejected"]
    error = issues[issues["check_name"] == "implausible_value"]
    assert error["severity"].tolist() == ["error"]
    assert error["message"].iloc[0].startswith("minus.txt, page 1, line 4: participants of -610")


def test_money_beyond_any_association_is_rejected_before_the_marts(tmp_path: Path, monkeypatch):
    text = ("Samordningsförbundet Exempelstad\nÅrsredovisning 2023\n\n"
            "Belopp i kr\t2023\n"
            "Försäkringskassan\t1 000 000 000 000 000\n"
            "Region Exempel\t100 000 000 000 000 000\n"
            "Exempelstads kommun\t2 000 000\n")
    figures, _, issues = extract(text, "huge.txt")
    contributions = rows(figures, metric="member_contribution").set_index("member")
    assert contributions["value"].to_dict() == {"state": 1e15, "region": 1e17,
                                                "municipality": 2e6}
    assert contributions["check_status"].to_dict() == {"state": "rejected",
                                                       "region": "rejected",
                                                       "municipality": "ok"}
    errors = issues[issues["check_name"] == "implausible_value"]
    assert errors["line"].tolist() == [5, 6]
    assert errors["message"].str.contains("huge.txt, page 1, line 5: member_contribution").any()
    # The raw table keeps them (with their source lines); its contract accepts the status.
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "huge.txt").write_text(text, encoding="utf-8")
    tables = extract_reports(overrides_path=tmp_path / "none.csv")
    assert (tables.figures["check_status"] == "rejected").sum() == 2


def test_shares_of_the_ideal_may_pass_100_percent_but_not_500():
    # Seed 001 names an association at 150 % of its idealfördelning: a ratio, not a share.
    base = ("Samordningsförbundet Exempelstad\nÅrsredovisning 2023\n\n"
            "Samordningsförbundet Exempelstad har {} procent av idealfördelningen.\n")
    for printed, status in (("150", "ok"), ("640", "rejected")):
        figures, _, _ = extract(base.format(printed))
        share = rows(figures, metric="ideal_allocation_share")
        assert share[["value", "check_status"]].values.tolist() == [[float(printed), status]]


@pytest.mark.parametrize(("sentence", "share"), [
    ("Förbundet har 78 procent av den beräknade idealfördelningen.", 78),
    ("Förbundet erhöll 78 % av sin idealfördelning.", 78),
    ("Förbundets tilldelning motsvarar 78,5 procent av idealfördelningen.", 78.5),
    ("Förbundets andel av idealfördelningen är 78 procent.", 78),
    ("Exempelstad får 64 procent av idealfördelningen.", 64),
    # Another association's share, named in a comparison, is not this one's.
    ("Göteborg får 150 procent av idealfördelningen.", None),
])
def test_the_share_of_the_ideal_said_in_several_ways(sentence: str, share: float | None):
    found = {f[-1] for f in prose_figures(sentence) if f[0] == "ideal_allocation_share"}
    assert found == ({share} if share is not None else set())


BALANCED = """Samordningsförbundet Exempelstad
Årsredovisning 2023

Belopp i tkr\t2023
Försäkringskassan\t2 000
Region Exempel\t1 000
Exempelstads kommun\t1 000
Summa intäkter\t4 000
Summa kostnader\t-3 800
Årets resultat\t200

Förbundets medlemsbidrag uppgick till 4 000 tkr.
Vid årets början uppgick det egna kapitalet till 1 000 tkr.
Vid årets slut uppgick det egna kapitalet till 1 200 tkr.
"""


def test_members_income_and_equity_add_up():
    _, documents, issues = extract(BALANCED)
    # Summa intäkter 2 000 + 1 000 + 1 000; state 2 000 = 1 000 + 1 000; the three members
    # 4 000 = medlemsbidrag 4 000; 4 000 - 3 800 = 200; 1 000 + 200 = 1 200.
    assert documents[["arithmetic_checks_passed", "arithmetic_checks_possible"]].values.tolist() \
        == [[5, 5]]
    _, documents, issues = extract(BALANCED.replace("kapitalet till 1 200", "kapitalet till 1 300"))
    assert documents[["arithmetic_checks_passed", "arithmetic_checks_possible"]].values.tolist() \
        == [[4, 5]]
    moved = issues[issues["check_name"] == "equity_movement"]
    assert moved["message"].tolist() == [
        "opening equity + result ≠ closing equity (outcome, 2023-01-01–2023-12-31)"]
