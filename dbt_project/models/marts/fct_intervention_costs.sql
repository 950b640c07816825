-- Cost of each intervention (insats): budget against outcome per report period, and the
-- outcome per participant where the same period states both.

with

figures as (

    select * from {{ ref('int_report_figures_deduplicated') }}
    where member = '(all)'
        and gender = 'total'
        and reason = '(all)'

),

costs as (

    select
        association_id,
        any_value(association_name) as association_name,
        period_start,
        period_end,
        intervention,
        sum(value) filter (where basis = 'budget') as budget_sek,
        sum(value) filter (where basis = 'outcome') as outcome_sek,
        string_agg(distinct document_id, ',' order by document_id) as document_id,
        bool_or(is_flagged) as is_flagged,
        bool_or(is_sample) as is_sample

    from figures
    where metric = {{ report_metric('intervention_cost') }}
        and basis in ('budget', 'outcome')
    group by association_id, period_start, period_end, intervention

),

participants as (

    select
        association_id,
        period_start,
        period_end,
        intervention,
        value as participants

    from figures
    where metric = {{ report_metric('participants') }}
        and basis = 'outcome'

),

final as (

    select
        costs.association_id,
        costs.period_start,
        costs.period_end,
        costs.intervention,
        costs.association_name,
        costs.budget_sek::decimal(18, 2) as budget_sek,
        costs.outcome_sek::decimal(18, 2) as outcome_sek,
        -- as the reports' "avvikelse": positive = under budget
        (costs.budget_sek - costs.outcome_sek)::decimal(18, 2) as difference_sek,
        participants.participants::bigint as participants,
        (costs.outcome_sek / nullif(participants.participants, 0))::decimal(18, 2)
            as cost_per_participant_sek,
        costs.document_id,
        costs.is_flagged,
        costs.is_sample

    from costs
    left join participants
        on costs.association_id = participants.association_id
        and costs.period_start = participants.period_start
        and costs.period_end = participants.period_end
        and costs.intervention = participants.intervention

)

select * from final
