"""The report's live what-if against ``finsam scenario`` on the warehouse a refresh of the
embedded data builds: for three sets of parameters, every unit's ideal allocation in every
budget year, recomputed by the page in headless Chromium, equals to the krona what dbt
computes in the scenario copy. With screenshots of the page at 1,400 px, on A4 and after
each control is moved, none wider than its box."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from outputs.scenario import scenario_command
from tests.browser import A4_PRINT_WIDTH, browser_session, layout_problems, move

# Parameter sets as `finsam scenario` takes them (dbt vars), and the control each sets.
PARAMETER_SETS = [
    {"measure_weight": 0.5, "population_weight": 0.5},
    {"state_pot_sek": 420_000_000, "base_per_association_sek": 650_000,
     "association_count": 60},
    {"population_age_min": 18, "population_age_max": 64, "measure_weight": 0.6,
     "population_weight": 0.4},
]
CONTROLS = {"state_pot_sek": "wi-pot", "base_per_association_sek": "wi-base",
            "measure_weight": "wi-measure", "population_weight": "wi-population",
            "association_count": "wi-associations", "population_age_min": "wi-age-min",
            "population_age_max": "wi-age-max"}

ROWS_BY_YEAR = """(() => {
    const move = (id, value) => {
        const element = document.getElementById(id);
        element.value = String(value);
        element.dispatchEvent(new Event('input', {bubbles: true}));
    };
    const select = document.getElementById('wi-year');
    const found = {};
    for (const option of Array.from(select.options)) {
        select.value = option.value;
        select.dispatchEvent(new Event('change', {bubbles: true}));
        %s
        found[option.value] = Object.fromEntries(
            Array.from(document.querySelectorAll('#whatif-table tr[data-unit]')).map(tr =>
                [tr.dataset.unit, Number(tr.cells[3].dataset.value)]));
    }
    return found;
})()"""


def krona(value: object) -> int:
    return int(Decimal(repr(float(value))).quantize(Decimal(1), ROUND_HALF_UP))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    yield from browser_session(tmp_path_factory)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.refresh_helpers import refreshed_data_dir

    return refreshed_data_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def scenarios(data_dir: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> list[tuple[dict, dict[str, dict[str, int]], str]]:
    """Each parameter set, dbt's ideal allocations in kronor (year -> unit -> kronor) and
    what `finsam scenario` printed; one scenario file, rebuilt for each set in turn."""
    out = tmp_path_factory.mktemp("scenario") / "scenario.duckdb"
    results = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FINSAM_DATA_DIR", str(data_dir))
        for parameters in PARAMETER_SETS:
            printed = io.StringIO()
            with redirect_stdout(printed):
                assert scenario_command(["--vars", json.dumps(parameters), "--out",
                                         str(out)]) == 0
            with duckdb.connect(str(out), read_only=True) as con:
                rows = con.execute(
                    "select year, association_id, ideal_allocation_sek "
                    "from marts.fct_funding_vs_ideal where ideal_allocation_sek is not null"
                ).fetchall()
            ideals: dict[str, dict[str, int]] = {}
            for year, unit, ideal in rows:
                ideals.setdefault(str(year), {})[unit] = krona(ideal)
            results.append((parameters, ideals, printed.getvalue()))
    return results


@pytest.fixture
def page(browser, data_dir: Path):
    page = browser.new_page(width=1400, height=900)
    page.open((data_dir / "exports" / "report.html").as_uri())
    assert page.javascript_errors() == []
    return page


def test_whatif_agrees_with_finsam_scenario_to_the_krona(page, scenarios) -> None:
    published = page.evaluate(ROWS_BY_YEAR % "")
    assert len(published) >= 5, "the embedded data should give several budget years"
    for parameters, dbt_ideals, _ in scenarios:
        moves = "\n".join(
            f"move({CONTROLS[name]!r}, {value});" for name, value in parameters.items())
        in_page = page.evaluate(ROWS_BY_YEAR % moves)
        assert set(in_page) == set(dbt_ideals), parameters
        for year, units in dbt_ideals.items():
            computed = {unit: krona(value) for unit, value in in_page[year].items()}
            assert computed == units, (parameters, year)
        # the set changed the ideals: the comparison is not of the published values
        assert in_page != published


def test_a_link_carries_the_scenario(browser, data_dir: Path, scenarios) -> None:
    parameters, dbt_ideals, _ = scenarios[2]
    names = {"population_age_min": "ageMin", "population_age_max": "ageMax",
             "measure_weight": "measure", "population_weight": "population"}
    year = max(dbt_ideals)
    fragment = "&".join([f"year={year}",
                         *(f"{names[k]}={v}" for k, v in parameters.items())])
    page = browser.new_page(width=1400, height=900)
    page.open((data_dir / "exports" / "report.html").as_uri() + "#" + fragment)
    rows = page.evaluate("""Object.fromEntries(Array.from(document.querySelectorAll(
        '#whatif-table tr[data-unit]')).map(tr => [tr.dataset.unit,
        Number(tr.cells[3].dataset.value)]))""")
    assert {unit: krona(value) for unit, value in rows.items()} == dbt_ideals[year]
    command = page.evaluate("document.getElementById('whatif-command').textContent")
    assert command == (f'finsam scenario --year {year} --vars "{{measure_weight: 0.6, '
                       'population_weight: 0.4, population_age_min: 18, population_age_max: 64}"')


def test_scenario_prints_baseline_scenario_and_difference(scenarios) -> None:
    parameters, dbt_ideals, printed = scenarios[1]
    lines = printed.splitlines()
    assert lines[1].startswith("budget year ")
    year = lines[1].split()[-1]
    pot = next(line for line in lines if line.startswith("state pot (kr)"))
    assert "339 000 000" in pot and "420 000 000" in pot and pot.endswith("*")
    stockholm = next(line for line in lines
                     if line.startswith("Samordningsförbundet Stockholms stad"))
    # funding, published, scenario, difference, both shares
    numbers = stockholm[len("Samordningsförbundet Stockholms stad"):].split()
    scenario = dbt_ideals[year]["stockholms-stad"]
    assert f"{scenario:,}".replace(",", " ") in stockholm
    assert numbers[-2].endswith("%") and numbers[-1].endswith("%")
    total = next(line for line in lines if line.startswith("total"))
    # the state's parts add up to the pot: the ideals to twice the pot
    assert "678 000 000" in total and "840 000 000" in total


def test_screenshots_after_each_control(page, tmp_path: Path) -> None:
    published = page.evaluate(ROWS_BY_YEAR % "")
    moves = [("wi-year", min(published)), ("wi-pot", 500_000_000), ("wi-base", 900_000),
             ("wi-measure", 0.3), ("wi-population", 0.6), ("wi-associations", 90),
             ("wi-age-min", 20), ("wi-age-max", 60)]
    before = page.evaluate("document.getElementById('whatif-associations').innerText")
    for control, value in moves:
        move(page, control, value)
        after = page.evaluate("document.getElementById('whatif-associations').innerText")
        assert after != before, control
        before = after
        assert layout_problems(page) == [], control
        page.screenshot(tmp_path / f"whatif-{control}.png")
    assert page.javascript_errors() == []


def test_national_page_fits_a_laptop_and_a4(page, tmp_path: Path) -> None:
    import pypdfium2

    assert layout_problems(page) == []
    figures = page.evaluate("Array.from(document.querySelectorAll('figure svg')).length")
    assert figures == page.evaluate("document.querySelectorAll('figure').length") >= 1
    page.screenshot(tmp_path / "report-1400.png")
    page.print_media(True)
    page.resize(A4_PRINT_WIDTH, 1100)
    assert layout_problems(page) == []
    pdf = pypdfium2.PdfDocument(page.pdf(tmp_path / "report-a4.pdf"))
    assert len(pdf) >= 2
    text = " ".join("".join(pdf[i].get_textpage().get_text_range()
                            for i in range(len(pdf))).split())
    assert "Samordningsförbundet Stockholms stad" in text and "Prova modellen" in text
