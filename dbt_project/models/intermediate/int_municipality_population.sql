-- Population in the allocation model's age band (vars population_age_min/max).

with

population as (

    select * from {{ ref('stg_scb__population') }}

),

final as (

    select
        municipality_code,
        year,
        sum(population) as population_16_64,
        bool_or(is_sample) as is_sample

    from population
    where age between {{ var('population_age_min') }} and {{ var('population_age_max') }}
    group by municipality_code, year

)

select * from final
