with

source as (

    -- A rejected figure (outside the range its metric can take: a misreading or a misprint)
    -- stays in the raw table with its source line and its error in raw.report_issues; it
    -- never reaches the casts below, whose decimal(18, 2) it might not fit.
    select * from {{ source('reports', 'report_figures') }}
    where check_status <> 'rejected'

),

renamed as (

    select
        ----------  ids
        document_id::varchar as document_id,
        association_id::varchar as association_id,

        ---------- text
        association::varchar as association_name_as_printed,
        report_type::varchar as report_type,
        basis::varchar as basis,
        metric::varchar as metric,
        member::varchar as member,
        intervention::varchar as intervention,
        gender::varchar as gender,
        reason::varchar as reason,
        unit::varchar as unit_as_printed,
        origin::varchar as origin,
        check_status::varchar as check_status,
        check_messages::varchar as check_messages,
        raw_text::varchar as raw_text,
        source::varchar as source,

        ---------- numerics
        -- ingestion already scales money to kronor (tkr and mnkr are multiplied out).
        -- Exact decimals: sums of doubles vary in the last bit with DuckDB's thread
        -- scheduling, and two refreshes of the same input must give identical marts.
        value::decimal(18, 2) as value,
        page::integer as page,
        line::integer as line,

        ---------- dates
        period_start::date as period_start,
        period_end::date as period_end,
        loaded_at::timestamp as loaded_at,

        ---------- booleans
        check_status = 'flagged' as is_flagged,
        unit::varchar in ('kr', 'tkr', 'mnkr') as is_money,
        is_sample::boolean as is_sample

    from source

)

select * from renamed
