-- The associations' actual funding against their idealfördelning, per budget year, and the
-- ideal of the rest of the country the registry does not place (association_id
-- 'unplaced'), so every year's state ideals add up to the pot.

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
        case
            when association_years.association_id = 'unplaced'
                then 'Kommuner som registret inte placerar i något förbund'
            else associations.association_name
        end as association_name,
        ideal.data_year,
        ideal.share_scope,
        ideal.age_band,

        ---------- actual funding (reports)
        contributions.contribution_basis,
        contributions.contribution_state_sek,
        contributions.contribution_region_sek,
        contributions.contribution_municipalities_sek,
        contributions.contribution_total_sek,
        contributions.contribution_document_id,
        contributions.is_flagged as contribution_is_flagged,
        contributions.contribution_provenance,

        ---------- ideal (state model)
        ideal.ideal_state_allocation_sek,
        ideal.ideal_allocation_sek,
        ideal.allocation_measure,
        ideal.measure_value,
        ideal.measure_share,
        ideal.population_in_age_band,
        ideal.population_share,
        ideal.full_year_equivalents,
        ideal.he_share,
        ideal.he_population,
        ideal.n_municipalities,
        ideal.base_amounts,
        ideal.n_base_amounts,
        ideal.state_pot_sek,
        ideal.distributed_pot_sek,
        ideal.denominator_population,
        ideal.denominator_population_coverage,
        ideal.registry_population_coverage,
        ideal.parameter_status,
        ideal.has_complete_inputs,
        ideal.population_provenance,
        ideal.measure_provenance,
        ideal.ideal_provenance,

        ---------- what the report says
        reported_ideal.reported_ideal_share_pct,
        reported_ideal.reported_ideal_allocation_sek,
        reported_ideal.reported_ideal_document_id,
        reported_ideal.reported_ideal_provenance,

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
        association_id::varchar as association_id,
        year::integer as year,
        association_name::varchar as association_name,
        data_year::integer as data_year,
        share_scope::varchar as share_scope,
        age_band::varchar as age_band,

        contribution_basis::varchar as contribution_basis,
        contribution_state_sek::decimal(18, 2) as contribution_state_sek,
        contribution_region_sek::decimal(18, 2) as contribution_region_sek,
        contribution_municipalities_sek::decimal(18, 2) as contribution_municipalities_sek,
        contribution_total_sek::decimal(18, 2) as contribution_total_sek,

        ideal_state_allocation_sek::decimal(18, 2) as ideal_state_allocation_sek,
        ideal_allocation_sek::decimal(18, 2) as ideal_allocation_sek,
        (contribution_total_sek / nullif(ideal_allocation_sek, 0))::double as funding_ratio,
        (contribution_total_sek - ideal_allocation_sek)::decimal(18, 2) as funding_gap_sek,

        reported_ideal_allocation_sek::decimal(18, 2) as reported_ideal_allocation_sek,
        (100 * (ideal_allocation_sek - reported_ideal_allocation_sek)
            / nullif(reported_ideal_allocation_sek, 0))::double
            as ideal_vs_reported_difference_pct,
        reported_ideal_share_pct::double as reported_ideal_share_pct,
        (100 * contribution_total_sek / nullif(ideal_allocation_sek, 0)
            - reported_ideal_share_pct)::double as funding_ratio_vs_reported_pct_points,

        allocation_measure::varchar as allocation_measure,
        measure_value::double as measure_value,
        measure_share::double as measure_share,
        population_in_age_band::bigint as population_in_age_band,
        population_share::double as population_share,
        full_year_equivalents::double as full_year_equivalents,
        he_share::double as he_share,
        (100 * full_year_equivalents / nullif(he_population, 0))::double as he_rate_pct,
        (contribution_total_sek / nullif(full_year_equivalents, 0))::decimal(18, 2)
            as funding_per_he_sek,
        (contribution_total_sek / nullif(population_in_age_band, 0))::decimal(18, 2)
            as funding_per_inhabitant_sek,

        n_municipalities::bigint as n_municipalities,
        base_amounts::bigint as base_amounts,
        n_base_amounts::bigint as n_base_amounts,
        state_pot_sek::decimal(18, 2) as state_pot_sek,
        distributed_pot_sek::decimal(18, 2) as distributed_pot_sek,
        denominator_population::bigint as denominator_population,
        denominator_population_coverage::double as denominator_population_coverage,
        registry_population_coverage::double as registry_population_coverage,
        parameter_status::varchar as parameter_status,
        has_complete_inputs::boolean as has_complete_inputs,

        contribution_is_flagged::boolean as contribution_is_flagged,
        contribution_document_id::varchar as contribution_document_id,
        reported_ideal_document_id::varchar as reported_ideal_document_id,
        -- how each group of figures came about: a real contribution read from a report
        -- stays visible beside statistics that are derived or sample
        contribution_provenance::varchar as contribution_provenance,
        reported_ideal_provenance::varchar as reported_ideal_provenance,
        population_provenance::varchar as population_provenance,
        measure_provenance::varchar as measure_provenance,
        ideal_provenance::varchar as ideal_provenance,
        is_sample::boolean as is_sample

    from joined

)

select * from final
