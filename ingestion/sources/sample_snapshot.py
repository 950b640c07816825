"""Write the embedded snapshot in ``data/snapshots/``: SAMPLE figures in the sources' formats.

Real population, HE and unemployment figures cannot be fetched where this project is built,
so this script invents plausible ones, deterministically (fixed seed), for all municipalities
in the reference: population 2014–2024 by single age and sex, HE by benefit type per month
2014–2024, and unemployment per month 2019-01..2024-12. Every file is marked as a sample in
the data itself (JSON-stat ``extension.finsam_is_sample``; the workbook keyword
``finsam-sample``), and the parsers carry that into ``is_sample``.

    python -m ingestion.sources.sample_snapshot [output folder]
"""

from __future__ import annotations

import gzip
import json
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl

from ingestion import config, reference
from ingestion.sources import af_unemployment, pxweb, scb_he, scb_population

YEARS = list(range(2014, 2025))
UNEMPLOYMENT_MONTHS = [f"{y}-{m:02d}" for y in range(2019, 2025) for m in range(1, 13)]
# Rough sizes of the largest municipalities, so the sample ranks them plausibly.
ANCHORS = {"0180": 912_000, "1480": 540_000, "1280": 318_000, "0380": 210_000, "0580": 152_000}
# Share of all HE by benefit (sample weights), under TAB1386-style labels.
HE_CONTENTS = {
    "000001A1": ("Sjukpenning", 0.20),
    "000001A2": ("Sjuk- och aktivitetsersättning", 0.35),
    "000001A3": ("Arbetslöshetsersättning", 0.12),
    "000001A4": ("Arbetsmarknadsåtgärder", 0.15),
    "000001A5": ("Ekonomiskt bistånd", 0.13),
    "000001A6": ("Etableringsersättning", 0.05),
}
HE_TOTAL, HE_POPULATION, HE_SHARE = "000001A7", "000001A8", "000001A9"
SAMPLE_NOTE = "SAMPLE: invented figures for offline runs, not published by SCB"


def population_cube(codes: list[str], rng: np.random.Generator) -> np.ndarray:
    """Population[municipality, year, age 0..100, sex (men, women)] as integers."""
    sizes = np.exp(rng.normal(9.7, 0.9, len(codes))).clip(2_400, 150_000)
    for i, code in enumerate(codes):
        sizes[i] = ANCHORS.get(code, sizes[i])
    ages = np.arange(101)
    profile = np.where(ages < 65, 1.0, np.exp(-(ages - 65) / 11.0))
    profile /= profile.sum()
    growth = 1 + rng.normal(0.008, 0.004, len(codes))
    cube = np.empty((len(codes), len(YEARS), 101, 2), dtype=np.int64)
    for y in range(len(YEARS)):
        totals = sizes * growth**y
        women = 0.49 + 0.03 * (ages >= 70)
        noise = rng.normal(1, 0.03, (len(codes), 101, 2))
        shares = np.stack([1 - women, women], axis=-1)[None] * profile[None, :, None]
        cube[:, y] = np.round(totals[:, None, None] * shares * noise)
    return cube


def jsonstat(label: str, dims: list[tuple[str, str, dict[str, str]]], values: list) -> dict:
    return {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "SCB",
        "note": [SAMPLE_NOTE],
        "extension": {pxweb.SAMPLE_EXTENSION: True},
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


def write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def write_population(out: Path, munis: dict[str, str], cube: np.ndarray) -> None:
    codes = list(munis)
    region = {"00": "Riket", **munis}
    ages = {a: f"{a} år" for a in scb_population.AGES} | {"tot": "totalt ålder"}
    sexes = {"1": "män", "2": "kvinnor"}
    contents = {"BE0101N1": "Folkmängd", "BE0101N2": "Folkökning"}
    civil = {"OG": "ogifta", "G": "gifta", "SK": "skilda", "ÄNKL": "änkor/änklingar"}
    meta = [("Region", "region", region), ("Civilstand", "civilstånd", civil)]
    meta += [
        ("Alder", "ålder", ages),
        ("Kon", "kön", sexes),
        ("ContentsCode", "tabellinnehåll", contents),
    ]
    meta += [("Tid", "år", {str(y): str(y) for y in YEARS})]
    write_json(out / scb_population.snapshot_name(), jsonstat("Folkmängd", meta, None))
    for y, year in enumerate(YEARS):
        dims = [
            ("Region", "region", {c: munis[c] for c in codes}),
            ("Alder", "ålder", {a: ages[a] for a in scb_population.AGES}),
            ("Kon", "kön", sexes),
            ("ContentsCode", "tabellinnehåll", {"BE0101N1": "Folkmängd"}),
            ("Tid", "år", {str(year): str(year)}),
        ]
        values = cube[:, y].reshape(-1).tolist()  # municipality, age, sex: the order of dims
        write_json(
            out / scb_population.snapshot_name(str(year)), jsonstat("Folkmängd", dims, values)
        )


def write_he(out: Path, munis: dict[str, str], cube: np.ndarray, rng: np.random.Generator) -> None:
    codes = list(munis)
    sexes = {"1": "män", "2": "kvinnor", "1+2": "totalt"}
    contents = {code: label for code, (label, _) in HE_CONTENTS.items()}
    contents |= {HE_TOTAL: "Summa helårsekvivalenter", HE_POPULATION: "Folkmängd"}
    contents[HE_SHARE] = "Andel av befolkningen 20-64 år"
    ages = {"20-64": "20-64 år", "20-65": "20-65 år"}
    months = {f"{y}M{m:02d}": f"{y}M{m:02d}" for y in YEARS for m in range(1, 13)}
    base = [("Region", "region", {"00": "Riket", **munis}), ("Kon", "kön", sexes)]
    meta = base + [
        ("Aldersgrupp", "åldersgrupp", ages),
        ("ContentsCode", "tabellinnehåll", contents),
    ]
    meta += [("Tid", "månad", months)]
    write_json(out / scb_he.snapshot_name(), jsonstat("Helårsekvivalenter", meta, None))
    level = rng.normal(0.13, 0.03, len(codes)).clip(0.05, 0.25)
    weights = np.array([w for _, w in HE_CONTENTS.values()])
    for y, year in enumerate(YEARS):
        pop = cube[:, y, 20:65, :].sum(axis=1)  # [municipality, (men, women)]
        pop = np.concatenate([pop, pop.sum(axis=1, keepdims=True)], axis=1).astype(float)
        season = 1 + 0.04 * np.cos(np.arange(12) / 12 * 2 * np.pi)
        trend = level * (1 - 0.025 * y)
        # HE[municipality, sex, benefit, month]
        he = trend[:, None, None, None] * pop[:, :2, None, None] * weights[None, None, :, None]
        he = he * season[None, None, None, :] * rng.normal(1, 0.03, he.shape)
        he = np.concatenate([he, he.sum(axis=1, keepdims=True)], axis=1).round(1)
        total = he.sum(axis=2, keepdims=True).round(1)
        population = np.repeat(pop[:, :, None, None], 12, axis=3)
        share = (total / population * 100).round(1)
        cells = np.concatenate([he, total, population, share], axis=2)  # contents in order
        dims = [("Region", "region", {c: munis[c] for c in codes}), base[1]]
        dims += [("Aldersgrupp", "åldersgrupp", {"20-64": "20-64 år"})]
        dims += [("ContentsCode", "tabellinnehåll", contents)]
        dims += [("Tid", "månad", {m: m for m in months if m.startswith(str(year))})]
        values = [float(v) if v % 1 else int(v) for v in cells.reshape(-1)]
        write_json(
            out / scb_he.snapshot_name(str(year)), jsonstat("Helårsekvivalenter", dims, values)
        )


def write_unemployment(
    out: Path, munis: dict[str, str], cube: np.ndarray, rng: np.random.Generator
) -> None:
    folder = out / "af"
    folder.mkdir(parents=True, exist_ok=True)
    name = "web-inskrivna-arbetslosa-andel-av-bas-2025-01.xlsx"
    older = "web-inskrivna-arbetslosa-andel-av-bas-2024-12.xlsx"
    (out / af_unemployment.PAGE_SNAPSHOT).write_text(
        "<html><body><h1>Tidigare statistik, tidsserier (SAMPLE page)</h1>\n"
        f'<a href="/download/18.sample/{older}">december 2024</a>\n'
        f'<a href="/download/18.sample/{name}">januari 2025</a>\n</body></html>\n',
        encoding="utf-8",
    )
    # Not write-only: that mode omits the sheet's <dimension>, without which openpyxl's
    # reader scans the whole sheet once more just to size it.
    workbook = openpyxl.Workbook()
    workbook.properties.keywords = af_unemployment.SAMPLE_KEYWORD
    workbook.properties.created = workbook.properties.modified = datetime(2025, 1, 1)
    sheet = workbook.active
    sheet.title = "Kommun"
    sheet.append(["Inskrivna arbetslösa, andel av registerbaserad arbetskraft"])
    sheet.append([SAMPLE_NOTE.replace("SCB", "Arbetsförmedlingen")])
    sheet.append([])
    sheet.append(["KOMMUN", "KOEN", "ALDGR", "MATT", *UNEMPLOYMENT_MONTHS])
    rate = rng.normal(0.065, 0.02, len(munis)).clip(0.02, 0.15)
    years = [YEARS.index(int(month[:4])) for month in UNEMPLOYMENT_MONTHS]
    covid = np.array([1.25 if m[:4] in ("2020", "2021") else 1.0 for m in UNEMPLOYMENT_MONTHS])
    bands = (("16-64", 16, 65, 0.8, 1.0), ("18-24", 18, 25, 0.55, 1.5))
    for i, municipality in enumerate(munis.values()):
        for band, low, high, participation, risk in bands:
            for sex, part in (("Totalt", 1.0), ("Kvinnor", 0.48), ("Män", 0.52)):
                force = cube[i, years, low:high].sum(axis=(1, 2)) * participation * part
                registered = force * rate[i] * risk * covid * rng.normal(1, 0.05, len(years))
                open_ = np.round(registered * 0.55)
                series = {
                    "OPPARB": open_,
                    "PROGRAM": np.round(registered) - open_,
                    "INSAL": np.round(registered),
                    "UA12": np.round(registered * 0.3),
                    "TOTAK": np.round(force),
                }
                for measure, values in series.items():
                    cells = [int(v) if v >= 5 else "<5" for v in values]
                    sheet.append([municipality, sex, band, measure, *cells])
    workbook.save(folder / name)


def main(out: Path | None = None) -> None:
    out = out or config.snapshots_dir()
    frame = reference.load_municipalities()
    munis = dict(zip(frame["municipality_code"], frame["municipality_name"], strict=True))
    rng = np.random.default_rng(20260101)
    cube = population_cube(list(munis), rng)
    write_population(out, munis, cube)
    write_he(out, munis, cube, rng)
    write_unemployment(out, munis, cube, rng)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
