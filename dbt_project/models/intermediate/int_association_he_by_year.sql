-- HE of each association's members per year and benefit type (all sexes together).

with

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

full_year_equivalents as (

    select * from {{ ref('stg_scb__full_year_equivalents') }}
    where sex = 'total'

),

final as (

    select
        members.association_id,
        members.year,
        full_year_equivalents.benefit_type,
        sum(full_year_equivalents.full_year_equivalents) as full_year_equivalents,
        count(*) as n_municipalities,
        bool_or(full_year_equivalents.is_sample or members.is_sample) as is_sample

    from members
    inner join full_year_equivalents
        on members.municipality_code = full_year_equivalents.municipality_code
        and members.year = full_year_equivalents.year
    group by members.association_id, members.year, full_year_equivalents.benefit_type

)

select * from final
