-- Every budget year's ideal allocations must add up to the national budget pot
-- (state_pot_sek * budget_multiplier). Fails when measure_weight + population_weight <> 1.
-- With share_scope 'national' the registered associations get only their part of it.
{{ config(enabled=var('share_scope') == 'members') }}

with

ideal as (

    select * from {{ ref('int_ideal_allocation') }}

),

totals as (

    select
        year,
        sum(ideal_allocation_sek) as total_ideal_allocation_sek,
        {{ var('state_pot_sek') }} * {{ var('budget_multiplier') }} as national_pot_sek

    from ideal
    group by year

)

select * from totals
where abs(total_ideal_allocation_sek - national_pot_sek) > 1

