"""Helårsekvivalenter (HE) per municipality and year, by benefit type, and the HE rate
(SCB TAB1386 → raw.full_year_equivalents, raw.he_population_share).

TAB1386 is the PxWebApi v2 id of HE0000T02N2 (HE by region and sex, monthly from 2014M01;
variables Region, Kon, Aldersgrupp, ContentsCode, Tid). The ContentsCode → benefit mapping
is not confirmed, so codes are resolved from their Swedish labels (CONTENT_RULES) in every
response, and an unknown label fails the fetch instead of being dropped silently.

Yearly figure: SCB publishes HE per month, each month already scaled to full-year
equivalents, so the year's HE, population and rate are the arithmetic mean of its 12 months.
Only years with all 12 months in the table are fetched (the current year is left out); a
year with an empty month gives a null for that municipality rather than a mean of 11.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ingestion.sources import pxweb
from ingestion.sources.fetch import Fetcher

SOURCE = "SCB helårsekvivalenter (TAB1386)"
TABLE = "TAB1386"
AGE_BAND = "20-64"
SEXES = {"1": "men", "2": "women", "1+2": "total"}
FIRST_YEAR = 2014
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
    "is_sample",
]


def snapshot_name(year: str | None = None) -> str:
    return f"scb/{TABLE}_metadata.json" if year is None else f"scb/{TABLE}_{year}.json.gz"


def content_meanings(dimension: pxweb.Dimension) -> dict[str, str]:
    """ContentsCode → benefit type, ``population`` or ``share_pct``, read from the labels."""
    meanings, unknown = {}, []
    for code, label in dimension.labels.items():
        folded = pxweb.fold(label)
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
    for code, label in dimension.labels.items():
        if AGE_BAND in pxweb.fold(code) or AGE_BAND in pxweb.fold(label):
            return code
    raise ValueError(f"no Aldersgrupp {AGE_BAND}; the table has {dimension.labels}")


def parse_metadata(body: bytes) -> pxweb.JsonStat:
    metadata = pxweb.parse_jsonstat(body, with_values=False)
    metadata.require(VARIABLES)
    content_meanings(metadata.dimensions["ContentsCode"])
    age_code(metadata.dimensions["Aldersgrupp"])
    return metadata


def parse_data(body: bytes) -> pd.DataFrame:
    """One JSON-stat 2.0 response (months of one year) → yearly means per municipality,
    sex and meaning: columns municipality_code, year, sex, meaning, value, is_sample."""
    dataset = pxweb.parse_jsonstat(body)
    dataset.require(VARIABLES)
    meanings = content_meanings(dataset.dimensions["ContentsCode"])
    if len(dataset.dimensions["Aldersgrupp"].codes) != 1:
        raise ValueError(f"expected one Aldersgrupp, got {dataset.dimensions['Aldersgrupp'].codes}")
    frame = dataset.to_frame()
    unknown = sorted(set(frame["Kon"]) - set(SEXES))
    if unknown:
        raise ValueError(f"unknown Kon codes {unknown}")
    frame["year"] = frame["Tid"].str[:4].astype(int)
    frame["meaning"] = frame["ContentsCode"].map(meanings)
    keys = ["Region", "year", "Kon", "meaning"]
    yearly = frame.groupby(keys, sort=False)["value"].agg(["mean", "count", "size"]).reset_index()
    # A mean over fewer than 12 months would not be a yearly figure.
    yearly.loc[(yearly["count"] < 12) | (yearly["size"] != 12), "mean"] = None
    return pd.DataFrame(
        {
            "municipality_code": yearly["Region"].astype(str),
            "year": yearly["year"],
            "sex": yearly["Kon"].map(SEXES),
            "meaning": yearly["meaning"],
            "value": yearly["mean"].astype("float64"),
            "is_sample": dataset.is_sample,
        }
    )


def fetch_full_year_equivalents(
    fetcher: Fetcher, municipality_codes: Sequence[str], first_year: int = FIRST_YEAR
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (raw.full_year_equivalents, raw.he_population_share), one request per year."""
    metadata, _ = fetcher.get(
        SOURCE, pxweb.metadata_url(TABLE), pxweb.metadata_params(), snapshot_name(), parse_metadata
    )
    available = set(metadata.dimensions["Region"].codes)
    regions = [code for code in municipality_codes if code in available]
    months_by_year: dict[str, list[str]] = {}
    for month in metadata.dimensions["Tid"].codes:
        months_by_year.setdefault(month[:4], []).append(month)
    frames = []
    for year, months in months_by_year.items():
        if int(year) < first_year or len(months) != 12:
            continue
        selection = {
            "Region": regions,
            "Kon": [c for c in SEXES if c in metadata.dimensions["Kon"].codes],
            "Aldersgrupp": [age_code(metadata.dimensions["Aldersgrupp"])],
            "ContentsCode": metadata.dimensions["ContentsCode"].codes,
            "Tid": months,
        }
        frame, origin = fetcher.get(
            SOURCE,
            pxweb.data_url(TABLE),
            pxweb.data_params(selection),
            snapshot_name(year),
            parse_data,
        )
        # The embedded snapshot holds every municipality; keep the ones asked for.
        frames.append(frame[frame["municipality_code"].isin(regions)].assign(source=origin))
    if not frames:
        return pd.DataFrame(columns=FYE_COLUMNS), pd.DataFrame(columns=SHARE_COLUMNS)
    return _split(pd.concat(frames, ignore_index=True))


def _split(long: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = ["municipality_code", "year", "sex", "source", "is_sample"]
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
