-- Participants per association, report period, intervention and gender (outcome figures).

with

figures as (

    select * from {{ ref('int_report_figures_deduplicated') }}
    where basis = 'outcome'
        and member = '(all)'
        and reason = '(all)'
        and metric in (
            {{ report_metric('participants') }},
            {{ report_metric('participants_started') }},
            {{ report_metric('participants_exited') }}
        )

),

pivoted as (

    select
        association_id,
        any_value(association_name) as association_name,
        period_start,
        period_end,
        report_type,
        intervention,
        gender,
        sum(value) filter (where metric = {{ report_metric('participants') }})
            as participants,
        sum(value) filter (where metric = {{ report_metric('participants_started') }})
            as participants_started,
        sum(value) filter (where metric = {{ report_metric('participants_exited') }})
            as participants_exited,
        string_agg(distinct document_id, ',' order by document_id) as document_id,
        bool_or(is_flagged) as is_flagged,
        bool_or(is_sample) as is_sample

    from figures
    group by association_id, period_start, period_end, report_type, intervention, gender

),

final as (

    select
        pivoted.association_id,
        pivoted.period_start,
        pivoted.period_end,
        pivoted.report_type,
        pivoted.intervention,
        pivoted.gender,
        pivoted.association_name,
        pivoted.participants::bigint as participants,
        pivoted.participants_started::bigint as participants_started,
        pivoted.participants_exited::bigint as participants_exited,
        pivoted.document_id,
        pivoted.is_flagged,
        pivoted.is_sample

    from pivoted

)

select * from final
