"""Exports against a small warehouse of known values, built here to the marts' contracts (the
dbt YAML): the workbook read back with openpyxl, the CSV and Parquet files, the report's
contents, and the report in headless Chromium (layout at 1,400 px and on A4, the what-if
against ideals computed by hand)."""

from __future__ import annotations

import io
import re
import shutil
import struct
from contextlib import redirect_stderr
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from ingestion import contracts
from outputs import marts
from outputs.codes import FAMILIES
from outputs.export import export_all
from outputs.export_command import export_command
from tests.browser import A4_PRINT_WIDTH, browser_session, layout_problems, move

DOC_2024 = "a1" * 32  # document ids are sha256 hex
DOC_2023 = "b2" * 32
HASH = re.compile(r"\b[0-9a-f]{64}\b")


def create_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Empty marts in their contracts' columns and types (the dbt YAML)."""
    con.execute("create schema marts")
    for table in contracts.models_in("marts"):
        columns = ", ".join(f"{c.name} {c.data_type}" for c in table.columns)
        con.execute(f"create table marts.{table.name} ({columns})")


def insert(con: duckdb.DuckDBPyConnection, table: str, **values: object) -> None:
    """One row by column name; the others are null."""
    names = ", ".join(values)
    con.execute(f"insert into marts.{table} ({names}) values ({', '.join('?' * len(values))})",
                list(values.values()))


# Budget year 2024 by the model, by hand: pot 100 MSEK, base 400 000, 8 base amounts (the
# registry knows 5 associations, the year's count is 8: 'unplaced' has 3), weights 0.75 HE
# and 0.25 population; distributed pot 100 000 000 - 8 * 400 000 = 96 800 000.
#   unit      population 16-65 (share)   HE (share)     state ideal
#   alfa      20 000 (0.2)               1 000 (0.1)    400 000 + 96.8M * 0.125  = 12 500 000
#   beta      20 000 (0.2)               2 000 (0.2)    400 000 + 96.8M * 0.2    = 19 760 000
#   gamma     10 000 (0.1)               1 000 (0.1)    400 000 + 96.8M * 0.1    = 10 080 000
#   delta     10 000 (0.1)                 500 (0.05)   400 000 + 96.8M * 0.0625 =  6 450 000
#   epsilon   20 000 (0.2)                 500 (0.05)   400 000 + 96.8M * 0.0875 =  8 870 000
#   unplaced  20 000 (0.2)               5 000 (0.5)  1 200 000 + 96.8M * 0.425  = 42 340 000
# The ideal is twice the state's part. Funding ratios: alfa 0.4 (furthest from 100 %, the
# report's focus), beta 1.0 (sample data), gamma 1.5, delta 0.9, epsilon 0.8.
UNITS = [
    # id, name, population, HE, state ideal, contribution, HE rate, sample
    ("alfa", "Samordningsförbundet Alfa", 20_000, 1_000, 12_500_000, 10_000_000, 10.0, False),
    ("beta", "Samordningsförbundet Beta", 20_000, 2_000, 19_760_000, 39_520_000, 12.0, True),
    ("gamma", "Finsam Gamma", 10_000, 1_000, 10_080_000, 30_240_000, 14.0, False),
    ("delta", "Samordningsförbundet Delta", 10_000, 500, 6_450_000, 11_610_000, 9.0, False),
    ("epsilon", "Samordningsförbundet Epsilon", 20_000, 500, 8_870_000, 14_192_000, 11.0,
     False),
    ("unplaced", "Kommuner som registret inte placerar i något förbund", 20_000, 5_000,
     42_340_000, None, None, False),
]
IDEALS_2024 = {unit[0]: 2 * unit[4] for unit in UNITS}


def write_warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        create_marts(con)
        for aid, name, *_ in UNITS[:-1]:
            insert(con, "dim_association", association_id=aid, association_name=name,
                   county_code="01", n_member_municipalities=2)
        for year, pot_status, count_status in ((2023, "confirmed", "confirmed"),
                                               (2024, "unconfirmed", "carried_forward")):
            insert(con, "dim_allocation_parameters", year=year, data_year=year - 2,
                   data_year_lag=2, data_year_lag_status="unconfirmed",
                   state_pot_sek=100_000_000, state_pot_sek_status=pot_status,
                   base_per_association_sek=400_000,
                   base_per_association_sek_status="confirmed", measure_weight=0.75,
                   measure_weight_status="confirmed", population_weight=0.25,
                   population_weight_status="confirmed", association_count=8,
                   association_count_status=count_status, population_age_min=16,
                   population_age_max=65, age_band_status="confirmed", budget_multiplier=2)
        for aid, name, population, he, state, contribution, he_rate, sample in UNITS:
            base_amounts = 3 if aid == "unplaced" else 1
            insert(con, "fct_funding_vs_ideal", association_id=aid, year=2024,
                   association_name=name, data_year=2022, share_scope="country_less_outside",
                   age_band="16-65", contribution_total_sek=contribution,
                   contribution_basis=None if contribution is None else "outcome",
                   ideal_state_allocation_sek=state, ideal_allocation_sek=2 * state,
                   funding_ratio=None if contribution is None else contribution / (2 * state),
                   funding_gap_sek=None if contribution is None else contribution - 2 * state,
                   measure_value=he, full_year_equivalents=he, population_in_age_band=population,
                   he_rate_pct=he_rate,
                   funding_per_he_sek=None if contribution is None else contribution / he,
                   base_amounts=base_amounts, n_base_amounts=8, state_pot_sek=100_000_000,
                   n_municipalities=4 if aid == "unplaced" else 2,
                   distributed_pot_sek=96_800_000, denominator_population_coverage=0.95,
                   registry_population_coverage=0.6, allocation_measure="full_year_equivalents",
                   parameter_status="pot unconfirmed, base confirmed, weights confirmed, "
                   "associations carried_forward, data-year lag unconfirmed, age band confirmed",
                   contribution_document_id=DOC_2024 if aid == "alfa" else None,
                   is_sample=sample)
            # half of the band's population at each end, and people just outside it
            for age, persons in ((15, 500), (16, population // 2), (65, population // 2),
                                 (66, 1_000)):
                insert(con, "fct_allocation_population_by_age", association_id=aid, year=2024,
                       data_year=2022, age=age, population=persons, is_sample=False)
        con.execute("update marts.fct_funding_vs_ideal set reported_ideal_share_pct = 58, "
                    "reported_ideal_allocation_sek = 17200000, reported_ideal_document_id = ? "
                    "where association_id = 'alfa'", [DOC_2024])
        # 2023: Alfa's contributions are known, the statistics for an ideal are not
        insert(con, "fct_funding_vs_ideal", association_id="alfa", year=2023,
               association_name="Samordningsförbundet Alfa", contribution_total_sek=9_000_000,
               contribution_basis="budget", contribution_document_id=DOC_2023, is_sample=False)
        for document, name, year in ((DOC_2024, "alfa_arsredovisning_2024.pdf", 2024),
                                     (DOC_2023, "alfa_budget_2023.txt", 2023)):
            insert(con, "dim_report_document", document_id=document, document_name=name,
                   source=f"/reports/{name}", association_id="alfa",
                   report_type="annual_report", period_start=date(year, 1, 1),
                   period_end=date(year, 12, 31), status="loaded", n_figures=12,
                   is_sample=False)
        insert(con, "fct_he_by_benefit", association_id="alfa", year=2024,
               benefit_type="sickness_benefit", association_name="Samordningsförbundet Alfa",
               full_year_equivalents=1234.5, he_population=50000, he_rate_pct=2.469,
               is_sample=False)
        # 30 months: the sheet keeps the latest 24, the CSV all; March 2024 is masked ("<5")
        for month in pd.date_range("2022-07-01", "2024-12-01", freq="MS"):
            masked = month == pd.Timestamp("2024-03-01")
            insert(con, "fct_unemployment_monthly", association_id="alfa",
                   month=month.date(), age_band="16-64", sex="total",
                   measure="registered_unemployed", association_name="Samordningsförbundet Alfa",
                   persons=None if masked else 1500, labour_force=30000,
                   share_pct=None if masked else 5.0, is_sample=False)
        period = {"period_start": date(2024, 1, 1), "period_end": date(2024, 12, 31)}
        insert(con, "fct_participants", association_id="alfa", **period,
               report_type="annual_report", intervention="(all)", gender="total",
               association_name="Samordningsförbundet Alfa", participants=321,
               participants_started=150, participants_exited=140, document_id=DOC_2024,
               is_sample=False)
        insert(con, "fct_exits", association_id="alfa", **period, intervention="(all)",
               reason="work", gender="total", report_type="annual_report",
               association_name="Samordningsförbundet Alfa", exits=42, document_id=DOC_2024)
        for intervention in ("Steget", '=HYPERLINK("http://example.org")', "-Ettan"):
            insert(con, "fct_intervention_costs", association_id="alfa", **period,
                   intervention=intervention, association_name="Samordningsförbundet Alfa",
                   budget_sek=1000000, outcome_sek=900000, difference_sek=-100000,
                   participants=60, cost_per_participant_sek=15000, document_id=DOC_2024)
        for metric, member, value in (("member_contribution", "state", 5_000_000),
                                      ("total_costs", "(all)", 9_800_000)):
            insert(con, "fct_association_finances", association_id="alfa", **period,
                   basis="outcome", metric=metric, member=member,
                   association_name="Samordningsförbundet Alfa", report_type="annual_report",
                   value_sek=value, unit_as_printed="tkr", origin="extracted", n_candidates=1,
                   has_conflicting_values=False, document_id=DOC_2024, page=3, line=14,
                   is_flagged=False, is_sample=False)
    return path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A FINSAM_DATA_DIR holding only a published warehouse."""
    folder = tmp_path_factory.mktemp("data")
    write_warehouse(folder / "warehouse.duckdb")
    return folder


@pytest.fixture(scope="module")
def exported(data_dir: Path) -> Path:
    out = data_dir / "exports"
    export_all(data_dir / "warehouse.duckdb", out)
    return out


@pytest.fixture(scope="module")
def workbook(exported: Path):
    return load_workbook(exported / "finsam.xlsx")


def data_rows(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def warehouse_mtime(data_dir: Path) -> datetime:
    """The refresh time the exports show: when the published file was written, in UTC."""
    mtime = (data_dir / "warehouse.duckdb").stat().st_mtime
    return datetime.fromtimestamp(mtime, UTC).replace(tzinfo=None)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


def readme_text(workbook) -> str:
    return "\n".join(" | ".join(str(v) for v in row if v is not None)
                     for row in workbook["Läs mig"].iter_rows(values_only=True))


def test_workbook_sheets_headers_and_frozen_row(workbook) -> None:
    assert workbook.sheetnames == [
        "Läs mig", "Finansiering", "HE", "Arbetslöshet", "Deltagare", "Avslut",
        "Insatskostnader", "Ekonomi", "Modellens parametrar", "Dokument",
    ]
    headers = [cell.value for cell in workbook["Finansiering"][1]]
    assert headers[:3] == ["Förbunds-id", "Samordningsförbund", "År"]
    assert {"Idealfördelning (kr)", "Bidrag totalt (kr)"} <= set(headers)
    assert headers[-1] == "Exempeldata"
    for sheet in workbook.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title


def test_workbook_known_values_are_numbers(workbook) -> None:
    funding = {(r["Förbunds-id"], r["År"]): r for r in data_rows(workbook["Finansiering"])}
    assert len(funding) == 7
    beta = funding[("beta", 2024)]
    assert beta["Bidrag totalt (kr)"] == 39_520_000
    assert beta["Idealfördelning (kr)"] == 39_520_000
    assert beta["Exempeldata"] is True
    assert funding[("alfa", 2024)]["Skillnad mot idealfördelning (kr)"] == -15_000_000
    (participants,) = data_rows(workbook["Deltagare"])
    assert participants["Deltagare"] == 321
    assert participants["Period från"] == datetime(2024, 1, 1)
    masked = next(r for r in data_rows(workbook["Arbetslöshet"])
                  if r["Månad"] == datetime(2024, 3, 1))
    assert masked["Personer"] is None  # masked "<5" stays empty, not 0 or text
    # Every cell under a money, count, share or year header is a number or empty.
    for mart in marts.MARTS:
        numeric = {c.sv for c in mart.columns if c.kind not in ("text", "document", "date",
                                                                "bool")}
        for row in data_rows(workbook[mart.sheet]):
            for header in numeric:
                value = row[header]
                assert value is None or isinstance(value, int | float), (mart.sheet, header)


def test_one_percent_convention(workbook) -> None:
    """Every share is an Excel percentage: a fraction shown with one decimal and a % sign,
    whether the warehouse stores it as a fraction (0.4) or in percent (58)."""
    def cell(sheet: str, header: str, row: int = 0):
        ws = workbook[sheet]
        headers = [c.value for c in ws[1]]
        rows = list(ws.iter_rows(min_row=2))
        return rows[row][headers.index(header)]

    funding_rows = data_rows(workbook["Finansiering"])
    alfa = next(i for i, r in enumerate(funding_rows)
                if r["Förbunds-id"] == "alfa" and r["År"] == 2024)
    for header, value in (("Andel av idealfördelning", 0.4),
                          ("Rapporterad andel av idealfördelning", 0.58),
                          ("HE i procent av invånarna 20–64", 0.10)):
        found = cell("Finansiering", header, alfa)
        assert found.value == pytest.approx(value), header
        assert found.number_format == "0.0%", header
    share = cell("Arbetslöshet", "Andel av arbetskraften")
    assert share.value == pytest.approx(0.05) and share.number_format == "0.0%"
    assert cell("HE", "HE i procent av invånarna 20–64").value == pytest.approx(0.02469)
    for mart in marts.MARTS:
        headers = [c.value for c in workbook[mart.sheet][1]]
        assert not [h for h in headers if "(%)" in h or "per 100" in h], mart.sheet
        for column in mart.columns:
            if column.kind in ("ratio", "pct"):
                index = headers.index(column.sv)
                for row in workbook[mart.sheet].iter_rows(min_row=2):
                    if row[index].value is not None:
                        assert row[index].number_format == "0.0%", (mart.sheet, column.sv)


def test_codes_are_swedish_words(workbook) -> None:
    (exit_row,) = data_rows(workbook["Avslut"])
    assert (exit_row["Avslutsorsak"], exit_row["Kön"], exit_row["Insats"],
            exit_row["Rapporttyp"]) == ("arbete", "totalt", "hela förbundet", "årsredovisning")
    (he,) = data_rows(workbook["HE"])
    assert he["Ersättningsslag"] == "sjukpenning inkl. rehabiliteringspenning"
    month = data_rows(workbook["Arbetslöshet"])[0]
    assert (month["Kön"], month["Mått"]) == (
        "totalt", "inskrivna arbetslösa (öppet arbetslösa och i program)")
    alfa = next(r for r in data_rows(workbook["Finansiering"])
                if (r["Förbunds-id"], r["År"]) == ("alfa", 2024))
    assert alfa["Andelarnas nämnare"] == "riket utom kommuner utanför alla förbund"
    assert alfa["Bidragens grund"] == "utfall"
    assert alfa["Parametrarnas status"].startswith("ram: obekräftad, grundbelopp: bekräftad")
    parameters = {r["År"]: r for r in data_rows(workbook["Modellens parametrar"])}
    assert parameters[2024]["Status antal förbund"] == "framförd"
    finances = {r["Post"]: r for r in data_rows(workbook["Ekonomi"])}
    assert finances["medlemsbidrag"]["Medlem"] == "staten"
    assert finances["summa kostnader"]["Grund"] == "utfall"
    # No cell of a closed code family shows a code whose word differs from it.
    for mart in marts.MARTS:
        for column in mart.columns:
            family = FAMILIES.get(column.codes or "")
            if family is None or not family.closed:
                continue
            codes = {code for code, word in family.words.items() if code != word}
            shown = {r[column.sv] for r in data_rows(workbook[mart.sheet])}
            assert not shown & codes, (mart.sheet, column.sv, shown & codes)


def test_documents_by_file_name(workbook) -> None:
    (participants,) = data_rows(workbook["Deltagare"])
    assert participants["Dokument"] == "alfa_arsredovisning_2024.pdf"
    alfa = {r["År"]: r for r in data_rows(workbook["Finansiering"])
            if r["Förbunds-id"] == "alfa"}
    assert alfa[2023]["Dokument (bidrag)"] == "alfa_budget_2023.txt"
    assert alfa[2024]["Dokument (rapporterat ideal)"] == "alfa_arsredovisning_2024.pdf"
    documents = {r["Dokument"]: r for r in data_rows(workbook["Dokument"])}
    assert documents["alfa_budget_2023.txt"]["Dokument-id"] == DOC_2023
    # the documents sheet's id column is the only place a hash shows
    for sheet in workbook.worksheets[1:]:
        for row in data_rows(sheet):
            hashes = {k for k, v in row.items() if isinstance(v, str) and HASH.search(v)}
            assert hashes <= ({"Dokument-id"} if sheet.title == "Dokument" else set()), (
                sheet.title, hashes)


def test_finances_sheet(workbook) -> None:
    rows = data_rows(workbook["Ekonomi"])
    assert {(r["Post"], r["Medlem"], r["Belopp (kr)"]) for r in rows} == {
        ("medlemsbidrag", "staten", 5_000_000), ("summa kostnader", "alla medlemmar", 9_800_000)}
    assert all(r["Enhet i rapporten"] == "tkr" and r["Sida"] == 3 for r in rows)


def test_readme_counts_the_rows_each_sheet_holds(workbook) -> None:
    readme = {row[0]: row[1] for row in workbook["Läs mig"].iter_rows(values_only=True)
              if row[0] and row[1] and re.match(r"^\d+ rader", str(row[1]))}
    for mart in marts.MARTS:
        shown = len(data_rows(workbook[mart.sheet]))
        assert readme[mart.sheet].startswith(f"{shown} rader"), (mart.sheet, readme[mart.sheet])
    assert len(data_rows(workbook["Arbetslöshet"])) == 24
    assert "Hela urvalet har 30 rader: csv/fct_unemployment_monthly.csv" in readme[
        "Arbetslöshet"]
    assert readme["Finansiering"] == ("7 rader, varav 1 exempeldata (kolumnen Exempeldata = "
                                      "SANT), inte publicerade värden.")


def test_readme_explains_percent_codes_and_columns(workbook, data_dir: Path) -> None:
    text = readme_text(workbook)
    assert "Alla andelar är procent" in text
    assert "Kön | women | kvinnor" in text
    assert "Avslutsorsak | job_centre | kommunal arbetsmarknadsinsats (jobbtorg)" in text
    assert "Parameterstatus | carried_forward | framförd | ingen källa för året" in text
    assert "Idealfördelning (kr) | Ideal allocation (SEK) | ideal_allocation_sek" in text
    refreshed = next(row[1] for row in workbook["Läs mig"].iter_rows(values_only=True)
                     if row[0] and str(row[0]).startswith("Uppdaterad"))
    assert abs((refreshed - warehouse_mtime(data_dir)).total_seconds()) < 1


def test_csv_neutralises_formulas_but_keeps_numbers(exported: Path) -> None:
    costs = pd.read_csv(exported / "csv" / "fct_intervention_costs.csv")
    assert sorted(costs["intervention"]) == ["'-Ettan", "'=HYPERLINK(\"http://example.org\")",
                                            "Steget"]
    assert costs["difference_sek"].tolist() == [-100_000] * 3  # a negative number, not text
    funding = pd.read_csv(exported / "csv" / "fct_funding_vs_ideal.csv")
    assert funding.set_index(["association_id", "year"]).loc[
        ("alfa", 2024), "funding_gap_sek"] == -15_000_000
    with duckdb.connect() as con:  # Parquet is for programs: the values as stored
        names = con.execute("select intervention from read_parquet(?) order by 1", [
            str(exported / "parquet" / "fct_intervention_costs.parquet")]).fetchall()
    assert [n for (n,) in names] == ["-Ettan", '=HYPERLINK("http://example.org")', "Steget"]


def test_csv_and_parquet(exported: Path) -> None:
    csv = pd.read_csv(exported / "csv" / "fct_funding_vs_ideal.csv")
    assert list(csv.columns[:3]) == ["association_id", "association_name", "year"]
    assert csv.set_index(["association_id", "year"]).loc[("gamma", 2024),
                                                          "contribution_total_sek"] == 30_240_000
    assert set(csv["share_scope"].dropna()) == {"country_less_outside"}  # codes stay codes
    with duckdb.connect() as con:
        parquet = con.execute(
            "select period_start, participants, document_id from read_parquet(?)",
            [str(exported / "parquet" / "fct_participants.parquet")],
        ).fetchall()
    assert parquet == [(date(2024, 1, 1), 321, DOC_2024)]
    assert sorted(p.name for p in (exported / "parquet").iterdir()) == sorted(
        f"{m.table}.parquet" for m in marts.MARTS)


def test_filters_select_association_and_year(tmp_path: Path, data_dir: Path) -> None:
    export_all(data_dir / "warehouse.duckdb", tmp_path, marts.Filters("gamma", 2024))
    workbook = load_workbook(tmp_path / "finsam.xlsx")
    funding = data_rows(workbook["Finansiering"])
    assert [(r["Förbunds-id"], r["År"]) for r in funding] == [("gamma", 2024)]
    assert data_rows(workbook["Arbetslöshet"]) == []
    assert [r["År"] for r in data_rows(workbook["Modellens parametrar"])] == [2024]
    # Gamma alone holds no sample rows, so the report carries no sample warning; the
    # what-if still holds every unit of the year (the shares depend on all of them)
    page = (tmp_path / "report.html").read_text()
    assert "exempeldata" not in page
    assert '"id":"unplaced"' in page and '"id":"beta"' in page


def test_charts_only_with_enough_points(exported: Path, tmp_path: Path,
                                        data_dir: Path) -> None:
    names = sorted(p.name for p in (exported / "charts").glob("*.png"))
    assert names == ["association_over_time.png", "funding_share.png", "he_vs_funding.png"]
    for name in names:
        width, height = png_size(exported / "charts" / name)
        assert 600 <= width <= 3000, (name, width)
        assert 300 <= height <= 4000, (name, height)
    # Gamma has one year: no chart over time; one association: no ranking, no scatter
    export_all(data_dir / "warehouse.duckdb", tmp_path, marts.Filters("gamma"))
    assert not list((tmp_path / "charts").glob("*.png"))
    assert "Inget diagram" in (tmp_path / "charts.html").read_text()


def test_charts_caption_source_date_and_one_age_band(exported: Path, data_dir: Path) -> None:
    page = (exported / "charts.html").read_text()
    assert page.count("<svg") == 3
    assert "Källa: Finsam-lagret" in page
    assert f"Uppdaterad {warehouse_mtime(data_dir):%Y-%m-%d %H:%M} UTC" in page
    # Beta's 2024 row is sample data: in the share chart and the scatter, not in Alfa's
    # chart over time
    assert page.count("diagrammet innehåller exempeldata") == 2
    assert "Samordningsförbundet Alfa: bidrag och idealfördelning per år" in page
    assert "2023.5" not in page  # whole-year ticks only
    assert "100 % = idealfördelning" in page
    assert "Enligt förbundets rapport" in page  # Alfa's reported share beside ours
    scatter = page[page.index('id="chart-he_vs_funding"'):]
    assert "20–64" in scatter and "16–65" not in scatter  # one age band per chart


def test_report_headline_and_the_rest_of_the_country(exported: Path) -> None:
    page = (exported / "report.html").read_text()
    assert "<h1>Samordningsförbundens finansiering och idealfördelning 2024</h1>" in page
    assert "För 2024 är bidragen kända för 5 av 5 förbund" in page
    card = page[page.index('<div class="card" data-association="alfa">'):]
    card = card[:card.index("</div>")]
    assert "40,0\u00a0%" in card and "58,0\u00a0%" in card and "17,2\u00a0mnkr" in card
    headline = page[page.index('<table id="headline"'):page.index("</table>")]
    assert "unplaced" not in headline and "Kommuner som registret" not in headline
    assert "alfa_arsredovisning_2024.pdf" in headline
    rest = page[page.index('<p id="rest-of-country">'):]
    assert "84,7\u00a0mnkr" in rest[:rest.index("</p>")]
    provisional = page[page.index('id="provisional"'):]
    assert ("statens ram (källan anger inte året exakt), antalet förbund (ingen källa för "
            "året, senast kända värdet)") in provisional
    assert "country_less_outside" not in page.replace('"scope":"country_less_outside"', "")
    assert "Registret är ofullständigt detta år" in page


def test_missing_contract_column_is_an_error(tmp_path: Path) -> None:
    warehouse = write_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.fct_funding_vs_ideal drop column funding_ratio")
    with pytest.raises(ValueError, match=r"fct_funding_vs_ideal lacks columns \['funding_ratio'\]"):
        marts.load_snapshot(warehouse)


def test_whatif_refuses_inputs_that_disagree_with_the_ideal(tmp_path: Path) -> None:
    from outputs.whatif import WhatIfInputsError

    warehouse = write_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:  # gamma's 65-year-olds lost
        con.execute("delete from marts.fct_allocation_population_by_age "
                    "where association_id = 'gamma' and age = 65")
    with pytest.raises(WhatIfInputsError, match="gamma 2024: population by age sums to 5000"):
        export_all(warehouse, tmp_path / "exports")


def test_cli_by_association_name_and_suggestions(tmp_path: Path, data_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(data_dir))
    out = tmp_path / "alfa"
    assert export_command(["--association", "samordningsförbundet  ALFA", "--out",
                           str(out)]) == 0
    funding = data_rows(load_workbook(out / "finsam.xlsx")["Finansiering"])
    assert [r["År"] for r in funding] == [2023, 2024]
    page = (out / "report.html").read_text()
    assert "<h1>Samordningsförbundet Alfa: finansiering och idealfördelning</h1>" in page
    assert '<tr class="focus"' not in page  # rows are drawn by the script, focus in data
    assert '"focus":"alfa"' in page
    errors = io.StringIO()
    with redirect_stderr(errors):
        assert export_command(["--association", "alfa2", "--out", str(tmp_path / "x")]) == 2
    assert "no association 'alfa2'" in errors.getvalue()
    assert "the closest: alfa (Samordningsförbundet Alfa)" in errors.getvalue()
    assert not (tmp_path / "x").exists()


def test_a_filtered_export_leaves_the_whole_exports_as_they_are(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh's exports hold every association; the nightly run counts them as written
    from the published warehouse, so a filtered export goes to a folder of its own."""
    monkeypatch.setenv("FINSAM_DATA_DIR", str(data_dir))
    whole = data_dir / "exports"
    assert export_command([]) == 0
    before = (whole / "finsam.xlsx").read_bytes()
    assert export_command(["--association", "alfa", "--year", "2024"]) == 0
    assert (whole / "finsam.xlsx").read_bytes() == before
    funding = data_rows(load_workbook(whole / "alfa-2024" / "finsam.xlsx")["Finansiering"])
    assert {(r["Förbunds-id"], r["År"]) for r in funding} == {("alfa", 2024)}


def test_cli_says_when_nothing_matches(tmp_path: Path, data_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(data_dir))
    errors = io.StringIO()
    with redirect_stderr(errors):
        assert export_command(["--year", "1999", "--out", str(tmp_path / "none")]) == 3
    assert "nothing matches year 1999" in errors.getvalue()
    assert "budget years are 2023-2024" in errors.getvalue()
    assert not (tmp_path / "none").exists()


def test_cli_without_warehouse_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    assert export_command([]) == 1
    assert not (tmp_path / "exports").exists()


def test_assets_write_exports_with_previews(tmp_path: Path, data_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from dagster import materialize

    from orchestration.assets.exports import EXPORT_ASSETS

    shutil.copy(data_dir / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    result = materialize(EXPORT_ASSETS)
    assert result.success
    exports = tmp_path / "exports"
    for name in ("finsam.xlsx", "report.html", "charts.html", "charts/funding_share.png",
                 "csv/fct_exits.csv", "parquet/fct_exits.parquet"):
        assert (exports / name).is_file(), name
    metadata = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    assert set(metadata) == {"exports_workbook", "exports_tables", "exports_charts",
                             "exports_report"}
    preview = metadata["exports_workbook"]["preview"].value
    assert "| Förbunds-id | Samordningsförbund |" in preview
    assert "| alfa | Samordningsförbundet Alfa | 2023 |" in preview
    chart = metadata["exports_charts"]["chart_funding_share"].value
    assert chart.startswith(
        "![Bidrag i procent av idealfördelningen 2024 (preliminär)](data:image/png;base64,")


def test_workbook_keeps_the_latest_months_of_a_monthly_mart() -> None:
    from types import SimpleNamespace

    from outputs.marts import UNEMPLOYMENT
    from outputs.workbook import _workbook_rows

    months = pd.date_range("2021-01-01", "2024-12-01", freq="MS")
    frame = pd.DataFrame({"month": months, "persons": range(len(months))})
    kept = _workbook_rows(UNEMPLOYMENT, SimpleNamespace(frame=lambda mart: frame))
    assert len(kept) == 24
    assert kept["month"].min() == pd.Timestamp("2023-01-01")
    assert kept["month"].max() == pd.Timestamp("2024-12-01")


def test_narrow_percent_range_gets_distinct_tick_labels() -> None:
    from outputs.charts import he_vs_funding_chart

    funding = pd.DataFrame({
        "association_id": ["a", "b", "c"],
        "association_name": ["A", "B", "C"],
        "year": [2024] * 3,
        "he_rate_pct": [10.10, 10.14, 10.18],
        "funding_per_he_sek": [40.0, 50.0, 60.0],
        "is_sample": [False] * 3,
    })
    chart = he_vs_funding_chart(funding, 2024, None, "2024-01-01 00:00 UTC")
    chart.figure.canvas.draw()
    labels = [t.get_text() for t in chart.figure.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels), labels
    assert all(label.endswith(" %") and "," in label for label in labels), labels


def test_every_code_column_names_a_family_that_lists_its_values() -> None:
    from ingestion.reports import vocabulary

    for mart in marts.MARTS:
        for column in mart.columns:
            if column.codes and column.codes != "parameter_statuses":
                assert column.codes in FAMILIES, (mart.table, column.name)
    listed = {name: set(family.words) for name, family in FAMILIES.items()}
    assert set(vocabulary.REASONS) <= listed["exit_reason"]
    assert set(vocabulary.MONEY_METRICS) <= listed["metric"]
    raw = {("report_documents", "report_type"): "report_type",
           ("report_figures", "gender"): "gender", ("report_figures", "member"): "member",
           ("report_figures", "basis"): "basis", ("report_figures", "origin"): "origin",
           ("report_documents", "status"): "document_status",
           ("unemployment", "sex"): "gender", ("unemployment", "measure"):
           "unemployment_measure", ("full_year_equivalents", "benefit_type"): "benefit_type"}
    for (table, name), family in raw.items():
        assert set(contracts.raw_table(table).column(name).meta["accepted_values"]) <= \
            listed[family], (table, name)


# ---------------------------------------------------------------------------------------
# The report in headless Chromium (Debian's package, installed by `make test`'s `browser`
# target): one browser for the module, driven over the DevTools protocol (tests/browser.py).

@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    yield from browser_session(tmp_path_factory)


WHATIF_ROWS = """Array.from(document.querySelectorAll('#whatif-table tr[data-unit]')).map(tr =>
    [tr.dataset.unit, Number(tr.cells[3].dataset.value), Number(tr.cells[4].dataset.value)])"""


def whatif_ideals(page) -> dict[str, tuple[float, float]]:
    """Each unit's scenario ideal (kronor, as computed) and difference to the published."""
    return {unit: (ideal, difference) for unit, ideal, difference in page.evaluate(WHATIF_ROWS)}


def test_report_fits_a_laptop_and_a4(browser, exported: Path, tmp_path: Path) -> None:
    import pypdfium2

    page = browser.new_page(width=1400, height=900)
    page.open((exported / "report.html").as_uri())
    assert page.javascript_errors() == []
    figures = page.evaluate("Array.from(document.querySelectorAll('figure')).map(f => f.id)")
    assert figures == ["chart-funding_share", "chart-association_over_time",
                       "chart-he_vs_funding"]
    assert layout_problems(page) == []
    page.screenshot(tmp_path / "report-1400.png")

    page.print_media(True)
    page.resize(A4_PRINT_WIDTH, 1100)
    assert layout_problems(page) == []
    pdf = pypdfium2.PdfDocument(page.pdf(tmp_path / "report-a4.pdf"))
    width, height = pdf[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4 in mm
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for title in ("I korthet", "Bidrag i procent av idealfördelningen 2024",
                  "Samordningsförbundet Alfa: bidrag och idealfördelning per år",
                  "Ohälsa och bidrag per HE 2024", "Prova modellen"):
        assert title in " ".join(text.split()), title
    page.print_media(False)


def test_whatif_recomputes_the_ideals_computed_by_hand(browser, exported: Path,
                                                       tmp_path: Path) -> None:
    page = browser.new_page(width=1400, height=900)
    page.open((exported / "report.html").as_uri())
    # with the year's own parameters the page gives the published ideals, by hand above
    assert whatif_ideals(page) == {unit: (ideal, 0) for unit, ideal in IDEALS_2024.items()}

    def alfa_and_rest() -> tuple[float, float]:
        ideals = whatif_ideals(page)
        return ideals["alfa"][0], ideals["unplaced"][0]

    # pot 200 MSEK: distributed 196.8 MSEK; alfa 2 * (400 000 + 196.8M * 0.125)
    move(page, "wi-pot", 200_000_000)
    assert alfa_and_rest() == (50_000_000, 2 * (1_200_000 + 196_800_000 * 0.425))
    page.evaluate("document.getElementById('wi-reset').click()")
    # ten associations: 10 base amounts, 5 of them the rest's; distributed 96 MSEK
    move(page, "wi-associations", 10)
    assert alfa_and_rest() == (2 * (400_000 + 96_000_000 * 0.125),
                               2 * (5 * 400_000 + 96_000_000 * 0.425))
    page.screenshot(tmp_path / "whatif-associations.png")
    page.evaluate("document.getElementById('wi-reset').click()")
    # weights 0.5 / 0.5 (moving one moves the other): alfa 0.5 * 0.1 + 0.5 * 0.2 = 0.15
    move(page, "wi-measure", 0.5)
    assert page.evaluate("document.getElementById('wi-population').value") == "0.5"
    assert alfa_and_rest()[0] == 2 * (400_000 + 96_800_000 * 0.15)
    page.evaluate("document.getElementById('wi-reset').click()")
    # base 1 MSEK: distributed 92 MSEK; beta 2 * (1 000 000 + 92M * 0.2)
    move(page, "wi-base", 1_000_000)
    assert whatif_ideals(page)["beta"] == (38_800_000, 38_800_000 - 39_520_000)
    page.evaluate("document.getElementById('wi-reset').click()")
    # ages 15-65: every unit gains its 500 fifteen-year-olds, 103 000 in all
    move(page, "wi-age-min", 15)
    expected = 2 * (400_000 + 96_800_000 * (0.75 * 0.1 + 0.25 * 20_500 / 103_000))
    assert alfa_and_rest()[0] == pytest.approx(expected, abs=0.5)
    move(page, "wi-age-max", 66)  # and the 1 000 sixty-six-year-olds: 109 000
    expected = 2 * (400_000 + 96_800_000 * (0.75 * 0.1 + 0.25 * 21_500 / 109_000))
    assert alfa_and_rest()[0] == pytest.approx(expected, abs=0.5)
    assert layout_problems(page) == []
    assert page.javascript_errors() == []
    command = page.evaluate("document.getElementById('whatif-command').textContent")
    assert command == ('finsam scenario --year 2024 --vars "{population_age_min: 15, '
                       'population_age_max: 66}"')
