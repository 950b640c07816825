-- Participants who left an intervention, by exit reason and gender (outcome figures).

with

figures as (

    select * from {{ ref('int_report_figures_deduplicated') }}
    where basis = 'outcome'
        and member = '(all)'
        and metric = {{ report_metric('exits') }}

),

final as (

    select
        figures.association_id,
        figures.period_start,
        figures.period_end,
        figures.intervention,
        figures.reason,
        figures.gender,
        figures.association_name,
        figures.report_type,
        figures.value::bigint as exits,
        figures.document_id,
        figures.page,
        figures.line,
        figures.is_flagged,
        figures.is_sample

    from figures

)

select * from final
