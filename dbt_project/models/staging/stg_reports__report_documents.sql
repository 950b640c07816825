with

source as (

    select * from {{ source('reports', 'report_documents') }}

),

renamed as (

    select
        ----------  ids
        document_id::varchar as document_id,
        association_id::varchar as association_id,

        ---------- text
        association::varchar as association_name_as_printed,
        association_status::varchar as association_status,
        association_candidates::varchar as association_candidates,
        report_type::varchar as report_type,
        period_evidence::varchar as period_evidence,
        status::varchar as status,
        error::varchar as error,
        source::varchar as source,
        reading::varchar as reading,

        ---------- numerics
        n_figures::integer as n_figures,
        arithmetic_checks_passed::integer as arithmetic_checks_passed,
        arithmetic_checks_possible::integer as arithmetic_checks_possible,

        ---------- dates
        period_start::date as period_start,
        period_end::date as period_end,
        loaded_at::timestamp as loaded_at,

        ---------- booleans
        is_sample::boolean as is_sample

    from source

)

select * from renamed
