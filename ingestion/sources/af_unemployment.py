"""Registered unemployment per municipality and month (Arbetsförmedlingen → raw.unemployment).

Arbetsförmedlingen publishes Excel files only, with new names every month, linked from the
"tidigare statistik, tidsserier" page; each file holds its whole series. Built to what the
real files show (sources.md §4b, from code that reads them):

- ``web-inskrivna-arbetslosa-andel-av-bas-YYYY-MM.xlsx`` starts in 2023-01; the older
  ``web-inskrivna-arbetslosa-andel-av-reg…-YYYY-MM.xlsx`` holds the months before. The
  fetcher takes the newest of each and splices them at the month where the newer begins.
  A yearly-average file ("årsgenomsnitt") also has "andel-av-bas" in its name: skipped.
- The data live only in the pivot cache (``pivot_cache.py``): fields ``PERIOD``
  ("YYYY-MM"), ``LAN`` and ``KOM`` (names, not codes) and numerator/denominator pairs whose
  names carry the group: ``TOTSOK``/``TOTAK`` (all), ``KVISOK``/``KVIAK`` (women),
  ``MANSOK``/``MANAK`` (men), ``UNGSOK``/``UNGAK`` (18–24), ``GAMSOK``/``GAMAK`` (55 up to
  the band's end). ``…SOK`` = inskrivna arbetslösa, ``…AK`` = the registerbaserad
  arbetskraft, a 12-month mean and fractional: kept unrounded. Other pairs (born abroad,
  education) have no column in raw.unemployment and are not read.
- The age band moved with the pension age: 16–64 up to 2022, 16–65 for 2023–2025, 16–66
  from 2026; it is stored per month.
- Values below 5 are masked as "<5": null persons (masked), never zero.
- Municipality names are mapped to codes through the reference, plus the historic names
  below; residual rows ("Uppgift saknas") are dropped; any other unknown name fails.

Shares are computed from sums (Σ numerators / Σ denominators) wherever rows are combined,
never by averaging shares.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

import pandas as pd

from ingestion import config
from ingestion.reference import find_municipality_code, normalise_name
from ingestion.sources import pivot_cache
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher

SOURCE = "Arbetsförmedlingen inskrivna arbetslösa (Excel)"
PAGE_SNAPSHOT = "af/tidigare-statistik-tidsserier.html"
SAMPLE_KEYWORD = "finsam-sample"  # workbook keyword that marks the embedded sample file
BAS_FILE = re.compile(r"web-inskrivna-arbetslosa-andel-av-bas-(\d{4})-(\d{2})\.xlsx$")
REG_FILE = re.compile(r"web-inskrivna-arbetslosa-andel-av-reg[\w-]*?-(\d{4})-(\d{2})\.xlsx$")
YEARLY_AVERAGE = re.compile(r"genomsnitt", re.IGNORECASE)
PERIOD, MUNICIPALITY = "PERIOD", "KOM"  # LAN (the county name) is not needed
MEASURE = "registered_unemployed"
# Field-name prefix → (sex, age band or None = the month's whole band, lower bound for
# bands that end where the month's band ends).
GROUPS = {
    "TOT": ("total", None),
    "KVI": ("women", None),
    "MAN": ("men", None),
    "UNG": ("total", "18-24"),
    "GAM": ("total", "55-"),
}
# Names Arbetsförmedlingen has used that are not the reference's current name.
HISTORIC_NAMES = {"malung": "2023", "upplands-vasby": "0114", "dals ed": "1438"}
# Rows for people without a known municipality.
RESIDUAL_NAMES = {"uppgift saknas", "okand kommun", "okand", "utlandet", "ovriga"}
AGGREGATE_NAMES = {"riket", "totalt", "samtliga", "hela riket"}
# å/ä/ö only: not ``reference.FOLD``, which also folds é.
FOLD_AAO = str.maketrans("åäö", "aao")
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
    "provenance",
    "is_sample",
]


def age_band(month: date) -> str:
    """The band of AF's whole-population figures in ``month`` (it follows the pension age)."""
    if month < date(2023, 1, 1):
        return "16-64"
    return "16-65" if month < date(2026, 1, 1) else "16-66"


def file_links(body: bytes, page_url: str) -> dict[str, str]:
    """The newest monthly ``andel-av-bas`` file and the newest older ``andel-av-reg`` file
    linked from the page (``{"bas": url, "reg": url}``). No bas link is an error; a missing
    reg link is left to the callers: the fetch fails, the drift report lists it beside the
    bas file it still records."""
    links = re.findall(r'href="([^"]+)"', body.decode("utf-8", errors="replace"))
    newest: dict[str, tuple[tuple[str, str], str]] = {}
    for link in links:
        path = link.split("?", 1)[0]
        if YEARLY_AVERAGE.search(path):
            continue
        for kind, pattern in (("bas", BAS_FILE), ("reg", REG_FILE)):
            if match := pattern.search(path):
                candidate = (match.groups(), urljoin(page_url, link))
                newest[kind] = max(newest.get(kind, candidate), candidate)
    if "bas" not in newest:
        raise ValueError("no web-inskrivna-arbetslosa-andel-av-bas-YYYY-MM.xlsx link on the page")
    return {kind: url for kind, (_, url) in newest.items()}


def _month(value: object) -> date:
    match = re.fullmatch(r"(\d{4})\s*[-M]?\s*(\d{2})", str(value).strip())
    if not match:
        raise ValueError(f"unreadable PERIOD {value!r}")
    return date(int(match[1]), int(match[2]), 1)


def _count(value: object) -> tuple[float | None, bool]:
    """(number, masked): "<5" is masked, a blank is missing (not masked)."""
    if value is None:
        return None, False
    if isinstance(value, int | float):
        return float(value), False
    text = re.sub(r"\s", "", str(value)).replace(",", ".")
    if text.startswith("<"):
        return None, True
    if text == "":
        return None, False
    return float(text), False


def municipality_code(name: str, lookup: dict[str, str]) -> str | None:
    """Code for a name as AF prints it; None for residual and national rows, "" for a name
    nobody knows (the caller lists those)."""
    key = normalise_name(name).translate(FOLD_AAO)
    if key in RESIDUAL_NAMES or key in AGGREGATE_NAMES or key == "":
        return None
    return find_municipality_code(name, lookup) or HISTORIC_NAMES.get(key) or ""


def parse_workbook(body: bytes, lookup: dict[str, str]) -> pd.DataFrame:
    """An andel-av-bas/-reg workbook → rows of raw.unemployment (``source`` still empty)."""
    cache = pivot_cache.read_pivot_cache(body)
    fields = [name.strip().upper() for name in cache.fields]
    missing = [name for name in (PERIOD, MUNICIPALITY) if name not in fields]
    pairs = {
        prefix: (fields.index(f"{prefix}SOK"), fields.index(f"{prefix}AK"))
        for prefix in GROUPS
        if f"{prefix}SOK" in fields and f"{prefix}AK" in fields
    }
    if missing or "TOT" not in pairs:
        raise ValueError(
            f"pivot cache field(s) {missing + ([] if 'TOT' in pairs else ['TOTSOK/TOTAK'])} "
            f"missing; the cache has {fields}"
        )
    period, kom = fields.index(PERIOD), fields.index(MUNICIPALITY)
    rows, unknown = [], set()
    # A national file has ~25k records but ~290 names and ~84 months: resolve each once,
    # keyed by the text that municipality_code and _month read.
    codes: dict[str, str | None] = {}
    months: dict[str, date] = {}
    for record in cache.records:
        name = record[kom]
        text = str(name or "")
        if text not in codes:
            codes[text] = municipality_code(text, lookup)
        code = codes[text]
        if code is None:
            continue
        if code == "":
            unknown.add(str(name))
            continue
        value = record[period]
        key = str(value)
        if key not in months:
            months[key] = _month(value)
        month = months[key]
        for prefix, (numerator, denominator) in pairs.items():
            persons, masked = _count(record[numerator])
            force, _ = _count(record[denominator])
            rows.append((code, month, prefix, persons, masked, force))
    if unknown:
        raise ValueError(f"municipality name(s) not in the reference: {sorted(unknown)[:20]}")
    if not rows:
        raise ValueError("the pivot cache holds no municipality records")
    long = pd.DataFrame(
        rows, columns=["municipality_code", "month", "group", "persons", "masked", "force"]
    )
    # A municipality can appear under two names (old and new): add numerators and
    # denominators; one masked part masks the sum.
    grouped = long.groupby(["municipality_code", "month", "group"], sort=True)
    summed = grouped[["persons", "force"]].sum(min_count=1)
    summed["masked"] = grouped["masked"].any()
    summed = summed.reset_index().rename(columns={"force": "labour_force"})
    summed.loc[summed["masked"], "persons"] = None
    summed["sex"] = summed["group"].map({prefix: sex for prefix, (sex, _) in GROUPS.items()})
    band = summed["month"].map({m: age_band(m) for m in summed["month"].unique()})
    fixed = summed["group"].map({prefix: b or "" for prefix, (_, b) in GROUPS.items()})
    open_ended = fixed.str.endswith("-")
    summed["age_band"] = fixed.where(fixed != "", band).where(~open_ended, fixed + band.str[3:])
    # The embedded workbooks are sample data (their keyword says so); a real file is real.
    provenance = "sample" if SAMPLE_KEYWORD in cache.keywords else "real"
    share = 100 * summed["persons"] / summed["labour_force"]
    summed["share_pct"] = share.where(summed["labour_force"] > 0).astype("float64")
    return summed.assign(
        measure=MEASURE,
        persons=summed["persons"].round().astype("Int64"),
        labour_force=summed["labour_force"].astype("float64"),
        source="",
        provenance=provenance,
        is_sample=provenance != "real",
    )[COLUMNS]


def splice(newer: pd.DataFrame, older: pd.DataFrame) -> pd.DataFrame:
    """The older file's months before the newer file's first month, then the newer file;
    a month missing in between is an error naming it."""
    start = newer["month"].min()
    combined = pd.concat([older[older["month"] < start], newer], ignore_index=True)
    months = sorted(combined["month"].unique())
    expected = pd.date_range(months[0], months[-1], freq="MS").date
    gaps = sorted(set(expected) - set(months))
    if gaps:
        raise ValueError(f"no data for month(s) {[m.isoformat()[:7] for m in gaps[:12]]}")
    return combined


def page_links(fetcher: Fetcher, page_url: str, keep: bool = False) -> dict[str, str]:
    """The statistics page's ``file_links`` (``keep``: see ``Fetcher``)."""
    links, _ = fetcher.get(
        SOURCE, page_url, None, PAGE_SNAPSHOT, lambda body: file_links(body, page_url), keep=keep
    )
    return links


def fetch_unemployment(
    fetcher: Fetcher, lookup: dict[str, str], page_url: str | None = None
) -> pd.DataFrame:
    """Find the newest files on the statistics page, fetch and parse both, splice them."""
    page_url = page_url or config.af_page_url()
    links = page_links(fetcher, page_url)
    if "reg" not in links:
        # Without it the months before andel-av-bas begins (2023-01) would silently vanish.
        raise SourceFormatError(SOURCE, page_url, "no web-inskrivna-arbetslosa-andel-av-reg-"
                                "…-YYYY-MM.xlsx link: the months before andel-av-bas are lost")
    frames = {}
    for kind in ("bas", "reg"):
        frame, origin = fetcher.get(
            SOURCE,
            links[kind],
            None,
            f"af/{links[kind].rsplit('/', 1)[-1]}",
            lambda body: parse_workbook(body, lookup),
        )
        frames[kind] = frame.assign(source=origin)
    try:
        return splice(frames["bas"], frames["reg"])
    except ValueError as exc:
        raise SourceFormatError(SOURCE, f"{links['reg']} + {links['bas']}", str(exc)) from exc
