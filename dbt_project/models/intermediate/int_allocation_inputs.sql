-- The allocation keys of each association for budget year Y: the members on 1 January of
-- Y, with their statistics of the data year Y - data_year_lag.

with

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

population as (

    select * from {{ ref('int_municipality_population') }}

),

measure as (

    select * from {{ ref('int_municipality_allocation_measure') }}

),

full_year_equivalents as (

    select * from {{ ref('stg_scb__full_year_equivalents') }}
    where sex = 'total' and benefit_type = 'total'

),

members_with_data_year as (

    select
        *,
        year - {{ var('data_year_lag') }} as data_year

    from members

),

final as (

    select
        members.association_id,
        members.year,
        members.data_year,
        count(*) as n_member_municipalities,
        -- a member without statistics would silently shrink the sums: count them
        count(population.population_16_64) as n_members_with_population,
        count(measure.measure_value) as n_members_with_measure,
        sum(population.population_16_64) as population_16_64,
        sum(measure.measure_value) as measure_value,
        sum(full_year_equivalents.full_year_equivalents) as full_year_equivalents,
        bool_or(
            coalesce(members.is_sample, false)
            or coalesce(population.is_sample, false)
            or coalesce(measure.is_sample, false)
            or coalesce(full_year_equivalents.is_sample, false)
        ) as is_sample

    from members_with_data_year as members
    left join population
        on members.municipality_code = population.municipality_code
        and members.data_year = population.year
    left join measure
        on members.municipality_code = measure.municipality_code
        and members.data_year = measure.year
    left join full_year_equivalents
        on members.municipality_code = full_year_equivalents.municipality_code
        and members.data_year = full_year_equivalents.year
    group by members.association_id, members.year, members.data_year

)

select * from final
