-- The allocation keys of each allocation unit and budget year Y: the statistics of data year
-- Y - lag summed over the unit's municipalities on 1 January of Y. A unit is a registered
-- association with members, 'unplaced' (municipalities the registry does not place) or
-- 'outside' (documented as outside every association; not in the denominators).

with

placement as (

    select * from {{ ref('int_municipality_placement_by_year') }}

),

parameters as (

    select * from {{ ref('int_allocation_parameters') }}

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

he_population as (

    -- one row per municipality and year: SCB's 20-64 band, both sexes
    select * from {{ ref('int_municipality_he_population') }}

),

municipality_inputs as (

    select
        coalesce(placement.association_id, placement.placement) as allocation_unit_id,
        placement.placement,
        placement.year,
        parameters.data_year,
        parameters.population_age_min || '-' || parameters.population_age_max as age_band,
        placement.municipality_code,
        population.population_in_age_band,
        measure.measure_value,
        full_year_equivalents.full_year_equivalents,
        he_population.he_population,
        population.provenance as population_provenance,
        measure.provenance as measure_provenance,
        placement.is_sample
        or coalesce(population.is_sample, false)
        or coalesce(measure.is_sample, false)
        or coalesce(full_year_equivalents.is_sample, false) as is_sample

    from placement
    inner join parameters
        on placement.year = parameters.year
    left join population
        on placement.municipality_code = population.municipality_code
        and parameters.data_year = population.year
    left join measure
        on placement.municipality_code = measure.municipality_code
        and parameters.data_year = measure.year
    left join full_year_equivalents
        on placement.municipality_code = full_year_equivalents.municipality_code
        and parameters.data_year = full_year_equivalents.year
    left join he_population
        on placement.municipality_code = he_population.municipality_code
        and parameters.data_year = he_population.year

),

final as (

    select
        allocation_unit_id,
        year,
        data_year,
        placement,
        age_band,
        count(*) as n_municipalities,
        -- a municipality without statistics would silently shrink the sums: count them
        count(population_in_age_band) as n_with_population,
        count(measure_value) as n_with_measure,
        sum(population_in_age_band) as population_in_age_band,
        sum(measure_value) as measure_value,
        sum(full_year_equivalents) as full_year_equivalents,
        sum(he_population) as he_population,
        {{ least_real('population_provenance') }} as population_provenance,
        {{ least_real('measure_provenance') }} as measure_provenance,
        bool_or(is_sample) as is_sample

    from municipality_inputs
    group by allocation_unit_id, year, data_year, placement, age_band

)

select * from final
