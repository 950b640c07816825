-- Unemployment per association and month: persons and labour force summed over the
-- members (members as of 1 January of the month's year), the share recomputed from the
-- sums (never an average of shares) over the members whose count is not masked.

with

unemployment as (

    select * from {{ ref('stg_af__unemployment') }}

),

members as (

    select * from {{ ref('int_association_members_by_year') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

aggregated as (

    select
        members.association_id,
        unemployment.month,
        unemployment.age_band,
        unemployment.sex,
        unemployment.measure,
        sum(unemployment.persons) as persons,
        sum(unemployment.labour_force) as labour_force,
        sum(unemployment.labour_force) filter (
            where unemployment.persons is not null
        ) as labour_force_unmasked,
        count(*) as n_municipalities,
        -- masked ("<5") municipalities are left out of persons, so it is a lower bound
        count(*) filter (where unemployment.persons is null) as n_municipalities_masked,
        {{ least_real('unemployment.provenance') }} as provenance,
        bool_or(unemployment.is_sample or members.is_sample) as is_sample

    from unemployment
    inner join members
        on unemployment.municipality_code = members.municipality_code
        and year(unemployment.month) = members.year
    group by
        members.association_id,
        unemployment.month,
        unemployment.age_band,
        unemployment.sex,
        unemployment.measure

),

final as (

    select
        aggregated.association_id,
        aggregated.month,
        aggregated.age_band,
        aggregated.sex,
        aggregated.measure,
        associations.association_name,
        aggregated.persons::bigint as persons,
        -- a 12-month mean: summed exactly, published as a fractional number
        aggregated.labour_force::double as labour_force,
        (100 * aggregated.persons / nullif(aggregated.labour_force_unmasked, 0))::double
            as share_pct,
        aggregated.n_municipalities,
        aggregated.n_municipalities_masked,
        aggregated.provenance,
        aggregated.is_sample

    from aggregated
    left join associations
        on aggregated.association_id = associations.association_id

)

select * from final
