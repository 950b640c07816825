with

source as (

    select * from {{ source('reports', 'report_issues') }}

),

renamed as (

    select
        ----------  ids
        document_id::varchar as document_id,

        ---------- text
        check_name::varchar as check_name,
        severity::varchar as severity,
        message::varchar as message,
        source::varchar as source,

        ---------- numerics
        line::integer as line,

        ---------- dates
        loaded_at::timestamp as loaded_at

    from source

)

select * from renamed
