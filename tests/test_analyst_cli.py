"""The analyst's command line: `finsam extract` prints each value in the unit it names, and
`finsam sql` queries the published warehouse read-only from the shell."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from ingestion import config
from ingestion.reports.extract_command import extract_command
from outputs.sql_command import sql_command
from tests.test_exports import write_warehouse

# Contributions in tkr, as a half-year report prints them.
REPORT_IN_TKR = (
    "Samordningsförbundet Sundsvall\nHalvårsrapport 2023\n\nBelopp i tkr\n"
    "\tBudget 2023\tUtfall 30/6-2023\n"
    "Försäkringskassan\t3 680\t1 840\n"
    "Sundsvalls kommun\t1 840\t920\n"
    "Region Västernorrland\t1 840\t920\n"
)


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """`finsam extract … | head -1`: the pipe closes after one line; the command stops
    without a traceback."""
    path = tmp_path / "halvar.txt"
    path.write_text(REPORT_IN_TKR * 200, encoding="utf-8")  # more than a pipe's buffer
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "extract", "--format", "csv", str(path)],
        cwd=config.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"document_id,")
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 1
    assert "Traceback" not in stderr, stderr


def test_extract_prints_the_value_in_the_unit_it_names(tmp_path: Path) -> None:
    path = tmp_path / "halvar.txt"
    path.write_text(REPORT_IN_TKR, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        assert extract_command([str(path)]) == 0
    frame = pd.read_csv(io.StringIO(out.getvalue()))
    state = frame[(frame["member"] == "state") & (frame["basis"] == "outcome")].iloc[0]
    # 1 840 tkr printed: 1 840 000 kronor, and the unit column says kronor
    assert (state["value"], state["unit"], state["unit_as_printed"]) == (1_840_000, "kr", "tkr")
    assert list(frame.columns).index("unit_as_printed") == list(frame.columns).index("unit") + 1


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    write_warehouse(folder / "warehouse.duckdb")
    return folder


def run_sql(data_dir: Path, monkeypatch: pytest.MonkeyPatch, *argv: str,
            stdin: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(data_dir))
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = sql_command(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_sql_runs_a_query_on_the_published_warehouse(data_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_sql(data_dir, monkeypatch, "--csv",
                           "select association_id, contribution_total_sek from "
                           "marts.fct_funding_vs_ideal where year = 2024 and "
                           "contribution_total_sek is not null order by 1")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert dict(frame.values.tolist()) == {"alfa": 10_000_000, "beta": 39_520_000,
                                           "delta": 11_610_000, "epsilon": 14_192_000,
                                           "gamma": 30_240_000}


def test_sql_reads_a_file_from_standard_input_and_prints_a_table(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_sql(data_dir, monkeypatch, stdin="-- a comment\nselect 40 + 2 as answer;")
    assert code == 0
    assert "answer" in out and "42" in out


def test_sql_is_read_only_and_says_why_a_statement_failed(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_sql(data_dir, monkeypatch, "delete from marts.fct_exits")
    assert code == 1 and "read-only" in err
    code, out, _ = run_sql(data_dir, monkeypatch, "--csv", "select count(*) as n from "
                           "marts.fct_exits")
    assert out.splitlines() == ["n", "1"]


def test_scenario_checks_the_build_used_its_parameters(tmp_path: Path) -> None:
    import duckdb

    from outputs.scenario import ScenarioError, _check_parameters

    out = tmp_path / "scenario.duckdb"
    with duckdb.connect(str(out)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_allocation_parameters as select 2024 as year, "
                    "0.75::double as measure_weight, 0.25::double as population_weight")
    _check_parameters(out, {"measure_weight": 0.75, "budget_multiplier": 3})
    with pytest.raises(ScenarioError, match="measure_weight is \\[0.75\\], not 0.5"):
        _check_parameters(out, {"measure_weight": 0.5})


@pytest.mark.parametrize("text", ["{measure_weight: 0.9, population_weight: 0.3}",
                                  "{measure_weight: 0.5}", "{population_weight: high, "
                                  "measure_weight: 0.5}"])
def test_scenario_weights_must_share_the_pot(text: str) -> None:
    """Weights that do not add up to 1 would hand out more (or less) than the pot: refused
    before anything is built, saying what to give."""
    from outputs.scenario import ScenarioError, parse_vars

    with pytest.raises(ScenarioError, match="give both, adding up to 1"):
        parse_vars(text)
    assert parse_vars("{measure_weight: 0.6, population_weight: 0.4}") == {
        "measure_weight": 0.6, "population_weight": 0.4}
