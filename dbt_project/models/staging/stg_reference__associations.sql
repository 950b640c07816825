with

source as (

    select * from {{ source('reference', 'associations') }}

),

renamed as (

    select
        ----------  ids
        association_id::varchar as association_id,
        county_code::varchar as county_code,
        successor_id::varchar as successor_id,

        ---------- text
        association_name::varchar as association_name,
        aliases::varchar as aliases,
        note::varchar as note,

        ---------- dates
        founded::date as founded,
        -- last day of the association, inclusive; null = still active
        dissolved::date as dissolved,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
