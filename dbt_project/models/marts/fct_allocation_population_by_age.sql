-- Population by single year of age of every allocation unit (a registered association with
-- members, or 'unplaced') for each budget year, from the statistics of its data year: what
-- the ideal allocation needs to be recomputed with another age band (the report's what-if).
-- Same units, joins and sums as int_allocation_inputs, one age at a time: summed over the
-- model's band it is population_in_age_band of fct_funding_vs_ideal.

with

placement as (

    -- the documented outsiders are in no denominator
    select * from {{ ref('int_municipality_placement_by_year') }}
    where placement <> 'outside'

),

parameters as (

    select * from {{ ref('int_allocation_parameters') }}

),

population as (

    select * from {{ ref('stg_scb__population') }}

),

final as (

    select
        coalesce(placement.association_id, placement.placement)::varchar as association_id,
        placement.year::integer as year,
        parameters.data_year::integer as data_year,
        population.age::integer as age,
        sum(population.population)::bigint as population,
        bool_or(placement.is_sample or population.is_sample)::boolean as is_sample

    from placement
    inner join parameters
        on placement.year = parameters.year
    inner join population
        on placement.municipality_code = population.municipality_code
        and parameters.data_year = population.year
    group by all

)

select * from final
