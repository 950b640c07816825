-- Share of women among the participants, per association and report period. Uses the
-- association's own totals ('(all)') where the report has them, else sums the
-- interventions (a person in two interventions then counts twice).
with flagged as (
    select
        *,
        bool_or(intervention = '(all)') over (
            partition by association_id, period_start, period_end, report_type
        ) as has_whole_association_rows
    from marts.fct_participants
),

by_gender as (
    select
        association_name,
        period_start,
        period_end,
        report_type,
        sum(participants) filter (where gender = 'women') as women,
        sum(participants) filter (where gender = 'men') as men,
        sum(participants) filter (where gender = 'total') as total
    from flagged
    where intervention = '(all)' or not has_whole_association_rows
    group by association_name, period_start, period_end, report_type
)

select
    association_name,
    period_start,
    period_end,
    report_type,
    women,
    men,
    total,
    round(100 * women / nullif(coalesce(total, women + men), 0), 1) as women_pct
from by_gender
order by association_name, period_start
