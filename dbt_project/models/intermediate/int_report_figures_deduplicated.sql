-- One figure per association, period, basis, metric, member, intervention, gender and
-- reason. Several documents often state the same figure (an annual report repeats last
-- year's, a budget follow-up repeats the budget). The winner is, in this order: an
-- analyst's override, the most final report type (annual before half-year/interim before
-- follow-ups and minutes), an unflagged figure, the most recent document. Flagged figures
-- stay in (they may be the only ones) with is_flagged exposed. Figures of unmatched
-- associations are left out: they have no key.

with

figures as (

    select * from {{ ref('stg_reports__report_figures') }}
    where association_id is not null

),

documents as (

    select * from {{ ref('stg_reports__report_documents') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

keyed as (

    select
        figures.document_id,
        figures.association_id,
        associations.association_name,
        figures.report_type,
        figures.period_start,
        figures.period_end,
        -- the year a figure covers whole (null for a half year, a quarter or a month)
        case
            when figures.period_start = make_date(year(figures.period_start), 1, 1)
                and figures.period_end = make_date(year(figures.period_start), 12, 31)
                then year(figures.period_start)
        end as calendar_year,
        figures.basis,
        figures.metric,
        -- figures that are not split by a dimension get '(all)'/'total' so keys are never null
        coalesce(figures.member, '(all)') as member,
        coalesce(figures.intervention, '(all)') as intervention,
        coalesce(figures.gender, 'total') as gender,
        coalesce(figures.reason, '(all)') as reason,
        figures.value,
        figures.unit_as_printed,
        figures.is_money,
        figures.origin,
        figures.is_flagged,
        figures.check_messages,
        figures.page,
        figures.line,
        figures.source,
        figures.is_sample,
        documents.period_end as document_period_end,
        case figures.report_type
            when 'annual_report' then 1
            when 'half_year_report' then 2
            when 'interim_report' then 2
            when 'budget_follow_up' then 3
            else 4
        end as report_type_rank

    from figures
    left join documents
        on figures.document_id = documents.document_id
    left join associations
        on figures.association_id = associations.association_id

),

ranked as (

    select
        *,
        row_number() over preference as figure_rank,
        count(*) over figure_key as n_candidates,
        min(value) over figure_key <> max(value) over figure_key as has_conflicting_values,
        -- the whole association, not one intervention, gender or reason
        intervention = '(all)' and gender = 'total' and reason = '(all)'
            as is_association_total

    from keyed
    window
        figure_key as (
            partition by
                association_id, period_start, period_end, basis, metric,
                member, intervention, gender, reason
        ),
        preference as (
            partition by
                association_id, period_start, period_end, basis, metric,
                member, intervention, gender, reason
            order by
                origin = 'override' desc,
                report_type_rank,
                is_flagged,
                document_period_end desc nulls last,
                document_id,
                page,
                line
        )

),

final as (

    select
        document_id,
        association_id,
        association_name,
        report_type,
        period_start,
        period_end,
        calendar_year,
        is_association_total,
        -- a whole calendar year of the whole association
        calendar_year is not null and is_association_total as is_whole_year_total,
        basis,
        metric,
        member,
        intervention,
        gender,
        reason,
        value,
        unit_as_printed,
        is_money,
        origin,
        is_flagged,
        check_messages,
        page,
        line,
        source,
        n_candidates,
        has_conflicting_values,
        is_sample

    from ranked
    where figure_rank = 1

)

select * from final
