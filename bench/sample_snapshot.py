"""Write the embedded snapshot in ``data/snapshots/``: bodies in the sources' real formats,
carrying SCB's real figures where real figures exist and saying per body what is derived.

The live sources cannot be reached where this project is built, so the snapshot is made
here, deterministically, in the shapes the sources really send (sources.md §4, §4b): SCB's
JSON-stat 2.0 for TAB638 (2014–2024; the 2024 body split by civilstånd as SCB returns it),
TAB5557 (2025; ``TotSa``, ``100+1``, ``SC``) and TAB1386 (HE per month; the misspelled
content label, an en dash in "20–64 år", ``TotSa``), Kolada's KPI list and data pages, and
Arbetsförmedlingen's statistics page with an ``andel-av-reg`` and an ``andel-av-bas``
workbook whose data live only in a pivot cache, plus a yearly-average decoy link.

What is real (``data/snapshots/real/``, SCB's published figures, sources in the README):

- every municipality's population on 31 December of each year 2014–2025 (TAB638/TAB5557
  totals): each year's body adds up to SCB's total of that municipality and year exactly
  (2025: to the sum of SCB's 5-year groups, which differs from SCB's total by its cell
  noise);
- every municipality's 2025 population in 5-year age groups (TAB5557), and single years of
  age for nine municipalities (Stockholm, Uppsala, Malmö, Lund, Göteborg, Ånge, Timrå,
  Härnösand, Sundsvall);
- SCB's register-based unemployment rate 20–64 per municipality, 2020–2024 (TAB3200, BAS).

What is derived, and marked so in each body (JSON-stat ``extension.finsam_provenance``,
Kolada's ``finsam_provenance``, the workbook keyword ``finsam-sample``):

- **population, ``derived from real``**: a 5-year group is spread evenly over its single
  years (where SCB's single years are not at hand); an earlier year's total is spread over
  ages by the municipality's own 2025 age profile; each age is split by sex with
  ``women_share`` (a fixed profile by age, not a published split). Years without a real
  total (the national benchmark's years after 2025) are ``sample``.
- **HE, ``sample``**: the population 20–64 above times national rates per benefit and year
  (``HE_RATES``, approximate national levels, not checked against a published series);
  for unemployment benefit, labour-market programmes and social assistance scaled by the
  municipality's real BAS unemployment rate against the national one, the other benefits at
  the national rate (no municipal figure exists here). The same figures regrouped into
  Kolada's KPIs (``KOLADA_SPLITS``) form the Kolada pages.
- **unemployment, ``sample``**: Arbetsförmedlingen's registered unemployment is another
  statistic than SCB's BAS rate; the workbooks take the population of the month's band
  times a labour-force participation, and national yearly rates (``UNEMPLOYMENT_RATES``)
  scaled by the municipality's BAS rate against the national one.

    python -m bench.sample_snapshot [output folder]
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion import config, reference
from ingestion.sources import af_unemployment, kolada, pivot_cache, pxweb, scb_he, scb_population

REAL_DIR = config.REPO_ROOT / "data" / "snapshots" / "real"
TOTALS_FILE = "scb_population_total_2014_2025.csv"
GROUPS_FILE = "scb_TAB5557_2025_age5.csv"
SINGLE_AGES_FILE = "scb_TAB5557_2025_single_age_excerpt.csv"
BAS_FILE = "scb_TAB3200_unemployment_rate_20_64.csv"
GROUPS_YEAR = 2025  # the year of the real age structure
LAST_HISTORY_YEAR = 2024  # TAB638 ends here; TAB5557 continues
FIRST_BAS_MONTH = date(2023, 1, 1)  # andel-av-bas starts here; andel-av-reg before
POPULATION_YEARS = list(range(2014, 2026))
HE_YEARS = list(range(2014, 2025))
UNEMPLOYMENT_YEARS = list(range(2019, 2026))
DERIVED_NOTE = ("Derived from SCB's published figures for offline runs: real totals per "
                "municipality and year, real 2025 age groups, sex split by a fixed profile")
SAMPLE_NOTE = "SAMPLE: stand-in figures for offline runs (sized by real population)"

# HE as a share of the population 20–64, by benefit and year: approximate national levels
# (SCB's HE statistics put the total at about 10–13 % of 20–64 year olds over 2014–2024,
# sickness and activity compensation falling, establishment benefit peaking around 2017).
HE_CONTENTS = {
    "0000018F": "Sjukpenning",
    "0000018G": "Sjuk- och aktivitetsersersättning",  # SCB's own spelling (sources.md §4b)
    "0000018H": "Arbetslöshetsersättning",
    "0000018I": "Arbetsmarknadsåtgärder",
    "0000018J": "Ekonomiskt bistånd",
    "0000018K": "Etableringsersättning",
}
HE_TOTAL, HE_POPULATION, HE_SHARE = "0000018L", "0000018M", "0000018N"
HE_RATES = {  # year: rates in the order of HE_CONTENTS
    2014: (0.019, 0.055, 0.016, 0.021, 0.017, 0.003),
    2015: (0.021, 0.052, 0.015, 0.020, 0.016, 0.004),
    2016: (0.022, 0.049, 0.014, 0.020, 0.016, 0.006),
    2017: (0.021, 0.046, 0.013, 0.020, 0.015, 0.007),
    2018: (0.020, 0.043, 0.012, 0.020, 0.014, 0.006),
    2019: (0.020, 0.041, 0.012, 0.019, 0.013, 0.004),
    2020: (0.022, 0.039, 0.020, 0.020, 0.013, 0.003),
    2021: (0.021, 0.037, 0.016, 0.021, 0.012, 0.002),
    2022: (0.021, 0.035, 0.011, 0.019, 0.011, 0.002),
    2023: (0.021, 0.034, 0.011, 0.018, 0.011, 0.002),
    2024: (0.021, 0.033, 0.013, 0.018, 0.011, 0.001),
}
# The benefits whose municipal level follows the labour market: scaled by the BAS ratio.
LABOUR_MARKET_CONTENTS = ("0000018H", "0000018I", "0000018J")
# SCB's benefit groups split into Kolada's KPIs (approximate shares, sample): sjukpenning =
# sjukpenning + rehabiliteringspenning, sjuk- och aktivitetsersättning = aktivitets- +
# sjukersättning, arbetsmarknadsåtgärder = aktivitetsstöd + utvecklingsersättning.
# Etableringstillägg and bostadsersättning (N01708, N01709) are left out of the sample.
KOLADA_SPLITS = {
    "0000018F": {"N01700": 0.97, "N01701": 0.03},
    "0000018G": {"N01702": 0.12, "N01703": 0.88},
    "0000018H": {"N01704": 1.0},
    "0000018I": {"N01705": 0.96, "N01706": 0.04},
    "0000018J": {"N01710": 1.0},
    "0000018K": {"N01707": 1.0},
}
KOLADA_TITLES_FILE = "kolada_kpi_titles.json"  # real titles, Kolada's 2021 KPI list
# Registered unemployed (inskrivna arbetslösa) as a share of the registerbaserad
# arbetskraft, national yearly levels of Arbetsförmedlingen's series, approximately.
UNEMPLOYMENT_RATES = {2019: 0.070, 2020: 0.087, 2021: 0.083, 2022: 0.071, 2023: 0.068,
                      2024: 0.073, 2025: 0.075}
LABOUR_FORCE_PARTICIPATION = 0.80  # registerbaserad arbetskraft / population of the band
# Civilstånd shares by age (ogift, gift, skild, änka/änkling) for the 2024 body's split.
CIVIL = {"OG": "ogifta", "G": "gifta", "SK": "skilda", "ÄNKL": "änkor/änklingar"}


def rate_of(rates: dict[int, object], year: int) -> object:
    """A year's rate; years outside the table (national-scale benchmark) take the nearest."""
    return rates[min(max(year, min(rates)), max(rates))]


def women_share(age: int) -> float:
    """Share of women among people of ``age``: about even, rising among the oldest."""
    return 0.49 if age < 60 else min(0.49 + (age - 60) * 0.0065, 0.75)


def civil_shares(age: int) -> tuple[float, float, float, float]:
    if age < 18:
        return (1.0, 0.0, 0.0, 0.0)
    if age < 30:
        return (0.85, 0.13, 0.02, 0.0)
    if age < 50:
        return (0.45, 0.45, 0.10, 0.0)
    if age < 65:
        return (0.25, 0.55, 0.17, 0.03)
    return (0.12, 0.50, 0.18, 0.20)


# --- the real figures -----------------------------------------------------------------------

def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REAL_DIR / name, dtype={"municipality_code": str})


def real_totals() -> dict[tuple[str, int], int]:
    """SCB's population per (municipality, year), 2014–2025."""
    frame = _read(TOTALS_FILE)
    return {(c, int(y)): int(p) for c, y, p in
            zip(frame["municipality_code"], frame["year"], frame["population"], strict=True)}


def spread(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Integer counts per row proportional to ``weights`` that add up to ``total`` exactly
    (largest remainders)."""
    weights = np.asarray(weights, dtype=float)
    share = weights / weights.sum(axis=-1, keepdims=True)
    exact = share * np.asarray(total, dtype=float)[..., None]
    counts = np.floor(exact).astype(np.int64)
    short = (np.asarray(total) - counts.sum(axis=-1)).astype(int)
    order = np.argsort(-(exact - counts), axis=-1, kind="stable")
    rows = np.arange(counts.shape[0])[:, None]
    counts[rows, order] += np.arange(counts.shape[-1])[None, :] < short[:, None]
    return counts


def ages_2025(codes: list[str]) -> np.ndarray:
    """Population 2025 by single year of age [municipality, 0..100], both sexes: SCB's single
    years where the excerpt has them, otherwise each real 5-year group spread evenly."""
    groups = _read(GROUPS_FILE)
    singles = _read(SINGLE_AGES_FILE)
    missing = sorted(set(codes) - set(groups["municipality_code"]))
    if missing:
        raise ValueError(f"{GROUPS_FILE} lacks municipality code(s) {missing}")
    result = np.zeros((len(codes), 101), dtype=np.int64)
    index = {code: i for i, code in enumerate(codes)}
    for row in groups[groups["municipality_code"].isin(index)].itertuples():
        lower = int(str(row.age_group).rstrip("+").split("-")[0])
        width = 1 if str(row.age_group).endswith("+") else 5
        result[index[row.municipality_code], lower:lower + width] = spread(
            np.array([row.population]), np.ones((1, width)))[0]
    for code, block in singles.groupby("municipality_code"):
        if code in index:
            result[index[code], block["age"].to_numpy()] = block["population"].to_numpy()
    return result


def population_cube(codes: list[str], years: Sequence[int] = POPULATION_YEARS
                    ) -> tuple[np.ndarray, dict[int, str]]:
    """Population[municipality, year index, age 0..100, (men, women)] and each year's
    provenance: 2025 as SCB's age groups, other years SCB's total spread by the 2025 age
    profile; a year without a real total (benchmark) takes the nearest real one, as sample."""
    totals = real_totals()
    profile = ages_2025(codes)
    real_years = sorted({year for _, year in totals})
    women = np.array([women_share(age) for age in range(101)])
    cube = np.empty((len(codes), len(years), 101, 2), dtype=np.int64)
    provenance = {}
    for y, year in enumerate(years):
        nearest = min(max(year, real_years[0]), real_years[-1])
        if nearest == GROUPS_YEAR:
            both = profile
        else:
            absent = [code for code in codes if (code, nearest) not in totals]
            if absent:
                raise ValueError(f"{TOTALS_FILE}: no {nearest} total for {absent[:10]}")
            both = spread(np.array([totals[code, nearest] for code in codes]), profile)
        provenance[year] = "derived from real" if nearest == year else "sample"
        female = np.round(both * women).astype(np.int64)
        cube[:, y, :, 0], cube[:, y, :, 1] = both - female, female
    return cube, provenance


def bas_ratio(codes: list[str], cube: np.ndarray, years: Sequence[int]) -> np.ndarray:
    """[municipality, year index]: the municipality's BAS unemployment rate 20–64 over the
    national rate (weighted by population 20–64) of the same year (the nearest year
    2020–2024 for the others)."""
    bas = _read(BAS_FILE)
    rates = bas.pivot(index="municipality_code", columns="year", values="unemployment_rate_pct")
    missing = sorted(set(codes) - set(rates.index))
    if missing:
        raise ValueError(f"{BAS_FILE} lacks municipality code(s) {missing[:10]}")
    rates = rates.loc[codes]
    ratio = np.empty((len(codes), len(years)))
    for y, year in enumerate(years):
        column = rates[min(max(year, rates.columns.min()), rates.columns.max())].to_numpy()
        weight = cube[:, y, 20:65].sum(axis=(1, 2)).astype(float)
        ratio[:, y] = column / (np.sum(column * weight) / weight.sum())
    return ratio


# --- writing the bodies ---------------------------------------------------------------------

def jsonstat(label: str, dims: list[tuple[str, str, dict[str, str]]], values: list | None,
             provenance: str | None = None, updated: str = "2026-02-24T07:00:00Z") -> dict:
    """A JSON-stat 2.0 body as SCB's PxWebApi v2 sends it (metadata without ``value``),
    marked with its provenance when it is not real."""
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "updated": updated,
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": [d[0] for d in dims],
        "size": [len(d[2]) for d in dims],
        "dimension": {
            code: {
                "label": text,
                "category": {"index": {c: i for i, c in enumerate(cats)}, "label": cats},
            }
            for code, text, cats in dims
        },
        **({"value": values} if values is not None else {}),
    }
    if provenance is not None:
        doc["note"] = [DERIVED_NOTE if provenance == "derived from real" else SAMPLE_NOTE]
        doc["extension"] = {pxweb.PROVENANCE_EXTENSION: provenance}
    return doc


def write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def tab638_ages() -> dict[str, str]:
    return {str(a): f"{a} år" for a in range(100)} | {"100+": "100+ år", "tot": "totalt ålder"}


def tab5557_ages() -> dict[str, str]:
    """TAB5557's Alder list as SCB serves it: single ages, totals and groups."""
    ages = {str(a): f"{a} år" for a in range(100)} | {"TotSA": "totalt, samtliga åldrar"}
    ages |= {f"{a}-{a + 4}" if a else "-4": f"{a}–{a + 4} år" for a in range(0, 100, 5)}
    ages |= {"100+1": "100+ år", "100+5": "100+ år", "100+10": "100+ år"}
    return ages


def write_population(out: Path, munis: dict[str, str], cube: np.ndarray,
                     provenance: dict[int, str], years: Sequence[int] = POPULATION_YEARS
                     ) -> None:
    history_years = [y for y in years if y <= LAST_HISTORY_YEAR]
    current_years = [y for y in years if y > LAST_HISTORY_YEAR]
    regions = dict(munis)
    sexes = {"1": "män", "2": "kvinnor"}
    history_meta = [
        ("Region", "region", {"00": "Riket", **regions}),
        ("Civilstand", "civilstånd", CIVIL),
        ("Alder", "ålder", tab638_ages()),
        ("Kon", "kön", sexes),
        ("ContentsCode", "tabellinnehåll", {"BE0101N1": "Folkmängd", "BE0101N2": "Folkökning"}),
        ("Tid", "år", {str(y): str(y) for y in range(1968, 2025)}),
    ]
    label = "Folkmängden efter region, civilstånd, ålder och kön.  År 1968-2024"
    write_json(out / scb_population.snapshot_name("TAB638"), jsonstat(label, history_meta, None))
    ages = {str(a): f"{a} år" for a in range(100)} | {"100+": "100+ år"}
    for y, year in enumerate(years):
        if year not in history_years:
            continue
        dims = [("Region", "region", regions)]
        values = cube[:, y]  # [municipality, age, sex]
        if year == LAST_HISTORY_YEAR:
            # As the captured 2024 body: split by civilstånd (the parser sums it).
            shares = np.array([civil_shares(a) for a in range(101)])  # [age, civil]
            split = np.round(values[:, None, :, :] * shares.T[None, :, :, None]).astype(np.int64)
            split[:, 0] += values - split.sum(axis=1)  # keep each sum exact
            values = split
            dims.append(("Civilstand", "civilstånd", CIVIL))
        dims += [
            ("Alder", "ålder", ages),
            ("Kon", "kön", sexes),
            ("ContentsCode", "tabellinnehåll", {"BE0101N1": "Folkmängd"}),
            ("Tid", "år", {str(year): str(year)}),
        ]
        write_json(out / scb_population.snapshot_name("TAB638", str(year)),
                   jsonstat("Folkmängd efter region, civilstånd, ålder, kön och år", dims,
                            values.reshape(-1).tolist(), provenance[year]))
    current_sexes = {"1": "män", "2": "kvinnor", "TotSa": "totalt, samtliga män och kvinnor"}
    civil = CIVIL | {"SC": "totalt, samtliga civilstånd"}
    current_meta = [
        ("Region", "region", {"00": "Riket", **regions}),
        ("Civilstand", "civilstånd", civil),
        ("Alder", "ålder", tab5557_ages()),
        ("Kon", "kön", current_sexes),
        ("ContentsCode", "tabellinnehåll",
         {"000007ME": "Folkmängd", "000007MF": "Folkökning"}),
        ("Tid", "år", {str(y): str(y) for y in current_years}),
    ]
    label = "Folkmängd efter region, civilstånd, ålder, kön och år"
    write_json(out / scb_population.snapshot_name("TAB5557"), jsonstat(label, current_meta, None))
    current_ages = {str(a): f"{a} år" for a in range(100)} | {"100+1": "100+ år"}
    for year in current_years:
        y = list(years).index(year)
        dims = [
            ("Region", "region", regions),
            ("Civilstand", "civilstånd", {"SC": civil["SC"]}),
            ("Alder", "ålder", current_ages),
            ("Kon", "kön", sexes),
            ("ContentsCode", "tabellinnehåll", {"000007ME": "Folkmängd"}),
            ("Tid", "år", {str(year): str(year)}),
        ]
        write_json(out / scb_population.snapshot_name("TAB5557", str(year)),
                   jsonstat(label, dims, cube[:, y].reshape(-1).tolist(), provenance[year]))


def yearly_he(cube: np.ndarray, ratio: np.ndarray, years: Sequence[int],
              he_years: Sequence[int]) -> np.ndarray:
    """HE[municipality, he year index, (men, women), benefit in HE_CONTENTS order]."""
    factors = np.ones((cube.shape[0], len(he_years), len(HE_CONTENTS)))
    labour = [list(HE_CONTENTS).index(code) for code in LABOUR_MARKET_CONTENTS]
    he = np.empty((cube.shape[0], len(he_years), 2, len(HE_CONTENTS)))
    for h, year in enumerate(he_years):
        y = list(years).index(year)
        factors[:, h, labour] = ratio[:, y, None]
        pop = cube[:, y, 20:65, :].sum(axis=1).astype(float)  # [municipality, sex]
        rates = np.array(rate_of(HE_RATES, year))
        he[:, h] = pop[:, :, None] * rates[None, None, :] * factors[:, h, None, :]
    return he


def write_he(out: Path, munis: dict[str, str], cube: np.ndarray, he: np.ndarray,
             years: Sequence[int] = POPULATION_YEARS, he_years: Sequence[int] = HE_YEARS) -> None:
    sexes = {"1": "män", "2": "kvinnor", "TotSa": "totalt, samtliga män och kvinnor"}
    contents = dict(HE_CONTENTS)
    contents |= {HE_TOTAL: "Summa helårsekvivalenter", HE_POPULATION: "Folkmängd"}
    contents[HE_SHARE] = "Andel av befolkningen"  # no age band in the real label
    ages = {"20-64": "20–64 år", "20-65": "20–65 år"}  # en dashes, as SCB labels them
    months = {f"{y}M{m:02d}": f"{y}M{m:02d}" for y in he_years for m in range(1, 13)}
    base = [("Region", "region", {"00": "Riket", **munis}), ("Kon", "kön", sexes)]
    meta = base + [("Aldersgrupp", "åldersgrupp", ages),
                   ("ContentsCode", "tabellinnehåll", contents), ("Tid", "månad", months)]
    label = "Antal helårsekvivalenter efter region, kön, åldersgrupp och månad"
    write_json(out / scb_he.snapshot_name(), jsonstat(label, meta, None))
    # A seasonal pattern whose 12 months average to 1: the yearly mean is the yearly figure.
    season = 1 + 0.04 * np.cos(np.arange(12) / 12 * 2 * np.pi)
    for h, year in enumerate(he_years):
        y = list(years).index(year)
        pop = cube[:, y, 20:65, :].sum(axis=1).astype(float)  # [municipality, (men, women)]
        pop = np.concatenate([pop, pop.sum(axis=1, keepdims=True)], axis=1)
        yearly = np.concatenate([he[:, h], he[:, h].sum(axis=1, keepdims=True)], axis=1)
        monthly = (yearly[:, :, :, None] * season[None, None, None, :]).round(1)
        total = monthly.sum(axis=2, keepdims=True).round(1)
        population = np.repeat(pop[:, :, None, None], 12, axis=3)
        share = (total / population * 100).round(1)
        cells = np.concatenate([monthly, total, population, share], axis=2)  # contents in order
        dims = [("Region", "region", munis), base[1],
                ("Aldersgrupp", "åldersgrupp", {"20-64": ages["20-64"]}),
                ("ContentsCode", "tabellinnehåll", contents),
                ("Tid", "månad", {m: m for m in months if m.startswith(str(year))})]
        values = [float(v) if v % 1 else int(v) for v in cells.reshape(-1)]
        write_json(out / scb_he.snapshot_name(str(year)),
                   jsonstat(label, dims, values, "sample"))


def kolada_titles() -> dict[str, str]:
    """Kolada's real KPI titles (its 2021 KPI list, shared/real-data §4), by id."""
    with (REAL_DIR / KOLADA_TITLES_FILE).open(encoding="utf-8") as handle:
        return json.load(handle)


def write_kolada(out: Path, codes: list[str], cube: np.ndarray, he: np.ndarray,
                 years: Sequence[int], he_years: Sequence[int]) -> None:
    """Kolada's KPI list and one data page per 25 municipalities, every year of ``he_years``
    (the years a live request asks for that have data), genders T, K and M."""
    folder = out / "kolada"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json*"):
        old.unlink()
    titles = kolada_titles()
    (folder / "kpi.json").write_text(json.dumps(
        {"count": len(kolada.KPIS), "values": [
            {"id": kpi, "title": titles[kpi], "municipality_type": "K"} for kpi in kolada.KPIS]},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # [municipality, he year, (men, women), content]; Kolada publishes whole numbers
    for batch, start in enumerate(range(0, len(codes), kolada.BATCH), start=1):
        items = []
        for m in range(start, min(start + kolada.BATCH, len(codes))):
            for h, year in enumerate(he_years):
                y = list(years).index(year)
                by_kpi: dict[str, np.ndarray] = {}
                for c, content in enumerate(HE_CONTENTS):
                    for kpi, part in KOLADA_SPLITS[content].items():
                        by_kpi[kpi] = np.round(he[m, h, :, c] * part)
                # the total as its own figure, not a sum of rounded parts
                by_kpi["N01711"] = np.round(he[m, h].sum(axis=-1))
                by_kpi["N01713"] = cube[m, y, 16:65].sum(axis=0).astype(float)
                by_kpi["N01955"] = cube[m, y, 20:65].sum(axis=0).astype(float)
                for kpi in kolada.KPIS:
                    if kpi not in by_kpi:
                        continue
                    men, women = (float(v) for v in by_kpi[kpi])
                    items.append({"kpi": kpi, "municipality": codes[m], "period": year,
                                  "values": [
                                      {"count": 1, "gender": "K", "status": "", "value": women},
                                      {"count": 1, "gender": "M", "status": "", "value": men},
                                      {"count": 1, "gender": "T", "status": "",
                                       "value": men + women}]})
        write_json(out / kolada.snapshot_name(batch),
                   {"count": len(items), "values": items, kolada.PROVENANCE_KEY: "sample"})


UNEMPLOYMENT_FIELDS = [
    "PERIOD", "LAN", "KOM", "TOTSOK", "TOTAK", "KVISOK", "KVIAK", "MANSOK", "MANAK",
    "UNGSOK", "UNGAK", "GAMSOK", "GAMAK", "UTRSOK", "UTRAK",
]


def unemployment_records(
    munis: dict[str, str], counties: dict[str, str], cube: np.ndarray, years: Sequence[int],
    months: list[date], rng: np.random.Generator, ratio: np.ndarray,
) -> list[list[object]]:
    """One record per municipality and month in the andel-av-bas layout, plus one
    "Uppgift saknas" row per county and month."""
    records: list[list[object]] = []
    for month in months:
        y = list(years).index(month.year)
        upper = int(af_unemployment.age_band(month)[3:])
        season = 1 + 0.05 * np.cos(month.month / 6 * np.pi)
        rate = rate_of(UNEMPLOYMENT_RATES, month.year) * season
        for i, (code, name) in enumerate(munis.items()):
            row: list[object] = [month.strftime("%Y-%m"), counties[code[:2]], name]
            groups = {
                "TOT": (cube[i, y, 16:upper + 1].sum(), 1.0),
                "KVI": (cube[i, y, 16:upper + 1, 1].sum(), 0.95),
                "MAN": (cube[i, y, 16:upper + 1, 0].sum(), 1.05),
                "UNG": (cube[i, y, 18:25].sum(), 1.3),
                "GAM": (cube[i, y, 55:upper + 1].sum(), 0.9),
                "UTR": (cube[i, y, 16:upper + 1].sum() * 0.2, 2.5),
            }
            for population, risk in groups.values():
                # A 12-month mean of the labour force: fractional, never rounded.
                force = round(float(population) * LABOUR_FORCE_PARTICIPATION, 4) \
                    + int(rng.integers(0, 12)) / 12
                persons = int(round(force * rate * ratio[i, y] * risk))
                row += ["<5" if persons < 5 else persons, force]
            records.append(row)
        for county in counties.values():
            if rng.random() < 0.5:
                records.append([month.strftime("%Y-%m"), county, "Uppgift saknas",
                                *(["<5", 0.0] * 6)])
    return records


def write_unemployment(
    out: Path, munis: dict[str, str], counties: dict[str, str], cube: np.ndarray,
    ratio: np.ndarray, rng: np.random.Generator, years: Sequence[int] = POPULATION_YEARS,
    unemployment_years: Sequence[int] = UNEMPLOYMENT_YEARS,
) -> None:
    months = [date(y, m, 1) for y in unemployment_years for m in range(1, 13)]
    reg_months = [m for m in months if m < FIRST_BAS_MONTH]
    bas_months = [m for m in months if m >= FIRST_BAS_MONTH]
    folder = out / "af"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    last, first = bas_months[-1], reg_months[0]
    bas = f"web-inskrivna-arbetslosa-andel-av-bas-{last:%Y-%m}.xlsx"
    older_bas = f"web-inskrivna-arbetslosa-andel-av-bas-{bas_months[-2]:%Y-%m}.xlsx"
    reg = f"web-inskrivna-arbetslosa-andel-av-reg-{reg_months[-1]:%Y-%m}.xlsx"
    yearly = f"web-inskrivna-arbetslosa-andel-av-bas-arsgenomsnitt-{last:%Y}.xlsx"
    (out / af_unemployment.PAGE_SNAPSHOT).write_text(
        "<html><body><h1>Tidigare statistik, tidsserier (SAMPLE page)</h1>\n"
        f'<a href="/download/18.sample/{older_bas}">Inskrivna arbetslösa, {bas_months[-2]:%Y-%m}'
        "</a>\n"
        f'<a href="/download/18.sample/{bas}">Inskrivna arbetslösa, {last:%Y-%m}</a>\n'
        f'<a href="/download/18.sample/{yearly}">Inskrivna arbetslösa, årsgenomsnitt {last:%Y}'
        "</a>\n"
        f'<a href="/download/18.sample/{reg}">Inskrivna arbetslösa {first:%Y}–'
        f"{reg_months[-1]:%Y} (andel av registerbaserad arbetskraft)</a>\n</body></html>\n",
        encoding="utf-8",
    )
    for name, file_months in ((reg, reg_months), (bas, bas_months)):
        records = unemployment_records(munis, counties, cube, years, file_months, rng, ratio)
        (folder / name).write_bytes(pivot_cache.write_workbook(
            UNEMPLOYMENT_FIELDS, records, shared_fields=("PERIOD", "LAN", "KOM"),
            keywords=af_unemployment.SAMPLE_KEYWORD,
        ))


def write_snapshot(
    out: Path, municipalities: pd.DataFrame, rng: np.random.Generator,
    years: Sequence[int] = POPULATION_YEARS, he_years: Sequence[int] = HE_YEARS,
    unemployment_years: Sequence[int] = UNEMPLOYMENT_YEARS,
) -> np.ndarray:
    """Every snapshot file for ``years``; returns population[municipality, year, age, sex].
    ``rng`` only varies what carries no figure (the fractional months of the labour force,
    the residual rows of the workbooks)."""
    codes, names = municipalities["municipality_code"], municipalities["municipality_name"]
    munis = dict(zip(codes, names, strict=True))
    counties = dict(zip(municipalities["county_code"], municipalities["county_name"],
                        strict=True))
    cube, provenance = population_cube(list(munis), years)
    ratio = bas_ratio(list(munis), cube, years)
    he = yearly_he(cube, ratio, years, he_years)
    for old in (out / "scb").glob("*.json*"):
        old.unlink()
    write_population(out, munis, cube, provenance, years)
    write_he(out, munis, cube, he, years, he_years)
    write_kolada(out, list(munis), cube, he, years, he_years)
    write_unemployment(out, munis, counties, cube, ratio, rng, years, unemployment_years)
    return cube


def main(out: Path | None = None) -> None:
    write_snapshot(out or config.snapshots_dir(), reference.load_municipalities(),
                   np.random.default_rng(20260101))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
