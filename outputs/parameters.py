"""How sure a budget year's ideal allocation is, from the model's parameters as the warehouse
used them (``marts.dim_allocation_parameters``).

A year is *provisional* when one of its own parameters (pot, base, weights, number of
associations, age band) is not confirmed by a source for that year: its ideal rests on a
value carried forward or only loosely sourced. The data-year lag is a working assumption of
every year alike (the seed says so), so it is stated once instead of marking every year.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Each parameter of a year, its status column and its Swedish name.
YEAR_PARAMETERS: tuple[tuple[str, str], ...] = (
    ("state_pot_sek_status", "statens ram"),
    ("base_per_association_sek_status", "grundbeloppet"),
    ("measure_weight_status", "vikten för behovsmåttet"),
    ("population_weight_status", "vikten för befolkningen"),
    ("association_count_status", "antalet förbund"),
    ("age_band_status", "åldersgruppen"),
)
LAG_STATUS = "data_year_lag_status"


# Why a parameter is not confirmed, in words that fit any parameter's name.
UNCERTAINTY = {
    "unconfirmed": "källan anger inte året exakt",
    "carried_forward": "ingen källa för året, senast kända värdet",
    "scenario": "satt i ett scenario",
    "missing": "saknas",
}


@dataclass(frozen=True)
class YearStatus:
    year: int
    uncertain: dict[str, str]  # Swedish parameter name -> why it is not confirmed

    @property
    def provisional(self) -> bool:
        return bool(self.uncertain)

    def describe(self) -> str:
        """"statens ram och åldersgruppen (källan anger inte året exakt), antalet förbund
        (ingen källa för året, senast kända värdet)"."""
        by_reason: dict[str, list[str]] = {}
        for name, reason in self.uncertain.items():
            by_reason.setdefault(reason, []).append(name)
        return ", ".join(f"{_listed(names)} ({reason})" for reason, names in by_reason.items())


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def year_statuses(parameters: pd.DataFrame) -> dict[int, YearStatus]:
    statuses = {}
    for row in parameters.itertuples(index=False):
        uncertain = {
            name: UNCERTAINTY.get(getattr(row, column), getattr(row, column))
            for column, name in YEAR_PARAMETERS
            if getattr(row, column) != "confirmed"
        }
        statuses[int(row.year)] = YearStatus(int(row.year), uncertain)
    return statuses


def lag_note(parameters: pd.DataFrame) -> str | None:
    """One sentence on the data-year lag when it is not confirmed, else None."""
    rows = parameters[parameters[LAG_STATUS] != "confirmed"]
    if rows.empty:
        return None
    lags = sorted({int(v) for v in rows["data_year_lag"]})
    lag = " eller ".join(str(v) for v in lags)
    return (f"Att budgetåret räknas på statistiken från {lag} år tidigare är ett "
            "arbetsantagande för alla år (ingen källa anger det).")
