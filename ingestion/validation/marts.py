"""pandera schemas of the marts (schema ``marts``, contract: docs/architecture.md).

They restate each mart's grain, types and ranges in Python so the Dagster checks that run
after dbt can name the failing rows. Extra columns are allowed (marts may grow columns,
never lose them). :data:`MART_SCHEMAS` maps model names to classes.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

from ingestion.validation.staging import BENEFIT_TYPES, MUNICIPALITY_CODE, UNEMPLOYMENT_MEASURES

GENDERS = ["total", "women", "men"]


class _Mart(pa.DataFrameModel):
    class Config:
        coerce = True
        strict = False


class DimAssociation(_Mart):
    """One row per samordningsförbund."""

    association_id: Series[str] = pa.Field(unique=True, description="our id")
    association_name: Series[str] = pa.Field(description="official name")
    county_code: Series[str] = pa.Field(nullable=True, description="two-digit county code")
    founded: Series[pa.DateTime] = pa.Field(nullable=True, description="founding date")
    dissolved: Series[pa.DateTime] = pa.Field(nullable=True, description="dissolution date")
    n_member_municipalities: Series[int] = pa.Field(ge=0, description="members today")


class DimMunicipality(_Mart):
    """One row per municipality, with today's association."""

    municipality_code: Series[str] = pa.Field(
        unique=True, str_matches=MUNICIPALITY_CODE, description="four-digit code"
    )
    municipality_name: Series[str] = pa.Field(description="name")
    county_code: Series[str] = pa.Field(description="two-digit county code")
    county_name: Series[str] = pa.Field(nullable=True, description="county name")
    association_id: Series[str] = pa.Field(nullable=True, description="association today")
    association_name: Series[str] = pa.Field(nullable=True, description="its name")


class FctFundingVsIdeal(_Mart):
    """One row per association and budget year: actual funding against the ideal."""

    association_id: Series[str] = pa.Field(description="the association")
    year: Series[int] = pa.Field(ge=2000, le=2100, description="budget year")
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    data_year: Series[int] = pa.Field(description="statistics year behind the keys")
    contribution_basis: Series[str] = pa.Field(
        nullable=True, isin=["outcome", "budget"], description="outcome or budget"
    )
    contribution_state_sek: Series[float] = pa.Field(nullable=True, ge=0, description="state")
    contribution_region_sek: Series[float] = pa.Field(nullable=True, ge=0, description="region")
    contribution_municipalities_sek: Series[float] = pa.Field(
        nullable=True, ge=0, description="municipalities"
    )
    contribution_total_sek: Series[float] = pa.Field(nullable=True, ge=0, description="total")
    ideal_allocation_sek: Series[float] = pa.Field(nullable=True, gt=0, description="ideal")
    funding_ratio: Series[float] = pa.Field(nullable=True, ge=0, description="actual / ideal")
    funding_gap_sek: Series[float] = pa.Field(nullable=True, description="actual - ideal")
    population_16_64: Series[float] = pa.Field(nullable=True, ge=0, description="population")
    population_share: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="share")
    full_year_equivalents: Series[float] = pa.Field(nullable=True, ge=0, description="HE")
    he_share: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="HE share")
    he_rate_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="HE rate")
    funding_per_he_sek: Series[float] = pa.Field(nullable=True, ge=0, description="per HE")
    funding_per_inhabitant_16_64_sek: Series[float] = pa.Field(
        nullable=True, ge=0, description="per inhabitant 16-64"
    )
    member_population_coverage: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="share of the country in known associations"
    )
    reported_ideal_share_pct: Series[float] = pa.Field(
        nullable=True, ge=0, description="share of ideal the report states"
    )
    reported_ideal_allocation_sek: Series[float] = pa.Field(
        nullable=True, ge=0, description="ideal amount the report states"
    )
    is_sample: Series[pd.BooleanDtype] = pa.Field(description="any input is sample data")

    class Config:
        unique = ["association_id", "year"]

    @pa.dataframe_check
    def data_year_precedes_budget_year(cls, df: pd.DataFrame) -> Series[bool]:
        return df["data_year"] <= df["year"]


class FctHeByBenefit(_Mart):
    """One row per association, statistics year and benefit type."""

    association_id: Series[str] = pa.Field(description="the association")
    year: Series[int] = pa.Field(ge=1900, le=2100, description="statistics year")
    benefit_type: Series[str] = pa.Field(isin=BENEFIT_TYPES, description="benefit type")
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    full_year_equivalents: Series[float] = pa.Field(ge=0, description="HE")
    population_16_64: Series[float] = pa.Field(nullable=True, ge=0, description="population")
    he_rate_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="HE rate")
    is_sample: Series[pd.BooleanDtype] = pa.Field(description="any input is sample data")

    class Config:
        unique = ["association_id", "year", "benefit_type"]


class FctUnemploymentMonthly(_Mart):
    """One row per association, month, age band, sex and measure."""

    association_id: Series[str] = pa.Field(description="the association")
    month: Series[pa.DateTime] = pa.Field(description="first day of the month")
    age_band: Series[str] = pa.Field(description="age band")
    sex: Series[str] = pa.Field(isin=GENDERS, description="sex")
    measure: Series[str] = pa.Field(isin=UNEMPLOYMENT_MEASURES, description="measure")
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    persons: Series[float] = pa.Field(nullable=True, ge=0, description="persons")
    labour_force: Series[float] = pa.Field(nullable=True, ge=0, description="labour force")
    share_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="share")
    is_sample: Series[pd.BooleanDtype] = pa.Field(description="any input is sample data")

    class Config:
        unique = ["association_id", "month", "age_band", "sex", "measure"]


class FctParticipants(_Mart):
    """One row per association, report period, report type, intervention and gender."""

    association_id: Series[str] = pa.Field(description="the association")
    period_start: Series[pa.DateTime] = pa.Field(description="first day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="last day of the period")
    report_type: Series[str] = pa.Field(description="kind of report")
    intervention: Series[str] = pa.Field(description="intervention or '(all)'")
    gender: Series[str] = pa.Field(isin=GENDERS, description="gender")
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    participants: Series[float] = pa.Field(nullable=True, ge=0, description="participants")
    participants_started: Series[float] = pa.Field(nullable=True, ge=0, description="started")
    participants_exited: Series[float] = pa.Field(nullable=True, ge=0, description="exited")
    document_id: Series[str] = pa.Field(description="source document(s)")

    class Config:
        unique = [
            "association_id",
            "period_start",
            "period_end",
            "report_type",
            "intervention",
            "gender",
        ]


class FctExits(_Mart):
    """One row per association, period, intervention, exit reason and gender."""

    association_id: Series[str] = pa.Field(description="the association")
    period_start: Series[pa.DateTime] = pa.Field(description="first day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="last day of the period")
    intervention: Series[str] = pa.Field(description="intervention or '(all)'")
    reason: Series[str] = pa.Field(description="exit reason code")
    gender: Series[str] = pa.Field(isin=GENDERS, description="gender")
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    exits: Series[float] = pa.Field(ge=0, description="participants who left")
    document_id: Series[str] = pa.Field(description="source document")

    class Config:
        unique = [
            "association_id",
            "period_start",
            "period_end",
            "intervention",
            "reason",
            "gender",
        ]


class FctInterventionCosts(_Mart):
    """One row per association, report period and intervention."""

    association_id: Series[str] = pa.Field(description="the association")
    period_start: Series[pa.DateTime] = pa.Field(description="first day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="last day of the period")
    intervention: Series[str] = pa.Field(description="intervention or '(all)'")
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    budget_sek: Series[float] = pa.Field(nullable=True, description="budgeted cost")
    outcome_sek: Series[float] = pa.Field(nullable=True, description="actual cost")
    difference_sek: Series[float] = pa.Field(nullable=True, description="budget - outcome")
    participants: Series[float] = pa.Field(nullable=True, ge=0, description="participants")
    cost_per_participant_sek: Series[float] = pa.Field(
        nullable=True, description="outcome / participants"
    )
    document_id: Series[str] = pa.Field(description="source document(s)")

    class Config:
        unique = ["association_id", "period_start", "period_end", "intervention"]


class FctAssociationFinances(_Mart):
    """One row per association, period, basis, metric and member (money figures)."""

    association_id: Series[str] = pa.Field(description="the association")
    period_start: Series[pa.DateTime] = pa.Field(description="first day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="last day of the period")
    basis: Series[str] = pa.Field(isin=["budget", "outcome", "forecast"], description="basis")
    metric: Series[str] = pa.Field(description="canonical metric")
    member: Series[str] = pa.Field(
        isin=["state", "region", "municipality", "(all)"], description="member or '(all)'"
    )
    association_name: Series[str] = pa.Field(nullable=True, description="official name")
    report_type: Series[str] = pa.Field(description="kind of report")
    value_sek: Series[float] = pa.Field(description="amount in kronor")
    document_id: Series[str] = pa.Field(description="source document")

    class Config:
        unique = ["association_id", "period_start", "period_end", "basis", "metric", "member"]


MART_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "dim_association": DimAssociation,
    "dim_municipality": DimMunicipality,
    "fct_funding_vs_ideal": FctFundingVsIdeal,
    "fct_he_by_benefit": FctHeByBenefit,
    "fct_unemployment_monthly": FctUnemploymentMonthly,
    "fct_participants": FctParticipants,
    "fct_exits": FctExits,
    "fct_intervention_costs": FctInterventionCosts,
    "fct_association_finances": FctAssociationFinances,
}
