-- Each member's share of the contributions against the law's 50/25/25 split.
select
    association_name,
    year,
    contribution_basis,
    round(100 * contribution_state_sek / contribution_total_sek, 1) as state_pct,
    round(100 * contribution_region_sek / contribution_total_sek, 1) as region_pct,
    round(100 * contribution_municipalities_sek / contribution_total_sek, 1)
        as municipalities_pct
from marts.fct_funding_vs_ideal
where contribution_total_sek > 0
order by association_name, year
