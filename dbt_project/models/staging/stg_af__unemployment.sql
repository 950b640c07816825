with

source as (

    select * from {{ source('af', 'unemployment') }}

),

renamed as (

    select
        ----------  ids
        municipality_code::varchar as municipality_code,

        ---------- dimensions
        month::date as month,
        age_band::varchar as age_band,
        sex::varchar as sex,
        measure::varchar as measure,

        ---------- numerics
        -- null persons = masked by the producer ("<5"), not zero.
        persons::bigint as persons,
        -- a 12-month mean with decimals; exact decimals keep sums identical run to run
        labour_force::decimal(18, 6) as labour_force,
        share_pct::double as share_pct,

        ---------- lineage
        provenance::varchar as provenance,
        {{ lineage_columns() }}

    from source

)

select * from renamed
