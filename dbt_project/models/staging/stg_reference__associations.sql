with

source as (

    select * from {{ source('reference', 'associations') }}

),

renamed as (

    select
        ----------  ids
        association_id::varchar as association_id,
        county_code::varchar as county_code,

        ---------- text
        association_name::varchar as association_name,
        name_patterns::varchar as name_patterns,
        confidence::varchar as confidence,
        note::varchar as note,

        ---------- dates
        founded::date as founded,
        dissolved::date as dissolved,

        ---------- lineage
        source::varchar as source,
        is_sample::boolean as is_sample,
        loaded_at::timestamp as loaded_at

    from source

)

select * from renamed
