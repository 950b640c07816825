"""Registered unemployment per municipality and month (Arbetsförmedlingen → raw.unemployment).

Arbetsförmedlingen publishes Excel files only, with new file names every month, linked from
the "tidigare statistik, tidsserier" page; each file holds the whole time series. The fetcher
reads that page, takes the newest ``web-inskrivna-arbetslosa-andel-av-bas-YYYY-MM.xlsx`` and
parses it.

Assumed layout (not confirmed: the published files keep their data in pivot caches, which
openpyxl does not read, so this parser reads a worksheet): the pivot table laid out flat on
one sheet, a header row holding KOMMUN (municipality name), KOEN (Totalt/Kvinnor/Män),
ALDGR ("16-64", "18-24", ...), MATT (the measure's field name) and then one column per
month ("2024-01", "2024M01" or a date cell), one row per municipality, sex, age band and
measure. KOEN, ALDGR, INSAL (inskrivna arbetslösa), UA12 (> 12 months) and TOTAK (the
registerbaserad arbetskraft the share is computed on) are field names seen in the published
pivot caches; OPPARB and PROGRAM are assumed names. Values below 5 are masked as "<5" and
become null; ``share_pct`` is persons / TOTAK × 100, as Arbetsförmedlingen computes it.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from urllib.parse import urljoin

import openpyxl
import pandas as pd

from ingestion.reference import find_municipality_code
from ingestion.sources.fetch import Fetcher

SOURCE = "Arbetsförmedlingen inskrivna arbetslösa (Excel)"
PAGE_URL = "https://arbetsformedlingen.se/statistik/sok-statistik/tidigare-statistik-tidsserier"
FILE_PATTERN = re.compile(
    r"web-inskrivna-arbetslosa-andel-av-(?:bas|reg)[\w-]*?(\d{4})-(\d{2})\.xlsx"
)
PAGE_SNAPSHOT = "af/tidigare-statistik-tidsserier.html"
SAMPLE_KEYWORD = "finsam-sample"  # workbook keyword that marks the embedded sample file
KEY_COLUMNS = {"KOMMUN", "KOEN", "ALDGR", "MATT"}
MONTH_PATTERN = re.compile(r"(\d{4})\s*[-M]\s*(\d{2})")
MEASURE_COLUMNS = {
    "OPPARB": "open_unemployed",
    "PROGRAM": "in_programme",
    "INSAL": "registered_unemployed",
    "UA12": "long_term_unemployed",
}
LABOUR_FORCE_COLUMN = "TOTAK"
SEXES = {
    "totalt": "total",
    "t": "total",
    "kvinnor": "women",
    "k": "women",
    "man": "men",
    "m": "men",
}
AGGREGATE_NAMES = {"riket", "totalt", "samtliga", "hela riket"}
COLUMNS = [
    "municipality_code",
    "month",
    "age_band",
    "sex",
    "measure",
    "persons",
    "labour_force",
    "share_pct",
    "source",
    "is_sample",
]


def latest_file_url(body: bytes, page_url: str = PAGE_URL) -> str:
    """The newest Excel file linked from the statistics page."""
    links = re.findall(r'href="([^"]+)"', body.decode("utf-8", errors="replace"))
    files = [(m.groups(), link) for link in links if (m := FILE_PATTERN.search(link))]
    if not files:
        raise ValueError("no web-inskrivna-arbetslosa-andel-av-bas-*.xlsx link on the page")
    return urljoin(page_url, max(files)[1])


def parse_workbook(body: bytes, lookup: dict[str, str]) -> pd.DataFrame:
    """An xlsx body → rows of raw.unemployment (``source`` still empty)."""
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        is_sample = SAMPLE_KEYWORD in (workbook.properties.keywords or "")
        header, rows = _find_table(workbook)
    finally:
        workbook.close()
    wide, months = _wide_frame(header, rows, lookup)
    long = wide.melt(
        id_vars=["municipality_code", "age_band", "sex", "MATT"],
        value_vars=list(months),
        var_name="column",
        value_name="persons",
    )
    long["month"] = long["column"].map(months)
    long["persons"] = _counts(long["persons"])
    keys = ["municipality_code", "month", "age_band", "sex"]
    repeated = long.duplicated([*keys, "MATT"], keep=False)
    if repeated.any():
        raise ValueError(f"repeated rows:\n{long[repeated].head(10).to_string(index=False)}")
    # TOTAK is the denominator of every measure in its row group, not a measure itself.
    is_force = long["MATT"] == LABOUR_FORCE_COLUMN
    force = long[is_force].rename(columns={"persons": "labour_force"})[[*keys, "labour_force"]]
    long = long[~is_force].merge(force, on=keys, how="left")
    long["measure"] = long["MATT"].map(MEASURE_COLUMNS)
    share = long["persons"].astype("float64") / long["labour_force"].astype("float64") * 100
    has_force = (long["labour_force"] > 0).fillna(False).astype(bool)
    long["share_pct"] = share.where(has_force).round(2).astype("float64")
    return long.assign(source="", is_sample=is_sample)[COLUMNS]


def _wide_frame(
    header: list[object], rows: list[tuple], lookup: dict[str, str]
) -> tuple[pd.DataFrame, dict[int, date]]:
    """The sheet as a frame with codes and canonical values; month columns by position."""
    keys = [str(h).strip().upper() if h is not None else "" for h in header]
    missing = sorted(KEY_COLUMNS - set(keys))
    months = {i: _month(h) for i, h in enumerate(header) if _is_month(h)}
    if missing or not months:
        raise ValueError(f"column(s) {missing or ['a month column']} missing; header {keys}")
    wide = pd.DataFrame(rows, columns=range(len(header)))
    wide = wide.rename(columns={keys.index(k): k for k in KEY_COLUMNS})
    names = wide["KOMMUN"].astype("string").str.strip()
    wide = wide[(names.fillna("") != "") & ~names.str.lower().isin(AGGREGATE_NAMES)]
    codes = wide["KOMMUN"].astype(str).map(lambda name: find_municipality_code(name, lookup))
    if codes.isna().any():
        unknown = sorted(set(wide.loc[codes.isna(), "KOMMUN"].astype(str)))
        raise ValueError(f"municipality name(s) not in the reference: {unknown[:20]}")
    measure = wide["MATT"].astype(str).str.strip().str.upper()
    unknown = sorted(set(measure) - set(MEASURE_COLUMNS) - {LABOUR_FORCE_COLUMN})
    if unknown or LABOUR_FORCE_COLUMN not in set(measure):
        raise ValueError(f"MATT must hold {LABOUR_FORCE_COLUMN} and known measures; odd: {unknown}")
    sex = wide["KOEN"].map(lambda v: SEXES.get(str(v).strip().lower().replace("ä", "a")))
    if sex.isna().any():
        raise ValueError(f"unknown KOEN values {sorted(set(wide.loc[sex.isna(), 'KOEN']))}")
    wide = wide.assign(
        municipality_code=codes, age_band=wide["ALDGR"].map(_age_band), sex=sex, MATT=measure
    )
    return wide, months


def fetch_unemployment(
    fetcher: Fetcher, lookup: dict[str, str], page_url: str | None = None
) -> pd.DataFrame:
    """Find the newest file on the statistics page, then fetch and parse it."""
    page_url = page_url or PAGE_URL
    file_url, _ = fetcher.get(
        SOURCE, page_url, None, PAGE_SNAPSHOT, lambda body: latest_file_url(body, page_url)
    )
    frame, origin = fetcher.get(
        SOURCE,
        file_url,
        None,
        f"af/{file_url.rsplit('/', 1)[-1]}",
        lambda body: parse_workbook(body, lookup),
    )
    return frame.assign(source=origin)


def _find_table(workbook: openpyxl.Workbook) -> tuple[list[object], list[tuple]]:
    """The first sheet with a header row (within its first 20 rows) naming KOMMUN and MATT."""
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(values_only=True)
        for _, row in zip(range(20), rows, strict=False):
            names = {str(v).strip().upper() for v in row if v is not None}
            if {"KOMMUN", "MATT"} <= names:
                width = len(row)
                data = [r[:width] + (None,) * (width - len(r)) for r in rows if any(r)]
                return list(row), data
    raise ValueError("no sheet with a KOMMUN/MATT header row")


def _is_month(value: object) -> bool:
    if isinstance(value, datetime | date):
        return True
    return bool(MONTH_PATTERN.fullmatch(str(value).strip()))


def _month(value: object) -> date:
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    match = MONTH_PATTERN.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"unreadable month {value!r}")
    return date(int(match[1]), int(match[2]), 1)


def _age_band(value: object) -> str:
    match = re.search(r"(\d+)\s*[-–]\s*(\d+)", str(value))
    if not match:
        raise ValueError(f"unreadable ALDGR {value!r}")
    return f"{match[1]}-{match[2]}"


def _counts(column: pd.Series) -> pd.Series:
    """Counts as nullable integers; "<5" (masked) and blanks become null."""
    text = column.astype("string").str.replace(r"\s", "", regex=True)
    unknown = text.str.startswith("<").fillna(False) | (text == "").fillna(False)
    numbers = pd.to_numeric(text.mask(unknown), errors="raise")
    return numbers.round().astype("Int64")
