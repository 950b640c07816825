-- marts.fct_funding_vs_ideal computed in one plain DuckDB statement from the raw tables,
-- with the dbt project's default vars written in (data_year_lag 2, state_pot_sek 339 000 000,
-- base_per_association_sek 400 000, measure_weight 0.75, population_weight 0.25,
-- budget_multiplier 2, ages 16-64, measure = all HE). bench/run_all.py times it against the
-- dbt pipeline and compares its rows with the mart: the same numbers, reached independently.

with

years as (
    select year from raw.population
    union select year + 2 from raw.population
    union select year from raw.full_year_equivalents
    union select year + 2 from raw.full_year_equivalents
    union select year(month) from raw.unemployment
    union select year(period_start::date) from raw.report_figures
),

members as (
    -- a member on 1 January of the budget year counts for the whole year
    select m.association_id, m.municipality_code, y.year, m.is_sample
    from raw.association_members as m
    join years as y
        on m.valid_from::date <= make_date(y.year, 1, 1)
        and (m.valid_to is null or m.valid_to::date >= make_date(y.year, 1, 1))
    where y.year is not null
),

population as (
    select municipality_code, year, sum(population) as population_16_64,
        bool_or(is_sample) as is_sample
    from raw.population
    where age between 16 and 64
    group by all
),

he as (
    select municipality_code, year, full_year_equivalents, is_sample
    from raw.full_year_equivalents
    where sex = 'total' and benefit_type = 'total'
),

inputs as (
    select
        m.association_id,
        m.year,
        count(*) as n_member_municipalities,
        count(p.population_16_64) as n_with_population,
        count(h.full_year_equivalents) as n_with_measure,
        sum(p.population_16_64) as population_16_64,
        sum(h.full_year_equivalents) as full_year_equivalents,
        bool_or(coalesce(m.is_sample, false) or coalesce(p.is_sample, false)
                or coalesce(h.is_sample, false)) as is_sample
    from members as m
    left join population as p
        on p.municipality_code = m.municipality_code and p.year = m.year - 2
    left join he as h
        on h.municipality_code = m.municipality_code and h.year = m.year - 2
    group by all
),

ideal as (
    select
        i.*,
        count(*) over per_year as n_associations,
        i.population_16_64 / sum(i.population_16_64) over per_year as population_share,
        i.full_year_equivalents / sum(i.full_year_equivalents) over per_year as he_share,
        sum(i.population_16_64) over per_year as national_population,
        sum(i.full_year_equivalents) over per_year as national_he
    from inputs as i
    window per_year as (partition by i.year)
),

allocated as (
    select
        *,
        2 * (400000 + (339000000 - 400000 * n_associations)
             * (0.75 * he_share + 0.25 * population_share)) as ideal_allocation_sek
    from ideal
    where national_population is not null and national_he is not null
),

figures as (
    -- the report figures the mart reads, the winner per figure as in dbt's deduplication
    select
        f.association_id,
        year(f.period_start::date) as year,
        f.metric,
        f.basis,
        coalesce(f.member, '(all)') as member,
        f.value,
        f.is_sample,
        row_number() over (
            partition by f.association_id, f.period_start, f.period_end, f.basis, f.metric,
                coalesce(f.member, '(all)')
            order by
                f.origin = 'override' desc,
                case f.report_type when 'annual_report' then 1 when 'half_year_report' then 2
                    when 'interim_report' then 2 when 'budget_follow_up' then 3 else 4 end,
                f.check_status = 'flagged',
                d.period_end desc nulls last,
                f.document_id,
                f.page,
                f.line
        ) as figure_rank
    from raw.report_figures as f
    left join raw.report_documents as d on d.document_id = f.document_id
    where f.association_id is not null
        and f.metric in ('member_contribution', 'ideal_allocation_share',
                         'ideal_allocation_amount')
        and f.intervention is null
        and coalesce(f.gender, 'total') = 'total'
        and f.reason is null
        and f.period_start::date = make_date(year(f.period_start::date), 1, 1)
        and f.period_end::date = make_date(year(f.period_start::date), 12, 31)
),

winners as (
    select * from figures where figure_rank = 1
),

contribution_figures as (
    select
        *,
        min(case basis when 'outcome' then 1 else 2 end)
            over (partition by association_id, year) as preferred_rank
    from winners
    where metric = 'member_contribution' and basis in ('outcome', 'budget')
),

contributions as (
    select
        association_id,
        year,
        sum(value) filter (where member = 'state') as state_sek,
        sum(value) filter (where member = 'region') as region_sek,
        sum(value) filter (where member = 'municipality') as municipalities_sek,
        coalesce(
            sum(value) filter (where member = '(all)'),
            sum(value) filter (where member = 'state')
            + sum(value) filter (where member = 'region')
            + sum(value) filter (where member = 'municipality')
        ) as total_sek,
        bool_or(is_sample) as is_sample
    from contribution_figures
    where case basis when 'outcome' then 1 else 2 end = preferred_rank
    group by all
),

reported as (
    select
        association_id,
        year,
        arg_min(value, case basis when 'outcome' then 1 when 'budget' then 2 else 3 end)
            filter (where metric = 'ideal_allocation_share') as share_pct,
        arg_min(value, case basis when 'outcome' then 1 when 'budget' then 2 else 3 end)
            filter (where metric = 'ideal_allocation_amount') as amount_sek,
        bool_or(is_sample) as is_sample
    from winners
    where metric in ('ideal_allocation_share', 'ideal_allocation_amount') and member = '(all)'
    group by all
),

keys as (
    select association_id, year from allocated
    union
    select association_id, year from contributions
)

select
    k.association_id,
    k.year,
    a.association_name,
    k.year - 2 as data_year,
    c.state_sek as contribution_state_sek,
    c.region_sek as contribution_region_sek,
    c.municipalities_sek as contribution_municipalities_sek,
    c.total_sek as contribution_total_sek,
    al.ideal_allocation_sek,
    c.total_sek / nullif(al.ideal_allocation_sek, 0) as funding_ratio,
    c.total_sek - al.ideal_allocation_sek as funding_gap_sek,
    al.population_16_64,
    al.population_share,
    al.full_year_equivalents,
    al.he_share,
    100 * al.full_year_equivalents / nullif(al.population_16_64, 0) as he_rate_pct,
    c.total_sek / nullif(al.full_year_equivalents, 0) as funding_per_he_sek,
    c.total_sek / nullif(al.population_16_64, 0) as funding_per_inhabitant_16_64_sek,
    r.share_pct as reported_ideal_share_pct,
    r.amount_sek as reported_ideal_allocation_sek,
    coalesce(al.is_sample, false) or coalesce(c.is_sample, false)
    or coalesce(r.is_sample, false) or coalesce(a.is_sample, false) as is_sample
from keys as k
left join raw.associations as a on a.association_id = k.association_id
left join allocated as al on al.association_id = k.association_id and al.year = k.year
left join contributions as c on c.association_id = k.association_id and c.year = k.year
left join reported as r on r.association_id = k.association_id and r.year = k.year
order by k.association_id, k.year
