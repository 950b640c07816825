"""The hand-maintained registry in ``data/reference/``: municipalities, samordningsförbund and
their member municipalities over time (→ raw.municipalities, raw.associations,
raw.association_members).

``check_reference`` enforces what the rest of the pipeline relies on; every problem is
listed with the offending rows so an analyst can fix the CSV.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion import config

MUNICIPALITY_COLUMNS = ["municipality_code", "municipality_name", "county_code", "county_name"]
ASSOCIATION_COLUMNS = [
    "association_id",
    "association_name",
    "county_code",
    "name_patterns",
    "founded",
    "dissolved",
    "confidence",
    "note",
]
MEMBER_COLUMNS = [
    "association_id",
    "municipality_code",
    "valid_from",
    "valid_to",
    "confidence",
    "note",
]
N_MUNICIPALITIES = 290
CONFIDENCE = {"confirmed", "uncertain"}
FOLD = str.maketrans("åäöé", "aaoe")


class ReferenceError(ValueError):
    pass


def _read(name: str, columns: list[str], folder: Path | None) -> pd.DataFrame:
    path = (folder or config.reference_dir()) / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReferenceError(f"{path}: column(s) {missing} missing")
    frame = frame[columns].map(str.strip)
    return frame.assign(source=f"reference:{name}", is_sample=False)


def _dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # datetime.date objects (not datetime64) so DuckDB stores DATE, not TIMESTAMP.
    for column in columns:
        frame[column] = [date.fromisoformat(v) if v else None for v in frame[column]]
    return frame


def load_municipalities(folder: Path | None = None) -> pd.DataFrame:
    return _read("municipalities.csv", MUNICIPALITY_COLUMNS, folder)


def load_associations(folder: Path | None = None) -> pd.DataFrame:
    frame = _read("associations.csv", ASSOCIATION_COLUMNS, folder)
    frame["note"] = frame["note"].replace("", None)
    return _dates(frame, ["founded", "dissolved"])


def load_association_members(folder: Path | None = None) -> pd.DataFrame:
    frame = _read("association_members.csv", MEMBER_COLUMNS, folder)
    frame["note"] = frame["note"].replace("", None)
    return _dates(frame, ["valid_from", "valid_to"])


def check_reference(
    municipalities: pd.DataFrame, associations: pd.DataFrame, members: pd.DataFrame
) -> None:
    """Raise ReferenceError listing every broken rule."""
    problems: list[str] = []

    def flag(message: str, rows: pd.DataFrame) -> None:
        if len(rows):
            problems.append(f"{message}:\n{rows.to_string(index=False, max_rows=20)}")

    codes = municipalities["municipality_code"]
    flag("municipality_code is not 4 digits", municipalities[~codes.str.fullmatch(r"\d{4}")])
    flag("duplicate municipality_code", municipalities[codes.duplicated(keep=False)])
    if codes.nunique() != N_MUNICIPALITIES:
        problems.append(f"{codes.nunique()} municipalities, expected {N_MUNICIPALITIES}")
    flag(
        "county_code is not the first two digits of municipality_code",
        municipalities[municipalities["county_code"] != codes.str[:2]],
    )
    ids = associations["association_id"]
    flag("association_id is not a lower-case slug", associations[~ids.str.fullmatch(r"[a-z0-9-]+")])
    flag("duplicate association_id", associations[ids.duplicated(keep=False)])
    flag("unknown confidence", associations[~associations["confidence"].isin(CONFIDENCE)])
    flag("unknown confidence", members[~members["confidence"].isin(CONFIDENCE)])
    flag(
        "name_patterns must be lower case",
        associations[associations["name_patterns"] != associations["name_patterns"].str.lower()],
    )
    flag("member of an unknown association", members[~members["association_id"].isin(ids)])
    flag("unknown municipality_code", members[~members["municipality_code"].isin(codes)])
    flag("valid_from missing", members[members["valid_from"].isna()])
    flag(
        "valid_to before valid_from",
        members[members["valid_to"].notna() & (members["valid_to"] < members["valid_from"])],
    )
    flag("municipality in two associations at once", overlapping_memberships(members))
    if problems:
        raise ReferenceError("data/reference is inconsistent:\n" + "\n".join(problems))


def overlapping_memberships(members: pd.DataFrame) -> pd.DataFrame:
    """Membership rows of a municipality whose validity periods overlap (valid_to inclusive)."""
    rows = members.assign(_end=[end or date.max for end in members["valid_to"]]).reset_index()
    pairs = rows.merge(rows, on="municipality_code", suffixes=("", "_other"))
    overlap = pairs[
        (pairs["index"] < pairs["index_other"])
        & (pairs["valid_from"] <= pairs["_end_other"])
        & (pairs["valid_from_other"] <= pairs["_end"])
    ]
    flagged = set(overlap["index"]) | set(overlap["index_other"])
    return members.loc[sorted(flagged), ["association_id", "municipality_code", "valid_from"]]


def load_reference(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """All three tables, checked; keys are the raw table names."""
    tables = {
        "municipalities": load_municipalities(folder),
        "associations": load_associations(folder),
        "association_members": load_association_members(folder),
    }
    check_reference(*tables.values())
    return tables


def municipality_code_lookup(municipalities: pd.DataFrame) -> dict[str, str]:
    """Municipality name (lower case) → code, for sources that give municipalities by name.

    Names with å/ä/ö folded are added only when unambiguous: Håbo and Habo fold alike.
    """
    names = municipalities["municipality_name"].map(normalise_name)
    lookup = dict(zip(names, municipalities["municipality_code"], strict=True))
    folded = names.map(lambda name: name.translate(FOLD))
    unique = ~folded.duplicated(keep=False)
    for name, code in zip(folded[unique], municipalities["municipality_code"][unique], strict=True):
        lookup.setdefault(name, code)
    return lookup


def normalise_name(name: str) -> str:
    """'Region Gotland', 'Hofors kommun', 'Upplands-Bro ' → 'gotland', 'hofors', 'upplands-bro'."""
    name = re.sub(r"\s+", " ", name.strip().lower())
    return re.sub(r"( kommun| stad)$", "", re.sub(r"^region ", "", name))


def find_municipality_code(name: str, lookup: dict[str, str]) -> str | None:
    """The code for a name as a source prints it; also tries the genitive ('Stockholms')."""
    key = normalise_name(name)
    if re.fullmatch(r"\d{4}( .*)?", key):
        return key[:4]
    for candidate in (key, key.translate(FOLD)):
        code = lookup.get(candidate) or (lookup.get(candidate[:-1]) if key.endswith("s") else None)
        if code:
            return code
    return None
