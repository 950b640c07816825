with

source as (

    select * from {{ source('reference', 'municipalities') }}

),

renamed as (

    select
        ----------  ids
        municipality_code::varchar as municipality_code,
        county_code::varchar as county_code,

        ---------- text
        municipality_name::varchar as municipality_name,
        county_name::varchar as county_name,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
