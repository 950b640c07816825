"""pandera schemas of the dbt staging models (schema ``staging``), checked after dbt.

dbt tests guard the keys and relationships; these schemas restate the column contract in
Python (types, ranges, allowed values) so the Dagster checks can name failing rows. Each
class is named after its model; :data:`STAGING_SCHEMAS` maps model names to classes.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing.pandas import Series

# The vocabularies are the raw layer's: staging renames and casts, it never recodes.
from ingestion.validation.raw_reports import REPORT_TYPES
from ingestion.validation.raw_statistics import BENEFIT_TYPES
from ingestion.validation.raw_statistics import MEASURES as UNEMPLOYMENT_MEASURES

MUNICIPALITY_CODE = r"^\d{4}$"


class _Staging(pa.DataFrameModel):
    class Config:
        coerce = True
        strict = False


class StgReportsReportFigures(_Staging):
    """One row per figure read from a report."""

    document_id: Series[str] = pa.Field(description="sha256 of the document file")
    association_id: Series[str] = pa.Field(nullable=True, description="matched association")
    report_type: Series[str] = pa.Field(isin=REPORT_TYPES, description="kind of report")
    basis: Series[str] = pa.Field(isin=["budget", "outcome", "forecast"], description="basis")
    metric: Series[str] = pa.Field(description="canonical metric")
    member: Series[str] = pa.Field(
        nullable=True, isin=["state", "region", "municipality"], description="member or null"
    )
    gender: Series[str] = pa.Field(
        nullable=True, isin=["total", "women", "men"], description="gender or null"
    )
    value: Series[float] = pa.Field(description="kronor, count or percent")
    period_start: Series[pa.DateTime] = pa.Field(description="first day of the period")
    period_end: Series[pa.DateTime] = pa.Field(description="last day of the period")
    origin: Series[str] = pa.Field(isin=["extracted", "override"], description="origin")
    check_status: Series[str] = pa.Field(isin=["ok", "flagged"], description="check status")
    is_sample: Series[pd.BooleanDtype] = pa.Field(description="not a real published value")

    @pa.dataframe_check
    def period_is_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["period_start"] <= df["period_end"]


class StgReportsReportDocuments(_Staging):
    """One row per document seen."""

    document_id: Series[str] = pa.Field(unique=True, description="sha256 of the document file")
    association_id: Series[str] = pa.Field(nullable=True, description="matched association")
    status: Series[str] = pa.Field(isin=["loaded", "failed"], description="load status")
    n_figures: Series[float] = pa.Field(nullable=True, ge=0, description="figures read")


class StgReportsReportIssues(_Staging):
    """One row per contradiction or failed check in a report."""

    document_id: Series[str] = pa.Field(description="the document")
    check_name: Series[str] = pa.Field(description="the check that found it")
    severity: Series[str] = pa.Field(
        nullable=True, isin=["error", "warning"], description="error or warning"
    )


class StgScbPopulation(_Staging):
    """Population per municipality, year, single year of age and sex."""

    municipality_code: Series[str] = pa.Field(str_matches=MUNICIPALITY_CODE, description="code")
    year: Series[int] = pa.Field(ge=1900, le=2100, description="statistics year")
    age: Series[int] = pa.Field(ge=0, le=100, description="age, 100 = 100+")
    sex: Series[str] = pa.Field(isin=["women", "men"], description="sex")
    population: Series[float] = pa.Field(ge=0, description="inhabitants")
    is_sample: Series[pd.BooleanDtype] = pa.Field(description="not a real published value")

    class Config:
        unique = ["municipality_code", "year", "age", "sex"]


class StgScbFullYearEquivalents(_Staging):
    """HE per municipality, year, sex and benefit type."""

    municipality_code: Series[str] = pa.Field(str_matches=MUNICIPALITY_CODE, description="code")
    year: Series[int] = pa.Field(ge=1900, le=2100, description="statistics year")
    sex: Series[str] = pa.Field(isin=["total", "women", "men"], description="sex")
    benefit_type: Series[str] = pa.Field(isin=BENEFIT_TYPES, description="benefit type")
    full_year_equivalents: Series[float] = pa.Field(ge=0, description="HE")
    is_sample: Series[pd.BooleanDtype] = pa.Field(description="not a real published value")

    class Config:
        unique = ["municipality_code", "year", "sex", "benefit_type"]


class StgScbHePopulationShare(_Staging):
    """The HE rate as SCB publishes it."""

    municipality_code: Series[str] = pa.Field(str_matches=MUNICIPALITY_CODE, description="code")
    year: Series[int] = pa.Field(ge=1900, le=2100, description="statistics year")
    sex: Series[str] = pa.Field(isin=["total", "women", "men"], description="sex")
    age_band: Series[str] = pa.Field(description="age band, e.g. 20-64")
    share_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="HE rate")

    class Config:
        unique = ["municipality_code", "year", "sex", "age_band"]


class StgAfUnemployment(_Staging):
    """Unemployment per municipality, month, age band, sex and measure."""

    municipality_code: Series[str] = pa.Field(str_matches=MUNICIPALITY_CODE, description="code")
    month: Series[pa.DateTime] = pa.Field(description="first day of the month")
    age_band: Series[str] = pa.Field(description="age band")
    sex: Series[str] = pa.Field(isin=["total", "women", "men"], description="sex")
    measure: Series[str] = pa.Field(isin=UNEMPLOYMENT_MEASURES, description="measure")
    persons: Series[float] = pa.Field(nullable=True, ge=0, description="null when masked")
    labour_force: Series[float] = pa.Field(nullable=True, ge=0, description="labour force")
    share_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100, description="share")

    class Config:
        unique = ["municipality_code", "month", "age_band", "sex", "measure"]

    @pa.dataframe_check
    def month_starts_on_the_first(cls, df: pd.DataFrame) -> Series[bool]:
        return df["month"].dt.day == 1


class StgReferenceMunicipalities(_Staging):
    """One row per municipality."""

    municipality_code: Series[str] = pa.Field(
        unique=True, str_matches=MUNICIPALITY_CODE, description="four-digit code"
    )
    municipality_name: Series[str] = pa.Field(description="name")
    county_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description="two-digit code")


class StgReferenceAssociations(_Staging):
    """One row per samordningsförbund, active or merged."""

    association_id: Series[str] = pa.Field(unique=True, description="our id")
    association_name: Series[str] = pa.Field(description="official name")
    county_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description="county of the seat")
    founded: Series[pa.DateTime] = pa.Field(nullable=True, description="founding date")
    dissolved: Series[pa.DateTime] = pa.Field(nullable=True, description="last day")
    successor_id: Series[str] = pa.Field(nullable=True, description="merged into")
    source: Series[str] = pa.Field(description="source address")

    @pa.dataframe_check
    def dissolved_after_founded(cls, df: pd.DataFrame) -> Series[bool]:
        return df["founded"].isna() | df["dissolved"].isna() | (df["founded"] <= df["dissolved"])


class StgReferenceAssociationMembers(_Staging):
    """One row per membership spell."""

    association_id: Series[str] = pa.Field(description="the association")
    municipality_code: Series[str] = pa.Field(str_matches=MUNICIPALITY_CODE, description="member")
    valid_from: Series[pa.DateTime] = pa.Field(description="first day of membership")
    valid_to: Series[pa.DateTime] = pa.Field(nullable=True, description="last day, inclusive")
    confidence: Series[str] = pa.Field(
        isin=["confirmed", "third_party", "inferred"], description="how sure the registry is"
    )
    source: Series[str] = pa.Field(description="source address")

    class Config:
        unique = ["association_id", "municipality_code", "valid_from"]

    @pa.dataframe_check
    def spell_is_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["valid_to"].isna() | (df["valid_from"] <= df["valid_to"])


class StgReferenceMunicipalitiesOutside(_Staging):
    """One row per period a municipality is documented outside every association."""

    municipality_code: Series[str] = pa.Field(str_matches=MUNICIPALITY_CODE, description="code")
    valid_from: Series[pa.DateTime] = pa.Field(description="first day documented outside")
    valid_to: Series[pa.DateTime] = pa.Field(nullable=True, description="last day, inclusive")
    source: Series[str] = pa.Field(description="source address")

    class Config:
        unique = ["municipality_code", "valid_from"]

    @pa.dataframe_check
    def spell_is_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["valid_to"].isna() | (df["valid_from"] <= df["valid_to"])


STAGING_SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "stg_reports__report_figures": StgReportsReportFigures,
    "stg_reports__report_documents": StgReportsReportDocuments,
    "stg_reports__report_issues": StgReportsReportIssues,
    "stg_scb__population": StgScbPopulation,
    "stg_scb__full_year_equivalents": StgScbFullYearEquivalents,
    "stg_scb__he_population_share": StgScbHePopulationShare,
    "stg_af__unemployment": StgAfUnemployment,
    "stg_reference__municipalities": StgReferenceMunicipalities,
    "stg_reference__associations": StgReferenceAssociations,
    "stg_reference__association_members": StgReferenceAssociationMembers,
    "stg_reference__municipalities_outside": StgReferenceMunicipalitiesOutside,
}
