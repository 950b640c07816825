with

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

members as (

    select * from {{ ref('stg_reference__association_members') }}

),

current_members as (

    select
        association_id,
        count(*) as n_member_municipalities

    from members
    where valid_from <= current_date
        and (valid_to is null or valid_to >= current_date)
    group by association_id

),

final as (

    select
        associations.association_id,
        associations.association_name,
        associations.county_code,
        associations.founded,
        associations.dissolved,
        coalesce(current_members.n_member_municipalities, 0) as n_member_municipalities,
        associations.note,
        associations.is_sample

    from associations
    left join current_members
        on associations.association_id = current_members.association_id

)

select * from final
