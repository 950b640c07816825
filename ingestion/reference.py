"""The hand-maintained registry in ``data/reference/``: municipalities, samordningsförbund,
their member municipalities over time and the municipalities documented outside every
association (→ raw.municipalities, raw.associations, raw.association_members,
raw.municipalities_outside).

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
    "aliases",
    "county_code",
    "founded",
    "dissolved",
    "successor_id",
    "source",
    "note",
]
MEMBER_COLUMNS = [
    "association_id",
    "municipality_code",
    "valid_from",
    "valid_to",
    "confidence",
    "source",
    "note",
]
OUTSIDE_COLUMNS = ["municipality_code", "valid_from", "valid_to", "source", "note"]
N_MUNICIPALITIES = 290
# confirmed: the association's own site or document; third_party: a member, region or
# authority names the member; inferred: from the name, predecessors or a county-wide statement.
CONFIDENCE = {"confirmed", "third_party", "inferred"}
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
    if "source" not in columns:  # the file itself is the source of its rows
        frame["source"] = f"reference:{name}"
    return frame.assign(is_sample=False)


def _dates(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # datetime.date objects (not datetime64) so DuckDB stores DATE, not TIMESTAMP.
    for column in columns:
        frame[column] = [date.fromisoformat(v) if v else None for v in frame[column]]
    return frame


def _nullable(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].replace("", None)
    return frame


def load_municipalities(folder: Path | None = None) -> pd.DataFrame:
    return _read("municipalities.csv", MUNICIPALITY_COLUMNS, folder)


def load_associations(folder: Path | None = None) -> pd.DataFrame:
    frame = _read("associations.csv", ASSOCIATION_COLUMNS, folder)
    frame = _nullable(frame, ["aliases", "successor_id", "note"])
    return _dates(frame, ["founded", "dissolved"])


def load_association_members(folder: Path | None = None) -> pd.DataFrame:
    frame = _nullable(_read("association_members.csv", MEMBER_COLUMNS, folder), ["note"])
    return _dates(frame, ["valid_from", "valid_to"])


def load_municipalities_outside(folder: Path | None = None) -> pd.DataFrame:
    frame = _nullable(_read("municipalities_outside.csv", OUTSIDE_COLUMNS, folder), ["note"])
    return _dates(frame, ["valid_from", "valid_to"])


def check_reference(
    municipalities: pd.DataFrame,
    associations: pd.DataFrame,
    members: pd.DataFrame,
    outside: pd.DataFrame,
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
    flag("association_name missing", associations[associations["association_name"] == ""])
    flag(
        "county_code is not a known 2-digit county",
        associations[~associations["county_code"].isin(set(municipalities["county_code"]))],
    )
    flag("association source missing", associations[associations["source"] == ""])
    flag(
        "dissolved before founded",
        associations[
            associations["founded"].notna()
            & associations["dissolved"].notna()
            & (associations["dissolved"] < associations["founded"])
        ],
    )
    successors = associations["successor_id"]
    flag(
        "successor_id is not a known association (or is the association itself)",
        associations[successors.notna() & (~successors.isin(ids) | (successors == ids))],
    )

    flag("unknown confidence", members[~members["confidence"].isin(CONFIDENCE)])
    flag("member row without a source", members[members["source"] == ""])
    flag("member of an unknown association", members[~members["association_id"].isin(ids)])
    flag("unknown municipality_code", members[~members["municipality_code"].isin(codes)])
    flag("valid_from missing", members[members["valid_from"].isna()])
    flag("valid_to before valid_from", _reversed(members))
    flag("membership outside its association's founded-dissolved span",
         memberships_outside_span(members, associations))
    flag("municipality in two associations at once", overlapping_memberships(members))

    flag("outside row without a source", outside[outside["source"] == ""])
    flag("unknown municipality_code", outside[~outside["municipality_code"].isin(codes)])
    flag("valid_from missing", outside[outside["valid_from"].isna()])
    flag("valid_to before valid_from", _reversed(outside))
    flag("municipality listed outside twice at once",
         _overlaps(outside.assign(association_id="(outside)")))  # _overlaps lists an id column
    flag("municipality both outside and a member on the same date",
         outside_while_member(members, outside))
    if problems:
        raise ReferenceError("data/reference is inconsistent:\n" + "\n".join(problems))


def _reversed(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["valid_to"].notna() & (rows["valid_to"] < rows["valid_from"])]


def _overlaps(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of a municipality whose validity periods (valid_to inclusive) overlap."""
    periods = rows.assign(_end=[end or date.max for end in rows["valid_to"]]).reset_index()
    pairs = periods.merge(periods, on="municipality_code", suffixes=("", "_other"))
    overlap = pairs[
        (pairs["index"] < pairs["index_other"])
        & (pairs["valid_from"] <= pairs["_end_other"])
        & (pairs["valid_from_other"] <= pairs["_end"])
    ]
    flagged = set(overlap["index"]) | set(overlap["index_other"])
    return rows.loc[sorted(flagged), ["association_id", "municipality_code", "valid_from"]]


def overlapping_memberships(members: pd.DataFrame) -> pd.DataFrame:
    """Membership rows of a municipality whose validity periods overlap (valid_to inclusive)."""
    return _overlaps(members)


def outside_while_member(members: pd.DataFrame, outside: pd.DataFrame) -> pd.DataFrame:
    """Membership rows that share a date with an outside row of the same municipality."""
    def ends(rows: pd.DataFrame) -> list[date]:
        return [end or date.max for end in rows["valid_to"]]

    pairs = members.assign(_end=ends(members)).merge(
        outside.assign(_end=ends(outside)), on="municipality_code", suffixes=("", "_outside")
    )
    clash = (pairs["valid_from"] <= pairs["_end_outside"]) & (
        pairs["valid_from_outside"] <= pairs["_end"]
    )
    return pairs.loc[clash, ["association_id", "municipality_code", "valid_from", "valid_to",
                             "valid_from_outside", "valid_to_outside"]]


def memberships_outside_span(members: pd.DataFrame, associations: pd.DataFrame) -> pd.DataFrame:
    """Member rows that start before their association was founded or run past its dissolution."""
    spans = associations.set_index("association_id")[["founded", "dissolved"]]
    rows = members.join(spans, on="association_id")
    before = rows["founded"].notna() & (rows["valid_from"] < rows["founded"])
    after = rows["dissolved"].notna() & (
        rows["valid_to"].isna() | (rows["valid_to"] > rows["dissolved"])
    )
    return rows.loc[before | after,
                    ["association_id", "municipality_code", "valid_from", "valid_to",
                     "founded", "dissolved"]]


def load_reference(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """All four tables, checked; keys are the raw table names."""
    tables = {
        "municipalities": load_municipalities(folder),
        "associations": load_associations(folder),
        "association_members": load_association_members(folder),
        "municipalities_outside": load_municipalities_outside(folder),
    }
    check_reference(*tables.values())
    return tables


def members_on(members: pd.DataFrame, day: date) -> pd.DataFrame:
    """The membership rows in force on ``day`` (valid_to inclusive)."""
    active = (members["valid_from"] <= day) & members["valid_to"].map(
        lambda end: end is None or end >= day
    )
    return members[active]


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
