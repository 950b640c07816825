-- HE rate (HE per 100 inhabitants 16-64) by benefit type in the latest statistics year.
with latest as (
    select max(year) as year from marts.fct_he_by_benefit
)
select
    h.association_name,
    h.year,
    h.benefit_type,
    round(h.full_year_equivalents) as full_year_equivalents,
    round(h.he_rate_pct, 2) as he_rate_pct
from marts.fct_he_by_benefit as h
inner join latest on h.year = latest.year
order by h.association_name, h.benefit_type
