-- The allocation model's parameters for each budget year, read from
-- seeds/allocation_parameters.csv (or a scenario var): pot, base, weights, the documented
-- number of associations, the data year and the population age band of that data year.
-- Budget years lacking any of them (before the model of 2016) get no row.

with

parameters as (

    select * from {{ ref('allocation_parameters') }}

),

years as (

    select * from {{ ref('int_years') }}

),

values_by_year as (

    select
        years.year,
        parameters.parameter,
        parameters.value,
        parameters.status

    from years
    inner join parameters
        on parameters.year_kind = 'budget_year'
        and years.year >= parameters.first_year
        and (parameters.last_year is null or years.year <= parameters.last_year)

),

budget_years as (

    select
        year,
        {%- for name in ['state_pot_sek', 'base_per_association_sek', 'measure_weight',
                         'population_weight', 'association_count', 'data_year_lag'] %}
        any_value(value) filter (where parameter = '{{ name }}') as {{ name }},
        any_value(status) filter (where parameter = '{{ name }}') as {{ name }}_status
        {{- ',' if not loop.last }}
        {%- endfor %}

    from values_by_year
    group by year

),

with_overrides as (

    select
        year,
        year - {{ allocation_parameter('data_year_lag', 'data_year_lag') }}::integer
            as data_year,
        {%- for name in ['state_pot_sek', 'base_per_association_sek'] %}
        ({{ allocation_parameter(name, name) }})::decimal(18, 2) as {{ name }},
        {{ allocation_parameter_status(name, name ~ '_status') }} as {{ name }}_status,
        {%- endfor %}
        {%- for name in ['measure_weight', 'population_weight'] %}
        ({{ allocation_parameter(name, name) }})::decimal(18, 4) as {{ name }},
        {{ allocation_parameter_status(name, name ~ '_status') }} as {{ name }}_status,
        {%- endfor %}
        ({{ allocation_parameter('association_count', 'association_count') }})::integer
            as association_count,
        {{ allocation_parameter_status('association_count', 'association_count_status') }}
            as association_count_status,
        {{ allocation_parameter_status('data_year_lag', 'data_year_lag_status') }}
            as data_year_lag_status

    from budget_years

),

-- the age band is a parameter of the statistics year, looked up for each budget year's
-- data year
age_bands as (

    select
        with_overrides.year,
        {%- for name in ['population_age_min', 'population_age_max'] %}
        any_value(parameters.value) filter (where parameters.parameter = '{{ name }}') as {{ name }},
        any_value(parameters.status) filter (where parameters.parameter = '{{ name }}')
            as {{ name }}_status
        {{- ',' if not loop.last }}
        {%- endfor %}

    from with_overrides
    inner join parameters
        on parameters.year_kind = 'data_year'
        and with_overrides.data_year >= parameters.first_year
        and (parameters.last_year is null or with_overrides.data_year <= parameters.last_year)
    group by with_overrides.year

),

final as (

    select
        with_overrides.*,
        ({{ allocation_parameter('population_age_min', 'age_bands.population_age_min') }})::integer
            as population_age_min,
        ({{ allocation_parameter('population_age_max', 'age_bands.population_age_max') }})::integer
            as population_age_max,
        {{ allocation_parameter_status('population_age_max', 'age_bands.population_age_max_status') }}
            as age_band_status

    from with_overrides
    left join age_bands
        on with_overrides.year = age_bands.year
    where with_overrides.state_pot_sek is not null
        and with_overrides.base_per_association_sek is not null
        and with_overrides.measure_weight is not null
        and with_overrides.population_weight is not null
        and with_overrides.association_count is not null
        and with_overrides.data_year is not null

)

select * from final
