"""The reference registry in data/reference/ passes its own checks, and each check catches
the rows that break it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingestion import reference
from ingestion.validation import rules
from ingestion.validation.validate import RawValidationError

FILES = ("municipalities.csv", "associations.csv", "association_members.csv",
         "municipalities_outside.csv")


def members_on(members: pd.DataFrame, day: date) -> pd.DataFrame:
    """The membership rows in force on ``day`` (valid_to inclusive)."""
    active = (members["valid_from"] <= day) & members["valid_to"].map(
        lambda end: end is None or end >= day)
    return members[active]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return reference.load_reference()


def test_290_unique_municipality_codes(tables: dict[str, pd.DataFrame]) -> None:
    codes = tables["municipalities"]["municipality_code"]
    assert len(codes) == 290
    assert codes.is_unique
    assert codes.str.fullmatch(r"\d{4}").all()
    assert tables["municipalities"]["county_code"].nunique() == 21


def test_known_municipalities_and_counties(tables: dict[str, pd.DataFrame]) -> None:
    rows = tables["municipalities"].set_index("municipality_code")
    assert rows.loc["0180", "municipality_name"] == "Stockholm"
    assert rows.loc["2281", ["municipality_name", "county_name"]].tolist() == [
        "Sundsvall",
        "Västernorrlands län",
    ]
    assert rows.loc["1480", "municipality_name"] == "Göteborg"


def test_each_municipality_in_at_most_one_association_at_any_date(
    tables: dict[str, pd.DataFrame],
) -> None:
    members = tables["association_members"]
    assert rules._overlaps(members, "association_id").empty
    # Brute force over every date a membership starts or ends.
    dates = set(members["valid_from"]) | {d for d in members["valid_to"] if d}
    for day in dates:
        assert members_on(members, day)["municipality_code"].is_unique, day


def test_registry_meets_the_done_criteria(tables: dict[str, pd.DataFrame]) -> None:
    """Issue 11: at least 60 associations, 45 with members, 150 municipalities placed on
    2024-01-01; every membership row with a source."""
    associations, members = tables["associations"], tables["association_members"]
    assert len(associations) >= 60
    assert members["association_id"].nunique() >= 45
    assert members_on(members, date(2024, 1, 1))["municipality_code"].nunique() >= 150
    assert members["source"].str.len().gt(0).all()
    assert associations["county_code"].str.fullmatch(r"\d{2}").all()


def test_what_the_seeds_and_research_establish(tables: dict[str, pd.DataFrame]) -> None:
    members = tables["association_members"]
    by_association = members.groupby("association_id")["municipality_code"].apply(set)
    assert by_association["stockholms-stad"] == {"0180"}
    assert by_association["sundsvall"] == {"2281"}
    associations = tables["associations"].set_index("association_id")
    assert associations.loc["stockholms-stad", "founded"] == date(2016, 1, 1)
    # Göteborg's four sub-municipal associations merged into one on 2019-07-01.
    old = associations.index[associations.index.str.startswith("goteborg-")]
    assert len(old) == 4
    assert (associations.loc[old, "dissolved"] == date(2019, 6, 30)).all()
    assert (associations.loc[old, "successor_id"] == "goteborg").all()
    goteborg = members_on(members, date(2019, 7, 1))
    assert goteborg.loc[goteborg["municipality_code"] == "1480", "association_id"].tolist() == [
        "goteborg"
    ]
    # Värmland is several associations, not one; Södertälje is alone.
    varmland = members[members["municipality_code"].str.startswith("17")]
    assert varmland["association_id"].nunique() > 1
    assert by_association["sodertalje"] == {"0181"}


def test_aliases_keep_the_printed_spelling(tables: dict[str, pd.DataFrame]) -> None:
    aliases = tables["associations"].set_index("association_id")["aliases"]
    assert aliases["sodertalje"].split("|") == ["Sfris", "Samordningsförbundet i Södertälje"]


def _copy_reference(tmp_path: Path) -> Path:
    for name in FILES:
        (tmp_path / name).write_bytes((reference.config.reference_dir() / name).read_bytes())
    return tmp_path


def _problems(folder: Path) -> str:
    with pytest.raises(RawValidationError) as error:
        reference.load_reference(folder)
    return str(error.value)


SOURCE = "https://example.org/test"
MEMBERS, OUTSIDE = "association_members.csv", "municipalities_outside.csv"


def _append(file: str, *row: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        with (folder / file).open("a", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerow(row)
    return change


def _edit(association_id: str, column: str, value: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        path = folder / "associations.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[frame["association_id"] == association_id, column] = value
        frame.to_csv(path, index=False)
    return change


# Each broken registry: the changes, and what the message must say (rule and row).
BROKEN = {
    "overlapping membership": (
        [_append(MEMBERS, "sundsvall", "0180", "2020-01-01", "2020-12-31", "confirmed", SOURCE,
                 "")],
        ["two associations at once", "0180"]),
    "unknown and duplicate codes": (
        [_append(MEMBERS, "sundsvall", "9999", "2022-01-01", "", "confirmed", SOURCE, ""),
         _append("municipalities.csv", "0180", "Stockholm", "01", "Stockholms län")],
        ["unknown municipality_code", "9999", "raw.municipalities failed", "uniqueness"]),
    "unknown confidence": (
        [_append(MEMBERS, "sundsvall", "2260", "2010-01-01", "2010-12-31", "uncertain", SOURCE,
                 "")],
        ["confidence", "isin", "uncertain"]),
    "member row without a source": (
        [_append(MEMBERS, "sundsvall", "2260", "2010-01-01", "2010-12-31", "confirmed", "", "")],
        ["raw.association_members failed", "2260", "source", "not_nullable"]),
    "unknown county": (
        [_edit("sundsvall", "county_code", "99")],
        ["not a county of the registry", "sundsvall"]),
    "missing county": (
        [_edit("sundsvall", "county_code", "")], ["county_code", "not_nullable"]),
    "dissolved before founded": (
        [_edit("goteborg", "dissolved", "2019-01-01")],
        ["founded must not be after dissolved", "goteborg"]),
    "unknown successor": (
        [_edit("goteborg-centrum", "successor_id", "atlantis")],
        ["successor_id names another association", "atlantis"]),
    "membership before founding": (
        [_edit("stockholms-stad", "founded", "2017-01-01")],
        ["outside its association's founded-dissolved span", "stockholms-stad"]),
    # an open membership in an association that has ended
    "membership after dissolution": (
        [_edit("stockholms-stad", "dissolved", "2020-12-31")],
        ["outside its association's founded-dissolved span", "0180"]),
    "outside while a member": (
        [_append(OUTSIDE, "0180", "2020-01-01", "", SOURCE, "")],
        ["both outside and a member", "0180"]),
    "outside row without a source": (
        [_append(OUTSIDE, "1860", "2020-01-01", "", "", "")],
        ["raw.municipalities_outside failed", "1860", "source", "not_nullable"]),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_registry_is_reported_with_its_rows(case: str, tmp_path: Path) -> None:
    changes, expected = BROKEN[case]
    folder = _copy_reference(tmp_path)
    for change in changes:
        change(folder)
    message = _problems(folder)
    assert all(fragment in message for fragment in expected), message
    assert "291 municipalities" not in message


def test_missing_column_is_reported(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    frame = pd.read_csv(folder / "associations.csv", dtype=str, keep_default_na=False)
    frame.drop(columns="successor_id").to_csv(folder / "associations.csv", index=False)
    with pytest.raises(RawValidationError, match="successor_id"):
        reference.load_reference(folder)


def test_names_as_sources_print_them(tables: dict[str, pd.DataFrame]) -> None:
    lookup = reference.municipality_code_lookup(tables["municipalities"])
    cases = {
        "Håbo": "0305",
        "Habo": "0643",
        "Region Gotland": "0980",
        "Stockholms stad": "0180",
        "Malung-Salen": "2023",
        "Hofors kommun": "2104",
        "Atlantis": None,
    }
    assert {name: reference.find_municipality_code(name, lookup) for name in cases} == cases


def test_a_number_where_text_belongs_is_refused_naming_the_row(
        tables: dict[str, pd.DataFrame]) -> None:
    """A writer that put a number in a text column (a municipality code read as 180, its
    leading zero lost): the raw check names the column and the row, and the text around it
    passes."""
    from ingestion.validation.validate import validate_raw

    frame = tables["municipalities"].copy()
    frame["municipality_code"] = frame["municipality_code"].astype(object)
    frame.loc[frame.index[3], "municipality_code"] = 180
    with pytest.raises(RawValidationError) as error:
        validate_raw("municipalities", frame, "data/reference/municipalities.csv")
    message = str(error.value)
    assert "data/reference/municipalities.csv: raw.municipalities failed, 1 row(s)" in message
    assert "- municipality_code: municipality_code must hold text (e.g. 180)" in message
    assert frame.loc[frame.index[3], "municipality_name"] in message
    validate_raw("municipalities", tables["municipalities"].copy(), "ok.csv")
