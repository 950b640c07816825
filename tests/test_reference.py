"""The reference registry in data/reference/ passes its own checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ingestion import reference


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
    assert reference.overlapping_memberships(members).empty
    # Brute force over every date a membership starts or ends.
    dates = set(members["valid_from"]) | {d for d in members["valid_to"] if d}
    for day in dates:
        active = members[
            (members["valid_from"] <= day)
            & members["valid_to"].map(lambda end, day=day: end is None or end >= day)
        ]
        assert active["municipality_code"].is_unique, day


def test_confirmed_associations_from_the_seed_documents(tables: dict[str, pd.DataFrame]) -> None:
    members = tables["association_members"]
    by_association = members.groupby("association_id")["municipality_code"].apply(list)
    assert by_association["stockholms-stad"] == ["0180"]
    assert by_association["sundsvall"] == ["2281"]
    associations = tables["associations"].set_index("association_id")
    assert associations.loc["stockholms-stad", "founded"] == date(2016, 1, 1)
    assert associations.loc[["stockholms-stad", "sundsvall"], "confidence"].eq("confirmed").all()


def test_name_patterns_hold_the_folded_spelling(tables: dict[str, pd.DataFrame]) -> None:
    patterns = tables["associations"].set_index("association_id")["name_patterns"]
    assert patterns["stockholms-stad"].split("|") == [
        "samordningsförbundet stockholms stad",
        "samordningsforbundet stockholms stad",
    ]
    assert "samordningsforbundet i sundsvall" in patterns["sundsvall"].split("|")


def test_goteborg_has_no_municipality_level_member(tables: dict[str, pd.DataFrame]) -> None:
    goteborg = tables["associations"]["association_id"].str.startswith("goteborg-")
    assert goteborg.sum() == 4
    assert "1480" not in set(tables["association_members"]["municipality_code"])


def _copy_reference(tmp_path: Path) -> Path:
    for name in ("municipalities.csv", "associations.csv", "association_members.csv"):
        (tmp_path / name).write_bytes((reference.config.reference_dir() / name).read_bytes())
    return tmp_path


def test_overlapping_membership_is_reported(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    with open(folder / "association_members.csv", "a", encoding="utf-8") as handle:
        handle.write("sundsvall,0180,2020-01-01,2020-12-31,uncertain,\n")
    with pytest.raises(reference.ReferenceError, match="two associations at once") as error:
        reference.load_reference(folder)
    assert "0180" in str(error.value)


def test_unknown_and_duplicate_codes_are_reported(tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    with open(folder / "association_members.csv", "a", encoding="utf-8") as handle:
        handle.write("sundsvall,9999,2020-01-01,,uncertain,\n")
    with open(folder / "municipalities.csv", "a", encoding="utf-8") as handle:
        handle.write("0180,Stockholm,01,Stockholms län\n")
    with pytest.raises(reference.ReferenceError) as error:
        reference.load_reference(folder)
    message = str(error.value)
    assert "unknown municipality_code" in message and "9999" in message
    assert "duplicate municipality_code" in message and "291 municipalities" not in message


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
