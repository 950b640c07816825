"""Arbetsförmedlingen's Excel file: page scraping, workbook parsing, masking, validation."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from ingestion import reference
from ingestion.sources import af_unemployment as af
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher
from ingestion.sources.http import HttpClient
from ingestion.validation import raw_statistics as schemas

HEADER = ["KOMMUN", "KOEN", "ALDGR", "MATT", "2024-01", datetime(2024, 2, 1)]
ROWS = [
    ["Stockholm", "Totalt", "16-64 år", "INSAL", 30000, 30500],
    ["Stockholm", "Totalt", "16-64 år", "TOTAK", 600000, 600000],
    ["Håbo", "Kvinnor", "18-24", "INSAL", "<5", 7],
    ["Håbo", "Kvinnor", "18-24", "TOTAK", 400, 400],
    ["Habo", "Män", "16-64", "UA12", 12, "<5"],
    ["Habo", "Män", "16-64", "TOTAK", 3000, 3010],
]


def workbook(header: list = HEADER, rows: list = ROWS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Inskrivna arbetslösa, andel av registerbaserad arbetskraft"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append(["Riket", "Totalt", "16-64", "INSAL", 300000, 301000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def lookup() -> dict[str, str]:
    return reference.municipality_code_lookup(reference.load_municipalities())


def serve(httpserver: HTTPServer, body: bytes) -> str:
    page = (
        '<a href="/download/18.1/web-inskrivna-arbetslosa-andel-av-bas-2023-12.xlsx">dec</a>'
        '<a href="/download/18.2/web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx">feb</a>'
    )
    httpserver.expect_request("/statistik").respond_with_data(page, content_type="text/html")
    httpserver.expect_request(
        "/download/18.2/web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx"
    ).respond_with_data(body)
    return httpserver.url_for("/statistik")


def fetch(httpserver: HTTPServer, tmp_path: Path, body: bytes, lookup) -> pd.DataFrame:
    http = HttpClient(tmp_path / "cache", retries=0, timeout_seconds=5)
    fetcher = Fetcher(mode="live", snapshots_dir=tmp_path, client=http)
    return af.fetch_unemployment(fetcher, lookup, page_url=serve(httpserver, body))


def test_newest_file_is_fetched_and_parsed(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    frame = fetch(httpserver, tmp_path, workbook(), lookup)
    keyed = frame.set_index(["municipality_code", "month", "sex", "age_band", "measure"])
    stockholm = keyed.loc[("0180", date(2024, 2, 1), "total", "16-64", "registered_unemployed")]
    assert (stockholm["persons"], stockholm["labour_force"]) == (30500, 600000)
    assert stockholm["share_pct"] == pytest.approx(30500 / 600000 * 100, abs=0.005)
    habo_masked = keyed.loc[("0643", date(2024, 2, 1), "men", "16-64", "long_term_unemployed")]
    assert pd.isna(habo_masked["persons"]) and pd.isna(habo_masked["share_pct"])
    hbo = keyed.loc[("0305", date(2024, 2, 1), "women", "18-24", "registered_unemployed")]
    assert hbo["persons"] == 7
    assert len(frame) == 6  # 3 series × 2 months; Riket is left out
    assert frame["source"].iloc[0].endswith("web-inskrivna-arbetslosa-andel-av-bas-2024-02.xlsx")
    assert not frame["is_sample"].any()
    codes = list(reference.load_municipalities()["municipality_code"])
    schemas.validate(frame, schemas.unemployment_schema(codes), af.SOURCE)


def test_missing_column_is_a_clear_error(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    header = ["KOMMUN", "KON", "ALDGR", "MATT", "2024-01", "2024-02"]  # KOEN renamed
    with pytest.raises(SourceFormatError) as error:
        fetch(httpserver, tmp_path, workbook(header), lookup)
    message = str(error.value)
    assert message.startswith(f"{af.SOURCE}: column(s) ['KOEN'] missing")
    assert "andel-av-bas-2024-02.xlsx" in message


def test_unknown_municipality_name_is_named(lookup: dict[str, str]) -> None:
    rows = [*ROWS, ["Atlantis", "Totalt", "16-64", "INSAL", 1, 2]]
    with pytest.raises(ValueError, match=r"not in the reference: \['Atlantis'\]"):
        af.parse_workbook(workbook(rows=rows), lookup)


def test_not_an_xlsx_is_a_clear_error(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    with pytest.raises(SourceFormatError, match="BadZipFile"):
        fetch(httpserver, tmp_path, workbook()[:2000], lookup)


def test_validation_names_source_and_rows(lookup: dict[str, str]) -> None:
    frame = af.parse_workbook(workbook(), lookup).assign(source="test.xlsx")
    frame.loc[0, "persons"] = -3
    codes = ["0180", "0305"]  # Habo (0643) is not in this reference
    with pytest.raises(schemas.RawValidationError) as error:
        schemas.validate(frame, schemas.unemployment_schema(codes), af.SOURCE)
    message = str(error.value)
    assert message.startswith(f"{af.SOURCE}: raw.unemployment failed")
    assert "0643" in message and "-3" in message


def test_embedded_page_points_at_the_embedded_workbook() -> None:
    page = (reference.config.snapshots_dir() / af.PAGE_SNAPSHOT).read_bytes()
    url = af.latest_file_url(page)
    assert url.endswith("/web-inskrivna-arbetslosa-andel-av-bas-2025-01.xlsx")
    assert (reference.config.snapshots_dir() / "af" / url.rsplit("/", 1)[-1]).is_file()
