with

source as (

    select * from {{ source('scb', 'population') }}

),

renamed as (

    select
        ----------  ids
        municipality_code::varchar as municipality_code,

        ---------- dimensions
        year::integer as year,
        age::integer as age,
        sex::varchar as sex,

        ---------- numerics
        population::bigint as population,

        ---------- lineage
        provenance::varchar as provenance,
        {{ lineage_columns() }}

    from source

)

select * from renamed
