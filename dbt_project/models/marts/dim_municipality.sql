-- One row per municipality with where it stands today: the association it belongs to,
-- documented as outside every association, or unplaced (the registry does not say).

with

municipalities as (

    select * from {{ ref('stg_reference__municipalities') }}

),

members as (

    select * from {{ ref('stg_reference__association_members') }}
    where {{ covers('valid_from', 'valid_to', 'current_date') }}

),

outside as (

    select * from {{ ref('stg_reference__municipalities_outside') }}
    where {{ covers('valid_from', 'valid_to', 'current_date') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

final as (

    select
        municipalities.municipality_code,
        municipalities.municipality_name,
        municipalities.county_code,
        municipalities.county_name,
        members.association_id,
        associations.association_name,
        {{ placement('members.association_id', 'outside.municipality_code') }} as placement,
        members.confidence as membership_confidence,
        municipalities.is_sample

    from municipalities
    left join members
        on municipalities.municipality_code = members.municipality_code
    left join outside
        on municipalities.municipality_code = outside.municipality_code
    left join associations
        on members.association_id = associations.association_id

)

select * from final
