"""Helårsekvivalenter (HE) per municipality and year, by benefit type, and the HE rate
(SCB TAB1386 → raw.full_year_equivalents, raw.he_population_share).

TAB1386 is the PxWebApi v2 id of HE0000T02N2 (HE by region and sex, monthly from 2014M01;
variables Region, Kon, Aldersgrupp, ContentsCode, Tid). The ContentsCode → benefit mapping
is not confirmed, so codes are resolved from their Swedish labels (CONTENT_RULES) in every
response, after ``pxweb.fold`` (case, whitespace, dashes) and SCB's own misspelling
"Sjuk- och aktivitetsersersättning" (sources.md §4b); an unknown label fails the fetch,
naming it, instead of being dropped silently. The sexes and the age group are read from
the metadata too: the total is ``1+2`` in v1 and may be ``TotSa`` in v2, and the age label
is "20–64 år" with an en dash.

Yearly figure: SCB publishes HE per month, each month already scaled to full-year
equivalents, so the year's HE, population and rate are the arithmetic mean of its 12 months.
Only years with all 12 months in the table are fetched (the current year is left out); a
year with an empty month gives a null for that municipality rather than a mean of 11.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ingestion.sources import pxweb
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher

SOURCE = "SCB helårsekvivalenter (TAB1386)"
TABLE = "TAB1386"
AGE_BAND = "20-64"
FIRST_YEAR = 2014
# Misspellings seen in SCB's own labels (folded form → the word meant).
KNOWN_MISSPELLINGS = {"ersersattning": "ersattning"}
VARIABLES = ("Region", "Kon", "Aldersgrupp", "ContentsCode", "Tid")
# (fragment of the folded label, meaning); the first match wins, so specific ones go first.
CONTENT_RULES = (
    ("sjuk- och aktivitetsersattning", "sickness_and_activity_compensation"),
    ("sjukpenning", "sickness_benefit"),
    ("sjukersattning", "sickness_compensation"),
    ("aktivitetsersattning", "activity_compensation"),
    ("arbetsloshet", "unemployment_benefit"),
    ("arbetsmarknadsatgard", "activity_support"),
    ("aktivitetsstod", "activity_support"),
    ("ekonomiskt bistand", "social_assistance"),
    ("etablering", "establishment_benefit"),
    ("summa", "total"),
    ("folkmangd", "population"),
    ("andel", "share_pct"),
)
FYE_COLUMNS = [
    "municipality_code",
    "year",
    "sex",
    "benefit_type",
    "full_year_equivalents",
    "source",
    "provenance",
    "is_sample",
]
SHARE_COLUMNS = [
    "municipality_code",
    "year",
    "sex",
    "age_band",
    "population",
    "share_pct",
    "source",
    "provenance",
    "is_sample",
]


def snapshot_name(year: str | None = None) -> str:
    return f"scb/{TABLE}_metadata.json" if year is None else f"scb/{TABLE}_{year}.json.gz"


def normalise_label(label: str) -> str:
    folded = pxweb.fold(label)
    for wrong, right in KNOWN_MISSPELLINGS.items():
        folded = folded.replace(wrong, right)
    return folded


def content_meanings(dimension: pxweb.Dimension) -> dict[str, str]:
    """ContentsCode → benefit type, ``population`` or ``share_pct``, read from the labels."""
    meanings, unknown = {}, []
    for code, label in dimension.labels.items():
        folded = normalise_label(label)
        meaning = next((m for fragment, m in CONTENT_RULES if fragment in folded), None)
        if meaning is None:
            unknown.append(label)
        meanings[code] = meaning
    if unknown:
        raise ValueError(f"unknown ContentsCode label(s) {unknown}; extend CONTENT_RULES")
    missing = {"total", "population", "share_pct"} - set(meanings.values())
    if missing:
        raise ValueError(f"no ContentsCode for {sorted(missing)}; labels: {dimension.labels}")
    return meanings


def age_code(dimension: pxweb.Dimension) -> str:
    """The Aldersgrupp whose code or label names the band 20-64 ("20–64 år" with an en
    dash, "20 - 64", "20-64 år"); a dimension without it fails naming the labels found."""
    for code, label in dimension.labels.items():
        if AGE_BAND in (pxweb.age_band_of(code), pxweb.age_band_of(label)):
            return code
    raise ValueError(f"no Aldersgrupp {AGE_BAND}; the table has {dimension.labels}")


def sexes(dimension: pxweb.Dimension) -> dict[str, str]:
    """Kon code → men/women/total by what the labels mean (``pxweb.sex_codes``); the total
    may be missing, then ``parse_data`` sums men and women."""
    return pxweb.sex_codes(dimension)


@dataclass
class TablePlan:
    """What TAB1386's metadata says the fetcher must ask for (read once, used every year)."""

    metadata: pxweb.JsonStat
    age_code: str  # the Aldersgrupp 20-64
    sexes: list[str]  # Kon codes: men, women and the total when the table has one


def parse_metadata(body: bytes) -> TablePlan:
    metadata = pxweb.parse_metadata(body)
    metadata.require(VARIABLES)
    content_meanings(metadata.dimensions["ContentsCode"])  # fails on a label no rule knows
    return TablePlan(
        metadata,
        age_code=age_code(metadata.dimensions["Aldersgrupp"]),
        sexes=list(sexes(metadata.dimensions["Kon"])),
    )


def parse_data(body: bytes, year: str = "") -> pd.DataFrame:
    """One JSON-stat 2.0 response (months of one year) → yearly means per municipality,
    sex and meaning: columns municipality_code, year, sex, meaning, value, provenance."""
    dataset = pxweb.parse_jsonstat(body)
    dataset.require(VARIABLES)
    meanings = content_meanings(dataset.dimensions["ContentsCode"])
    if len(dataset.dimensions["Aldersgrupp"].codes) != 1:
        raise ValueError(f"expected one Aldersgrupp, got {dataset.dimensions['Aldersgrupp'].codes}")
    sex = sexes(dataset.dimensions["Kon"])
    frame = dataset.without_extra_dimensions(VARIABLES)
    # "2023M01" → 2023, once per month code rather than once per cell.
    frame["year"] = frame["Tid"].map({m: int(m[:4]) for m in dataset.dimensions["Tid"].codes})
    if year:
        frame = frame[frame["year"] == int(year)]
    if frame.empty or frame["value"].isna().all():
        raise ValueError(f"{TABLE} {year}: the response holds no HE rows")
    frame["meaning"] = frame["ContentsCode"].map(meanings)
    keys = ["Region", "year", "Kon", "meaning"]
    yearly = frame.groupby(keys, sort=False)["value"].agg(["mean", "count", "size"]).reset_index()
    # A mean over fewer than 12 months would not be a yearly figure.
    yearly.loc[(yearly["count"] < 12) | (yearly["size"] != 12), "mean"] = None
    result = pd.DataFrame(
        {
            "municipality_code": yearly["Region"].astype(str),
            "year": yearly["year"],
            "sex": yearly["Kon"].map(sex),
            "meaning": yearly["meaning"],
            "value": yearly["mean"].astype("float64"),
            "provenance": dataset.provenance,
        }
    )
    if "total" not in sex.values():
        result = pd.concat([result, _sum_of_sexes(result)], ignore_index=True)
    return result


def _sum_of_sexes(frame: pd.DataFrame) -> pd.DataFrame:
    """Total rows for a table without a sex total: men + women for counts, and the rate
    recomputed from those sums (a rate is never added)."""
    keys = ["municipality_code", "year", "meaning", "provenance"]
    counts = frame[frame["meaning"] != "share_pct"]
    # min_count=2: a total needs both sexes, a missing one leaves it empty
    total = counts.groupby(keys, sort=False)["value"].sum(min_count=2).reset_index()
    wide = total.pivot(index=["municipality_code", "year", "provenance"], columns="meaning",
                       values="value")
    share = (100 * wide["total"] / wide["population"].where(wide["population"] > 0))
    share = share.rename("value").reset_index().assign(meaning="share_pct")
    return pd.concat([total, share], ignore_index=True).assign(sex="total")


def fetch_full_year_equivalents(
    fetcher: Fetcher, municipality_codes: Sequence[str], first_year: int = FIRST_YEAR
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (raw.full_year_equivalents, raw.he_population_share), one request per year."""
    plan, _ = fetcher.get(
        SOURCE, pxweb.metadata_url(TABLE), pxweb.metadata_params(), snapshot_name(), parse_metadata
    )
    metadata = plan.metadata
    missing = sorted(set(municipality_codes) - set(metadata.dimensions["Region"].codes))
    if missing:
        raise SourceFormatError(SOURCE, pxweb.metadata_url(TABLE),
                                f"{TABLE}: municipality code(s) {missing[:10]} not in Region")
    regions = list(municipality_codes)
    months_by_year: dict[str, list[str]] = {}
    for month in metadata.dimensions["Tid"].codes:
        months_by_year.setdefault(month[:4], []).append(month)
    frames = []
    for year, months in months_by_year.items():
        if int(year) < first_year or len(months) != 12:
            continue
        selection = {
            "Region": regions,
            "Kon": plan.sexes,
            "Aldersgrupp": [plan.age_code],
            "ContentsCode": metadata.dimensions["ContentsCode"].codes,
            "Tid": months,
        }
        frame, origin = fetcher.get(
            SOURCE,
            pxweb.data_url(TABLE),
            pxweb.data_params(selection),
            snapshot_name(year),
            lambda body, year=year: parse_data(body, year),
        )
        # The embedded snapshot holds every municipality; keep the ones asked for.
        frames.append(frame[frame["municipality_code"].isin(regions)].assign(source=origin))
    if not frames:
        raise SourceFormatError(SOURCE, pxweb.metadata_url(TABLE),
                                f"{TABLE}: no complete year from {first_year} in the table")
    return _split(pd.concat(frames, ignore_index=True))


def _split(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    long = long.assign(is_sample=long["provenance"] != "real")
    keys = ["municipality_code", "year", "sex", "source", "provenance", "is_sample"]
    benefits = long[~long["meaning"].isin(["population", "share_pct"])]
    fye = benefits.rename(columns={"meaning": "benefit_type", "value": "full_year_equivalents"})[
        FYE_COLUMNS
    ]
    share = long[long["meaning"].isin(["population", "share_pct"])].pivot(
        index=keys, columns="meaning", values="value"
    )
    share = share.reset_index().assign(age_band=AGE_BAND)
    share["population"] = share["population"].round().astype("Int64")
    return fye.reset_index(drop=True), share[SHARE_COLUMNS]
