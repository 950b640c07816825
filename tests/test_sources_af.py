"""Arbetsförmedlingen's workbooks as they really are (sources.md §4b), served from a local
server: data only in the pivot cache, andel-av-reg spliced with andel-av-bas, a
yearly-average decoy, fractional denominators, "<5", "Uppgift saknas", historic names;
and untrusted files (zip and XML bombs) failing cleanly."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from ingestion import reference
from ingestion.sources import af_unemployment as af
from ingestion.sources import pivot_cache
from ingestion.sources.errors import SourceError, SourceFormatError
from ingestion.sources.fetch import Fetcher
from ingestion.sources.http import HttpClient
from ingestion.validation.rules import in_registry
from ingestion.validation.validate import validate_raw

FIELDS = ["PERIOD", "LAN", "KOM", "TOTSOK", "TOTAK", "KVISOK", "KVIAK", "MANSOK", "MANAK",
          "UNGSOK", "UNGAK", "GAMSOK", "GAMAK", "UTRSOK", "UTRAK"]
BAS = "web-inskrivna-arbetslosa-andel-av-bas-2023-02.xlsx"
OLDER_BAS = "web-inskrivna-arbetslosa-andel-av-bas-2023-01.xlsx"
REG = "web-inskrivna-arbetslosa-andel-av-reg-kommun-2022-12.xlsx"
YEARLY = "web-inskrivna-arbetslosa-andel-av-bas-arsgenomsnitt-2022.xlsx"


def record(period: str, kom: str, tot: tuple, lan: str = "Stockholms län",
           others: tuple = (1, 10.0)) -> list:
    """One pivot-cache record: (TOTSOK, TOTAK); the other pairs get ``others``."""
    return [period, lan, kom, *tot, *others * 5]


# andel-av-reg: 2022-11 and 2022-12, and a 2023-01 that the newer file replaces.
REG_RECORDS = [
    record("2022-11", "Stockholm", (30000, 600000.25)),
    record("2022-12", "Stockholm", (30500, 600100.5)),
    record("2023-01", "Stockholm", (99999, 1.0)),  # superseded by andel-av-bas
    record("2022-12", "Malung", (40, 1500.0), lan="Dalarnas län"),  # historic name
    record("2022-11", "Malung-Sälen", (38, 1498.0), lan="Dalarnas län"),
    record("2022-12", "Uppgift saknas", ("<5", 0.0)),  # no municipality: dropped
]
# andel-av-bas: 2023-01 and 2023-02; the labour force is a 12-month mean with decimals.
BAS_RECORDS = [
    record("2023-01", "Stockholm", (31000, 601234.583333)),
    record("2023-02", "Stockholm", (31200, 601300.0)),
    record("2023-01", "Malung-Sälen", (41, 1501.0), lan="Dalarnas län"),
    record("2023-02", "Malung-Sälen", ("<5", 1502.25), lan="Dalarnas län"),
    # The same municipality under two spellings in one month: numerators and
    # denominators add up, the share is their quotient.
    record("2023-01", "Upplands Väsby", (1000, 25000.5)),
    record("2023-01", "Upplands-Väsby", (200, 5000.5)),
    record("2023-02", "Upplands Väsby", (1150, 30100.0)),
    record("2023-02", "Uppgift saknas", (7, 0.0)),
]


def workbook(records: list, fields: list = FIELDS, keywords: str = "") -> bytes:
    return pivot_cache.write_workbook(fields, records, shared_fields=("PERIOD", "LAN", "KOM"),
                                      keywords=keywords)


@pytest.fixture(scope="module")
def lookup() -> dict[str, str]:
    return reference.municipality_code_lookup(reference.load_municipalities())


def page(*names: str) -> str:
    return "".join(f'<a href="/download/18.{i}/{name}">{name}</a>' for i, name in
                   enumerate(names))


def serve(httpserver: HTTPServer, files: dict[str, bytes],
          links: tuple[str, ...] = (OLDER_BAS, BAS, YEARLY, REG)) -> str:
    httpserver.expect_request("/statistik").respond_with_data(
        page(*links), content_type="text/html")
    for i, name in enumerate(links):
        if name in files:
            httpserver.expect_request(f"/download/18.{i}/{name}").respond_with_data(files[name])
    return httpserver.url_for("/statistik")


def fetch(httpserver: HTTPServer, tmp_path: Path, files: dict[str, bytes], lookup,
          **options) -> pd.DataFrame:
    http = HttpClient(tmp_path / "cache", retries=0, timeout_seconds=5)
    fetcher = Fetcher(mode="live", snapshots_dir=tmp_path, client=http)
    return af.fetch_unemployment(fetcher, lookup, page_url=serve(httpserver, files, **options))


def test_reg_and_bas_are_spliced_and_read_by_hand(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    frame = fetch(httpserver, tmp_path, {BAS: workbook(BAS_RECORDS), REG: workbook(REG_RECORDS)},
                  lookup)
    total = frame[(frame["sex"] == "total") & frame["age_band"].str.startswith("16-")]
    rows = total.set_index(["municipality_code", "month"])
    # Stockholm 2022-12 from andel-av-reg (band 16-64): 30 500 / 600 100.5.
    dec = rows.loc[("0180", date(2022, 12, 1))]
    assert (dec["persons"], dec["labour_force"], dec["age_band"]) == (30500, 600100.5, "16-64")
    assert dec["share_pct"] == pytest.approx(100 * 30500 / 600100.5)  # 5.08248…
    # Stockholm 2023-01 from andel-av-bas, not the reg file's 99 999: band 16-65, the
    # fractional 12-month mean kept unrounded: 100 × 31 000 / 601 234.583333 = 5.15606…
    jan = rows.loc[("0180", date(2023, 1, 1))]
    assert (jan["persons"], jan["age_band"]) == (31000, "16-65")
    assert jan["labour_force"] == 601234.583333
    assert jan["share_pct"] == pytest.approx(5.156058, abs=1e-6)
    assert jan["source"].endswith(BAS) and dec["source"].endswith(REG)
    # Upplands Väsby 2023-01 under two spellings: (1000 + 200) / (25 000.5 + 5 000.5)
    # = 1200 / 30 001 = 3.99987 %, a share of sums, not the mean of 4.0 % and 4.0 %.
    vasby = rows.loc[("0114", date(2023, 1, 1))]
    assert (vasby["persons"], vasby["labour_force"]) == (1200, 30001.0)
    assert vasby["share_pct"] == pytest.approx(100 * 1200 / 30001)
    # "Malung" (the name before 2007) is Malung-Sälen, 2023.
    assert rows.loc[("2023", date(2022, 12, 1))]["persons"] == 40
    # "<5" is masked: no count and no share, never zero.
    masked = rows.loc[("2023", date(2023, 2, 1))]
    assert pd.isna(masked["persons"]) and pd.isna(masked["share_pct"])
    assert masked["labour_force"] == 1502.25
    # The months follow each other, 2022-11 to 2023-02, each once per municipality.
    assert sorted(total["month"].unique()) == [date(2022, 11, 1), date(2022, 12, 1),
                                               date(2023, 1, 1), date(2023, 2, 1)]
    assert not total.duplicated(["municipality_code", "month"]).any()
    # Groups: women/men share the month's band, 18-24 is fixed, 55 up to the band's end.
    bands = frame[frame["municipality_code"] == "0180"].groupby("month")["age_band"]
    assert set(bands.get_group(date(2022, 12, 1))) == {"16-64", "18-24", "55-64"}
    assert set(bands.get_group(date(2023, 1, 1))) == {"16-65", "18-24", "55-65"}
    assert set(frame["measure"]) == {"registered_unemployed"}
    # "Uppgift saknas" is not a municipality; the decoy and the older bas file are unread.
    assert set(frame["municipality_code"]) == {"0180", "2023", "0114"}
    fetched = {request.path.rsplit("/", 1)[-1] for request, _ in httpserver.log}
    assert fetched == {"statistik", BAS, REG}
    codes = list(reference.load_municipalities()["municipality_code"])
    validate_raw("unemployment", frame, af.SOURCE, [in_registry(codes)])


def test_age_band_follows_the_pension_age() -> None:
    assert af.age_band(date(2022, 12, 1)) == "16-64"
    assert af.age_band(date(2023, 1, 1)) == "16-65"
    assert af.age_band(date(2025, 12, 1)) == "16-65"
    assert af.age_band(date(2026, 1, 1)) == "16-66"


def test_yearly_average_file_is_never_taken() -> None:
    links = af.file_links(page(YEARLY, OLDER_BAS, REG).encode(), "https://af.example/x")
    assert links["bas"].endswith(OLDER_BAS) and links["reg"].endswith(REG)
    with pytest.raises(ValueError, match="no web-inskrivna-arbetslosa-andel-av-bas"):
        af.file_links(page(YEARLY).encode(), "https://af.example/x")


def test_a_month_missing_between_the_files_is_named(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str],
) -> None:
    early = [r for r in REG_RECORDS if r[0] == "2022-11"]
    with pytest.raises(SourceFormatError) as error:
        fetch(httpserver, tmp_path, {BAS: workbook(BAS_RECORDS), REG: workbook(early)}, lookup)
    assert "no data for month(s) ['2022-12']" in str(error.value)
    assert str(error.value).startswith(af.SOURCE)


def test_page_without_the_older_file_fails(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    with pytest.raises(SourceFormatError, match="andel-av-reg.*months before andel-av-bas"):
        fetch(httpserver, tmp_path, {BAS: workbook(BAS_RECORDS)}, lookup, links=(BAS, YEARLY))


def test_missing_field_is_a_clear_error(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    fields = ["PERIOD", "LAN", "KOMMUN", *FIELDS[3:]]  # KOM renamed
    with pytest.raises(SourceFormatError) as error:
        fetch(httpserver, tmp_path, {BAS: workbook(BAS_RECORDS, fields), REG: workbook(
            REG_RECORDS)}, lookup, links=(BAS, REG))
    message = str(error.value)
    assert message.startswith(f"{af.SOURCE}: pivot cache field(s) ['KOM'] missing")
    assert BAS in message


def test_unknown_municipality_name_is_named(lookup: dict[str, str]) -> None:
    records = [*BAS_RECORDS, record("2023-01", "Atlantis", (1, 2.0))]
    with pytest.raises(ValueError, match=r"not in the reference: \['Atlantis'\]"):
        af.parse_workbook(workbook(records), lookup)


def test_sample_keyword_marks_rows(lookup: dict[str, str]) -> None:
    frame = af.parse_workbook(workbook(BAS_RECORDS, keywords=af.SAMPLE_KEYWORD), lookup)
    assert frame["is_sample"].all()
    assert not af.parse_workbook(workbook(BAS_RECORDS), lookup)["is_sample"].any()


def test_not_an_xlsx_is_a_clear_error(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str]
) -> None:
    with pytest.raises(SourceFormatError, match="BadZipFile"):
        fetch(httpserver, tmp_path, {BAS: workbook(BAS_RECORDS)[:2000]}, lookup,
              links=(BAS, REG))


def _replace_part(body: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(body))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return buffer.getvalue()


def test_zip_bomb_fails_the_source_cleanly(
    httpserver: HTTPServer, tmp_path: Path, lookup: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bound of 4 MB stands in for the real 512 MB: 20 MB of spaces compress to ~20 kB.
    monkeypatch.setattr(pivot_cache, "MAX_UNCOMPRESSED_BYTES", 4_000_000)
    bomb = _replace_part(workbook(BAS_RECORDS), "xl/worksheets/sheet1.xml", b" " * 20_000_000)
    assert len(bomb) < 100_000
    with pytest.raises(SourceFormatError) as error:
        fetch(httpserver, tmp_path, {BAS: bomb}, lookup, links=(BAS, REG))
    assert "UnsafeWorkbookError" in str(error.value) and "limit" in str(error.value)


def test_declared_sizes_that_lie_are_caught_while_reading() -> None:
    body = workbook(BAS_RECORDS)
    with pytest.raises(pivot_cache.UnsafeWorkbookError, match="decompresses to more than"):
        # The bound is checked on bytes actually read, whatever the headers declare.
        archive = pivot_cache.BoundedZip(body, limit=10**9)
        archive.limit = 100
        archive.read("xl/pivotCache/pivotCacheRecords1.xml")


def test_xml_entity_bomb_fails_the_source_cleanly(lookup: dict[str, str]) -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">'
              b'<!ENTITY c "&b;&b;&b;&b;">]><pivotCacheRecords xmlns="http://schemas.'
              b'openxmlformats.org/spreadsheetml/2006/main"><r><s v="&c;"/></r>'
              b"</pivotCacheRecords>")
    bomb = _replace_part(workbook(BAS_RECORDS), "xl/pivotCache/pivotCacheRecords1.xml", laughs)
    with pytest.raises(pivot_cache.UnsafeWorkbookError, match="DTDForbidden"):
        af.parse_workbook(bomb, lookup)


def test_page_answering_500_names_the_source(httpserver: HTTPServer, tmp_path: Path,
                                             lookup: dict[str, str]) -> None:
    httpserver.expect_request("/statistik").respond_with_data("down", status=500)
    http = HttpClient(tmp_path / "cache", retries=0, timeout_seconds=5)
    fetcher = Fetcher(mode="live", snapshots_dir=tmp_path, client=http)
    with pytest.raises(SourceError) as error:
        af.fetch_unemployment(fetcher, lookup, page_url=httpserver.url_for("/statistik"))
    assert str(error.value).startswith(f"{af.SOURCE}: gave up after 1 attempts; last: HTTP 500")


def test_embedded_snapshot_is_a_pivot_cache_workbook(lookup: dict[str, str]) -> None:
    snapshots = reference.config.snapshots_dir()
    links = af.file_links((snapshots / af.PAGE_SNAPSHOT).read_bytes(), "https://af.example/x")
    for url in links.values():
        assert (snapshots / "af" / url.rsplit("/", 1)[-1]).is_file()
    cache = pivot_cache.read_pivot_cache((snapshots / "af" / links["bas"].rsplit("/", 1)[-1])
                                         .read_bytes())
    assert {"PERIOD", "LAN", "KOM", "TOTSOK", "TOTAK"} <= set(cache.fields)
    assert any(isinstance(r[cache.fields.index("TOTAK")], float)
               and r[cache.fields.index("TOTAK")] % 1 for r in cache.records)
