-- The associations' actual funding against their idealfördelning, per budget year.

with

ideal as (

    select * from {{ ref('int_ideal_allocation') }}

),

contributions as (

    select * from {{ ref('int_association_contributions') }}

),

reported_ideal as (

    select * from {{ ref('int_reported_ideal_allocation') }}

),

associations as (

    select * from {{ ref('stg_reference__associations') }}

),

association_years as (

    select association_id, year from ideal
    union
    select association_id, year from contributions
    union
    select association_id, year from reported_ideal

),

joined as (

    select
        association_years.association_id,
        association_years.year,
        associations.association_name,
        association_years.year - {{ var('data_year_lag') }} as data_year,

        ---------- actual funding (reports)
        contributions.contribution_basis,
        contributions.contribution_state_sek,
        contributions.contribution_region_sek,
        contributions.contribution_municipalities_sek,
        contributions.contribution_total_sek,
        contributions.contribution_document_id,
        contributions.is_flagged as contribution_is_flagged,

        ---------- ideal (state model)
        ideal.ideal_state_allocation_sek,
        ideal.ideal_allocation_sek,
        ideal.allocation_measure,
        ideal.measure_share,
        ideal.has_complete_inputs,
        ideal.member_population_coverage,
        ideal.n_member_municipalities,

        ---------- keys of the model (data year)
        ideal.population_16_64,
        ideal.population_share,
        ideal.full_year_equivalents,
        ideal.he_share,

        ---------- what the report says
        reported_ideal.reported_ideal_share_pct,
        reported_ideal.reported_ideal_allocation_sek,
        reported_ideal.reported_ideal_document_id,

        coalesce(ideal.is_sample, false)
        or coalesce(contributions.is_sample, false)
        or coalesce(reported_ideal.is_sample, false)
        or coalesce(associations.is_sample, false) as is_sample

    from association_years
    left join associations
        on association_years.association_id = associations.association_id
    left join ideal
        on association_years.association_id = ideal.association_id
        and association_years.year = ideal.year
    left join contributions
        on association_years.association_id = contributions.association_id
        and association_years.year = contributions.year
    left join reported_ideal
        on association_years.association_id = reported_ideal.association_id
        and association_years.year = reported_ideal.year

),

final as (

    select
        association_id,
        year,
        association_name,
        data_year,
        contribution_basis,
        contribution_state_sek,
        contribution_region_sek,
        contribution_municipalities_sek,
        contribution_total_sek,
        ideal_state_allocation_sek,
        ideal_allocation_sek,
        contribution_total_sek / nullif(ideal_allocation_sek, 0) as funding_ratio,
        contribution_total_sek - ideal_allocation_sek as funding_gap_sek,
        allocation_measure,
        measure_share,
        population_16_64,
        population_share,
        full_year_equivalents,
        he_share,
        100 * full_year_equivalents / nullif(population_16_64, 0) as he_rate_pct,
        contribution_total_sek / nullif(full_year_equivalents, 0) as funding_per_he_sek,
        contribution_total_sek / nullif(population_16_64, 0) as funding_per_inhabitant_16_64_sek,
        reported_ideal_share_pct,
        reported_ideal_allocation_sek,
        n_member_municipalities,
        member_population_coverage,
        has_complete_inputs,
        contribution_is_flagged,
        contribution_document_id,
        reported_ideal_document_id,
        is_sample

    from joined

)

select * from final
