"""The hand-maintained registry in ``data/reference/``: municipalities, samordningsförbund,
their member municipalities over time and the municipalities documented outside every
association (→ raw.municipalities, raw.associations, raw.association_members,
raw.municipalities_outside).

``load_reference`` checks the four files against their contracts and the rules across
them; every problem is listed with the offending rows so an analyst can fix the CSV.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ingestion import config, contracts
from ingestion.validation.validate import RawValidationError, validate_registry

# The four registry files and the raw tables they are loaded into; their columns and the
# rules they must keep are the tables' contracts (``ingestion.contracts``,
# ``ingestion.validation``).
FILES = {
    "municipalities": "municipalities.csv",
    "associations": "associations.csv",
    "association_members": "association_members.csv",
    "municipalities_outside": "municipalities_outside.csv",
}
FOLD = str.maketrans("åäöé", "aaoe")


def load_table(table: str, folder: Path | None = None) -> pd.DataFrame:
    """One registry file as its raw table, in the contract's columns and types; an empty
    cell is null (the contract says where that is allowed). A file without a ``source``
    column is the source of its rows."""
    name = FILES[table]
    path = (folder or config.reference_dir()) / name
    frame = _read_csv(path).map(str.strip)
    header = list(frame.columns)
    frame = frame.assign(is_sample=False)
    if "source" not in frame.columns:
        frame["source"] = f"reference:{name}"
    columns = contracts.written_columns(table)
    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        raise RawValidationError(f"{path}: no column {', '.join(missing)} in the header "
                                 f"(it has {', '.join(map(str, header))})")
    frame = frame[[c.name for c in columns]].replace("", None)
    return contracts.raw_frame(table, frame.to_dict("records"))


def _read_csv(path: Path) -> pd.DataFrame:
    """A registry file as text cells; what keeps it from being read is an error naming the
    file and, where it can, the line."""
    if not path.is_file():
        raise RawValidationError(f"{path}: missing (the registry has four files: "
                                 f"{', '.join(FILES.values())})")
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise RawValidationError(
            f"{path}: line {line} is not UTF-8 (byte 0x{data[exc.start]:02x}); save the file "
            "as UTF-8 (Excel: CSV UTF-8)") from None
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise RawValidationError(f"{path}: empty file (not even a header line)") from None
    except pd.errors.ParserError as exc:
        raise RawValidationError(f"{path}: not a readable CSV file ({exc})") from None


def load_municipalities(folder: Path | None = None) -> pd.DataFrame:
    return load_table("municipalities", folder)


def load_reference(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """All four tables, checked together (the rules span them); keys are the raw table
    names. A broken rule raises RawValidationError listing the offending rows."""
    tables = {table: load_table(table, folder) for table in FILES}
    validate_registry(tables, str(folder or config.reference_dir()), FILES)
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
