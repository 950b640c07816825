"""The live what-if of report.html: the allocation inputs of every unit embedded in the page
and a small script that recomputes every association's ideal allocation from them when a
control moves. Offline: no server, no library, the page opens from disk.

The script computes what ``int_ideal_allocation.sql`` computes (``finsam scenario`` runs
that model in dbt with the same parameters as vars; a test holds the two to the krona):

    n_base_amounts = scope 'members': the associations with members
                     else max(association_count, associations with members); the 'unplaced'
                     row has the base amounts of the associations the registry lacks
    ideal_state    = round(base * base_amounts + (pot - base * n_base_amounts)
                           * (measure_weight * M / ΣM + population_weight * P / ΣP), 2)
    ideal          = budget_multiplier * ideal_state

with M the need measure (HE) and P the population in the age band, both summed over the
year's units (the country less the municipalities documented as outside every
association). The page rounds the parameters as the model's columns store them: kronor to
öre, weights to four decimals, ages and the count to whole numbers.
"""

from __future__ import annotations

import json
from importlib import resources

from outputs.marts import PARAMETERS, Snapshot, is_missing
from outputs.parameters import year_statuses

# The ages the page carries for each unit, at least: the age band controls choose within them
# (the model's bands have been 16-64 and 16-65; SCB's HE band is 20-64). A year whose band
# reaches beyond widens them.
AGE_LOW, AGE_HIGH = 15, 70


class WhatIfInputsError(ValueError):
    """The marts disagree with each other: the what-if would show wrong numbers."""


def whatif_data(snapshot: Snapshot, default_year: int | None) -> dict[str, object]:
    """Everything the script needs, per budget year with an ideal allocation: the year's
    parameters as the warehouse used them, and each unit's need measure, population by age,
    published ideal and contributions."""
    parameters = snapshot.frame(PARAMETERS).set_index("year")
    statuses = year_statuses(snapshot.frame(PARAMETERS).reset_index(drop=True))
    low = min([AGE_LOW, *parameters["population_age_min"].dropna().astype(int)])
    high = max([AGE_HIGH, *parameters["population_age_max"].dropna().astype(int)])
    allocation = snapshot.allocation
    allocation = allocation[allocation["ideal_allocation_sek"].notna()]
    population = snapshot.population_by_age
    years: dict[str, object] = {}
    for year, units in allocation.groupby("year", sort=True):
        if year not in parameters.index:
            raise WhatIfInputsError(f"no allocation parameters for {year}")
        p = parameters.loc[year]
        ages = population[(population["year"] == year) & population["age"].between(low, high)]
        # One row per unit, one column per age from low to high (0 where a unit has none).
        by_unit = (ages.pivot_table(index="association_id", columns="age", values="population",
                                    aggfunc="sum")
                   .reindex(columns=range(low, high + 1)).fillna(0).astype("int64"))
        rows = []
        for unit in units.sort_values("association_name").itertuples(index=False):
            vector = (by_unit.loc[unit.association_id].tolist()
                      if unit.association_id in by_unit.index else [0] * (high - low + 1))
            _check_band(unit, vector, low, int(p["population_age_min"]),
                        int(p["population_age_max"]))
            rows.append({
                "id": unit.association_id,
                "name": unit.association_name,
                "measure": float(unit.measure_value),
                "population": vector,
                "published": float(unit.ideal_allocation_sek),
                "contribution": None if is_missing(unit.contribution_total_sek)
                else float(unit.contribution_total_sek),
                "reportedShare": None if is_missing(unit.reported_ideal_share_pct)
                else float(unit.reported_ideal_share_pct),
            })
        scopes = set(units["share_scope"])
        if len(scopes) != 1:
            raise WhatIfInputsError(f"{year} has share scopes {sorted(scopes)}")
        years[str(int(year))] = {
            "scope": scopes.pop(),
            "parameters": {
                "pot": float(p["state_pot_sek"]),
                "base": float(p["base_per_association_sek"]),
                "measureWeight": float(p["measure_weight"]),
                "populationWeight": float(p["population_weight"]),
                "associationCount": int(p["association_count"]),
                "ageMin": int(p["population_age_min"]),
                "ageMax": int(p["population_age_max"]),
                "multiplier": float(p["budget_multiplier"]),
            },
            "provisional": statuses[int(year)].describe() if int(year) in statuses else "",
            "units": rows,
        }
    chosen = str(default_year) if str(default_year) in years else next(reversed(years), None)
    return {"ageLow": low, "ageHigh": high, "defaultYear": chosen,
            "focus": snapshot.filters.association_id, "years": years}


def _check_band(unit: object, vector: list[int], low: int, age_min: int, age_max: int
                ) -> None:
    """The ages of the year's band add up to the population the ideal was computed with."""
    in_band = sum(vector[age_min - low: age_max - low + 1])
    expected = unit.population_in_age_band  # type: ignore[attr-defined]
    if is_missing(expected) or in_band != int(expected):
        raise WhatIfInputsError(
            f"{unit.association_id} {unit.year}: population by age sums to "  # type: ignore[attr-defined]
            f"{in_band} in {age_min}-{age_max}, the ideal used {expected}")


def whatif_section(snapshot: Snapshot, default_year: int | None) -> str:
    """The what-if's HTML: controls, the table the script fills, the data and the script."""
    data = whatif_data(snapshot, default_year)
    if not data["years"]:
        return ""
    # "</" cannot end the script element early.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    script = resources.files("outputs").joinpath("whatif.js").read_text(encoding="utf-8")
    return f"""<section id="whatif" class="whatif">
<h2>Prova modellen</h2>
<p>Ändra fördelningsmodellens parametrar: sidan räknar om varje förbunds idealfördelning och
andel direkt, i webbläsaren, ur samma underlag som lagret (befolkning per ålder och HE per
förbund). <strong>Publicerad</strong> är lagrets värde, <strong>Scenario</strong> värdet med
parametrarna här; samma beräkning i lagret ger kommandot nedan.</p>
<noscript><p class="warning">Kräver JavaScript i webbläsaren.</p></noscript>
<form id="whatif-controls" class="controls" autocomplete="off">
<label>Budgetår <select id="wi-year" name="year"></select></label>
<label>Statens ram (kr) <input id="wi-pot" name="pot" type="number" min="0" step="1000000"></label>
<label>Grundbelopp per förbund (kr) <input id="wi-base" name="base" type="number" min="0"
 step="50000"></label>
<label>Vikt behovsmått (HE) <input id="wi-measure" name="measure" type="range" min="0" max="1"
 step="any"><output id="wi-measure-out"></output></label>
<label>Vikt befolkning <input id="wi-population" name="population" type="range" min="0"
 max="1" step="any"><output id="wi-population-out"></output></label>
<label>Antal förbund (grundbelopp) <input id="wi-associations" name="associations"
 type="number" min="1" step="1"></label>
<label>Åldersgrupp från <select id="wi-age-min" name="ageMin"></select></label>
<label>till <select id="wi-age-max" name="ageMax"></select></label>
<button type="button" id="wi-reset">Återställ</button>
</form>
<p id="whatif-summary" class="summary"></p>
<p id="whatif-notes" class="note"></p>
<div class="table-wrap">
<table id="whatif-table" class="numbers">
<thead><tr><th>Förbund</th><th>Bidrag (kr)</th><th>Idealfördelning publicerad (kr)</th>
<th>Idealfördelning scenario (kr)</th><th>Skillnad (kr)</th><th>Andel publicerad</th>
<th>Andel scenario</th></tr></thead>
<tbody id="whatif-associations"></tbody>
<tbody id="whatif-rest" class="rest"></tbody>
<tbody id="whatif-total" class="total"></tbody>
</table>
</div>
<p class="note">Går inte att ändra här: behovsmåttet (HE i stället för Försäkringskassans
försörjningsmått i kronor) och dataårets eftersläpning (kräver andra års statistik; prova
med <code>finsam scenario</code>). Takregeln och övergångsreglerna finns inte i modellen.</p>
<p class="command">Samma scenario i lagret: <code id="whatif-command"></code></p>
<script type="application/json" id="whatif-data">{payload}</script>
<script>
{script}
</script>
</section>"""

