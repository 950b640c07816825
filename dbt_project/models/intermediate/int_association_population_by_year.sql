-- Population 16-64 (the model's age band) of each association's members in the same year.

with

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

population as (

    select * from {{ ref('int_municipality_population') }}

),

final as (

    select
        members.association_id,
        members.year,
        sum(population.population_16_64) as population_16_64,
        bool_or(population.is_sample or members.is_sample) as is_sample

    from members
    inner join population
        on members.municipality_code = population.municipality_code
        and members.year = population.year
    group by members.association_id, members.year

)

select * from final
