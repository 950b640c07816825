-- Participants leaving for work or studies per million kronor of members' contributions,
-- per association and calendar year (annual periods only).
with exits as (
    select
        association_id,
        year(period_start) as year,
        sum(exits) as exits_to_work_or_studies
    from marts.fct_exits
    where reason in ('work', 'studies')
        and gender = 'total'
        and period_start = make_date(year(period_start), 1, 1)
        and period_end = make_date(year(period_start), 12, 31)
    group by association_id, year(period_start)
)
select
    f.association_name,
    f.year,
    exits.exits_to_work_or_studies,
    round(f.contribution_total_sek / 1e6, 1) as contributions_msek,
    round(exits.exits_to_work_or_studies / nullif(f.contribution_total_sek / 1e6, 0), 2)
        as exits_per_msek
from exits
inner join marts.fct_funding_vs_ideal as f
    on exits.association_id = f.association_id
    and exits.year = f.year
order by exits_per_msek desc nulls last
