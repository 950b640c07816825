"""Exports (issue 7) against a tiny warehouse with known values, built here to the marts
contract in docs/architecture.md."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from ingestion import contracts
from outputs import marts
from outputs.export import export_all
from outputs.export_command import export_command

MART_NAMES = ["dim_association", *marts.EXPORTED_MARTS]


def create_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Empty marts in their contracts' columns and types (the dbt YAML)."""
    con.execute("create schema marts")
    for name in MART_NAMES:
        columns = ", ".join(f"{c.name} {c.data_type}" for c in contracts.model(name).columns)
        con.execute(f"create table marts.{name} ({columns})")


def insert(con: duckdb.DuckDBPyConnection, table: str, **values: object) -> None:
    """One row by column name; the others are null."""
    names = ", ".join(values)
    con.execute(f"insert into marts.{table} ({names}) values ({', '.join('?' * len(values))})",
                list(values.values()))


# Three associations. 2024 shares of the ideal allocation: Gamma 50 %, Alfa 100 %, Beta 140 %;
# Gamma is furthest from 100 %, so it is the default association of the over-time chart.
# Beta's 2024 row is sample data.
FUNDING_ROWS = [
    # id, year, name, state, region, municipalities, total, ideal, ratio, gap, pop, he_rate,
    # per inhabitant, sample
    ("alfa", 2023, "Samordningsförbundet Alfa", 1_000_000, 500_000, 500_000, 2_000_000,
     2_500_000, 0.8, -500_000, 50_000, 10.0, 40.0, False),
    ("alfa", 2024, "Samordningsförbundet Alfa", 1_200_000, 600_000, 600_000, 2_400_000,
     2_400_000, 1.0, 0, 50_000, 9.5, 48.0, False),
    ("beta", 2024, "Samordningsförbundet Beta", 1_400_000, 700_000, 700_000, 2_800_000,
     2_000_000, 1.4, 800_000, 40_000, 12.0, 70.0, True),
    ("gamma", 2024, "Finsam Gamma", 500_000, 250_000, 250_000, 1_000_000, 2_000_000, 0.5,
     -1_000_000, 20_000, 14.0, 50.0, False),
]


def write_warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        create_marts(con)
        for aid, name in [("alfa", "Samordningsförbundet Alfa"),
                          ("beta", "Samordningsförbundet Beta"), ("gamma", "Finsam Gamma")]:
            insert(con, "dim_association", association_id=aid, association_name=name,
                   county_code="01", n_member_municipalities=2)
        for (aid, year, name, state, region, muni, total, ideal, ratio, gap, pop, he_rate,
             per_inhabitant, sample) in FUNDING_ROWS:
            insert(con, "fct_funding_vs_ideal", association_id=aid, year=year,
                   association_name=name, data_year=year - 2, contribution_state_sek=state,
                   contribution_region_sek=region, contribution_municipalities_sek=muni,
                   contribution_total_sek=total, ideal_allocation_sek=ideal,
                   funding_ratio=ratio, funding_gap_sek=gap, population_in_age_band=pop,
                   he_rate_pct=he_rate, funding_per_inhabitant_sek=per_inhabitant,
                   is_sample=sample, share_scope="country_less_outside",
                   denominator_population_coverage=0.95, registry_population_coverage=0.6,
                   age_band="16-65")
        insert(con, "fct_he_by_benefit", association_id="alfa", year=2024,
               benefit_type="sickness_benefit", association_name="Samordningsförbundet Alfa",
               full_year_equivalents=1234.5, he_population=50000, he_rate_pct=2.469,
               is_sample=False)
        for month, persons, share in ((date(2024, 3, 1), 1500, 5.0), (date(2023, 3, 1), None,
                                                                       None)):
            insert(con, "fct_unemployment_monthly", association_id="alfa", month=month,
                   age_band="16-64", sex="total", measure="registered_unemployed",
                   association_name="Samordningsförbundet Alfa", persons=persons,
                   labour_force=30000, share_pct=share, is_sample=False)
        period = {"period_start": date(2024, 1, 1), "period_end": date(2024, 12, 31)}
        insert(con, "fct_participants", association_id="alfa", **period,
               report_type="annual_report", intervention="(all)", gender="total",
               association_name="Samordningsförbundet Alfa", participants=321,
               participants_started=150, participants_exited=140, document_id="doc1",
               is_sample=False)
        insert(con, "fct_exits", association_id="alfa", **period, intervention="(all)",
               reason="work", gender="total", association_name="Samordningsförbundet Alfa",
               exits=42, document_id="doc1")
        insert(con, "fct_intervention_costs", association_id="alfa", **period,
               intervention="Steget", association_name="Samordningsförbundet Alfa",
               budget_sek=1000000, outcome_sek=900000, difference_sek=100000, participants=60,
               cost_per_participant_sek=15000, document_id="doc1")
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


def test_workbook_sheets_headers_and_frozen_row(exported: Path) -> None:
    workbook = load_workbook(exported / "finsam.xlsx")
    assert workbook.sheetnames == [
        "Läs mig", "Finansiering", "HE", "Arbetslöshet", "Deltagare", "Avslut",
        "Insatskostnader",
    ]
    funding = workbook["Finansiering"]
    headers = [cell.value for cell in funding[1]]
    assert headers[:3] == ["Förbunds-id", "Samordningsförbund", "År"]
    assert "Idealfördelning (kr)" in headers
    assert "Bidrag totalt (kr)" in headers
    assert headers[-1] == "Exempeldata"
    for sheet in workbook.worksheets[1:]:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title


def test_workbook_known_values_are_numbers(exported: Path) -> None:
    workbook = load_workbook(exported / "finsam.xlsx")
    funding = {(r["Förbunds-id"], r["År"]): r for r in data_rows(workbook["Finansiering"])}
    assert len(funding) == 4
    beta = funding[("beta", 2024)]
    assert beta["Bidrag totalt (kr)"] == 2_800_000
    assert beta["Idealfördelning (kr)"] == 2_000_000
    assert beta["Andel av idealfördelning"] == pytest.approx(1.4)
    assert beta["Exempeldata"] is True
    assert funding[("alfa", 2023)]["Skillnad mot idealfördelning (kr)"] == -500_000

    ratio_cell = next(c for c in workbook["Finansiering"]["J"] if c.value == pytest.approx(1.4))
    assert ratio_cell.number_format == "0.0%"

    (participants,) = data_rows(workbook["Deltagare"])
    assert participants["Deltagare"] == 321
    assert participants["Period från"] == datetime(2024, 1, 1)
    (unemployment_2024, masked) = sorted(
        data_rows(workbook["Arbetslöshet"]), key=lambda r: r["Månad"], reverse=True
    )
    assert unemployment_2024["Andel av arbetskraften (%)"] == 5.0
    assert masked["Personer"] is None  # masked "<5" stays empty, not 0 or text

    # Every cell under a money, count, share or year header is a number or empty.
    for mart in marts.MARTS:
        sheet = workbook[mart.sheet]
        numeric = {c.sv for c in mart.columns if c.kind not in ("text", "date", "bool")}
        for row in data_rows(sheet):
            for header in numeric:
                value = row[header]
                assert value is None or isinstance(value, int | float), (mart.sheet, header)


def test_readme_sheet(exported: Path, data_dir: Path) -> None:
    readme = load_workbook(exported / "finsam.xlsx")["Läs mig"]
    text = "\n".join(
        " | ".join(str(v) for v in row if v is not None)
        for row in readme.iter_rows(values_only=True)
    )
    assert "Finansiering | 1 av 4 rader är exempeldata" in text
    assert "HE | Inga exempeldata (1 rader)" in text
    assert "Deltagare | Inga exempeldata (1 rader)" in text
    assert "Avslut | Inga exempeldata (1 rader)" in text
    assert "Idealfördelning (kr) | Ideal allocation (SEK) | ideal_allocation_sek" in text
    assert "sickness_benefit | sjukpenning" in text
    refreshed = next(row[1] for row in readme.iter_rows(values_only=True)
                     if row[0] and str(row[0]).startswith("Uppdaterad"))
    assert abs((refreshed - warehouse_mtime(data_dir)).total_seconds()) < 1


def test_csv_and_parquet(exported: Path) -> None:
    csv = pd.read_csv(exported / "csv" / "fct_funding_vs_ideal.csv")
    assert list(csv.columns[:3]) == ["association_id", "association_name", "year"]
    assert csv.set_index(["association_id", "year"]).loc[("gamma", 2024),
                                                          "contribution_total_sek"] == 1_000_000
    with duckdb.connect() as con:
        parquet = con.execute(
            "select period_start, participants from read_parquet(?)",
            [str(exported / "parquet" / "fct_participants.parquet")],
        ).fetchall()
    assert parquet == [(date(2024, 1, 1), 321)]
    assert sorted(p.name for p in (exported / "parquet").iterdir()) == sorted(
        f"{m.table}.parquet" for m in marts.MARTS
    )


def test_filters_select_association_and_year(tmp_path: Path, data_dir: Path) -> None:
    export_all(data_dir / "warehouse.duckdb", tmp_path, marts.Filters("alfa", 2024))
    workbook = load_workbook(tmp_path / "finsam.xlsx")
    funding = data_rows(workbook["Finansiering"])
    assert [(r["Förbunds-id"], r["År"]) for r in funding] == [("alfa", 2024)]
    months = [r["Månad"] for r in data_rows(workbook["Arbetslöshet"])]
    assert months == [datetime(2024, 3, 1)]
    assert len(data_rows(workbook["Insatskostnader"])) == 1
    # Alfa alone holds no sample rows, so the report carries no sample warning.
    assert "exempeldata" not in (tmp_path / "report.html").read_text()


def test_pngs_are_images_of_sensible_size(exported: Path) -> None:
    names = sorted(p.name for p in (exported / "charts").glob("*.png"))
    assert names == ["association_over_time.png", "funding_share.png", "he_vs_funding.png"]
    for name in names:
        width, height = png_size(exported / "charts" / name)
        assert 600 <= width <= 3000, (name, width)
        assert 300 <= height <= 4000, (name, height)


def test_charts_caption_source_date_and_sample(exported: Path, data_dir: Path) -> None:
    page = (exported / "charts.html").read_text()
    assert page.count("<svg") == 3
    assert "Källa: Finsam-lagret" in page
    assert f"Uppdaterad {warehouse_mtime(data_dir):%Y-%m-%d %H:%M} UTC" in page
    # Beta's 2024 row is sample data: it is in the share chart and the scatter, and the
    # over-time chart shows Gamma (furthest from 100 %), which has none.
    assert page.count("diagrammet innehåller exempeldata") == 2
    assert "Finsam Gamma: bidrag och idealfördelning per år" in page
    assert "2023.5" not in page  # Gamma has one year: whole-year ticks only
    assert "100 % = idealfördelning" in page


def test_year_without_data_still_exports(tmp_path: Path, data_dir: Path) -> None:
    export_all(data_dir / "warehouse.duckdb", tmp_path, marts.Filters(year=1999))
    assert data_rows(load_workbook(tmp_path / "finsam.xlsx")["Finansiering"]) == []
    assert "Inga uppgifter för urvalet" in (tmp_path / "report.html").read_text()
    assert png_size(tmp_path / "charts" / "funding_share.png")[0] > 300


def test_missing_contract_column_is_an_error(tmp_path: Path) -> None:
    warehouse = write_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.fct_funding_vs_ideal drop column funding_ratio")
    with pytest.raises(ValueError, match=r"fct_funding_vs_ideal lacks columns \['funding_ratio'\]"):
        marts.load_snapshot(warehouse)


def test_cli_writes_filtered_exports(tmp_path: Path, data_dir: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(data_dir))
    out = tmp_path / "alfa"
    assert export_command(["--association", "alfa", "--out", str(out)]) == 0
    funding = data_rows(load_workbook(out / "finsam.xlsx")["Finansiering"])
    assert [r["År"] for r in funding] == [2023, 2024]
    assert "Samordningsförbundet Alfa: bidrag och idealfördelning" in (
        out / "report.html").read_text()
    assert export_command(["--association", "nosuch", "--out", str(out)]) == 2


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
    assert chart.startswith("![Bidrag i procent av idealfördelningen 2024](data:image/png;base64,")


# Debian's package, installed by `make test` (the Makefile's `browser` target).
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Headless Chromium. Skips when it is not installed, except under CI (``CI=true``),
    where the browser test must run."""
    if not os.access(CHROMIUM, os.X_OK):
        message = (f"no browser at {CHROMIUM}: `make test` installs it (apt-get install "
                   "chromium, as root)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


def dump_dom(chromium: Path, page: Path, profile: Path) -> str:
    completed = subprocess.run(
        [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        check=True, capture_output=True, text=True, timeout=45,
    )
    return completed.stdout


def test_report_renders_in_headless_chromium(chromium: Path, exported: Path,
                                             tmp_path: Path) -> None:
    from html.parser import HTMLParser

    class Collector(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []
            self.svg_in_figure = 0
            self.rows: list[list[str]] = []
            self._figure = False
            self._cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            attributes = dict(attrs)
            if attributes.get("id"):
                self.ids.append(attributes["id"] or "")
            if tag == "figure":
                self._figure = True
            elif tag == "svg" and self._figure:
                self.svg_in_figure += 1
            elif tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self._cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag == "figure":
                self._figure = False
            elif tag in ("td", "th") and self._cell is not None:
                self.rows[-1].append("".join(self._cell).replace("\xa0", " ").strip())
                self._cell = None

        def handle_data(self, data: str) -> None:
            if self._cell is not None:
                self._cell.append(data)

    dom = dump_dom(chromium, exported / "report.html", tmp_path / "profile")
    collector = Collector()
    collector.feed(dom)
    assert {"chart-funding_share", "chart-association_over_time", "chart-he_vs_funding",
            "key-table"} <= set(collector.ids)
    assert collector.svg_in_figure == 3
    header, *body = collector.rows
    assert header[:3] == ["Samordningsförbund", "Bidrag totalt (kr)", "Idealfördelning (kr)"]
    # Sorted by share of the ideal allocation, Swedish number format.
    assert [row[0] for row in body] == ["Finsam Gamma", "Samordningsförbundet Alfa",
                                        "Samordningsförbundet Beta"]
    assert body[0][1:4] == ["1 000 000", "2 000 000", "50,0 %"]
    assert body[2][-1] == "ja"


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


def test_funding_shows_scope_and_coverage_next_to_the_ratio(exported: Path) -> None:
    headers = next(load_workbook(exported / "finsam.xlsx")["Finansiering"].iter_rows(
        values_only=True))
    ratio = headers.index("Andel av idealfördelning")
    assert headers[ratio + 1: ratio + 3] == (
        "Andelarnas nämnare", "Nämnarens andel av rikets invånare")
    # a population share is labelled as a share of the denominator, never of the country
    assert "Andel av nämnarens invånare" in headers
    assert not any("rikets invånare 16" in str(h) for h in headers)
    page = (exported / "report.html").read_text()
    key_table = page[page.index('<table id="key-table">'):]
    assert "<th>Andelarnas nämnare</th><th>Nämnarens andel av rikets invånare</th>" in key_table
    assert "country_less_outside" in key_table and "95,0 %" in key_table
    assert "Registret är ofullständigt detta år" in page
    assert "förbunden i registret omfattar 60,0 %" in page


def test_narrow_percent_range_gets_distinct_tick_labels() -> None:
    from outputs.charts import he_vs_funding_chart

    funding = pd.DataFrame({
        "association_id": ["a", "b", "c"],
        "association_name": ["A", "B", "C"],
        "year": [2024] * 3,
        "he_rate_pct": [10.10, 10.14, 10.18],
        "funding_per_inhabitant_sek": [40.0, 50.0, 60.0],
        "age_band": ["16-65"] * 3,
        "is_sample": [False] * 3,
    })
    chart = he_vs_funding_chart(funding, 2024, None, "2024-01-01 00:00 UTC")
    chart.figure.canvas.draw()
    labels = [t.get_text() for t in chart.figure.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels), labels
    assert all(label.endswith(" %") and "," in label for label in labels), labels
