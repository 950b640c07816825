-- The idealfördelning: the state's model applied to every association with members in
-- budget year Y.
--   ideal_state = base + (state_pot - base * n_associations)
--                 * (measure_weight * measure share + population_weight * population share)
--   ideal budget = budget_multiplier * ideal_state  (the members match the state's half)
-- The shares are taken over the associations' member municipalities (share_scope
-- 'members', the model's own definition) or, while the registry is incomplete, over every
-- municipality of the country with association_count associations ('national').

{%- set scope = var('share_scope') %}
{%- if scope not in ('members', 'national') %}
    {{ exceptions.raise_compiler_error("share_scope must be 'members' or 'national', not " ~ scope) }}
{%- endif %}

with

inputs as (

    select * from {{ ref('int_allocation_inputs') }}

),

municipality_population as (

    select * from {{ ref('int_municipality_population') }}

),

municipality_measure as (

    select * from {{ ref('int_municipality_allocation_measure') }}

),

municipality_full_year_equivalents as (

    select * from {{ ref('stg_scb__full_year_equivalents') }}
    where sex = 'total' and benefit_type = 'total'

),

country as (

    select
        population.year as data_year,
        sum(population.population_16_64) as country_population_16_64,
        sum(measure.measure_value) as country_measure_value,
        sum(full_year_equivalents.full_year_equivalents) as country_full_year_equivalents

    from municipality_population as population
    left join municipality_measure as measure
        on population.municipality_code = measure.municipality_code
        and population.year = measure.year
    left join municipality_full_year_equivalents as full_year_equivalents
        on population.municipality_code = full_year_equivalents.municipality_code
        and population.year = full_year_equivalents.year
    group by population.year

),

association_totals as (

    select
        inputs.year,
        {%- if scope == 'members' %}
        count(*) as n_associations,
        sum(inputs.population_16_64) as total_population_16_64,
        sum(inputs.measure_value) as total_measure_value,
        sum(inputs.full_year_equivalents) as total_full_year_equivalents
        {%- else %}
        {{ var('association_count') }} as n_associations,
        any_value(country.country_population_16_64) as total_population_16_64,
        any_value(country.country_measure_value) as total_measure_value,
        any_value(country.country_full_year_equivalents) as total_full_year_equivalents
        {%- endif %}

    from inputs
    left join country
        on inputs.data_year = country.data_year
    group by inputs.year
    -- budget years whose data year has no statistics yet get no ideal allocation
    having sum(inputs.population_16_64) is not null and sum(inputs.measure_value) is not null

),

shares as (

    select
        inputs.*,
        association_totals.n_associations,
        inputs.population_16_64 / association_totals.total_population_16_64 as population_share,
        inputs.measure_value / association_totals.total_measure_value as measure_share,
        inputs.full_year_equivalents / association_totals.total_full_year_equivalents as he_share,
        -- the shares are only comparable with the state's when (nearly) every municipality
        -- is in a known association: a partial registry inflates every ideal ('members')
        sum(inputs.population_16_64) over (partition by inputs.year)
            / country.country_population_16_64 as member_population_coverage,
        inputs.n_members_with_population = inputs.n_member_municipalities
        and inputs.n_members_with_measure = inputs.n_member_municipalities
            as has_complete_inputs

    from inputs
    inner join association_totals
        on inputs.year = association_totals.year
    left join country
        on inputs.data_year = country.data_year

),

allocated as (

    select
        *,
        {{ var('base_per_association_sek') }}
        + ({{ var('state_pot_sek') }} - {{ var('base_per_association_sek') }} * n_associations)
        * (
            {{ var('measure_weight') }} * measure_share
            + {{ var('population_weight') }} * population_share
        ) as ideal_state_allocation_sek

    from shares

),

final as (

    select
        association_id,
        year,
        data_year,
        n_member_municipalities,
        n_associations,
        population_16_64,
        full_year_equivalents,
        '{{ allocation_measure() }}' as allocation_measure,
        measure_value,
        population_share,
        measure_share,
        he_share,
        ideal_state_allocation_sek,
        {{ var('budget_multiplier') }} * ideal_state_allocation_sek as ideal_allocation_sek,
        member_population_coverage,
        has_complete_inputs,
        is_sample

    from allocated

)

select * from final
