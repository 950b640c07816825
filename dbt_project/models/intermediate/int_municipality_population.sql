-- Population in the allocation model's age band of each data year (16-64 in the older
-- orders of the statistics, 16-65 in the current one; seeds/allocation_parameters.csv),
-- per municipality and data year.

with

population as (

    select * from {{ ref('stg_scb__population') }}

),

age_bands as (

    select distinct
        data_year,
        population_age_min,
        population_age_max

    from {{ ref('int_allocation_parameters') }}

),

final as (

    select
        population.municipality_code,
        population.year,
        age_bands.population_age_min || '-' || age_bands.population_age_max as age_band,
        sum(population.population) as population_in_age_band,
        {{ least_real('population.provenance') }} as provenance,
        bool_or(population.is_sample) as is_sample

    from population
    inner join age_bands
        on population.year = age_bands.data_year
        and population.age between age_bands.population_age_min and age_bands.population_age_max
    group by population.municipality_code, population.year, age_band

)

select * from final
