-- Every budget year's state ideals in the mart, the 'unplaced' row included, must add up to
-- that year's pot within 1 krona. Fails when the shares are taken over a partial set of
-- municipalities, the weights do not add up to 1, or a base amount is lost or counted twice;
-- and when a year's rows with an ideal disagree on the pot or lack it.

with

funding as (

    select * from {{ ref('fct_funding_vs_ideal') }}
    where ideal_state_allocation_sek is not null

),

totals as (

    select
        year,
        sum(ideal_state_allocation_sek) as total_ideal_state_allocation_sek,
        any_value(state_pot_sek) as state_pot_sek,
        count(distinct state_pot_sek) as n_state_pots,
        count(*) - count(state_pot_sek) as n_rows_without_pot

    from funding
    group by year

),

final as (

    select * from totals
    where n_state_pots <> 1
        or n_rows_without_pot > 0
        or abs(total_ideal_state_allocation_sek - state_pot_sek) > 1

)

select * from final
