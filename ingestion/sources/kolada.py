"""Helårsekvivalenter (HE) by benefit and inhabitants 16–64 and 20–64 per municipality and
year from Kolada (RKA), the second source beside SCB (→ raw.full_year_equivalents and
raw.he_population_share when ``FINSAM_HE_SOURCE=kolada`` or SCB fails, and the SCB/Kolada
comparison in raw.source_comparison).

Built to Kolada's documented API (Hypergene/kolada README: v2) and to what its public clients
read (koladapy and other v3 users; sources.md §4): ``GET {root}/kpi/{ids}`` gives each KPI's
``id`` and ``title``; ``GET {root}/data/kpi/{ids}/municipality/{ids}/year/{years}`` gives
``{"count": n, "values": [{"kpi", "municipality", "period", "values": [{"gender": "T"|"K"|"M",
"count", "status", "value"}]}]}`` plus the URL of the next page (``next_page`` in v2,
``next_url`` in v3), at most 5000 items a page. Ids go comma-separated, at most 25 per list
(the clients batch there), so the municipalities are asked for 25 at a time.

The KPIs' meanings are read from their titles (``KPI_RULES``, after ``pxweb.fold``), never
assumed from the ids alone: a KPI whose title no rule knows, or that means something else than
expected, fails the fetch naming the title. Kolada's own spelling "rehabilitieringspenning"
is one of the variants.

Which benefit a KPI counts towards in raw.full_year_equivalents: SCB's TAB1386 groups
sjukpenning with rehabiliteringspenning, aktivitetsstöd with utvecklingsersättning and
etableringsersättning with its tillägg and bostadsersättning (the groups of the
försörjningsmått, sources.md §1), so Kolada's finer KPIs are added up the same way; that SCB's
groups are exactly these is not confirmed. N01711 is the total as Kolada publishes it (never a
sum of the parts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ingestion import config
from ingestion.sources import pxweb
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher

SOURCE = "Kolada (RKA) helårsekvivalenter och invånare"
# N01700–N01711: individuals in full-year equivalents by benefit (N01711: all benefits);
# N01713 inhabitants 16–64, N01955 inhabitants 20–64 (kolada_kpi_catalog_2021, real-data §4).
KPIS = (*(f"N017{n:02d}" for n in range(12)), "N01713", "N01955")
FIRST_YEAR = 2014  # SCB's HE series starts in 2014M01
BATCH = 25  # ids per comma-separated list
MAX_PAGES = 50  # a next-page chain longer than this is a loop, not data
GENDERS = {"T": "total", "K": "women", "M": "men"}
# Kolada marks its embedded sample bodies with this top-level key (a live body has none).
PROVENANCE_KEY = "finsam_provenance"
# (words that must all be in the folded title, meaning); the first match wins.
KPI_RULES = (
    (("helarsekvivalenter", "samtliga"), "total"),
    (("helarsekvivalenter", "sjukpenning"), "sickness_benefit"),
    (("helarsekvivalenter", "rehabiliteringspenning"), "sickness_benefit"),
    (("helarsekvivalenter", "rehabilitieringspenning"), "sickness_benefit"),
    (("helarsekvivalenter", "aktivitetsersattning"), "activity_compensation"),
    (("helarsekvivalenter", "sjukersattning"), "sickness_compensation"),
    (("helarsekvivalenter", "arbetsloshetsersattning"), "unemployment_benefit"),
    (("helarsekvivalenter", "aktivitetsstod"), "activity_support"),
    (("helarsekvivalenter", "utvecklingsersattning"), "activity_support"),
    (("helarsekvivalenter", "etableringsersattning"), "establishment_benefit"),
    (("helarsekvivalenter", "etableringstillagg"), "establishment_benefit"),
    (("helarsekvivalenter", "bostadsersattning"), "establishment_benefit"),
    (("helarsekvivalenter", "ekonomiskt", "bistand"), "social_assistance"),
    (("invanare", "16-64"), "population_16_64"),
    (("invanare", "20-64"), "population_20_64"),
)
POPULATION_MEANINGS = ("population_16_64", "population_20_64")
# What the fetch needs at the least: the total HE and both populations.
REQUIRED = {"total", *POPULATION_MEANINGS}
LONG_COLUMNS = ["municipality_code", "year", "kpi", "meaning", "sex", "value", "source",
                "provenance"]


def kpi_url(kpis: Sequence[str] = KPIS) -> str:
    return f"{config.kolada_api_url()}/kpi/{','.join(kpis)}"


def data_url(municipalities: Sequence[str], years: Sequence[int],
             kpis: Sequence[str] = KPIS) -> str:
    return (f"{config.kolada_api_url()}/data/kpi/{','.join(kpis)}/municipality/"
            f"{','.join(municipalities)}/year/{','.join(str(y) for y in years)}")


def snapshot_name(batch: int | None = None, page: int = 1) -> str:
    if batch is None:
        return "kolada/kpi.json"
    # gzip only on disk (``Fetcher``): the pages are large and repetitive
    suffix = "" if page == 1 else f"_{page}"
    return f"kolada/data_{batch:02d}{suffix}.json.gz"


def kpi_meaning(title: str) -> str | None:
    """The meaning of a KPI title, or None when no rule knows it."""
    words = re.findall(r"[a-z0-9]+(?:-[0-9]+)?", pxweb.fold(title))
    for required, meaning in KPI_RULES:
        if all(any(word == r or (r.isalpha() and word.startswith(r)) for word in words)
               for r in required):
            return meaning
    return None


def _document(body: bytes) -> dict:
    doc = json.loads(body)
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise ValueError("not a Kolada response (no 'values' list)")
    count = doc.get("count")
    if count is not None and count != len(doc["values"]):
        raise ValueError(f"'count' is {count} but the page holds {len(doc['values'])} values "
                         "(truncated?)")
    return doc


def parse_kpis(body: bytes, kpis: Sequence[str] = KPIS) -> dict[str, str]:
    """KPI id → meaning from ``/kpi/{ids}``: every id asked for must be there with a title
    a rule knows; an unknown or missing one fails naming it."""
    items = _document(body)["values"]
    titles = {str(item.get("id")): str(item.get("title", "")) for item in items}
    missing = [kpi for kpi in kpis if kpi not in titles]
    unknown = {kpi: titles[kpi] for kpi in kpis
               if kpi in titles and kpi_meaning(titles[kpi]) is None}
    if missing or unknown:
        raise ValueError(f"KPI(s) missing {missing} or with a title no rule knows {unknown}; "
                         "extend kolada.KPI_RULES")
    meanings = {kpi: kpi_meaning(titles[kpi]) for kpi in kpis}
    absent = REQUIRED - set(meanings.values())
    if absent:
        raise ValueError(f"no KPI means {sorted(absent)}; the titles are {titles}")
    return meanings  # type: ignore[return-value]


@dataclass
class Page:
    rows: pd.DataFrame  # municipality_code, year, kpi, sex, value, provenance
    next_url: str | None


def parse_page(body: bytes) -> Page:
    """One data page → one row per KPI, municipality, year and gender (null values dropped:
    Kolada leaves out, or sends null for, what it has not published)."""
    doc = _document(body)
    provenance = doc.get(PROVENANCE_KEY, "real")
    if provenance not in pxweb.PROVENANCES:
        raise ValueError(f"{PROVENANCE_KEY} {provenance!r} is not one of {pxweb.PROVENANCES}")
    rows = []
    for item in doc["values"]:
        try:
            kpi, municipality, period = item["kpi"], str(item["municipality"]), int(item["period"])
            for value in item["values"]:
                if value.get("value") is None:
                    continue
                gender = value["gender"]
                if gender not in GENDERS:
                    raise ValueError(f"gender {gender!r} is none of {sorted(GENDERS)}")
                rows.append((municipality, period, kpi, GENDERS[gender], float(value["value"])))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"data item without {exc}: {str(item)[:200]}") from None
    frame = pd.DataFrame(rows, columns=["municipality_code", "year", "kpi", "sex", "value"])
    next_url = doc.get("next_page") or doc.get("next_url") or None
    return Page(frame.assign(provenance=provenance), next_url)


def fetch_kolada(
    fetcher: Fetcher, municipality_codes: Sequence[str], years: Sequence[int]
) -> pd.DataFrame:
    """Every KPI for ``municipality_codes`` and ``years``, 25 municipalities a request, each
    next page followed: the long frame (``LONG_COLUMNS``). Fails loudly when a municipality
    has no value at all, when the total HE is missing for a year inside the series, or when
    no year has a total."""
    meanings, _ = fetcher.get(SOURCE, kpi_url(), None, snapshot_name(), parse_kpis, keep=True)
    codes = list(municipality_codes)
    frames = []
    for batch, start in enumerate(range(0, len(codes), BATCH), start=1):
        url: str | None = data_url(codes[start:start + BATCH], years)
        for page in range(1, MAX_PAGES + 1):
            assert url is not None
            result, origin = fetcher.get(SOURCE, url, None, snapshot_name(batch, page), parse_page)
            frames.append(result.rows.assign(source=origin))
            url = result.next_url
            if url is None:
                break
        else:
            raise SourceFormatError(SOURCE, url or "", f"more than {MAX_PAGES} pages")
    long = pd.concat(frames, ignore_index=True)
    where = data_url(codes[:1] + ["…"], years)
    long = long[long["kpi"].isin(meanings) & long["municipality_code"].isin(codes)
                & long["year"].isin(years)]
    absent = sorted(set(codes) - set(long["municipality_code"]))
    if absent:
        raise SourceFormatError(SOURCE, where, f"no values for municipality code(s) {absent[:10]}")
    totals = long[long["kpi"].map(meanings) == "total"]
    covered = sorted(set(totals["year"]))
    if not covered:
        raise SourceFormatError(SOURCE, where,
                                f"no total HE (N01711) for any year of {list(years)}")
    gaps = sorted(set(range(covered[0], covered[-1] + 1)) - set(covered))
    if gaps:
        raise SourceFormatError(SOURCE, where, f"no total HE for year(s) {gaps} inside the series")
    long = long.assign(meaning=long["kpi"].map(meanings))
    return long.drop_duplicates(["municipality_code", "year", "kpi", "sex"])[LONG_COLUMNS]


def years_to_ask(last_year: int, first_year: int = FIRST_YEAR) -> list[int]:
    """The years of one request: from ``first_year`` to ``last_year``, at most 25 (Kolada's
    list limit); a year Kolada has not published yet simply has no values."""
    return list(range(max(first_year, last_year - BATCH + 1), last_year + 1))


def to_full_year_equivalents(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long frame as (raw.full_year_equivalents, raw.he_population_share): HE summed per
    benefit group (the total is Kolada's N01711), and the rate 100 × total / inhabitants
    20–64 (Kolada does not publish it: computed, so ``derived from real`` on real data)."""
    keys = ["municipality_code", "year", "sex", "source", "provenance"]
    he = long[~long["meaning"].isin(POPULATION_MEANINGS)]
    fye = (he.groupby([*keys[:3], "meaning"], sort=True)
           .agg(full_year_equivalents=("value", "sum"), source=("source", "first"),
                provenance=("provenance", "first"))
           .reset_index().rename(columns={"meaning": "benefit_type"}))
    fye["is_sample"] = fye["provenance"] != "real"
    total = he[he["meaning"] == "total"].set_index(keys[:3])["value"]
    population = long[long["meaning"] == "population_20_64"]
    share = population.set_index(keys[:3])[["value", "source", "provenance"]].rename(
        columns={"value": "population"})
    share["share_pct"] = 100 * total.reindex(share.index) / share["population"].where(
        share["population"] > 0)
    share = share.reset_index()
    # the rate is computed here, not published: at best derived from real figures
    share["provenance"] = share["provenance"].where(share["provenance"] != "real",
                                                    "derived from real")
    share = share.assign(age_band="20-64", is_sample=share["provenance"] != "real",
                         population=share["population"].round().astype("Int64"))
    columns_fye = ["municipality_code", "year", "sex", "benefit_type", "full_year_equivalents",
                   "source", "provenance", "is_sample"]
    columns_share = ["municipality_code", "year", "sex", "age_band", "population", "share_pct",
                     "source", "provenance", "is_sample"]
    return fye[columns_fye], share[columns_share]
