"""The embedded population is SCB's, municipality by municipality and year by year (issue 21).

Checked against ``../shared/real-data`` (its README gives the origin of each file: SCB's
TAB638/TAB5557 as captured by the public repository aniisabihi/atlas290, with its checks):

- every municipality's total of every year 2014–2024 in the snapshot equals SCB's total;
  2025 differs only by SCB's cell noise (the sum of published cells, not the total cell);
- the 2025 5-year groups are SCB's, and so are the single years of the nine municipalities
  whose single years were transcribed: their 16–64 below are the README's table, added up
  by hand from SCB's cells, not computed by the code under test;
- the 16–64 of an earlier year is the municipality's own 2025 age profile applied to its
  own real total of that year, never a national rate.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from ingestion import config
from ingestion.sources import scb_population
from ingestion.sources.fetch import Fetcher

SNAPSHOTS = config.REPO_ROOT / "data" / "snapshots"
# SCB 2025, single years 16–64 summed (shared/real-data/README.md §2b; Stockholm from
# tests/fixtures/scb_TAB5557_2025_stockholm.json, as data/snapshots/README.md says).
SCB_2025_16_64 = {
    "0180": 667_712, "0380": 164_082, "1280": 244_365, "1281": 88_268, "1480": 412_562,
    "2260": 4_975, "2262": 10_279, "2280": 13_525, "2281": 59_776,
}
# SCB 2025, single years 20–64 summed (README §2b).
SCB_2025_20_64 = {"0380": 152_577, "1280": 228_309, "1281": 81_850, "1480": 386_102,
                  "2260": 4_599, "2262": 9_436, "2280": 12_353, "2281": 54_853}
GROUPS_20_64 = [f"{a}-{a + 4}" for a in range(20, 65, 5)]
# SCB's national totals on 31 December (README §1, equal to SCB's published figures).
SCB_NATIONAL = {2014: 9_747_355, 2019: 10_327_589, 2024: 10_587_710}
# A sum of SCB's noised 2025 cells lies within this of SCB's total cell (README §1-§2b:
# ±19 for 21 groups; 101 single years add more).
CELL_NOISE = 40


@pytest.fixture(scope="module")
def embedded() -> pd.DataFrame:
    fetcher = Fetcher(mode="embedded", snapshots_dir=SNAPSHOTS)
    codes = list(pd.read_csv(config.REPO_ROOT / "data" / "reference" / "municipalities.csv",
                             dtype=str)["municipality_code"])
    return scb_population.fetch_population(fetcher, codes)


@pytest.fixture(scope="module")
def scb_totals(real_data_dir: Path) -> pd.Series:
    frame = pd.read_csv(real_data_dir / "scb_population_total_by_municipality_1968_2025.csv",
                        dtype={"municipality_code": str})
    return frame.set_index(["municipality_code", "year"])["population"]


def test_every_municipality_and_year_has_scb_s_total(embedded, scb_totals) -> None:
    totals = embedded.groupby(["municipality_code", "year"])["population"].sum()
    assert len(totals) == 290 * 12  # 2014–2025
    difference = (totals - scb_totals.reindex(totals.index)).abs()
    years = difference.index.get_level_values("year")
    assert difference[years <= 2024].max() == 0
    assert difference[years == 2025].max() <= CELL_NOISE
    national = totals.groupby(level="year").sum()
    assert {year: national[year] for year in SCB_NATIONAL} == SCB_NATIONAL


def test_2025_single_years_and_groups_are_scb_s(embedded, real_data_dir) -> None:
    year = embedded[embedded["year"] == 2025]
    working = year[year["age"].between(16, 64)].groupby("municipality_code")["population"].sum()
    assert {code: working[code] for code in SCB_2025_16_64} == SCB_2025_16_64
    band = year[year["age"].between(20, 64)].groupby("municipality_code")["population"].sum()
    assert {code: band[code] for code in SCB_2025_20_64} == SCB_2025_20_64
    # every other municipality: SCB's own 5-year groups 20-24 … 60-64
    groups = pd.read_csv(real_data_dir / "scb_TAB5557_2025_population_5year_groups.csv",
                         dtype={"municipality_code": str})
    scb = groups[groups["age_group"].isin(GROUPS_20_64)].groupby("municipality_code")[
        "population"].sum()
    others = scb.index.difference(list(SCB_2025_16_64))
    assert len(others) == 281
    assert (band[others] == scb[others]).all()


def test_an_earlier_16_64_follows_the_municipality_s_own_profile(embedded) -> None:
    """Ånge is older than Stockholm: its 16–64 share of 2016 is its own (about 53 %), not
    Stockholm's (about 67 %) nor a national share."""
    shares = {}
    for code in ("0180", "2260"):
        rows = embedded[(embedded["municipality_code"] == code) & (embedded["year"] == 2016)]
        shares[code] = rows[rows["age"].between(16, 64)]["population"].sum() / rows[
            "population"].sum()
        profile = embedded[(embedded["municipality_code"] == code) & (embedded["year"] == 2025)]
        own = profile[profile["age"].between(16, 64)]["population"].sum() / profile[
            "population"].sum()
        assert shares[code] == pytest.approx(own, abs=0.001)
    assert shares["2260"] == pytest.approx(4_975 / 9_023, abs=0.005)
    assert shares["0180"] == pytest.approx(667_712 / 999_237, abs=0.005)


def test_every_population_row_says_it_is_derived_from_real(embedded) -> None:
    assert set(embedded["provenance"]) == {"derived from real"}
    assert embedded["is_sample"].all()


@pytest.mark.parametrize(("embedded_file", "shared_file"), [
    ("scb_TAB5557_2025_age5.csv", "scb_TAB5557_2025_population_5year_groups.csv"),
    ("scb_TAB3200_unemployment_rate_20_64.csv", "scb_bas_unemployment_rate_20_64_2020_2024.csv"),
])
def test_embedded_real_files_are_the_shared_ones(real_data_dir, embedded_file, shared_file):
    ours = (SNAPSHOTS / "real" / embedded_file).read_bytes()
    assert ours == (real_data_dir / shared_file).read_bytes()


def test_embedded_totals_are_the_shared_rows_of_2014_on(real_data_dir) -> None:
    def rows(path: Path) -> list[dict[str, str]]:
        with path.open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    shared = [row for row in rows(real_data_dir /
                                  "scb_population_total_by_municipality_1968_2025.csv")
              if int(row["year"]) >= 2014]
    assert rows(SNAPSHOTS / "real" / "scb_population_total_2014_2025.csv") == shared


def test_the_snapshot_readme_names_the_source() -> None:
    readme = (SNAPSHOTS / "README.md").read_text(encoding="utf-8")
    assert "TAB5557" in readme and "TAB638" in readme and "aniisabihi/atlas290" in readme
