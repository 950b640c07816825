with

source as (

    select * from {{ source('reference', 'municipalities_outside') }}

),

renamed as (

    select
        ----------  ids
        municipality_code::varchar as municipality_code,

        ---------- text
        note::varchar as note,

        ---------- dates
        valid_from::date as valid_from,
        -- last day documented outside, inclusive; null = no later source says otherwise
        valid_to::date as valid_to,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
