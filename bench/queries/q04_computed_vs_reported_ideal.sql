-- Our idealfördelning next to the one the association's own report states: a check of the
-- model's parameters (data-year lag, age band, HE as the need key) and of the statistics.
select
    association_name,
    year,
    round(ideal_allocation_sek / 1e6, 1) as computed_ideal_msek,
    round(reported_ideal_allocation_sek / 1e6, 1) as reported_ideal_msek,
    round(ideal_vs_reported_difference_pct, 1) as difference_pct,
    round(100 * funding_ratio) as computed_pct_of_ideal,
    reported_ideal_share_pct,
    parameter_status,
    is_sample
from marts.fct_funding_vs_ideal
where reported_ideal_allocation_sek is not null or reported_ideal_share_pct is not null
order by association_name, year
