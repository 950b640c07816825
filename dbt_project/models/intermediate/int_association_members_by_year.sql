-- A municipality counts for an association in year Y when it is a member on 1 January of
-- Y: the state decides the allocation for a whole budget year, so a member joining during
-- the year counts from the next year.

with

members as (

    select * from {{ ref('stg_reference__association_members') }}

),

years as (

    select * from {{ ref('int_years') }}

),

final as (

    select
        members.association_id,
        members.municipality_code,
        years.year,
        members.confidence,
        members.is_sample

    from members
    inner join years
        on {{ covers('members.valid_from', 'members.valid_to', 'years.year_start') }}

)

select * from final
