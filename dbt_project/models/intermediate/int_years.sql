-- Every year some model needs, without gaps: from the first year of any statistics, report
-- or unemployment month to the last, plus the largest data-year lag so the budget years fed
-- by the latest statistics are there too.

with

population as (

    select * from {{ ref('stg_scb__population') }}

),

full_year_equivalents as (

    select * from {{ ref('stg_scb__full_year_equivalents') }}

),

unemployment as (

    select * from {{ ref('stg_af__unemployment') }}

),

report_figures as (

    select * from {{ ref('stg_reports__report_figures') }}

),

parameters as (

    select * from {{ ref('allocation_parameters') }}

),

observed as (

    select year from population
    union all
    select year from full_year_equivalents
    union all
    select year(month) from unemployment
    union all
    select year(period_start) from report_figures

),

largest_lag as (

    select
        {{ allocation_parameter(
            'data_year_lag',
            "coalesce(max(value) filter (where parameter = 'data_year_lag'), 0)"
        ) }}::integer as lag

    from parameters

),

bounds as (

    select
        min(observed.year) as first_year,
        max(observed.year) + any_value(largest_lag.lag) as last_year

    from observed
    cross join largest_lag

),

years as (

    select unnest(generate_series(first_year, last_year)) as year
    from bounds

),

final as (

    select
        year,
        make_date(year, 1, 1) as year_start

    from years

)

select * from final
