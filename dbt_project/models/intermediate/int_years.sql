-- Every year some model needs: statistics years, the budget years they feed
-- (year + data_year_lag) and the years covered by reports and unemployment months.

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

years as (

    select year from population
    union
    select year + {{ var('data_year_lag') }} from population
    union
    select year from full_year_equivalents
    union
    select year + {{ var('data_year_lag') }} from full_year_equivalents
    union
    select year(month) from unemployment
    union
    select year(period_start) from report_figures

),

final as (

    select
        year,
        make_date(year, 1, 1) as year_start

    from years
    where year is not null

)

select * from final
