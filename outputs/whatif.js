// The what-if of report.html: every association's ideal allocation recomputed from the
// inputs embedded in the page, as dbt_project/models/intermediate/int_ideal_allocation.sql
// computes it (outputs/whatif.py states the formula). No library, no network.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("whatif-data").textContent);
  var byId = function (id) { return document.getElementById(id); };
  var controls = {
    year: byId("wi-year"), pot: byId("wi-pot"), base: byId("wi-base"),
    measure: byId("wi-measure"), population: byId("wi-population"),
    associations: byId("wi-associations"), ageMin: byId("wi-age-min"),
    ageMax: byId("wi-age-max")
  };
  var UNPLACED = "unplaced";
  var kronor = new Intl.NumberFormat("sv-SE", {maximumFractionDigits: 0});
  var percent = new Intl.NumberFormat("sv-SE", {minimumFractionDigits: 1,
                                                maximumFractionDigits: 1});

  // DuckDB's round(): half away from zero.
  function roundHalfAway(value) {
    return value < 0 ? -Math.round(-value) : Math.round(value);
  }
  function roundTo(value, decimals) {
    var factor = Math.pow(10, decimals);
    return roundHalfAway(value * factor) / factor;
  }

  // The parameters as the model's columns hold them: kronor in öre (decimal(18,2)),
  // weights to four decimals (decimal(18,4)), the count and ages as integers.
  function normalised(params) {
    return {
      pot: roundTo(params.pot, 2), base: roundTo(params.base, 2),
      measureWeight: roundTo(params.measureWeight, 4),
      populationWeight: roundTo(params.populationWeight, 4),
      associationCount: roundHalfAway(params.associationCount),
      ageMin: roundHalfAway(params.ageMin), ageMax: roundHalfAway(params.ageMax),
      multiplier: params.multiplier
    };
  }

  // Each unit's state ideal and ideal allocation in öre, for one budget year.
  function allocate(year, params) {
    var units = year.units;
    var low = params.ageMin - data.ageLow, high = params.ageMax - data.ageLow;
    var population = units.map(function (unit) {
      return unit.population.slice(low, high + 1).reduce(function (a, b) { return a + b; }, 0);
    });
    var totalPopulation = population.reduce(function (a, b) { return a + b; }, 0);
    var totalMeasure = units.reduce(function (a, unit) { return a + unit.measure; }, 0);
    var members = units.filter(function (unit) { return unit.id !== UNPLACED; }).length;
    var bases = year.scope === "members" ? members : Math.max(params.associationCount, members);
    var distributed = params.pot - params.base * bases;
    var results = units.map(function (unit, i) {
      var baseAmounts = unit.id === UNPLACED ? bases - members : 1;
      var measureShare = unit.measure / totalMeasure;
      var populationShare = population[i] / totalPopulation;
      var stateOre = roundHalfAway((params.base * baseAmounts + distributed * (
        params.measureWeight * measureShare + params.populationWeight * populationShare)) * 100);
      return {unit: unit, stateOre: stateOre,
              idealOre: roundHalfAway(params.multiplier * stateOre)};
    });
    return {results: results, distributed: distributed, bases: bases, members: members};
  }

  function currentYear() { return data.years[controls.year.value]; }

  function readControls() {
    var year = currentYear();
    return normalised({
      pot: Number(controls.pot.value), base: Number(controls.base.value),
      measureWeight: Number(controls.measure.value),
      populationWeight: Number(controls.population.value),
      associationCount: Number(controls.associations.value),
      ageMin: Number(controls.ageMin.value), ageMax: Number(controls.ageMax.value),
      multiplier: year.parameters.multiplier
    });
  }

  function setControls(params) {
    var clamp = function (age) { return Math.min(data.ageHigh, Math.max(data.ageLow, age)); };
    controls.pot.value = params.pot;
    controls.base.value = params.base;
    controls.measure.value = params.measureWeight;
    controls.population.value = params.populationWeight;
    controls.associations.value = params.associationCount;
    controls.ageMin.value = clamp(params.ageMin);
    controls.ageMax.value = clamp(params.ageMax);
  }

  function cell(text, value, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (value !== undefined && value !== null) { td.dataset.value = String(value); }
    if (className) { td.className = className; }
    return td;
  }

  function share(contribution, idealOre) {
    if (contribution === null || idealOre <= 0) { return ["", null]; }
    var ratio = contribution / (idealOre / 100);
    return [percent.format(100 * ratio) + "\u00a0%", ratio];
  }

  function signed(value) { return (value > 0 ? "+" : "") + kronor.format(value); }

  function row(result) {
    var unit = result.unit;
    var published = Math.round(unit.published);
    var scenario = roundHalfAway(result.idealOre / 100);
    var tr = document.createElement("tr");
    tr.dataset.unit = unit.id;
    if (unit.id === data.focus) { tr.className = "focus"; }
    var name = unit.id === UNPLACED ? unit.name + " (inget förbund)" : unit.name;
    tr.appendChild(cell(name, null, "name"));
    tr.appendChild(cell(unit.contribution === null ? "" : kronor.format(unit.contribution),
                        unit.contribution));
    tr.appendChild(cell(kronor.format(published), published));
    tr.appendChild(cell(kronor.format(scenario), result.idealOre / 100, "scenario"));
    tr.appendChild(cell(signed(scenario - published), scenario - published,
                        scenario === published ? "same" : "changed"));
    var before = share(unit.contribution, unit.published * 100);
    var after = share(unit.contribution, result.idealOre);
    tr.appendChild(cell(before[0], before[1]));
    tr.appendChild(cell(after[0], after[1], "scenario"));
    return tr;
  }

  function parameterText(params) {
    return "Budgetår " + controls.year.value + ": statens ram " + kronor.format(params.pot) +
      " kr, grundbelopp " + kronor.format(params.base) + " kr, vikter HE " +
      percent.format(100 * params.measureWeight) + " % och befolkning " +
      percent.format(100 * params.populationWeight) + " %, åldersgrupp " + params.ageMin +
      "–" + params.ageMax + " år.";
  }

  // The dbt vars that differ from the year's published parameters.
  function scenarioVars(params, published) {
    var names = [["pot", "state_pot_sek"], ["base", "base_per_association_sek"],
                 ["measureWeight", "measure_weight"], ["populationWeight", "population_weight"],
                 ["associationCount", "association_count"], ["ageMin", "population_age_min"],
                 ["ageMax", "population_age_max"]];
    return names.filter(function (pair) { return params[pair[0]] !== published[pair[0]]; })
      .map(function (pair) { return pair[1] + ": " + params[pair[0]]; });
  }

  function render() {
    var year = currentYear();
    var params = readControls();
    var published = normalised(year.parameters);
    var computed = allocate(year, params);
    var associations = byId("whatif-associations");
    var rest = byId("whatif-rest");
    associations.replaceChildren();
    rest.replaceChildren();
    // the association asked for first, then those with known funding, then by name
    var rank = function (r) {
      return r.unit.id === data.focus ? 0 : (r.unit.contribution === null ? 2 : 1);
    };
    var ordered = computed.results.slice().sort(function (a, b) { return rank(a) - rank(b); });
    ordered.forEach(function (result) {
      (result.unit.id === UNPLACED ? rest : associations).appendChild(row(result));
    });
    var stateTotal = computed.results.reduce(function (a, r) { return a + r.stateOre; }, 0);
    var idealTotal = computed.results.reduce(function (a, r) { return a + r.idealOre; }, 0);
    var publishedTotal = year.units.reduce(function (a, u) { return a + u.published; }, 0);
    var total = document.createElement("tr");
    total.appendChild(cell("Summa (statens del: " + kronor.format(stateTotal / 100) +
                           " kr av ramen " + kronor.format(params.pot) + " kr)", null, "name"));
    total.appendChild(cell(""));
    total.appendChild(cell(kronor.format(publishedTotal), Math.round(publishedTotal)));
    total.appendChild(cell(kronor.format(idealTotal / 100), idealTotal / 100, "scenario"));
    total.appendChild(cell(signed(Math.round(idealTotal / 100 - publishedTotal))));
    total.appendChild(cell(""));
    total.appendChild(cell(""));
    byId("whatif-total").replaceChildren(total);

    controls.measure.nextElementSibling.textContent =
      percent.format(100 * params.measureWeight) + "\u00a0%";
    controls.population.nextElementSibling.textContent =
      percent.format(100 * params.populationWeight) + "\u00a0%";
    byId("whatif-summary").textContent = parameterText(params);
    var notes = [];
    if (year.provisional) {
      notes.push("Preliminärt år: " + year.provisional + ".");
    }
    if (year.scope !== "members") {
      notes.push("Registret är ofullständigt detta år: " + computed.bases + " grundbelopp dras " +
                 "från ramen (det största av antalet förbund och de " + computed.members +
                 " förbund som har medlemmar); raden \u201dinget förbund\u201d har resten.");
    } else {
      notes.push("Registret placerar alla kommuner detta år: ett grundbelopp per förbund " +
                 "(antalet förbund påverkar inte).");
    }
    if (computed.distributed < 0) {
      notes.push("Grundbeloppen är större än ramen: det som fördelas efter behov och " +
                 "befolkning är negativt.");
    }
    if (params.ageMin > params.ageMax) {
      notes.push("Åldersgruppen är tom: den börjar efter att den slutar.");
    }
    byId("whatif-notes").textContent = notes.join(" ");
    var vars = scenarioVars(params, published);
    byId("whatif-command").textContent = vars.length
      ? "finsam scenario --year " + controls.year.value + " --vars \"{" + vars.join(", ") + "}\""
      : "(inga ändringar: parametrarna är lagrets)";
    writeFragment(params, published);
  }

  var FRAGMENT = [["pot", "pot"], ["base", "base"], ["measure", "measureWeight"],
                  ["population", "populationWeight"], ["associations", "associationCount"],
                  ["ageMin", "ageMin"], ["ageMax", "ageMax"]];

  // The scenario in the address (#year=2024&pot=…), so a link reproduces it.
  function writeFragment(params, published) {
    var parts = ["year=" + controls.year.value];
    FRAGMENT.forEach(function (pair) {
      if (params[pair[1]] !== published[pair[1]]) { parts.push(pair[0] + "=" + params[pair[1]]); }
    });
    try {
      history.replaceState(null, "", "#" + parts.join("&"));
    } catch (error) {
      // a browser that refuses it for pages opened from disk: the link is not updated
    }
  }

  function applyFragment() {
    var values = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var pair = part.split("=");
      if (pair.length === 2 && pair[1] !== "") { values[pair[0]] = decodeURIComponent(pair[1]); }
    });
    if (values.year && data.years[values.year]) { controls.year.value = values.year; }
    var params = Object.assign({}, currentYear().parameters);
    FRAGMENT.forEach(function (pair) {
      if (values[pair[0]] !== undefined && !isNaN(Number(values[pair[0]]))) {
        params[pair[1]] = Number(values[pair[0]]);
      }
    });
    setControls(params);
    render();
  }

  function options(select, values) {
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = option.textContent = String(value);
      select.appendChild(option);
    });
  }

  var ages = [];
  for (var age = data.ageLow; age <= data.ageHigh; age++) { ages.push(age); }
  options(controls.year, Object.keys(data.years));
  options(controls.ageMin, ages);
  options(controls.ageMax, ages);
  controls.year.value = data.defaultYear;

  controls.year.addEventListener("change", function () {
    setControls(currentYear().parameters);
    render();
  });
  // The two weights share the distributed pot: moving one moves the other.
  controls.measure.addEventListener("input", function () {
    controls.population.value = roundTo(1 - Number(controls.measure.value), 4);
  });
  controls.population.addEventListener("input", function () {
    controls.measure.value = roundTo(1 - Number(controls.population.value), 4);
  });
  ["pot", "base", "measure", "population", "associations", "ageMin", "ageMax"]
    .forEach(function (name) { controls[name].addEventListener("input", render); });
  byId("wi-reset").addEventListener("click", function () {
    setControls(currentYear().parameters);
    render();
  });
  window.addEventListener("hashchange", applyFragment);
  applyFragment();
})();
