"""Swedish number parsing, label folding and fitting OCR'd digit groups to columns."""

from __future__ import annotations

import pytest

from ingestion.reports import vocabulary
from ingestion.reports.columns import parse_header
from ingestion.reports.numbers import fold, parse_number, standard_reading, tokens
from ingestion.reports.table_rows import fit_values, split_row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 838", 2838.0),
        ("-2 838", -2838.0),
        ("−1 418", -1418.0),
        ("– 1 418", -1418.0),
        ("1 840,00", 1840.0),
        ("32,5", 32.5),
        ("8,5 procent", 8.5),
        ("-", 0.0),
        ("+567", 567.0),
        ("3 436 062", 3436062.0),
        ("12 34", None),
        ("abc", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_fold_survives_ocr_letters():
    assert fold("Försäkringskassan inkl. Arbetsférmedlingen") == (
        "forsakringskassan inkl arbetsformedlingen")
    assert fold("6vriga intäkter") == "ovriga intakter"
    assert fold("Det &r") == "det ar"


@pytest.mark.parametrize(
    ("label", "metric", "member"),
    [
        ("Summa intdkter", "total_income", None),  # OCR: ä read as d
        ("Forsakringskassan inkl. Arbetsférmedlingen", "member_contribution", "state"),
        ("Region Västernorrland", "member_contribution", "region"),
        ("Sundsvalls kommun", "member_contribution", "municipality"),
        ("Stockholms stad", "member_contribution", "municipality"),
        ("Ovriga intakter och bidrag", "other_income", None),
        ("Arets resultat", "result", None),
        ("Ingaende eget kapital", "equity_opening", None),
        ("Verksamhetens resultat", vocabulary.IGNORE, None),
        # What is paid, named before who pays it.
        ("Medlemsavgift Försäkringskassan", "member_contribution", "state"),
        ("Medlemsbidrag Region Stockholm", "member_contribution", "region"),
        ("Medlemsinsatser från kommunerna", "member_contribution", "municipality"),
        ("Bidrag från Försäkringskassan", "member_contribution", "state"),
        ("Driftbidrag staten", "member_contribution", "state"),
        ("Medlemsavgift Haninge kommun", "member_contribution", "municipality"),
        ("Bidrag från Europeiska socialfonden", "esf_income", None),
        # A region named by its last word; all members together.
        ("Västra Götalandsregionen", "member_contribution", "region"),
        ("Summa medlemsbidrag", "member_contribution", None),
    ],
)
def test_vocabulary_matches_printed_labels(label, metric, member):
    rule = vocabulary.match(label, "money", "income")
    assert rule is not None and (rule.metric, rule.member) == (metric, member)


def test_member_names_in_cost_sections_are_not_contributions():
    assert vocabulary.match("Försäkringskassan", "money", "interventions") is None
    assert vocabulary.match("Bidrag från Försäkringskassan", "money", "interventions") is None
    # A contribution word before no member names no member.
    assert vocabulary.match("Medlemsavgift tidigare år", "money", "income") is None


def test_tokens_read_dash_as_zero_and_keep_signs():
    assert tokens("3 - 3") == ["3", "-", "3"]
    assert tokens("-2324| -2838 514") == ["-2324", "-2838", "514"]
    assert standard_reading(tokens("2 838 -1 418")) == [2838.0, -1418.0]


def test_split_row_keeps_a_leading_year_in_the_label():
    assert split_row("Eget kapital 2018   6 218") == ("Eget kapital 2018", ["6", "218"])
    assert split_row("Bilaga insatser 2019") is None


def _columns(header: str):
    return parse_header(header, 2024)[0]


def test_fit_uses_the_difference_column_to_split_digit_groups():
    columns = _columns("tkr Budget Utfall Differens")
    pairs, fitted = fit_values(columns, tokens("-5 485 567 -6 052"))
    assert fitted
    assert [v for _, v in pairs] == [-5485.0, 567.0, -6052.0]


def test_fit_rejoins_thousands_that_ocr_split_or_merged():
    columns = _columns("2024 2023 2022 2021 2020")
    pairs, _ = fit_values(columns, tokens("37 872944 34488784 | 37299692 | 40935720 39 160 496"))
    assert [v for _, v in pairs] == [37872944.0, 34488784.0, 37299692.0, 40935720.0, 39160496.0]


def test_fit_skips_an_empty_note_column():
    columns = _columns("Belopp i kr Not 2024-01-01 - 2024-12-31 2023-01-01 - 2023-12-31")
    with_note, _ = fit_values(columns, tokens("3,4 -36 038 993 -39139 822"))
    assert [v for _, v in with_note] == [3.4, -36038993.0, -39139822.0]
    without_note, _ = fit_values(columns, tokens("16 380 3292"))
    assert [v for _, v in without_note] == [16380.0, 3292.0]


def test_header_periods_and_bases():
    budget, outcome, forecast = _columns("Budget 2023 Utfall 31/6 Prognos 2023")
    assert (budget.basis, str(budget.period_end)) == ("budget", "2023-12-31")
    assert (outcome.basis, str(outcome.period_end)) == ("outcome", "2023-06-30")
    assert forecast.basis == "forecast"
    # A column named only by its period, beside one named outcome, is the budget.
    first, second, difference = _columns("Insats Halvår 2019 Utfall halvåret Difference")
    assert (first.basis, str(first.period_end), second.basis) == ("budget", "2019-06-30",
                                                                  "outcome")
    assert difference.kind == "difference"


@pytest.mark.parametrize(("header", "period_end"), [
    ("Budget 2024 Utfall jan–aug 2024 Avvikelse", "2024-08-31"),  # an en dash, as typeset
    ("Budget 2024 Utfall januari-april 2024 Avvikelse", "2024-04-30"),
    ("Budget 2023 Utfall jan-juni 2023 Differens", "2023-06-30"),
    ("Budget 2023 Utfall jan—dec 2023 Differens", "2023-12-31"),
])
def test_an_outcome_of_some_months_ends_with_the_last(header: str, period_end: str):
    budget, outcome, _ = _columns(header)
    assert (str(budget.period_end), outcome.basis, str(outcome.period_start),
            str(outcome.period_end)) == (header[7:11] + "-12-31", "outcome",
                                         header[7:11] + "-01-01", period_end)


@pytest.mark.parametrize(("label", "reason"), [
    ("Aktivt arbetssökande", "job_seeking"), ("Avslut till arbete", "work"),
    ("Till studier", "studies"), ("Mot arbete", "work"), ("Arbete", "work"),
])
def test_exit_reasons_after_words_that_lead_to_them(label: str, reason: str):
    rule = vocabulary.match(label, "people", None)
    assert rule is not None and (rule.metric, rule.reason) == ("exits", reason)
    assert vocabulary.match("Aktivitetsersättning", "people", None) is None


def test_pieces_that_are_no_number_give_no_reading():
    """A date in a value cell ("2023-06-30" -> 2023, -06, -30) crashed the standard reading
    (``min()`` of nothing) and with it the whole night (issue 18)."""
    assert standard_reading(["2023", "-06", "-30"]) == []
    from ingestion.reports.columns import tab_header
    from ingestion.reports.table_rows import tab_values

    columns, _ = tab_header(["Belopp i tkr", "Budget", "Utfall"], 2023)
    assert [v for _, v in tab_values(columns, ["2023-06-30", "1 000"])] == [1000.0]


@pytest.mark.parametrize(("line", "values"), [
    # The row's figures are alike: "1 322 661 1 322" is 1 322, 661, 1 322 (not 1, 322 661).
    ("2 st. Arbetskonsulenter 1 322 661 1 322", [1322.0, 661.0, 1322.0]),
    # A dash before a number is its sign where the row then fits.
    ("Finansiella kostnader -577 - 429 - 1 000", [-577.0, -429.0, -1000.0]),
    ("Studier 3 - 3", [3.0, 0.0, 3.0]),
    # The number of a note stays with the label.
    ("Kassa och bank Not 2 138 713 224 600 200 000", [138713.0, 224600.0, 200000.0]),
])
def test_rows_read_as_their_columns(line: str, values: list[float]):
    columns, _ = parse_header("Budget 2023 Utfall 31/6 Prognos 2023", 2023)
    label, pieces = split_row(line)
    assert [v for _, v in fit_values(columns, pieces)[0]] == values
