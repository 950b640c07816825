"""The warehouse's codes in Swedish words, for the workbook and the report.

The marts keep their codes (``women``, ``annual_report``): they are stable for formulas and
scripts, and the CSV and Parquet files carry them. The workbook and the report show the
words below instead; "Läs mig" lists every code beside its word. A column names its code
family in its contract (``meta.codes`` in the dbt YAML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CodeFamily:
    title: str  # Swedish heading in "Läs mig"
    words: dict[str, str]  # code -> the Swedish word shown instead
    # Open families hold free text with a few codes in it (an intervention's name, or
    # '(all)'); a closed family's every value is a code, and a test checks they are listed.
    closed: bool = True


FAMILIES: dict[str, CodeFamily] = {
    "gender": CodeFamily("Kön", {"total": "totalt", "women": "kvinnor", "men": "män"}),
    "exit_reason": CodeFamily("Avslutsorsak", {
        "work": "arbete",
        "studies": "studier",
        "job_seeking": "arbetssökande",
        "job_centre": "kommunal arbetsmarknadsinsats (jobbtorg)",
        "continued_rehabilitation": "fortsatt rehabilitering",
        "finsam_intervention": "annan Finsam-insats",
        "occupation": "sysselsättning eller daglig verksamhet",
        "sickness_compensation": "sjukersättning",
        "health_care": "sjukdom, vård eller behandling",
        "other": "övrigt",
        "(all)": "alla orsaker",
    }),
    "report_type": CodeFamily("Rapporttyp", {
        "annual_report": "årsredovisning",
        "half_year_report": "halvårsrapport",
        "interim_report": "delårsrapport",
        "budget_follow_up": "budgetuppföljning",
        "board_minutes": "styrelseprotokoll",
        "plan_and_budget": "verksamhetsplan och budget",
        "annual_report_decision": "medlems beslut om årsredovisningen",
        "audit_report": "revisionsberättelse",
    }),
    "unemployment_measure": CodeFamily("Mått (arbetslöshet)", {
        "open_unemployed": "öppet arbetslösa",
        "in_programme": "sökande i program med aktivitetsstöd",
        "registered_unemployed": "inskrivna arbetslösa (öppet arbetslösa och i program)",
        "long_term_unemployed": "långtidsarbetslösa (inskrivna arbetslösa mer än 12 månader)",
    }),
    "benefit_type": CodeFamily("Ersättningsslag (HE)", {
        "sickness_benefit": "sjukpenning inkl. rehabiliteringspenning",
        "sickness_compensation": "sjukersättning",
        "activity_compensation": "aktivitetsersättning",
        "sickness_and_activity_compensation": "sjuk- och aktivitetsersättning",
        "unemployment_benefit": "arbetslöshetsersättning",
        "activity_support": "aktivitetsstöd inkl. utvecklingsersättning",
        "establishment_benefit": "etableringsersättning inkl. tillägg",
        "social_assistance": "ekonomiskt bistånd",
        "total": "alla ersättningar",
    }),
    "share_scope": CodeFamily("Andelarnas nämnare", {
        "members": "förbundens medlemskommuner",
        "country_less_outside": "riket utom kommuner utanför alla förbund",
    }),
    "basis": CodeFamily("Grund", {"budget": "budget", "outcome": "utfall",
                                  "forecast": "prognos"}),
    "member": CodeFamily("Medlem", {
        "state": "staten",
        "region": "regionen",
        "municipality": "kommunerna",
        "(all)": "alla medlemmar",
    }),
    "metric": CodeFamily("Post (ekonomi)", {
        "member_contribution": "medlemsbidrag",
        "esf_income": "ESF-medel",
        "other_income": "övriga intäkter",
        "total_income": "summa intäkter",
        "total_costs": "summa kostnader",
        "result": "resultat",
        "equity_opening": "eget kapital vid periodens början",
        "equity_closing": "eget kapital vid periodens slut",
        "individual_interventions_cost": "individinriktade insatser",
        "structural_interventions_cost": "strukturinriktade insatser",
        "interventions_cost_total": "summa insatser",
        "administration_cost": "styrelse och kansli",
        "intervention_cost": "kostnad för en insats",
        "ideal_allocation_amount": "idealfördelning enligt rapporten",
    }),
    "origin": CodeFamily("Ursprung", {"extracted": "läst ur dokumentet",
                                      "override": "rättad för hand"}),
    "document_status": CodeFamily("Dokumentstatus", {"loaded": "inläst",
                                                     "failed": "kunde inte läsas"}),
    "document_reading": CodeFamily("Läsning", {
        "text": "textfil",
        "positions": "PDF, ordens positioner",
        "text_layer": "PDF, textlagret",
        "mixed": "PDF, bästa läsningen sida för sida",
    }),
    "parameter_status": CodeFamily("Parameterstatus", {
        "confirmed": "bekräftad",
        "unconfirmed": "obekräftad",
        "carried_forward": "framförd",
        "scenario": "scenario",
        "missing": "saknas",
    }),
    "allocation_measure": CodeFamily("Behovsmått", {
        "full_year_equivalents": "helårsekvivalenter (HE)",
    }),
    "intervention": CodeFamily("Insats", {"(all)": "hela förbundet"}, closed=False),
}

# What the parameter statuses mean (heading "Parameterstatus" in "Läs mig").
PARAMETER_STATUS_MEANINGS = {
    "confirmed": "en källa anger värdet för året",
    "unconfirmed": "en källa finns men anger inte värdet för just det året, eller är ett "
                   "arbetsantagande",
    "carried_forward": "ingen källa för året: senast kända värdet används",
    "scenario": "satt i ett scenario (finsam scenario), inte ur parameterfilen",
    "missing": "parameterfilen har inget värde för året",
}

# fct_funding_vs_ideal.parameter_status reads "pot confirmed, base confirmed, …": each
# parameter's name and its status.
PARAMETER_NAMES = {
    "pot": "ram",
    "base": "grundbelopp",
    "weights": "vikter",
    "associations": "antal förbund",
    "data-year lag": "dataårets eftersläpning",
    "age band": "åldersgrupp",
}
_PARAMETER_PAIR = re.compile(r"^(?P<name>[a-z -]+?) (?P<status>[a-z_]+)$")


def parameter_statuses(text: str) -> dict[str, str]:
    """``"pot unconfirmed, base confirmed"`` as ``{"pot": "unconfirmed", "base": …}``; a
    part that does not read so is an error (the mart's format changed)."""
    statuses = {}
    for part in text.split(", "):
        match = _PARAMETER_PAIR.match(part)
        if not match or match["name"] not in PARAMETER_NAMES:
            raise ValueError(f"unexpected parameter status {part!r} in {text!r}")
        statuses[match["name"]] = match["status"]
    return statuses


def word(family: str, code: str) -> str:
    """The Swedish word for ``code``; a value the family does not list is shown as it is."""
    if family == "parameter_statuses":
        statuses = FAMILIES["parameter_status"].words
        return ", ".join(f"{PARAMETER_NAMES[name]}: {statuses.get(status, status)}"
                         for name, status in parameter_statuses(code).items())
    return FAMILIES[family].words.get(code, code)
