-- Registered unemployed in Arbetsförmedlingen's whole age band of the month (16-64 to 2022,
-- 16-65 from 2023, 16-66 from 2026) as a share of the labour force, latest month, highest first.
with latest as (
    select max(month) as month from marts.fct_unemployment_monthly
)
select
    u.association_name,
    u.month,
    u.age_band,
    u.persons,
    u.labour_force,
    round(u.share_pct, 1) as share_pct,
    u.n_municipalities_masked
from marts.fct_unemployment_monthly as u
inner join latest on u.month = latest.month
where u.measure = 'registered_unemployed'
    and u.age_band like '16-%'
    and u.sex = 'total'
order by u.share_pct desc nulls last
