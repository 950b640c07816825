with

source as (

    select * from {{ source('reference', 'association_members') }}

),

renamed as (

    select
        ----------  ids
        association_id::varchar as association_id,
        municipality_code::varchar as municipality_code,

        ---------- text
        confidence::varchar as confidence,
        note::varchar as note,

        ---------- dates
        valid_from::date as valid_from,
        -- last day of the membership, inclusive; null = still a member
        valid_to::date as valid_to,

        ---------- lineage
        {{ lineage_columns() }}

    from source

)

select * from renamed
