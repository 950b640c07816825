"""Population per municipality, year, single year of age and sex (SCB TAB638 → raw.population).

TAB638 "Folkmängd efter region, civilstånd, ålder och kön" (PxWebApi v2; the v1 table is
BE0101N1 under BE/BE0101/BE0101A/BefolkningNy). Civilstand is left out of the selection so
SCB eliminates (sums) it. Folkmängd is counted on 31 December. One call per year stays
under the 150 000-cell limit (290 municipalities × 101 ages × 2 sexes = 58 580 cells).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ingestion.sources import pxweb
from ingestion.sources.fetch import Fetcher

SOURCE = "SCB population (TAB638)"
TABLE = "TAB638"
CONTENTS_CODE = "BE0101N1"  # Folkmängd
AGES = [str(age) for age in range(100)] + ["100+"]
SEXES = {"1": "men", "2": "women"}
FIRST_YEAR = 2014
VARIABLES = ("Region", "Alder", "Kon", "ContentsCode", "Tid")
COLUMNS = ["municipality_code", "year", "age", "sex", "population", "source", "is_sample"]


def snapshot_name(year: str | None = None) -> str:
    return f"scb/{TABLE}_metadata.json" if year is None else f"scb/{TABLE}_{year}.json.gz"


def parse_metadata(body: bytes) -> pxweb.JsonStat:
    metadata = pxweb.parse_jsonstat(body, with_values=False)
    metadata.require(VARIABLES)
    return metadata


def parse_data(body: bytes) -> pd.DataFrame:
    """One JSON-stat 2.0 response → rows of raw.population (``source`` still empty)."""
    dataset = pxweb.parse_jsonstat(body)
    dataset.require(VARIABLES)
    frame = dataset.to_frame()
    frame = frame[(frame["ContentsCode"] == CONTENTS_CODE) & (frame["Alder"] != "tot")]
    unknown = sorted(set(frame["Kon"]) - set(SEXES))
    if unknown:
        raise ValueError(f"unknown Kon codes {unknown}")
    if frame["value"].isna().any():
        raise ValueError(f"{int(frame['value'].isna().sum())} population cells are empty")
    return pd.DataFrame(
        {
            "municipality_code": frame["Region"].astype(str),
            "year": frame["Tid"].astype(int),
            "age": frame["Alder"].str.rstrip("+").astype(int),
            "sex": frame["Kon"].map(SEXES),
            "population": frame["value"].round().astype("int64"),
            "source": "",
            "is_sample": dataset.is_sample,
        },
        columns=COLUMNS,
    )


def fetch_population(
    fetcher: Fetcher, municipality_codes: Sequence[str], first_year: int = FIRST_YEAR
) -> pd.DataFrame:
    """Every year from ``first_year`` that the table holds, one request per year."""
    metadata, _ = fetcher.get(
        SOURCE, pxweb.metadata_url(TABLE), pxweb.metadata_params(), snapshot_name(), parse_metadata
    )
    available = set(metadata.dimensions["Region"].codes)
    regions = [code for code in municipality_codes if code in available]
    years = [y for y in metadata.dimensions["Tid"].codes if int(y) >= first_year]
    frames = []
    for year in years:
        selection = {
            "Region": regions,
            "Alder": AGES,
            "Kon": list(SEXES),
            "ContentsCode": [CONTENTS_CODE],
            "Tid": [year],
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
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)
