-- The members' contributions (medlemsbidrag) per association and calendar year, one column
-- per member. The outcome in an annual report is preferred; when no report states the
-- outcome of a year, its budget is used; contribution_basis says which.

with

figures as (

    select * from {{ ref('int_report_figures_deduplicated') }}
    where metric = {{ report_metric('member_contribution') }}
        and basis in ('outcome', 'budget')
        -- a whole year of the whole association: half-year figures are not a year's
        -- contribution
        and is_whole_year_total

),

with_basis_rank as (

    select
        *,
        calendar_year as year,
        case basis when 'outcome' then 1 else 2 end as basis_rank

    from figures

),

preferred_basis as (

    select
        *,
        min(basis_rank) over (partition by association_id, year) as preferred_basis_rank

    from with_basis_rank

),

final as (

    select
        association_id,
        year,
        any_value(basis) as contribution_basis,
        sum(value) filter (where member = 'state') as contribution_state_sek,
        sum(value) filter (where member = 'region') as contribution_region_sek,
        sum(value) filter (where member = 'municipality') as contribution_municipalities_sek,
        -- a stated total wins; otherwise the sum, only when all three members are known
        coalesce(
            sum(value) filter (where member = '(all)'),
            sum(value) filter (where member = 'state')
            + sum(value) filter (where member = 'region')
            + sum(value) filter (where member = 'municipality')
        ) as contribution_total_sek,
        string_agg(distinct document_id, ',' order by document_id) as contribution_document_id,
        bool_or(is_flagged) as is_flagged,
        {{ report_provenance('bool_or(is_sample)') }} as contribution_provenance,
        bool_or(is_sample) as is_sample

    from preferred_basis
    where basis_rank = preferred_basis_rank
    group by association_id, year

)

select * from final
