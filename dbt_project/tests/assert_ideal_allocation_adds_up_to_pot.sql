-- Every budget year's state ideals in the mart, the 'unplaced' row included, must add up to
-- that year's pot within 1 krona. Fails when the shares are taken over a partial set of
-- municipalities, the weights do not add up to 1, or a base amount is lost or counted twice.
-- It reads two models; the meta tells Dagster to show it as a check of the mart.

{{ config(meta={'dagster': {'ref': {'name': 'fct_funding_vs_ideal'}}}) }}

with

parameters as (

    select * from {{ ref('int_allocation_parameters') }}

),

funding as (

    select * from {{ ref('fct_funding_vs_ideal') }}

),

totals as (

    select
        year,
        sum(ideal_state_allocation_sek) as total_ideal_state_allocation_sek

    from funding
    where ideal_state_allocation_sek is not null
    group by year

)

select
    totals.year,
    totals.total_ideal_state_allocation_sek,
    parameters.state_pot_sek

from totals
inner join parameters
    on totals.year = parameters.year
where abs(totals.total_ideal_state_allocation_sek - parameters.state_pot_sek) > 1
