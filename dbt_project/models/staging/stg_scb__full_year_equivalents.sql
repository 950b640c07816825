with

source as (

    select * from {{ source('scb', 'full_year_equivalents') }}

),

renamed as (

    select
        ----------  ids
        municipality_code::varchar as municipality_code,

        ---------- dimensions
        year::integer as year,
        sex::varchar as sex,
        benefit_type::varchar as benefit_type,

        ---------- numerics
        -- Exact decimals so sums over municipalities are identical run to run.
        full_year_equivalents::decimal(18, 4) as full_year_equivalents,

        ---------- lineage
        provenance::varchar as provenance,
        {{ lineage_columns() }}

    from source

)

select * from renamed
