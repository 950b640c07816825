-- The idealfördelning: the state's model applied to every association with members in
-- budget year Y.
--   ideal_state = base + (state_pot - base * n_associations)
--                 * (measure_weight * measure share + population_weight * population share)
--   ideal budget = budget_multiplier * ideal_state  (the members match the state's half)

with

inputs as (

    select * from {{ ref('int_allocation_inputs') }}

),

municipality_population as (

    select * from {{ ref('int_municipality_population') }}

),

country as (

    select
        year as data_year,
        sum(population_16_64) as country_population_16_64

    from municipality_population
    group by year

),

association_totals as (

    select
        year,
        count(*) as n_associations,
        sum(population_16_64) as total_population_16_64,
        sum(measure_value) as total_measure_value,
        sum(full_year_equivalents) as total_full_year_equivalents

    from inputs
    group by year
    -- budget years whose data year has no statistics yet get no ideal allocation
    having sum(population_16_64) is not null and sum(measure_value) is not null

),

shares as (

    select
        inputs.*,
        association_totals.n_associations,
        inputs.population_16_64 / association_totals.total_population_16_64 as population_share,
        inputs.measure_value / association_totals.total_measure_value as measure_share,
        inputs.full_year_equivalents / association_totals.total_full_year_equivalents as he_share,
        -- the shares are only comparable with the state's when (nearly) every municipality
        -- is in a known association: a partial registry inflates every ideal
        association_totals.total_population_16_64 / country.country_population_16_64
            as member_population_coverage,
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
