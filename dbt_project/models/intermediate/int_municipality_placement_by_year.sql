-- Where every municipality of the country stands on 1 January of each year: a member of a
-- registered association, documented as outside every association, or unplaced (the
-- registry does not say). The allocation's denominators are the country less the
-- documented outsiders, so an unplaced municipality still counts, in the 'unplaced' row.

with

municipalities as (

    select * from {{ ref('stg_reference__municipalities') }}

),

years as (

    select * from {{ ref('int_years') }}

),

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

outside as (

    select * from {{ ref('stg_reference__municipalities_outside') }}

),

final as (

    select
        municipalities.municipality_code,
        years.year,
        members.association_id,
        {{ placement('members.association_id', 'outside.municipality_code') }} as placement,
        members.confidence as membership_confidence,
        coalesce(members.is_sample, false) or municipalities.is_sample as is_sample

    from municipalities
    cross join years
    left join members
        on municipalities.municipality_code = members.municipality_code
        and years.year = members.year
    left join outside
        on municipalities.municipality_code = outside.municipality_code
        and {{ covers('outside.valid_from', 'outside.valid_to', 'years.year_start') }}

)

select * from final
