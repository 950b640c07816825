-- The population SCB relates HE to (ages 20-64 in the HE tables) of each association's
-- members per year: the denominator of SCB's own HE rate.

with

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

he_population as (

    select * from {{ ref('stg_scb__he_population_share') }}
    where sex = 'total'

),

final as (

    select
        members.association_id,
        members.year,
        he_population.age_band,
        sum(he_population.population) as he_population,
        bool_or(he_population.is_sample or members.is_sample) as is_sample

    from members
    inner join he_population
        on members.municipality_code = he_population.municipality_code
        and members.year = he_population.year
    group by members.association_id, members.year, he_population.age_band

)

select * from final
