-- HE of each association's members per year and benefit type (all sexes together), with
-- the population SCB relates HE to (its HE tables' age band, 20-64; one row per
-- municipality and year in int_municipality_he_population): the numerator and the
-- denominator of SCB's own HE rate.

with

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

full_year_equivalents as (

    select * from {{ ref('stg_scb__full_year_equivalents') }}
    where sex = 'total'

),

he_population as (

    select * from {{ ref('int_municipality_he_population') }}

),

final as (

    select
        members.association_id,
        members.year,
        full_year_equivalents.benefit_type,
        sum(full_year_equivalents.full_year_equivalents) as full_year_equivalents,
        any_value(he_population.age_band) as he_age_band,
        sum(he_population.he_population) as he_population,
        count(*) as n_municipalities,
        {{ least_real('full_year_equivalents.provenance') }} as he_provenance,
        {{ least_real('he_population.provenance') }} as he_population_provenance,
        bool_or(full_year_equivalents.is_sample or members.is_sample
                or coalesce(he_population.is_sample, false)) as is_sample

    from members
    inner join full_year_equivalents
        on members.municipality_code = full_year_equivalents.municipality_code
        and members.year = full_year_equivalents.year
    left join he_population
        on members.municipality_code = he_population.municipality_code
        and members.year = he_population.year
    group by members.association_id, members.year, full_year_equivalents.benefit_type

)

select * from final
