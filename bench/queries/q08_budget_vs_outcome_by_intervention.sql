-- How far each intervention's outcome is from its budget (positive = under budget).
select
    association_name,
    period_start,
    period_end,
    intervention,
    round(budget_sek) as budget_sek,
    round(outcome_sek) as outcome_sek,
    round(difference_sek) as difference_sek,
    round(100 * outcome_sek / nullif(budget_sek, 0), 1) as pct_of_budget_used
from marts.fct_intervention_costs
where budget_sek is not null and outcome_sek is not null
order by abs(difference_sek) desc
