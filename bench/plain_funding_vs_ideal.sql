-- marts.fct_funding_vs_ideal computed in one plain DuckDB statement from the raw tables and
-- the parameter seed (reference.allocation_parameters), with the dbt project's default vars
-- (budget_multiplier 2, measure = all HE). bench/run_all.py times it against the dbt
-- pipeline and compares its rows with the mart: the same numbers, reached independently.

with

observed as (
    select year from raw.population
    union all select year from raw.full_year_equivalents
    union all select year(month) from raw.unemployment
    union all select year(period_start::date) from raw.report_figures
),

years as (
    select unnest(generate_series(
        min(year),
        max(year) + (select max(value)::integer from reference.allocation_parameters
                     where parameter = 'data_year_lag')
    )) as year
    from observed
),

budget_parameters as (
    select
        y.year,
        any_value(p.value) filter (where p.parameter = 'state_pot_sek') as pot,
        any_value(p.value) filter (where p.parameter = 'base_per_association_sek') as base,
        any_value(p.value) filter (where p.parameter = 'measure_weight') as measure_weight,
        any_value(p.value) filter (where p.parameter = 'population_weight') as population_weight,
        any_value(p.value) filter (where p.parameter = 'association_count') as documented,
        any_value(p.value) filter (where p.parameter = 'data_year_lag')::integer as lag
    from years as y
    join reference.allocation_parameters as p
        on p.year_kind = 'budget_year' and y.year >= p.first_year
        and (p.last_year is null or y.year <= p.last_year)
    group by y.year
),

parameters as (
    select
        b.*,
        b.year - b.lag as data_year,
        any_value(p.value) filter (where p.parameter = 'population_age_min')::integer as age_min,
        any_value(p.value) filter (where p.parameter = 'population_age_max')::integer as age_max
    from budget_parameters as b
    left join reference.allocation_parameters as p
        on p.year_kind = 'data_year' and b.year - b.lag >= p.first_year
        and (p.last_year is null or b.year - b.lag <= p.last_year)
    where b.pot is not null and b.base is not null and b.measure_weight is not null
        and b.population_weight is not null and b.documented is not null and b.lag is not null
    group by all
),

placement as (
    -- where each municipality stands on 1 January of the budget year
    select
        m.municipality_code,
        p.year,
        p.data_year,
        mem.association_id,
        case when mem.association_id is not null then 'member'
             when o.municipality_code is not null then 'outside'
             else 'unplaced' end as placement,
        coalesce(mem.is_sample, false) or m.is_sample as is_sample
    from raw.municipalities as m
    cross join parameters as p
    left join raw.association_members as mem
        on mem.municipality_code = m.municipality_code
        and mem.valid_from::date <= make_date(p.year, 1, 1)
        and (mem.valid_to is null or mem.valid_to::date >= make_date(p.year, 1, 1))
    left join raw.municipalities_outside as o
        on o.municipality_code = m.municipality_code
        and o.valid_from::date <= make_date(p.year, 1, 1)
        and (o.valid_to is null or o.valid_to::date >= make_date(p.year, 1, 1))
),

units as (
    select
        coalesce(pl.association_id, pl.placement) as unit,
        pl.placement,
        pl.year,
        count(*) as n_municipalities,
        sum(pop.population) as population,
        sum(he.full_year_equivalents) as he,
        sum(hp.population) as he_population,
        bool_or(pl.is_sample or coalesce(pop.is_sample, false)
                or coalesce(he.is_sample, false)) as is_sample
    from placement as pl
    join parameters as p on p.year = pl.year
    left join (
        select r.municipality_code, r.year, sum(r.population) as population,
            bool_or(r.is_sample) as is_sample
        from raw.population as r
        join (select distinct data_year, age_min, age_max from parameters) as band
            on band.data_year = r.year and r.age between band.age_min and band.age_max
        group by all
    ) as pop on pop.municipality_code = pl.municipality_code and pop.year = pl.data_year
    left join raw.full_year_equivalents as he
        on he.municipality_code = pl.municipality_code and he.year = pl.data_year
        and he.sex = 'total' and he.benefit_type = 'total'
    left join raw.he_population_share as hp
        on hp.municipality_code = pl.municipality_code and hp.year = pl.data_year
        and hp.sex = 'total' and hp.age_band = '20-64'
    group by all
),

active_without_members as (
    select p.year, count(*) as n
    from parameters as p
    join raw.associations as a
        on (a.founded is null or a.founded::date <= make_date(p.year, 1, 1))
        and (a.dissolved is null or a.dissolved::date >= make_date(p.year, 1, 1))
    left join units as u on u.unit = a.association_id and u.year = p.year
    where u.unit is null
    group by p.year
),

scoped as (
    select
        p.*,
        sum(u.population) filter (where u.placement <> 'outside') as denominator_population,
        sum(u.he) filter (where u.placement <> 'outside') as denominator_he,
        sum(u.population) as country_population,
        sum(u.population) filter (where u.placement = 'member') as placed_population,
        count(*) filter (where u.placement = 'member') as n_with_members,
        coalesce(sum(u.n_municipalities) filter (where u.placement = 'unplaced'), 0) = 0
        and coalesce(any_value(a.n), 0) = 0 as is_complete
    from parameters as p
    join units as u on u.year = p.year
    left join active_without_members as a on a.year = p.year
    group by all
    having sum(u.population) filter (where u.placement <> 'outside') > 0
        and sum(u.he) filter (where u.placement <> 'outside') > 0
),

allocated as (
    select
        u.unit as association_id,
        u.year,
        s.data_year,
        case when s.is_complete then 'members' else 'country_less_outside' end as share_scope,
        u.population,
        u.he,
        u.he_population,
        u.population / s.denominator_population as population_share,
        u.he / s.denominator_he as he_share,
        s.denominator_population / s.country_population as denominator_population_coverage,
        round(
            s.base * case when u.placement = 'member' then 1
                          else greatest(s.documented, s.n_with_members) - s.n_with_members end
            + (s.pot - s.base * case when s.is_complete then s.n_with_members
                                     else greatest(s.documented, s.n_with_members) end)
              * (s.measure_weight * u.he / s.denominator_he
                 + s.population_weight * u.population / s.denominator_population),
            2) as ideal_state,
        u.is_sample
    from units as u
    join scoped as s on s.year = u.year
    where u.placement = 'member' or (u.placement = 'unplaced' and not s.is_complete)
    union all by name
    -- an incomplete year whose every municipality is placed still has the unplaced bases
    select
        'unplaced' as association_id,
        s.year,
        s.data_year,
        'country_less_outside' as share_scope,
        0 as population, 0 as he, 0 as he_population, 0.0 as population_share,
        0.0 as he_share,
        s.denominator_population / s.country_population as denominator_population_coverage,
        s.base * (greatest(s.documented, s.n_with_members) - s.n_with_members) as ideal_state,
        false as is_sample
    from scoped as s
    where not s.is_complete
        and not exists (select 1 from units as u
                        where u.year = s.year and u.placement = 'unplaced')
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
    union
    select association_id, year from reported
)

select
    k.association_id,
    k.year,
    case when k.association_id = 'unplaced'
         then 'Kommuner som registret inte placerar i något förbund'
         else a.association_name end as association_name,
    al.data_year,
    al.share_scope,
    c.state_sek as contribution_state_sek,
    c.region_sek as contribution_region_sek,
    c.municipalities_sek as contribution_municipalities_sek,
    c.total_sek as contribution_total_sek,
    al.ideal_state as ideal_state_allocation_sek,
    2 * al.ideal_state as ideal_allocation_sek,
    c.total_sek / nullif(2 * al.ideal_state, 0) as funding_ratio,
    c.total_sek - 2 * al.ideal_state as funding_gap_sek,
    al.population as population_in_age_band,
    al.population_share,
    al.he as full_year_equivalents,
    al.he_share,
    100 * al.he / nullif(al.he_population, 0) as he_rate_pct,
    c.total_sek / nullif(al.he, 0) as funding_per_he_sek,
    c.total_sek / nullif(al.population, 0) as funding_per_inhabitant_sek,
    al.denominator_population_coverage,
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
