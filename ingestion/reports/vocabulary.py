"""The report vocabulary: Swedish row labels -> canonical metrics (docs/report-vocabulary.md).

One table, :data:`LABELS`; add a row to teach the extractor a new label. Labels are compared
folded (lower case, å/ä/ö -> a/o, OCR look-alikes mapped, punctuation dropped) and fuzzily,
so ``Summa intdkter`` still matches ``summa intäkter``. Rules are tried in order; the first
label that matches the start of a row label wins, so put specific labels before general ones.

``scope`` says where a rule applies: ``money`` rows of financial tables, ``people`` rows of
tables with women/men/total columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ingestion.reports.numbers import fold

IGNORE = "ignore"


@dataclass(frozen=True)
class Label:
    metric: str
    labels: tuple[str, ...]
    scope: str = "money"
    member: str | None = None
    reason: str | None = None
    income_only: bool = False  # member names are also intervention owners in cost tables


LABELS: tuple[Label, ...] = (
    # Lines that look like a metric but are not one (checked first).
    Label(IGNORE, ("verksamhetens resultat", "verksamhetens nettokostnad",
                   "summa eget kapital avsattningar", "delsumma", "summa tillgangar")),
    Label("member_contribution", ("forsakringskassan", "driftbidrag fran staten", "staten",
                                  "statligt bidrag", "arbetsformedlingen"),
          member="state", income_only=True),
    Label("member_contribution", ("driftbidrag fran region", "region", "landstinget"),
          member="region", income_only=True),
    Label("member_contribution", ("driftbidrag fran kommun", "kommunerna", "kommun"),
          member="municipality", income_only=True),
    Label("member_contribution", ("summa medlemsbidrag", "summa medlemsinsatser",
                                  "summa medlemsavgifter", "summa bidrag fran medlemmarna")),
    Label("esf_income", ("eu medel", "esf", "fakturerade kostnader esf", "europeiska socialfonden",
                         "medel fran europeiska socialfonden")),
    Label("other_income", ("ovriga intakter", "ovriga ersattningar och intakter")),
    Label("total_income", ("summa intakter", "summa verksamhetens intakter",
                           "verksamhetens intakter", "medlemsavgift och ovriga intakter",
                           "intakter totalt", "totala intakter")),
    Label("total_costs", ("summa kostnader", "verksamhetens kostnader", "kostnader inklusive",
                          "totala kostnader", "kostnader totalt")),
    Label("result", ("arets resultat", "periodens resultat", "halvarsresultat",
                     "resultat efter finansiella poster", "resultat fore extraordinara poster",
                     "resultat")),
    Label("equity_opening", ("ingaende eget kapital", "balanserat eget kapital",
                             "balanserade vinst", "eget kapital vid arets borjan")),
    Label("equity_closing", ("summa eget kapital", "utgaende eget kapital", "eget kapital")),
    Label("individual_interventions_cost", ("finansiering individinriktade insatser",
                                            "summa individinriktade insatser",
                                            "individinriktade inklusive")),
    Label("structural_interventions_cost", ("finansiering strukturella insatser",
                                            "summa strukturella insatser", "strukturinriktade")),
    Label("interventions_cost_total", ("summa aktiviteter insatser", "summa insatser")),
    Label("administration_cost", ("summa styrelse och kansli", "summa administration")),
    # Exit reasons (tables of exits by reason and gender).
    Label("exits", ("arbetssokande", "arbetsformedlingen"), "people", reason="job_seeking"),
    Label("exits", ("arbete",), "people", reason="work"),
    Label("exits", ("studier",), "people", reason="studies"),
    Label("exits", ("jobbtorg",), "people", reason="job_centre"),
    Label("exits", ("fortsatt rehabilitering", "rehabiliteringssamverkan"), "people",
          reason="continued_rehabilitation"),
    Label("exits", ("finsam insats",), "people", reason="finsam_intervention"),
    Label("exits", ("sysselsattning", "daglig verksamhet"), "people", reason="occupation"),
    Label("exits", ("sjukersattning",), "people", reason="sickness_compensation"),
    Label("exits", ("sjukdom", "utredning vard", "medicinsk"), "people", reason="health_care"),
    Label("exits", ("ovrigt", "ovriga avslutsorsaker"), "people", reason="other"),
    Label("total", ("summa", "totalt", "total"), "people"),
)

MONEY_METRICS = frozenset(
    rule.metric for rule in LABELS if rule.scope == "money" and rule.metric != IGNORE
) | {"intervention_cost", "ideal_allocation_amount"}
INCOME_METRICS = frozenset({"member_contribution", "esf_income", "other_income", "total_income"})
# Costs are printed negative in income statements; the warehouse stores them positive.
POSITIVE_METRICS = frozenset({"total_costs"})

# Exit reasons as printed in prose ("20 till arbete") are not parsed; tables carry them.
REASONS = tuple(rule.reason for rule in LABELS if rule.reason)

# A member named by a word at its end: "Sundsvalls kommun", "Västra Götalandsregionen".
_MUNICIPALITY = re.compile(r"\b(kommun|kommuner|kommunerna|stad)$")
_MUNICIPALITY_RULE = next(rule for rule in LABELS if rule.member == "municipality")
_REGION = re.compile(r"regionen$|\blandstinget$")
_REGION_RULE = next(rule for rule in LABELS if rule.member == "region")
# Words before what a row names, read past: what is paid before the member who pays it
# ("Medlemsavgift Försäkringskassan", "Bidrag från kommunerna", "Driftbidrag staten"), the
# way before an exit reason ("Avslut till arbete", "Aktivt arbetssökande", "Mot studier").
_LEADING_WORDS = {
    "money": re.compile(r"^(?:(?:medlems|drift)?(?:avgift|bidrag|insats)(?:er|erna|en)?|"
                        r"anslag|tilldelade medel) (?:fran )?"),
    "people": re.compile(r"^(?:avslut\w* )?(?:till |mot )?(?:aktivt? )?"),
}


@lru_cache(maxsize=4096)
def _similar(text: str, label: str) -> bool:
    """Does ``text`` start with ``label``, allowing OCR slips in longer labels?"""
    if text == label or text.startswith(label + " "):
        return True
    if len(label) < 8:
        return False
    if len(text) > len(label) and text[len(label)] != " ":
        return False
    matcher = SequenceMatcher(None, text[: len(label)], label)
    # quick_ratio is an upper bound of ratio: most labels are rejected without the full diff.
    return matcher.quick_ratio() >= 0.88 and matcher.ratio() >= 0.88


_FOLDED = tuple((rule, tuple(fold(label) for label in rule.labels)) for rule in LABELS)


@lru_cache(maxsize=8192)
def match(label_text: str, scope: str, section: str | None) -> Label | None:
    """The vocabulary rule for a printed row label, or None when it names no metric."""
    text = fold(label_text)
    if not text:
        return None
    for rule, labels in _FOLDED:
        if rule.scope != scope:
            continue
        if rule.income_only and section not in (None, "income"):
            continue
        if any(_similar(text, label) for label in labels):
            return rule
    rest = _LEADING_WORDS[scope].sub("", text)
    if rest != text and rest:
        return match(rest, scope, section)
    if scope != "money" or section not in (None, "income"):
        return None
    if _MUNICIPALITY.search(text):
        return _MUNICIPALITY_RULE
    if _REGION.search(text):
        return _REGION_RULE
    return None


def is_sum_label(label_text: str) -> bool:
    return bool(re.match(r"(del)?summa|totalt?\b", fold(label_text)))
