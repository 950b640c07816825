-- Interventions (insatser) by actual cost per participant.
select
    association_name,
    period_start,
    period_end,
    intervention,
    round(outcome_sek) as outcome_sek,
    participants,
    round(cost_per_participant_sek) as cost_per_participant_sek
from marts.fct_intervention_costs
where cost_per_participant_sek is not null
order by cost_per_participant_sek desc
