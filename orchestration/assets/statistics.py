"""Public statistics → raw.population, raw.full_year_equivalents, raw.he_population_share and
raw.unemployment (fetching and parsing live in ``ingestion.sources``; ``FINSAM_SOURCES``
chooses the embedded snapshot or the live sources).

Not partitioned: each source is fetched as a whole series in a few calls (per year for
SCB, one file for Arbetsförmedlingen, which republishes its whole series monthly), and the
HTTP cache makes an unchanged series cost only conditional requests, so per-period
partitions would add bookkeeping without saving downloads. A failed fetch or validation,
or a series that now ends earlier than the table already in the warehouse, raises before
the table is written, so the previous table stays in the build file. Rows identical to the
table already in the build file (a night without news) are neither validated again nor
rewritten (``WarehouseResource.write_table``).

Each asset also runs the source's drift report (``ingestion.sources.drift``: metadata or
file list only) and records it as Dagster metadata, on success and on failure.

No ``from __future__ import annotations`` here: Dagster reads the annotations of a
multi-asset at definition time and rejects them as strings.
"""

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from dagster import AssetSpec, Failure, MaterializeResult, asset, multi_asset

from ingestion import reference
from ingestion.sources import af_unemployment, drift, scb_he, scb_population
from ingestion.sources.fetch import Fetcher
from ingestion.validation import raw_statistics as schemas
from orchestration.resources import WarehouseResource

GROUP = "statistics"


def _metadata(frame: pd.DataFrame, report: drift.SourceCheck) -> dict[str, object]:
    return {
        "rows": len(frame),
        "sample_rows": int(frame["is_sample"].sum()),
        "sources": sorted(frame["source"].unique())[:5],
        **report.metadata(),
    }


def _fetch_checked(
    key: str, warehouse: WarehouseResource, table: str, period: str,
    fetch: Callable[[Fetcher], pd.DataFrame],
) -> tuple[pd.DataFrame, drift.SourceCheck]:
    """Drift report, then the fetch; a failure (or a series shorter than the warehouse's)
    is recorded and raised with the report as metadata, before anything is written."""
    fetcher = Fetcher.from_config()
    report = drift.check(key, fetcher)
    try:
        frame = fetch(fetcher)
        with warehouse.connect(read_only=True) as con:
            previous = drift.previous_series_end(con, table, period)
        drift.check_series_end(report.source, f"raw.{table}", frame[period].max(), previous)
    except Exception as exc:
        drift.record_failure(key, str(exc))
        raise Failure(description=str(exc), metadata=report.metadata()) from exc
    return frame, report


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
    frame, report = _fetch_checked(
        "population", warehouse, "population", "year",
        lambda fetcher: scb_population.fetch_population(fetcher, codes),
    )
    warehouse.write_table(
        "raw", "population", frame, version=_validation_version(codes),
        validate=lambda f: schemas.validate(f, schemas.population_schema(codes),
                                            scb_population.SOURCE),
    )
    drift.record_success(report, frame["year"].max())
    return MaterializeResult(metadata=_metadata(frame, report))


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
    tables: dict[str, pd.DataFrame] = {}

    def fetch(fetcher: Fetcher) -> pd.DataFrame:
        tables["fye"], tables["share"] = scb_he.fetch_full_year_equivalents(fetcher, codes)
        return tables["fye"]

    fye, report = _fetch_checked("full_year_equivalents", warehouse, "full_year_equivalents",
                                 "year", fetch)
    share = tables["share"]
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
    drift.record_success(report, fye["year"].max())
    yield MaterializeResult(asset_key="full_year_equivalents", metadata=_metadata(fye, report))
    yield MaterializeResult(asset_key="he_population_share", metadata=_metadata(share, report))


@asset(name="unemployment", group_name=GROUP, deps=["municipalities"],
       description="Arbetsförmedlingen registered unemployment per municipality and month.")
def unemployment(warehouse: WarehouseResource) -> MaterializeResult:
    municipalities = reference.load_municipalities()
    lookup = reference.municipality_code_lookup(municipalities)
    frame, report = _fetch_checked(
        "unemployment", warehouse, "unemployment", "month",
        lambda fetcher: af_unemployment.fetch_unemployment(fetcher, lookup),
    )
    codes = list(municipalities["municipality_code"])
    warehouse.write_table(
        "raw", "unemployment", frame, version=_validation_version(codes),
        validate=lambda f: schemas.validate(f, schemas.unemployment_schema(codes),
                                            af_unemployment.SOURCE),
    )
    drift.record_success(report, frame["month"].max())
    return MaterializeResult(metadata=_metadata(frame, report))
