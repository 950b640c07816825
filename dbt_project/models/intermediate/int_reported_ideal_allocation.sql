-- What a report states about the association's idealfördelning for a calendar year: the
-- share of the ideal it receives (percent) and the ideal amount (SEK).

with

figures as (

    select * from {{ ref('int_report_figures_deduplicated') }}
    where metric in (
            {{ report_metric('ideal_allocation_share') }},
            {{ report_metric('ideal_allocation_amount') }}
        )
        and member = '(all)'
        and is_whole_year_total

),

with_basis_rank as (

    select
        *,
        calendar_year as year,
        -- a report may state the ideal both as planned and as received: prefer the outcome
        case basis when 'outcome' then 1 when 'budget' then 2 else 3 end as basis_rank

    from figures

),

final as (

    select
        association_id,
        year,
        arg_min(value, basis_rank) filter (
            where metric = {{ report_metric('ideal_allocation_share') }}
        ) as reported_ideal_share_pct,
        arg_min(value, basis_rank) filter (
            where metric = {{ report_metric('ideal_allocation_amount') }}
        ) as reported_ideal_allocation_sek,
        string_agg(distinct document_id, ',' order by document_id) as reported_ideal_document_id,
        {{ report_provenance('bool_or(is_sample)') }} as reported_ideal_provenance,
        bool_or(is_sample) as is_sample

    from with_basis_rank
    group by association_id, year

)

select * from final
