"""Who wrote a document, what kind it is and which period it covers: on the openings of
five other associations' real documents (``../shared/reports-excerpts``, facts as stated in
their SOURCES.md), on documents written for the tests (``tests/documents``, invented
associations and figures, registry ``tests/documents/associations.csv``) and on short
texts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingestion.reports.documents import read_document
from ingestion.reports.extract import extract_bytes, extract_file
from ingestion.reports.identity import load_associations

DOCUMENTS = Path(__file__).parent / "documents"
TEST_REGISTRY = load_associations(DOCUMENTS / "associations.csv")
REGISTRY = load_associations()  # data/reference/associations.csv


def year(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y, 12, 31)


def read(text: str, registry: dict | None = None):
    return read_document(text.encode("utf-8"), "test.txt",
                         REGISTRY if registry is None else registry)


# --- the real excerpts --------------------------------------------------------------------

# file prefix: association, kind, period, the name as printed (SOURCES.md)
EXCERPTS = {
    "01": ("sodra-roslagen", "annual_report", year(2014),
           "Samordningsförbundet Södra Roslagen"),
    # The name is broken over two lines: "… för rehabilitering" / "i Södertälje - Sfris".
    "03": ("sodertalje", "annual_report", year(2014),
           "Samordningsförbundet för rehabilitering i Södertälje"),
    # Borås' decision on ansvarsfrihet for the association's annual report 2013.
    "05": ("sjuharad", "annual_report_decision", year(2013), "Sjuhärads samordningsförbund"),
    # Adopted 2017-03-29; the report is of 2016.
    "07": ("ostra-ostergotland", "annual_report", year(2016),
           "Samordningsförbundet Östra Östergötland"),
    # Arboga's executive committee on the association's annual report 2011 (OCR noise).
    "09": ("vastra-malardalen", "annual_report_decision", year(2011),
           "Samordningsförbundet Västra Mälardalen"),
}


@pytest.mark.parametrize("prefix", sorted(EXCERPTS))
def test_excerpt_association_kind_and_period(excerpts_dir, prefix):
    association, kind, period, printed = EXCERPTS[prefix]
    path = next(excerpts_dir.glob(f"{prefix}_*.txt"))
    assert path.name in (excerpts_dir / "SOURCES.md").read_text(encoding="utf-8")
    assert str(period[0].year) in path.name
    document = extract_file(path).documents[0]
    assert (document["association_id"], document["association_status"]) == (association,
                                                                             "matched")
    assert document["association"] == printed
    assert document["report_type"] == kind
    assert (document["period_start"], document["period_end"]) == period
    assert document["period_evidence"] == "title"


def test_decision_quotes_the_result_of_the_annual_report(excerpts_dir):
    # "Resultatet för år 2013 är 288 tkr och det egna kapitalet uppgår till tkr." (the host
    # dropped the equity figure): the result is read, nothing is read as equity.
    path = next(excerpts_dir.glob("05_*.txt"))
    figures = extract_file(path).frames()[0]
    assert figures[["metric", "value"]].values.tolist() == [["result", 288_000.0]]
    assert str(figures.iloc[0]["period_start"]) == "2013-01-01"
    assert figures.iloc[0]["association_id"] == "sjuharad"


# --- documents written for the tests ------------------------------------------------------

# file: association, status, kind, period, evidence
WRITTEN = {
    # "Norrdalens samordningsförbund" in "X samordningsförbund" order; the title over two
    # lines ("Årsredovisning" / "2021").
    "arsredovisning_norrdal_2021.txt": (
        "norrdal", "matched", "annual_report", year(2021), "title"),
    # The name broken over two lines, and its alias "Reha BH".
    "halvarsrapport_bergby_hamnstad_2022.txt": (
        "bergby-hamnstad", "matched", "half_year_report", (date(2022, 1, 1), date(2022, 6, 30)),
        "title"),
    # A municipality's minutes on "Samordningsförbundet Exempelstad Norr"'s annual report:
    # about the association, not by it; "Exempelstad" alone is another association.
    "kf_protokoll_storvik_exempelstad_norr_2020.txt": (
        "exempelstad-norr", "matched", "annual_report_decision", year(2020), "title"),
    "verksamhetsplan_ovre_dalen_2025.txt": (
        "ovre-dalen", "matched", "plan_and_budget", year(2025), "title"),
    "revisionsberattelse_sodra_exempelbygden_2019.txt": (
        "sodra-exempelbygden", "matched", "audit_report", year(2019), "title"),
    # Two associations named once each.
    "gemensam_skrivelse_sodra_ostra_exempelbygden_2022.txt": (
        None, "ambiguous", None, year(2022), "frequent_year"),
    # "Samordningsförbundet Exempelstad Väst" is not registered: not Exempelstad.
    "nyhetsbrev_exempelstad_vast_2023.txt": (
        None, "unknown", None, year(2023), "frequent_year"),
}


@pytest.fixture(scope="module")
def written():
    return {name: extract_file(DOCUMENTS / name, TEST_REGISTRY) for name in WRITTEN}


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_written_document_identity(written, name):
    association, status, kind, period, evidence = WRITTEN[name]
    document = written[name].documents[0]
    assert document["association_id"] == association
    assert document["association_status"] == status
    assert document["report_type"] == kind
    assert (document["period_start"], document["period_end"]) == period
    assert document["period_evidence"] == evidence


def figures_of(written, name: str) -> set[tuple]:
    frame = written[name].frames()[0]
    return {(r.metric, r.basis, r.member, r.gender, r.period_start.year,
             r.period_end.month, r.value) for r in frame.itertuples()}


def test_annual_report_in_x_samordningsforbund_order(written):
    found = figures_of(written, "arsredovisning_norrdal_2021.txt")
    assert {
        ("result", "outcome", None, None, 2021, 12, -412_000.0),  # table and "blev -412 tkr"
        ("result", "budget", None, None, 2021, 12, -800_000.0),  # "Budgeterat resultat … var"
        ("equity_closing", "outcome", None, None, 2021, 12, 1_530_000.0),
        ("total_income", "outcome", None, None, 2021, 12, 6_300_000.0),
        ("total_costs", "outcome", None, None, 2021, 12, 6_712_000.0),  # "landade på"
        ("member_contribution", "outcome", None, None, 2021, 12, 6_000_000.0),
        ("member_contribution", "outcome", "state", None, 2021, 12, 3_000_000.0),
        ("member_contribution", "outcome", "region", None, 2020, 12, 1_400_000.0),
        ("other_income", "outcome", None, None, 2021, 12, 300_000.0),
        ("participants", "outcome", None, "total", 2021, 12, 214.0),  # "individer fått stöd"
    } <= found
    # "388 tkr bättre än budgeterat" and "120 tkr lägre än planerat" are differences.
    assert not {f for f in found if f[-1] in (388_000.0, 120_000.0)}


def test_half_year_report_with_a_broken_name(written):
    document = written["halvarsrapport_bergby_hamnstad_2022.txt"].documents[0]
    assert document["association"] == ("Samordningsförbundet för rehabilitering i Bergby och "
                                       "Hamnstad")
    found = figures_of(written, "halvarsrapport_bergby_hamnstad_2022.txt")
    assert found == {
        ("participants", "outcome", None, "total", 2022, 6, 245.0),
        ("participants", "outcome", None, "women", 2022, 6, 140.0),
        ("participants", "outcome", None, "men", 2022, 6, 105.0),
        ("participants_started", "outcome", None, "total", 2022, 6, 61.0),
        ("participants_exited", "outcome", None, "total", 2022, 6, 58.0),
        ("result", "outcome", None, None, 2022, 6, 215_000.0),  # "landade på"
        ("total_income", "outcome", None, None, 2022, 6, 3_050_000.0),  # "är"
        ("total_costs", "outcome", None, None, 2022, 6, 2_835_000.0),  # "redovisas med"
        ("esf_income", "outcome", None, None, 2022, 6, 410_000.0),
        ("result", "forecast", None, None, 2022, 12, -150_000.0),  # "beräknas årets resultat"
    }


def test_council_minutes_quote_the_annual_report(written):
    found = figures_of(written, "kf_protokoll_storvik_exempelstad_norr_2020.txt")
    # "resultat … är 150 tkr och det egna kapitalet uppgår till 2 310 tkr": two figures,
    # equity never read as the result; "förbättrats med 95 tkr" is a change, not a figure.
    assert found == {("result", "outcome", None, None, 2020, 12, 150_000.0),
                     ("equity_closing", "outcome", None, None, 2020, 12, 2_310_000.0)}


def test_plan_figures_are_budgets_for_the_planned_years(written):
    found = figures_of(written, "verksamhetsplan_ovre_dalen_2025.txt")
    assert {
        ("member_contribution", "budget", "state", None, 2025, 12, 4_400_000.0),
        ("member_contribution", "budget", "state", None, 2026, 12, 4_400_000.0),  # "Plan 2026"
        ("total_income", "budget", None, None, 2025, 12, 8_800_000.0),
        ("total_costs", "budget", None, None, 2025, 12, 9_100_000.0),
        ("result", "budget", None, None, 2025, 12, -300_000.0),
        ("result", "budget", None, None, 2024, 12, -300_000.0),
        # The outcome it compares with stays an outcome: "Bokslut 2023", and "Under 2023
        # landade förbundets resultat på 210 tkr".
        ("result", "outcome", None, None, 2023, 12, 210_000.0),
        ("total_costs", "outcome", None, None, 2023, 12, 7_990_000.0),
    } <= found
    assert not {f for f in found if f[1] == "outcome" and f[4] >= 2024}


def test_auditors_report(written):
    assert figures_of(written, "revisionsberattelse_sodra_exempelbygden_2019.txt") == {
        ("result", "outcome", None, None, 2019, 12, 96_000.0)}


def test_unknown_and_ambiguous_are_reported_with_the_candidates(written):
    ambiguous = written["gemensam_skrivelse_sodra_ostra_exempelbygden_2022.txt"]
    assert ambiguous.documents[0]["association_candidates"] == (
        "sodra-exempelbygden|ostra-exempelbygden")
    issue = ambiguous.frames()[2].query("check_name == 'association_ambiguous'")
    assert "sodra-exempelbygden" in issue.iloc[0]["message"]
    unknown = written["nyhetsbrev_exempelstad_vast_2023.txt"]
    assert unknown.documents[0]["association"] == "Samordningsförbundet Exempelstad Väst"
    assert unknown.documents[0]["association_candidates"] is None
    issue = unknown.frames()[2].query("check_name == 'association_unknown'")
    assert "Exempelstad Väst" in issue.iloc[0]["message"]


# --- names in the text ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "association"), [
    # The whole name decides, never its first words.
    ("Samordningsförbundet Östra Södertörn", "ostra-sodertorn"),
    ("Samordningsförbundet Östra Östergötland", "ostra-ostergotland"),
    ("Samordningsförbundet Göteborg Hisingen", "goteborg-hisingen"),
    ("Samordningsförbundet Göteborg Väster", "goteborg-vaster"),
    # Word orders, genitives, line breaks, hyphenation, OCR folding.
    ("Västra Mälardalens Samordningsförbund", "vastra-malardalen"),
    ("Samordningsförbundet Sjuhärad", "sjuharad"),
    ("SJUHÄRADS SAMORDNINGSFÖRBUND", "sjuharad"),
    ("Samordningsförbundet Stockholms stads verksamhet", "stockholms-stad"),
    ("Samordningsférbundet\nStockholms stad", "stockholms-stad"),
    ("Samordnings-\nförbundet i Sundsvall", "sundsvall"),
    ("Samordningsforbundet Skellefteå–Norsjö", "skelleftea-norsjo"),  # en dash, folded
    # Registered aliases and "Finsam X".
    ("SUVS", "suvs"),
    ("Samordningsförbundet Sollentuna – Upplands Väsby – Sigtuna",
     "suvs"),
    ("SCÖ", "centrala-ostergotland"),
    ("RAR i Sörmland", "rar-sormland"),
    ("RAR i\nSörmland", "rar-sormland"),
    ("Sfris", "sodertalje"),
    ("Finsam Gotland", "gotland"),
    # Not a name: a place alone, a cut name, the plural.
    ("Stockholms stad", None),
    ("Samordningsförbundet Östra", None),
    ("Samordningsförbunden i Stockholms län", None),
])
def test_names(text, association):
    registry = {**REGISTRY, "goteborg": ("Samordningsförbundet Göteborg",)}
    doc = read(f"Text om {text} och annat.", registry)
    assert doc.association_id == association
    assert doc.association_status == ("matched" if association else "unknown")


def test_a_registered_name_continued_by_another_word_is_not_that_association():
    registry = {"goteborg": ("Samordningsförbundet Göteborg",)}
    assert read("Samordningsförbundet Göteborg Nordväst bjuder in", registry
                ).association_status == "unknown"
    # A title word after the name does not continue it.
    assert read("Samordningsförbundet Göteborg Årsredovisning 2020", registry
                ).association_id == "goteborg"


def test_aliases_come_from_the_registry_only():
    without = {key: names[:1] for key, names in REGISTRY.items()}  # official names only
    assert read("SUVS", without).association_status == "unknown"
    assert read("SUVS", REGISTRY).association_id == "suvs"
    assert TEST_REGISTRY["bergby-hamnstad"] == (
        "Samordningsförbundet för rehabilitering i Bergby och Hamnstad", "Reha BH")


def test_the_most_named_association_wins_and_a_tie_is_ambiguous():
    text = ("Samordningsförbundet Stockholms stad har tillsammans med SUVS drivit projektet.\n"
            "Samordningsförbundet Stockholms stad är projektägare.")
    doc = read(text)
    assert (doc.association_id, doc.association_candidates) == (
        "stockholms-stad", ("stockholms-stad", "suvs"))
    doc = read("Samordningsförbundet Stockholms stad och SUVS")
    assert (doc.association_id, doc.association_status) == (None, "ambiguous")


# --- kinds and periods ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "period", "evidence"), [
    # A statement on the annual report 2016 that compares with 2015 is of 2016.
    ("Yttrande över årsredovisning 2016\nJämfört med 2015 ökade kostnaderna. 2015 var ett "
     "annat år, liksom 2015.", "annual_report", year(2016), "title"),
    ("Årsredovisning för Samordningsförbundet Södra Roslagen år 2015\nBeslutad 2016-03-20",
     "annual_report", year(2015), "title"),
    ("Årsredovisning för Samordningsförbundet Södra Roslagen\nBeslutad 2016-03-20",
     "annual_report", year(2016), "frequent_year"),
    ("Delårsrapport januari–augusti 2023", "interim_report",
     (date(2023, 1, 1), date(2023, 8, 31)), "title"),
    ("Delårsrapport 2023", "interim_report", (date(2023, 1, 1), date(2023, 6, 30)), "title"),
    ("Verksamhetsplan och budget 2018\nUtfall 2016 och prognos 2017", "plan_and_budget",
     year(2018), "title"),
    ("Budget och verksamhetsplan 2019", "plan_and_budget", year(2019), "title"),
    ("Revisionsberättelse för räkenskapsåret 2012", "audit_report", year(2012), "title"),
    ("Samordningsförbundet Sundsvall\nVerksamhetsberättelse och årsbokslut för år 2023\n"
     "Enligt verksamhetsplanen 2023", "annual_report", year(2023), "title"),
    ("Halvårsrapport\nFörbundets insatser under första halvåret 2019", "half_year_report",
     (date(2019, 1, 1), date(2019, 6, 30)), "statement"),
    ("Förvaltningsberättelse\nStyrelsen beviljas ansvarsfrihet för verksamhetsåret 2013.",
     None, year(2013), "statement"),
    ("Sammanträdesprotokoll från styrelsemöte\nSammanträdesdatum: 2023-08-29",
     "board_minutes", year(2023), "meeting_date"),
    ("Budgetuppföljning 2023-06-30", "budget_follow_up",
     (date(2023, 1, 1), date(2023, 6, 30)), "title"),
    ("Inbjudan till konferens 2024, anmälan senast 2024-03-01", None, year(2024),
     "frequent_year"),
    ("Inbjudan till konferens", None, (None, None), None),
])
def test_kind_and_period(text, kind, period, evidence):
    doc = read(text)
    assert doc.report_type == kind
    assert (doc.period_start, doc.period_end) == period
    assert doc.period_evidence == evidence


def test_a_member_decision_is_told_from_the_associations_own_minutes():
    decision = ("LILLBY KOMMUN SAMMANTRÄDESPROTOKOLL\nKommunstyrelsen\n"
                "Årsredovisning 2022 för Samordningsförbundet i Sundsvall\n"
                "Kommunstyrelsen föreslår att styrelsen beviljas ansvarsfrihet.")
    assert read(decision).report_type == "annual_report_decision"
    # The association's board minutes record its members' decisions: still board minutes.
    minutes = ("Sammanträdesprotokoll från styrelsemöte\nSamordningsförbundet i Sundsvall\n"
               "§ 4 Regionfullmäktige har beslutat att godkänna årsredovisningen för 2022 "
               "och bevilja styrelsen ansvarsfrihet.")
    assert read(minutes).report_type == "board_minutes"


# A municipality's decision whose heading names the year discharged and whose text compares
# with the year before more often than it names that year (written for the test, in the
# layout of the members' decisions of ../shared/reports-excerpts/05 and 09).
DISCHARGE_2016 = """STORBY KOMMUN
SAMMANTRÄDESPROTOKOLL
Kommunfullmäktige
Sammanträdesdatum 2017-04-24

§ 41 Fråga om ansvarsfrihet för styrelsen i Samordningsförbundet Exempelstad
för år 2016

Samordningsförbundet Exempelstad har lämnat sin redovisning med revisorernas berättelse.
Förbundet hade fler deltagare än 2015 och lägre kostnader än 2015. Resultatet blev
120 tkr, mot 95 tkr 2015, och det egna kapitalet är högre än vid utgången av 2015.

Kommunfullmäktige beslutar
att bevilja styrelsen ansvarsfrihet.
"""


@pytest.mark.parametrize("heading", [
    "för år 2016", "för verksamhetsåret 2016", "för räkenskapsåret 2016"])
def test_the_year_a_decision_discharges_beats_the_years_it_compares_with(heading: str):
    doc = read(DISCHARGE_2016.replace("för år 2016", heading))
    assert doc.report_type == "annual_report_decision"
    assert (doc.period_start, doc.period_end) == year(2016)
    assert doc.period_evidence == "title"


def test_a_decision_naming_the_annual_report_takes_its_year():
    doc = read(DISCHARGE_2016.replace("Fråga om ansvarsfrihet för styrelsen i",
                                      "Årsredovisning 2016 för").replace("för år 2016", ""))
    assert (doc.period_start, doc.period_end, doc.period_evidence) == (*year(2016), "title")


# --- no document is assigned to a wrong association ---------------------------------------

def test_no_document_is_assigned_to_a_wrong_association(seeds_dir, excerpts_dir):
    """Every seed, excerpt and written document: its association or none (unknown and
    ambiguous are allowed, and counted here), never another one."""
    expected = {
        **{path: "stockholms-stad" for prefix in ("000", "001", "003")
           for path in seeds_dir.glob(f"{prefix}_*.txt")},
        **{path: "sundsvall" for path in seeds_dir.glob("004_*.txt")},
        **{next(excerpts_dir.glob(f"{prefix}_*.txt")): association
           for prefix, (association, *_) in EXCERPTS.items()},
    }
    statuses = []
    for path, association in expected.items():
        document = extract_file(path).documents[0]
        assert document["association_id"] in (association, None), path.name
        statuses.append(document["association_status"])
    for name, (association, *_) in WRITTEN.items():
        document = extract_file(DOCUMENTS / name, TEST_REGISTRY).documents[0]
        assert document["association_id"] == association, name
        statuses.append(document["association_status"])
    counts = pd.Series(statuses).value_counts().to_dict()
    assert counts == {"matched": 14, "unknown": 1, "ambiguous": 1}


def test_extract_bytes_reports_the_identity_columns():
    result = extract_bytes("Årsredovisning 2020\nSUVS\nÅrets resultat 12 tkr".encode(),
                           "x.txt", REGISTRY)
    document = result.documents[0]
    assert {k: document[k] for k in ("association_id", "association_status",
                                     "association_candidates", "period_evidence")} == {
        "association_id": "suvs", "association_status": "matched",
        "association_candidates": "suvs",
        "period_evidence": "title"}
