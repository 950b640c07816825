-- Associations furthest below their ideal allocation in the latest budget year with both
-- actual and ideal figures, with the scope of the shares and how much of the country's
-- population in the age band the denominators cover. Funding is known only where the
-- warehouse holds the association's report for the year: every row says for how many of
-- the year's associations that is (n_with_funding of n_associations), so one row is never
-- mistaken for a ranking of all.
with latest as (
    select max(year) as year
    from marts.fct_funding_vs_ideal
    where funding_ratio is not null
),
year_counts as (
    select
        count(*) filter (where f.funding_ratio is not null) as n_with_funding,
        count(*) as n_associations
    from marts.fct_funding_vs_ideal as f
    inner join latest on f.year = latest.year
    where f.association_id <> 'unplaced' and f.ideal_allocation_sek is not null
)
select
    f.association_name,
    f.year,
    year_counts.n_with_funding,
    year_counts.n_associations,
    f.contribution_basis,
    round(f.contribution_total_sek / 1e6, 1) as actual_msek,
    round(f.ideal_allocation_sek / 1e6, 1) as ideal_msek,
    round(100 * f.funding_ratio) as pct_of_ideal,
    f.reported_ideal_share_pct as reported_pct_of_ideal,
    round(f.funding_gap_sek / 1e6, 1) as gap_msek,
    f.share_scope,
    round(100 * f.denominator_population_coverage) as denominators_cover_pct,
    f.is_sample
from marts.fct_funding_vs_ideal as f
inner join latest on f.year = latest.year
cross join year_counts
where f.funding_ratio is not null
order by f.funding_ratio
limit 20
