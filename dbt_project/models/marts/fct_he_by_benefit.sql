-- HE by benefit type per association and statistics year, members as of 1 January.

with

he as (

    select * from {{ ref('int_association_he_by_year') }}

),

population as (

    select * from {{ ref('int_association_he_population_by_year') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

final as (

    select
        he.association_id,
        he.year::integer as year,
        he.benefit_type,
        associations.association_name,
        he.full_year_equivalents::double as full_year_equivalents,
        population.age_band as he_age_band,
        population.he_population::bigint as he_population,
        -- SCB's own HE rate: HE per 100 inhabitants of its HE age band
        (100 * he.full_year_equivalents / nullif(population.he_population, 0))::double
            as he_rate_pct,
        he.n_municipalities,
        he.is_sample or coalesce(population.is_sample, false) as is_sample

    from he
    left join population
        on he.association_id = population.association_id
        and he.year = population.year
    left join associations
        on he.association_id = associations.association_id

)

select * from final
