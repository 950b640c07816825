"""Write the embedded snapshot in ``data/snapshots/``: bodies in the sources' real formats,
sized by real population figures.

The live sources cannot be reached where this project is built, so the snapshot is made
here, deterministically (fixed seed), in the shapes the sources really send (sources.md
§4b): SCB's JSON-stat 2.0 for TAB638 (2014–2024; the 2024 body split by civilstånd as SCB
returns it), TAB5557 (2025; ``TotSa``, ``100+1``, ``SC``) and TAB1386 (HE per month; the
misspelled content label, an en dash in "20–64 år", ``TotSa``), and Arbetsförmedlingen's
statistics page with an ``andel-av-reg`` and an ``andel-av-bas`` workbook whose data live
only in a pivot cache, plus a yearly-average decoy link.

**Sizes are real, details are derived** (``data/snapshots/README.md``):

- ``data/snapshots/real/scb_TAB5557_2025_age10.csv`` is SCB's published population of
  every municipality on 31 December 2025 in 10-year age groups (TAB5557, both sexes). Each
  group is spread evenly over its single years of age and split by sex with the shares
  below, so every municipality's size and age profile are SCB's; years 2014–2024 are the
  2025 figures scaled back by Sweden's population growth (about 0.8 % a year 2014–2024:
  9.75 million at the end of 2014, 10.59 million at the end of 2024, SCB). The single
  ages, the sex split and the earlier years are derived, so every population row is
  marked sample.
- HE and unemployment are generated from those sizes with the national rates in
  ``HE_RATES`` and ``UNEMPLOYMENT_RATES`` (approximate national levels, see README) and a
  fixed random municipal factor.

Every file says it is a sample in the data (JSON-stat ``extension.finsam_is_sample``, the
workbook keyword ``finsam-sample``), and the parsers carry that into ``is_sample``.

    python -m bench.sample_snapshot [output folder]
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion import config, reference
from ingestion.sources import af_unemployment, pivot_cache, pxweb, scb_he, scb_population

REAL_POPULATION = config.REPO_ROOT / "data" / "snapshots" / "real"
REAL_GROUPS_FILE = "scb_TAB5557_2025_age10.csv"
REAL_YEAR = 2025
LAST_HISTORY_YEAR = 2024  # TAB638 ends here; TAB5557 continues
FIRST_BAS_MONTH = date(2023, 1, 1)  # andel-av-bas starts here; andel-av-reg before
# Sweden's population grew about 0.8 % a year 2014–2024 (SCB: 9 747 355 → 10 587 710).
ANNUAL_GROWTH = 0.008
POPULATION_YEARS = list(range(2014, 2026))
HE_YEARS = list(range(2014, 2025))
UNEMPLOYMENT_YEARS = list(range(2019, 2026))
SAMPLE_NOTE = "SAMPLE: derived figures for offline runs (sizes from SCB, details generated)"

# HE as a share of the population 20–64, by benefit and year: approximate national levels
# (SCB's HE statistics put the total at about 11–13 % of 20–64 year olds over 2014–2024,
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
# Registered unemployed (inskrivna arbetslösa) as a share of the registerbaserad
# arbetskraft, national yearly levels of Arbetsförmedlingen's series, approximately.
UNEMPLOYMENT_RATES = {2019: 0.070, 2020: 0.087, 2021: 0.083, 2022: 0.071, 2023: 0.068,
                      2024: 0.073, 2025: 0.075}


def rate_of(rates: dict[int, object], year: int) -> object:
    """A year's rate; years outside the table (national-scale benchmark) take the nearest."""
    return rates[min(max(year, min(rates)), max(rates))]
LABOUR_FORCE_PARTICIPATION = 0.80  # registerbaserad arbetskraft / population of the band
# Civilstånd shares by age (ogift, gift, skild, änka/änkling) for the 2024 body's split.
CIVIL = {"OG": "ogifta", "G": "gifta", "SK": "skilda", "ÄNKL": "änkor/änklingar"}


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


def real_groups(codes: list[str]) -> np.ndarray:
    """SCB's 2025 population per municipality in 11 ten-year groups (0–9 … 100+)."""
    with (REAL_POPULATION / REAL_GROUPS_FILE).open(encoding="utf-8") as handle:
        rows = {row["Region"]: row for row in csv.DictReader(handle)}
    missing = sorted(set(codes) - set(rows))
    if missing:
        raise ValueError(f"{REAL_GROUPS_FILE} lacks municipality code(s) {missing}")
    groups = [column for column in next(iter(rows.values())) if column != "Region"]
    return np.array([[int(rows[code][g]) for g in groups] for code in codes], dtype=float)


def population_cube(codes: list[str], years: list[int] = POPULATION_YEARS) -> np.ndarray:
    """Population[municipality, year index in ``years``, age 0..100, (men, women)]."""
    groups = real_groups(codes)
    ages = np.arange(101)
    single = np.concatenate([np.repeat(groups[:, :10] / 10, 10, axis=1), groups[:, 10:]], axis=1)
    women = np.array([women_share(a) for a in ages])
    by_sex = np.stack([single * (1 - women), single * women], axis=-1)
    cube = np.empty((len(codes), len(years), 101, 2), dtype=np.int64)
    for y, year in enumerate(years):
        cube[:, y] = np.round(by_sex / (1 + ANNUAL_GROWTH) ** (REAL_YEAR - year))
    return cube


def jsonstat(label: str, dims: list[tuple[str, str, dict[str, str]]], values: list | None,
             updated: str = "2026-02-24T07:00:00Z") -> dict:
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "updated": updated,
        "note": [SAMPLE_NOTE],
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
        "extension": {pxweb.SAMPLE_EXTENSION: True},
        **({"value": values} if values is not None else {}),
    }


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
                     years: list[int] = POPULATION_YEARS) -> None:
    history_years = [y for y in years if y <= LAST_HISTORY_YEAR]
    current_years = [y for y in years if y > LAST_HISTORY_YEAR]
    codes = list(munis)
    regions = {c: munis[c] for c in codes}
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
                            values.reshape(-1).tolist()))
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
        y = years.index(year)
        dims = [
            ("Region", "region", regions),
            ("Civilstand", "civilstånd", {"SC": civil["SC"]}),
            ("Alder", "ålder", current_ages),
            ("Kon", "kön", sexes),
            ("ContentsCode", "tabellinnehåll", {"000007ME": "Folkmängd"}),
            ("Tid", "år", {str(year): str(year)}),
        ]
        write_json(out / scb_population.snapshot_name("TAB5557", str(year)),
                   jsonstat(label, dims, cube[:, y].reshape(-1).tolist()))


def write_he(out: Path, munis: dict[str, str], cube: np.ndarray, rng: np.random.Generator,
             years: list[int] = POPULATION_YEARS, he_years: list[int] = HE_YEARS) -> None:
    codes = list(munis)
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
    factor = np.exp(rng.normal(0, 0.2, len(codes)))  # municipalities differ
    season = 1 + 0.04 * np.cos(np.arange(12) / 12 * 2 * np.pi)
    for year in he_years:
        y = years.index(year)
        pop = cube[:, y, 20:65, :].sum(axis=1).astype(float)  # [municipality, (men, women)]
        pop = np.concatenate([pop, pop.sum(axis=1, keepdims=True)], axis=1)
        rates = np.array(rate_of(HE_RATES, year))
        # HE[municipality, sex (men, women), benefit, month]
        he = factor[:, None, None, None] * pop[:, :2, None, None] * rates[None, None, :, None]
        he = he * season[None, None, None, :] * rng.normal(1, 0.03, he.shape)
        he = np.concatenate([he, he.sum(axis=1, keepdims=True)], axis=1).round(1)
        total = he.sum(axis=2, keepdims=True).round(1)
        population = np.repeat(pop[:, :, None, None], 12, axis=3)
        share = (total / population * 100).round(1)
        cells = np.concatenate([he, total, population, share], axis=2)  # contents in order
        dims = [("Region", "region", munis), base[1],
                ("Aldersgrupp", "åldersgrupp", {"20-64": ages["20-64"]}),
                ("ContentsCode", "tabellinnehåll", contents),
                ("Tid", "månad", {m: m for m in months if m.startswith(str(year))})]
        values = [float(v) if v % 1 else int(v) for v in cells.reshape(-1)]
        write_json(out / scb_he.snapshot_name(str(year)), jsonstat(label, dims, values))


UNEMPLOYMENT_FIELDS = [
    "PERIOD", "LAN", "KOM", "TOTSOK", "TOTAK", "KVISOK", "KVIAK", "MANSOK", "MANAK",
    "UNGSOK", "UNGAK", "GAMSOK", "GAMAK", "UTRSOK", "UTRAK",
]


def unemployment_records(
    munis: dict[str, str], counties: dict[str, str], cube: np.ndarray, years: list[int],
    months: list[date], rng: np.random.Generator, factor: np.ndarray,
) -> list[list[object]]:
    """One record per municipality and month in the andel-av-bas layout, plus one
    "Uppgift saknas" row per county and month."""
    records: list[list[object]] = []
    for month in months:
        y = years.index(month.year)
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
                force = round(float(population) * LABOUR_FORCE_PARTICIPATION
                              * (1 + rng.normal(0, 0.002)), 4) + rng.integers(0, 12) / 12
                persons = int(round(force * rate * factor[i] * risk * rng.normal(1, 0.04)))
                row += ["<5" if persons < 5 else persons, force]
            records.append(row)
        for county in counties.values():
            if rng.random() < 0.5:
                records.append([month.strftime("%Y-%m"), county, "Uppgift saknas",
                                *(["<5", 0.0] * 6)])
    return records


def write_unemployment(
    out: Path, munis: dict[str, str], counties: dict[str, str], cube: np.ndarray,
    rng: np.random.Generator, years: list[int] = POPULATION_YEARS,
    unemployment_years: list[int] = UNEMPLOYMENT_YEARS,
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
    factor = np.exp(rng.normal(0, 0.3, len(munis)))
    for name, file_months in ((reg, reg_months), (bas, bas_months)):
        records = unemployment_records(munis, counties, cube, years, file_months, rng, factor)
        (folder / name).write_bytes(pivot_cache.write_workbook(
            UNEMPLOYMENT_FIELDS, records, shared_fields=("PERIOD", "LAN", "KOM"),
            keywords=af_unemployment.SAMPLE_KEYWORD,
        ))


def write_snapshot(
    out: Path, municipalities: pd.DataFrame, rng: np.random.Generator,
    years: list[int] = POPULATION_YEARS, he_years: list[int] = HE_YEARS,
    unemployment_years: list[int] = UNEMPLOYMENT_YEARS,
) -> np.ndarray:
    """Every snapshot file for ``years``; returns population[municipality, year, age, sex]."""
    codes, names = municipalities["municipality_code"], municipalities["municipality_name"]
    munis = dict(zip(codes, names, strict=True))
    counties = dict(zip(municipalities["county_code"], municipalities["county_name"],
                        strict=True))
    cube = population_cube(list(munis), years)
    for old in (out / "scb").glob("*.json*"):
        old.unlink()
    write_population(out, munis, cube, years)
    write_he(out, munis, cube, rng, years, he_years)
    write_unemployment(out, munis, counties, cube, rng, years, unemployment_years)
    return cube


def main(out: Path | None = None) -> None:
    write_snapshot(out or config.snapshots_dir(), reference.load_municipalities(),
                   np.random.default_rng(20260101))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
