-- The population SCB relates HE to, per municipality and statistics year: inhabitants aged
-- 20-64, both sexes (SCB's HE rates are per inhabitants 20-64; ingestion/sources/scb_he.py
-- AGE_BAND). The raw table's grain has an age band; the band is chosen here, once, so the
-- models that join this on municipality and year get one row each: a second band in the
-- raw table is left out, not added to the first.

with

he_population as (

    select * from {{ ref('stg_scb__he_population_share') }}
    where sex = 'total'
        and age_band = '20-64'

),

final as (

    select
        municipality_code,
        year,
        age_band,
        population as he_population,
        provenance,
        is_sample

    from he_population

)

select * from final
