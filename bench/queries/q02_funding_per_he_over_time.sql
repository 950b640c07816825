-- Funding per HE (kronor of members' contributions per full-year equivalent) over time.
select
    association_name,
    year,
    data_year,
    round(funding_per_he_sek) as funding_per_he_sek,
    age_band,
    round(funding_per_inhabitant_sek) as funding_per_inhabitant_sek,
    contribution_basis
from marts.fct_funding_vs_ideal
where funding_per_he_sek is not null
order by association_name, year
