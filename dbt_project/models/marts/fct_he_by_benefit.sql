-- HE by benefit type per association and statistics year, members as of 1 January.

with

he as (

    select * from {{ ref('int_association_he_by_year') }}

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
        he.he_age_band,
        he.he_population::bigint as he_population,
        -- SCB's own HE rate: HE per 100 inhabitants of its HE age band
        (100 * he.full_year_equivalents / nullif(he.he_population, 0))::double as he_rate_pct,
        he.n_municipalities,
        he.he_provenance,
        he.he_population_provenance,
        he.is_sample

    from he
    left join associations
        on he.association_id = associations.association_id

)

select * from final
