with

source as (

    select * from {{ source('scb', 'he_population_share') }}

),

renamed as (

    select
        ----------  ids
        municipality_code::varchar as municipality_code,

        ---------- dimensions
        year::integer as year,
        sex::varchar as sex,
        age_band::varchar as age_band,

        ---------- numerics
        population::bigint as population,
        share_pct::double as share_pct,

        ---------- lineage
        provenance::varchar as provenance,
        {{ lineage_columns() }}

    from source

)

select * from renamed
