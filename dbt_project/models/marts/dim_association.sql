-- One row per samordningsförbund in the registry, active or ended, with its members today.

with

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

members as (

    select * from {{ ref('stg_reference__association_members') }}

),

member_counts as (

    select
        association_id,
        count(*) filter (
            where {{ covers('valid_from', 'valid_to', 'current_date') }}
        ) as n_member_municipalities,
        count(*) as n_membership_rows

    from members
    group by association_id

),

final as (

    select
        associations.association_id,
        associations.association_name,
        associations.aliases,
        associations.county_code,
        associations.founded,
        associations.dissolved,
        associations.successor_id,
        {{ covers('associations.founded', 'associations.dissolved', 'current_date') }}
            as is_active,
        coalesce(member_counts.n_member_municipalities, 0)::bigint as n_member_municipalities,
        coalesce(member_counts.n_membership_rows, 0) > 0 as has_known_members,
        associations.note,
        associations.source as source_url,
        associations.is_sample

    from associations
    left join member_counts
        on associations.association_id = member_counts.association_id

)

select * from final
