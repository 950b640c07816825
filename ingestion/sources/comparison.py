"""SCB against Kolada, per municipality, year and measure (→ raw.source_comparison).

Kolada republishes SCB's figures, so the two should agree; a disagreement means one of them
changed a definition, a revision reached one and not the other, or a parser misreads one.
Compared, for the years both cover:

- ``full_year_equivalents``: SCB's "Summa helårsekvivalenter" (TAB1386, yearly mean of the
  months, both sexes) against Kolada's N01711;
- ``population_20_64``: SCB's population 20–64 beside it in TAB1386 against N01955;
- ``population_16_64``: SCB's population (TAB638/TAB5557, single ages 16–64 summed) against
  N01713.

``disagreements`` lists the rows that differ by more than ``config.source_disagreement_pct``;
the nightly asset check and ``finsam sources check`` print them, naming municipality and year.
"""

from __future__ import annotations

import pandas as pd

from ingestion.sources import pxweb

COLUMNS = ["municipality_code", "year", "measure", "scb_value", "kolada_value", "difference",
           "difference_pct", "source", "provenance", "is_sample"]
MEASURES = ("full_year_equivalents", "population_20_64", "population_16_64")


# A figure computed from several is as real as the least real of them: provenances ranked.
RANK = {p: i for i, p in enumerate(pxweb.PROVENANCES)}
BY_RANK = dict(enumerate(pxweb.PROVENANCES))


def _scb_measures(fye: pd.DataFrame | None, share: pd.DataFrame | None,
                  population: pd.DataFrame | None) -> pd.DataFrame:
    keys = ["municipality_code", "year"]
    parts = []
    if fye is not None:
        total = fye[(fye["sex"] == "total") & (fye["benefit_type"] == "total")]
        parts.append(total.assign(measure="full_year_equivalents",
                                  value=total["full_year_equivalents"]))
    if share is not None:
        band = share[(share["sex"] == "total") & (share["age_band"] == "20-64")]
        parts.append(band.assign(measure="population_20_64",
                                 value=band["population"].astype("float64")))
    if population is not None:
        working = population[population["age"].between(16, 64)]
        rank = working["provenance"].map(RANK)
        summed = (working.assign(rank=rank).groupby(keys, sort=False)
                  .agg(value=("population", "sum"), source=("source", "first"),
                       rank=("rank", "max"))
                  .reset_index().assign(measure="population_16_64"))
        summed["provenance"] = summed["rank"].map(BY_RANK)
        parts.append(summed)
    columns = [*keys, "measure", "value", "source", "provenance"]
    return pd.concat([p[columns] for p in parts], ignore_index=True) if parts else \
        pd.DataFrame(columns=columns)


def _kolada_measures(long: pd.DataFrame) -> pd.DataFrame:
    totals = long[long["sex"] == "total"]
    measure = totals["meaning"].map({"total": "full_year_equivalents",
                                     "population_20_64": "population_20_64",
                                     "population_16_64": "population_16_64"})
    picked = totals.assign(measure=measure)[measure.notna()]
    return picked[["municipality_code", "year", "measure", "value", "source", "provenance"]]


def compare(kolada: pd.DataFrame, fye: pd.DataFrame | None = None,
            share: pd.DataFrame | None = None,
            population: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per municipality, year and measure both sources have (``COLUMNS``). SCB's
    frames are raw.full_year_equivalents / raw.he_population_share / raw.population as the
    SCB fetchers return them; any of them may be None (that source failed)."""
    keys = ["municipality_code", "year", "measure"]
    merged = _scb_measures(fye, share, population).merge(
        _kolada_measures(kolada), on=keys, suffixes=("_scb", "_kolada"))
    merged = merged[merged["value_scb"].notna() & merged["value_kolada"].notna()]
    difference = merged["value_kolada"] - merged["value_scb"]
    provenance = pd.concat([merged["provenance_scb"].map(RANK),
                            merged["provenance_kolada"].map(RANK)], axis=1).max(axis=1)
    provenance = provenance.map(BY_RANK)
    result = pd.DataFrame({
        "municipality_code": merged["municipality_code"].astype(str),
        "year": merged["year"].astype(int),
        "measure": merged["measure"],
        "scb_value": merged["value_scb"].astype("float64"),
        "kolada_value": merged["value_kolada"].astype("float64"),
        "difference": difference.astype("float64"),
        "difference_pct": (100 * difference / merged["value_scb"].where(merged["value_scb"] > 0))
        .astype("float64"),
        "source": merged["source_scb"] + " | " + merged["source_kolada"],
        "provenance": provenance,
    })
    result["is_sample"] = result["provenance"] != "real"
    return result.sort_values(keys, ignore_index=True)[COLUMNS]


def disagreements(frame: pd.DataFrame, threshold_pct: float) -> pd.DataFrame:
    """The rows whose sources differ by more than ``threshold_pct`` percent (or where SCB
    has zero and Kolada not), largest first."""
    large = frame["difference_pct"].abs() > threshold_pct
    zero = frame["difference_pct"].isna() & (frame["difference"] != 0)
    picked = frame[large | zero]
    return picked.reindex(picked["difference_pct"].abs().sort_values(ascending=False).index)


def describe(frame: pd.DataFrame, names: dict[str, str], limit: int = 10) -> list[str]:
    """One line per row: municipality (code), year, measure, both values, the difference."""
    lines = []
    for row in frame.head(limit).itertuples():
        pct = "n/a" if pd.isna(row.difference_pct) else f"{row.difference_pct:+.1f} %"
        lines.append(f"{names.get(row.municipality_code, '?')} ({row.municipality_code}) "
                     f"{row.year} {row.measure}: SCB {row.scb_value:,.0f}, Kolada "
                     f"{row.kolada_value:,.0f} ({pct})")
    if len(frame) > limit:
        lines.append(f"… and {len(frame) - limit} more")
    return lines


def summary(frame: pd.DataFrame, threshold_pct: float) -> str:
    """One line: what was compared and how much of it agrees."""
    if frame.empty:
        return "nothing compared (no municipality and year both sources cover)"
    years = f"{frame['year'].min()}–{frame['year'].max()}"
    n_large = len(disagreements(frame, threshold_pct))
    worst = frame["difference_pct"].abs().max()
    return (f"{len(frame)} figures compared ({frame['municipality_code'].nunique()} "
            f"municipalities, {years}, {', '.join(sorted(frame['measure'].unique()))}); "
            f"{n_large} differ by more than {threshold_pct:g} %; largest difference "
            f"{0 if pd.isna(worst) else worst:.2f} %")
