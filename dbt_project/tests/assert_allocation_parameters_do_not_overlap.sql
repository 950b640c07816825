-- Two rows of one parameter in seeds/allocation_parameters.csv must not cover the same
-- year: the per-year table would otherwise pick one of them silently.

with

spans as (

    select
        parameter,
        first_year,
        coalesce(last_year, 9999) as last_year,
        row_number() over () as row_id

    from {{ ref('allocation_parameters') }}

)

select
    a.parameter,
    a.first_year,
    a.last_year,
    b.first_year as other_first_year,
    b.last_year as other_last_year

from spans as a
inner join spans as b
    on a.parameter = b.parameter
    and a.row_id < b.row_id
where a.first_year <= b.last_year
    and b.first_year <= a.last_year
