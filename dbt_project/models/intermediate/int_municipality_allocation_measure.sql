-- The need measure that gets measure_weight in the allocation, per municipality and year.
-- Only HE is implemented; another measure (e.g. försörjningsmått in kronor) is added as one
-- more CTE `<measure>_measure` of the same shape, listed in macros/allocation_measure.sql.

{%- set excluded = var('allocation_excluded_benefit_types') %}
{#- accept a single benefit type given as a string on the command line #}
{%- if excluded is string %}{% set excluded = [excluded] %}{% endif %}

with

full_year_equivalents as (

    select * from {{ ref('stg_scb__full_year_equivalents') }}
    where sex = 'total'

),

full_year_equivalents_measure as (

    select
        municipality_code,
        year,
        sum(full_year_equivalents) filter (where benefit_type = 'total')
        {%- if excluded %}
        - coalesce(sum(full_year_equivalents) filter (
            where benefit_type in ('{{ excluded | join("', '") }}')
        ), 0)
        {%- endif %} as measure_value,
        {{ least_real('provenance') }} as provenance,
        bool_or(is_sample) as is_sample

    from full_year_equivalents
    group by municipality_code, year

),

final as (

    select
        municipality_code,
        year,
        '{{ allocation_measure() }}' as allocation_measure,
        measure_value,
        provenance,
        is_sample

    -- the CTE named after var('allocation_measure')
    from {{ allocation_measure() }}_measure

)

select * from final
