-- The allocation model's parameters per budget year as this build used them (the seed, or a
-- scenario's vars), with how sure each is: the exports say which years rest on unconfirmed
-- or carried-forward values, and the report's what-if starts from these values.

with

parameters as (

    select * from {{ ref('int_allocation_parameters') }}

),

final as (

    select
        year::integer as year,
        data_year::integer as data_year,
        (year - data_year)::integer as data_year_lag,
        data_year_lag_status::varchar as data_year_lag_status,
        state_pot_sek::decimal(18, 2) as state_pot_sek,
        state_pot_sek_status::varchar as state_pot_sek_status,
        base_per_association_sek::decimal(18, 2) as base_per_association_sek,
        base_per_association_sek_status::varchar as base_per_association_sek_status,
        measure_weight::double as measure_weight,
        measure_weight_status::varchar as measure_weight_status,
        population_weight::double as population_weight,
        population_weight_status::varchar as population_weight_status,
        association_count::integer as association_count,
        association_count_status::varchar as association_count_status,
        population_age_min::integer as population_age_min,
        population_age_max::integer as population_age_max,
        age_band_status::varchar as age_band_status,
        ({{ var('budget_multiplier') }})::double as budget_multiplier

    from parameters

)

select * from final
