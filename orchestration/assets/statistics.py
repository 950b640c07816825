"""Public statistics → raw.population, raw.full_year_equivalents, raw.he_population_share and
raw.unemployment (fetching and parsing live in ``ingestion.sources``; ``FINSAM_SOURCES``
chooses the embedded snapshot or the live sources).

Not partitioned: each source is fetched as a whole series in a few calls (per year for
SCB, one file for Arbetsförmedlingen, which republishes its whole series monthly), and the
HTTP cache makes an unchanged series cost only conditional requests, so per-period
partitions would add bookkeeping without saving downloads. A failed fetch or validation
raises before the table is written, so the previous table stays in the build file. Rows
identical to the table already in the build file (a night without news) are neither
validated again nor rewritten (``WarehouseResource.write_table``).

No ``from __future__ import annotations`` here: Dagster reads the annotations of a
multi-asset at definition time and rejects them as strings.
"""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from dagster import AssetSpec, MaterializeResult, asset, multi_asset

from ingestion import reference
from ingestion.sources import af_unemployment, scb_he, scb_population
from ingestion.sources.fetch import Fetcher
from ingestion.validation import raw_statistics as schemas
from orchestration.resources import WarehouseResource

GROUP = "statistics"


def _metadata(frame: pd.DataFrame) -> dict[str, object]:
    return {
        "rows": len(frame),
        "sample_rows": int(frame["is_sample"].sum()),
        "sources": sorted(frame["source"].unique())[:5],
    }


def _codes() -> list[str]:
    return list(reference.load_municipalities()["municipality_code"])


def _validation_version(codes: list[str]) -> str:
    """The raw schemas' code and the registry they check codes against: unchanged rows are
    validated again only when one of these changed (see WarehouseResource.write_table)."""
    digest = hashlib.sha256(Path(schemas.__file__).read_bytes())
    digest.update(",".join(codes).encode())
    return digest.hexdigest()


@asset(name="population", group_name=GROUP, deps=["municipalities"],
       description="SCB population per municipality, year, single year of age and sex.")
def population(warehouse: WarehouseResource) -> MaterializeResult:
    codes = _codes()
    frame = scb_population.fetch_population(Fetcher.from_config(), codes)
    warehouse.write_table(
        "raw", "population", frame, version=_validation_version(codes),
        validate=lambda f: schemas.validate(f, schemas.population_schema(codes),
                                            scb_population.SOURCE),
    )
    return MaterializeResult(metadata=_metadata(frame))


@multi_asset(
    specs=[
        AssetSpec("full_year_equivalents", group_name=GROUP, deps=["municipalities"],
                  description="SCB helårsekvivalenter per municipality, year, sex and benefit."),
        AssetSpec("he_population_share", group_name=GROUP, deps=["municipalities"],
                  description="SCB HE rate (share of the population 20-64) and its population."),
    ],
)
def full_year_equivalents(warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
    """One fetch gives both tables (the HE table carries the population and the rate)."""
    codes = _codes()
    fye, share = scb_he.fetch_full_year_equivalents(Fetcher.from_config(), codes)
    version = _validation_version(codes)
    warehouse.write_table(
        "raw", "full_year_equivalents", fye, version=version,
        validate=lambda f: schemas.validate(f, schemas.full_year_equivalents_schema(codes),
                                            scb_he.SOURCE),
    )
    warehouse.write_table(
        "raw", "he_population_share", share, version=version,
        validate=lambda f: schemas.validate(f, schemas.he_population_share_schema(codes),
                                            scb_he.SOURCE),
    )
    yield MaterializeResult(asset_key="full_year_equivalents", metadata=_metadata(fye))
    yield MaterializeResult(asset_key="he_population_share", metadata=_metadata(share))


@asset(name="unemployment", group_name=GROUP, deps=["municipalities"],
       description="Arbetsförmedlingen registered unemployment per municipality and month.")
def unemployment(warehouse: WarehouseResource) -> MaterializeResult:
    municipalities = reference.load_municipalities()
    lookup = reference.municipality_code_lookup(municipalities)
    frame = af_unemployment.fetch_unemployment(Fetcher.from_config(), lookup)
    codes = list(municipalities["municipality_code"])
    warehouse.write_table(
        "raw", "unemployment", frame, version=_validation_version(codes),
        validate=lambda f: schemas.validate(f, schemas.unemployment_schema(codes),
                                            af_unemployment.SOURCE),
    )
    return MaterializeResult(metadata=_metadata(frame))
