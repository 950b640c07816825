"""The real seed reports flow through the whole refresh into the marts (issue 6).

Expected figures are read by hand from the documents in ../shared/seeds:
- 001, Stockholms stad annual report 2024: note on income ("Driftbidrag från staten
  16 559 000", Stockholms stad and Region 8 279 500 each), 878 participants (521 women,
  357 men), 348 exited (197 women, 151 men), 58 % of an ideal 57,5 mnkr.
- 000, Stockholms stad half-year report 2023: 480 participants (298/182), 191 exited (116/75).
- 003, Stockholms stad half-year report 2019: 630 participants.
"""

from __future__ import annotations

import hashlib
import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import pytest

from orchestration import cli
from tests.refresh_helpers import finsam_environment, refreshed_data_dir


@pytest.fixture(scope="module")
def seed_refresh(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path
                 ) -> tuple[Path, list[str]]:
    """The session's refreshed data folder refreshed again with the seed reports, by
    `finsam refresh` (in this process): the warehouse and what the command printed."""
    data_dir = refreshed_data_dir(tmp_path_factory)
    out, err = io.StringIO(), io.StringIO()
    with finsam_environment(data_dir, FINSAM_DOCUMENT_DIRS=str(seeds_dir)), \
            redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["refresh"])
    assert code == 0, err.getvalue()
    return data_dir / "warehouse.duckdb", out.getvalue().splitlines()


@pytest.fixture(scope="module")
def seed_warehouse(seed_refresh: tuple[Path, list[str]]) -> Path:
    return seed_refresh[0]


def test_a_seeds_refresh_says_what_it_did_in_at_most_40_lines(seed_refresh) -> None:
    """Issue 20: a short account, without colour codes, naming the flagged figures and
    where they are, and what was published."""
    published, lines = seed_refresh
    assert len(lines) <= 40, "\n".join(lines)
    assert not any("\x1b[" in line for line in lines)
    text = "\n".join(lines)
    assert "report_inputs has a new data version" in text
    assert "figures (raw.report_figures where check_status = 'flagged'" in text
    assert f"published: {published}" in text


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_stockholm_2024_funding_comes_from_the_annual_report(seed_warehouse, seed_file) -> None:
    row = _query(
        seed_warehouse,
        "select contribution_state_sek, contribution_region_sek, contribution_municipalities_sek,"
        " contribution_total_sek, contribution_basis, reported_ideal_share_pct,"
        " reported_ideal_allocation_sek, contribution_document_id"
        " from marts.fct_funding_vs_ideal"
        " where association_id = 'stockholms-stad' and year = 2024",
    )
    assert len(row) == 1
    state, region, municipalities, total, basis, share, ideal, document_id = row[0]
    assert (state, region, municipalities) == (16_559_000, 8_279_500, 8_279_500)
    assert total == 33_118_000
    assert basis == "outcome"
    assert (share, ideal) == (58, 57_500_000)
    assert document_id == hashlib.sha256(seed_file("001").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("period_end", "participants", "women", "men"),
    [("2024-12-31", 878, 521, 357), ("2023-06-30", 480, 298, 182)],
)
def test_participants_by_gender(seed_warehouse, period_end, participants, women, men) -> None:
    rows = dict(
        _query(
            seed_warehouse,
            "select gender, participants from marts.fct_participants"
            " where association_id = 'stockholms-stad' and intervention = '(all)'"
            " and period_end = ?::date",
            [period_end],
        )
    )
    assert rows == {"total": participants, "women": women, "men": men}


def test_participants_2019(seed_warehouse) -> None:
    rows = _query(
        seed_warehouse,
        "select participants, participants_started from marts.fct_participants"
        " where association_id = 'stockholms-stad' and intervention = '(all)'"
        " and period_end = date '2019-06-30' and gender = 'total'",
    )
    assert rows == [(630, 294)]


@pytest.mark.parametrize(
    ("period_end", "exited", "women", "men"),
    [("2024-12-31", 348, 197, 151), ("2023-06-30", 191, 116, 75)],
)
def test_exits_by_gender(seed_warehouse, period_end, exited, women, men) -> None:
    rows = dict(
        _query(
            seed_warehouse,
            "select gender, participants_exited from marts.fct_participants"
            " where association_id = 'stockholms-stad' and intervention = '(all)'"
            " and period_end = ?::date",
            [period_end],
        )
    )
    assert rows == {"total": exited, "women": women, "men": men}


def test_exits_by_reason_2024_add_up_to_those_exited(seed_warehouse) -> None:
    by_gender = dict(
        _query(
            seed_warehouse,
            "select gender, sum(exits) from marts.fct_exits"
            " where association_id = 'stockholms-stad' and intervention = '(all)'"
            " and period_end = date '2024-12-31' group by gender",
        )
    )
    assert by_gender == {"total": 348, "women": 197, "men": 151}


def test_filtering_out_derived_statistics_keeps_the_real_contributions(seed_warehouse) -> None:
    """Provenance is per figure (issue 21): Stockholm's contributions of 2024 are read from
    its own published annual report, so they are real although the statistics beside them
    in the same row are not. Keeping only real figures, as the analyst guide shows, leaves
    them visible; the row-wide is_sample flag alone would drop the row."""
    rows = _query(
        seed_warehouse,
        "select contribution_total_sek, reported_ideal_allocation_sek, is_sample,"
        " contribution_provenance, reported_ideal_provenance, population_provenance,"
        " measure_provenance, ideal_provenance"
        " from marts.fct_funding_vs_ideal"
        " where association_id = 'stockholms-stad' and year = 2024",
    )
    (total, reported, is_sample, contribution, reported_provenance, population, measure,
     ideal) = rows[0]
    assert (contribution, reported_provenance) == ("real", "real")
    # the embedded statistics: population derived from SCB's real figures, HE sample data
    assert (population, measure, ideal) == ("derived from real", "sample", "sample")
    assert is_sample  # the row as a whole is not all real
    real_contributions = _query(
        seed_warehouse,
        "select association_id, year, contribution_total_sek from marts.fct_funding_vs_ideal"
        " where contribution_provenance = 'real' and association_id = 'stockholms-stad'",
    )
    assert ("stockholms-stad", 2024, total) in real_contributions and total == 33_118_000
    assert reported == 57_500_000
    # the figures that rest on derived statistics are what such a filter leaves out
    assert not _query(
        seed_warehouse,
        "select 1 from marts.fct_funding_vs_ideal where association_id = 'stockholms-stad'"
        " and ideal_provenance = 'real'",
    )
