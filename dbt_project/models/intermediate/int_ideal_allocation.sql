-- The idealfördelning: the state's model applied to every allocation unit and budget year.
--   ideal_state = base * base_amounts
--                 + distributed_pot * (measure_weight * measure_share
--                                      + population_weight * population_share)
--   distributed_pot = state_pot - base * n_base_amounts;  ideal budget = multiplier * ideal_state
-- The shares are always taken over the country less the municipalities documented as
-- outside every association, so a partial registry can never inflate an ideal. When the
-- registry places every other municipality and every active association has members
-- (scope 'members'), each association gets one base amount. Otherwise (scope
-- 'country_less_outside') the base is counted for the documented number of associations,
-- and what the registry cannot place is one explicit 'unplaced' row with its own keys and
-- the base amounts of the associations it lacks, so each year's ideals add up to the pot.

with

inputs as (

    select * from {{ ref('int_allocation_inputs') }}

),

parameters as (

    select * from {{ ref('int_allocation_parameters') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

active_associations as (

    select
        parameters.year,
        associations.association_id

    from parameters
    inner join associations
        on {{ covers('associations.founded', 'associations.dissolved',
                     'make_date(parameters.year, 1, 1)') }}

),

active_counts as (

    select
        active_associations.year,
        count(*) filter (where inputs.allocation_unit_id is null) as n_active_without_members

    from active_associations
    left join inputs
        on active_associations.association_id = inputs.allocation_unit_id
        and active_associations.year = inputs.year
    group by active_associations.year

),

years as (

    select
        inputs.year,
        count(*) filter (where inputs.placement = 'member') as n_associations_with_members,
        coalesce(sum(inputs.n_municipalities) filter (where inputs.placement = 'unplaced'), 0)
            as n_unplaced_municipalities,
        sum(inputs.population_in_age_band) filter (where inputs.placement <> 'outside')
            as denominator_population,
        sum(inputs.measure_value) filter (where inputs.placement <> 'outside')
            as denominator_measure,
        sum(inputs.full_year_equivalents) filter (where inputs.placement <> 'outside')
            as denominator_full_year_equivalents,
        sum(inputs.population_in_age_band) as country_population,
        sum(inputs.population_in_age_band) filter (where inputs.placement = 'member')
            as placed_population,
        -- every ideal of the year depends on the statistics of the whole denominator
        {{ provenance_of_rank(
            'greatest(max(' ~ provenance_rank('inputs.population_provenance')
            ~ ") filter (where inputs.placement <> 'outside'), max("
            ~ provenance_rank('inputs.measure_provenance')
            ~ ") filter (where inputs.placement <> 'outside'))") }} as ideal_provenance

    from inputs
    group by inputs.year
    -- budget years whose data year has no statistics yet get no ideal allocation
    having sum(inputs.population_in_age_band) filter (where inputs.placement <> 'outside') > 0
        and sum(inputs.measure_value) filter (where inputs.placement <> 'outside') > 0

),

scoped as (

    select
        years.*,
        parameters.data_year,
        parameters.state_pot_sek,
        parameters.base_per_association_sek,
        parameters.measure_weight,
        parameters.population_weight,
        parameters.population_age_min || '-' || parameters.population_age_max as age_band,
        case
            when years.n_unplaced_municipalities = 0
                and coalesce(active_counts.n_active_without_members, 0) = 0
                then 'members'
            else 'country_less_outside'
        end as share_scope,
        'pot ' || parameters.state_pot_sek_status
        || ', base ' || parameters.base_per_association_sek_status
        || ', weights ' || parameters.measure_weight_status
        || ', associations ' || parameters.association_count_status
        || ', data-year lag ' || parameters.data_year_lag_status
        || ', age band ' || coalesce(parameters.age_band_status, 'missing')
            as parameter_status,
        parameters.association_count

    from years
    inner join parameters
        on years.year = parameters.year
    left join active_counts
        on years.year = active_counts.year

),

with_base_count as (

    select
        *,
        case share_scope
            when 'members' then n_associations_with_members
            else greatest(association_count, n_associations_with_members)
        end as n_base_amounts

    from scoped

),

units as (

    select
        inputs.*,
        1 as base_amounts

    from inputs
    where inputs.placement = 'member'

    union all by name

    -- the rest of the country the registry does not place, with the base amounts of the
    -- associations it does not know (present even when every municipality is placed)
    select
        'unplaced' as allocation_unit_id,
        with_base_count.year,
        with_base_count.data_year,
        'unplaced' as placement,
        with_base_count.age_band,
        coalesce(inputs.n_municipalities, 0) as n_municipalities,
        coalesce(inputs.n_with_population, 0) as n_with_population,
        coalesce(inputs.n_with_measure, 0) as n_with_measure,
        coalesce(inputs.population_in_age_band, 0) as population_in_age_band,
        coalesce(inputs.measure_value, 0) as measure_value,
        coalesce(inputs.full_year_equivalents, 0) as full_year_equivalents,
        coalesce(inputs.he_population, 0) as he_population,
        inputs.population_provenance,
        inputs.measure_provenance,
        coalesce(inputs.is_sample, false) as is_sample,
        with_base_count.n_base_amounts - with_base_count.n_associations_with_members
            as base_amounts

    from with_base_count
    left join inputs
        on with_base_count.year = inputs.year
        and inputs.placement = 'unplaced'
    where with_base_count.share_scope = 'country_less_outside'

),

shares as (

    select
        units.allocation_unit_id as association_id,
        units.year,
        units.data_year,
        with_base_count.share_scope,
        units.age_band,
        units.n_municipalities,
        units.n_with_population = units.n_municipalities
        and units.n_with_measure = units.n_municipalities as has_complete_inputs,
        units.base_amounts,
        with_base_count.n_base_amounts,
        with_base_count.state_pot_sek,
        with_base_count.base_per_association_sek,
        with_base_count.state_pot_sek
        - with_base_count.base_per_association_sek * with_base_count.n_base_amounts
            as distributed_pot_sek,
        with_base_count.measure_weight,
        with_base_count.population_weight,
        units.population_in_age_band,
        units.measure_value,
        units.full_year_equivalents,
        units.he_population,
        units.population_in_age_band / with_base_count.denominator_population
            as population_share,
        units.measure_value / with_base_count.denominator_measure as measure_share,
        units.full_year_equivalents / with_base_count.denominator_full_year_equivalents
            as he_share,
        with_base_count.denominator_population,
        with_base_count.country_population,
        with_base_count.denominator_population / with_base_count.country_population
            as denominator_population_coverage,
        with_base_count.placed_population / with_base_count.country_population
            as registry_population_coverage,
        with_base_count.parameter_status,
        units.population_provenance,
        units.measure_provenance,
        with_base_count.ideal_provenance,
        units.is_sample

    from units
    inner join with_base_count
        on units.year = with_base_count.year

),

final as (

    select
        *,
        round(
            base_per_association_sek * base_amounts
            + distributed_pot_sek * (
                measure_weight * measure_share + population_weight * population_share
            ),
            2
        )::decimal(18, 2) as ideal_state_allocation_sek,
        '{{ allocation_measure() }}' as allocation_measure

    from shares

)

select
    *,
    ({{ var('budget_multiplier') }} * ideal_state_allocation_sek)::decimal(18, 2)
        as ideal_allocation_sek

from final
