-- Every money figure of the associations' reports that covers the whole association
-- (income statement, balance sheet, contributions), one row per figure.

with

figures as (

    select * from {{ ref('int_report_figures_deduplicated') }}
    where is_money
        and is_association_total

),

final as (

    select
        figures.association_id,
        figures.period_start,
        figures.period_end,
        figures.basis,
        figures.metric,
        figures.member,
        figures.association_name,
        figures.report_type,
        figures.value as value_sek,
        figures.unit_as_printed,
        figures.origin,
        figures.n_candidates,
        figures.has_conflicting_values,
        figures.document_id,
        figures.page,
        figures.line,
        figures.is_flagged,
        figures.is_sample

    from figures

)

select * from final
