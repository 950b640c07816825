with

municipalities as (

    select * from {{ ref('stg_reference__municipalities') }}

),

members as (

    select * from {{ ref('stg_reference__association_members') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

current_members as (

    select * from members
    where valid_from <= current_date
        and (valid_to is null or valid_to >= current_date)

),

final as (

    select
        municipalities.municipality_code,
        municipalities.municipality_name,
        municipalities.county_code,
        municipalities.county_name,
        current_members.association_id,
        associations.association_name,
        municipalities.is_sample

    from municipalities
    left join current_members
        on municipalities.municipality_code = current_members.municipality_code
    left join associations
        on current_members.association_id = associations.association_id

)

select * from final
