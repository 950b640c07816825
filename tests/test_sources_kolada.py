"""Kolada as the second HE source (issue 21), served from a local server in its real format
(Hypergene/kolada README for v2, koladapy and other v3 clients: ``values`` of ``{kpi,
municipality, period, values: [{gender, count, status, value}]}``, paged by ``next_page``
in v2 and ``next_url`` in v3), its KPI titles read by meaning, the comparison with SCB
naming municipality and year, and the fallback when one source fails.

The titles are Kolada's own (its KPI list, shared/real-data/kolada_kpi_catalog_2021.csv),
including its spelling "rehabilitieringspenning". The values are made up here and every
expected figure is worked out by hand in the comments.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion import config, statistics
from ingestion.sources import comparison, kolada, scb_he
from ingestion.sources.errors import SourceError, SourceFormatError
from ingestion.sources.fetch import Fetcher
from ingestion.sources.http import HttpClient
from tests.test_sources_scb import he_dims, jsonstat, serve_scb

TITLES = json.loads((config.REPO_ROOT / "data" / "snapshots" / "real" /
                     "kolada_kpi_titles.json").read_text(encoding="utf-8"))
CODES = ["0180", "2281"]


def kpi_list(titles: dict[str, str] = TITLES) -> bytes:
    values = [{"id": kpi, "title": title, "municipality_type": "K"}
              for kpi, title in titles.items()]
    return json.dumps({"count": len(values), "values": values}, ensure_ascii=False).encode()


def item(kpi: str, municipality: str, year: int, total: float | None,
         women: float | None = None) -> dict:
    values = [{"count": 1, "gender": "T", "status": "", "value": total}]
    if women is not None:
        values.append({"count": 1, "gender": "K", "status": "", "value": women})
    return {"kpi": kpi, "municipality": municipality, "period": year, "values": values}


def stockholm_2023() -> list[dict]:
    """Stockholm 2023: sjukpenning 1000 + rehabiliteringspenning 30, sjukersättning 5000,
    all benefits (N01711) 9000, inhabitants 16–64 667 000 and 20–64 620 000."""
    return [item("N01700", "0180", 2023, 1000.0, 600.0), item("N01701", "0180", 2023, 30.0),
            item("N01703", "0180", 2023, 5000.0), item("N01711", "0180", 2023, 9000.0),
            item("N01713", "0180", 2023, 667000.0), item("N01955", "0180", 2023, 620000.0)]


def sundsvall_2023() -> list[dict]:
    """Sundsvall 2023: all benefits 900, inhabitants 16–64 60 000, 20–64 55 000; N01702
    published as null (not yet published)."""
    return [item("N01711", "2281", 2023, 900.0), item("N01702", "2281", 2023, None),
            item("N01713", "2281", 2023, 60000.0), item("N01955", "2281", 2023, 55000.0)]


class KoladaServer:
    """Kolada's two calls; the data answer comes in two pages linked by ``next_key``."""

    def __init__(self, next_key: str = "next_page") -> None:
        self.next_key = next_key
        self.kpis = kpi_list()
        self.pages = [stockholm_2023(), sundsvall_2023()]
        self.status = 200

    def __call__(self, request: Request) -> Response:
        if self.status != 200:
            return Response("unavailable", status=self.status)
        if request.path.startswith("/kolada/kpi/"):
            return Response(self.kpis, content_type="application/json")
        page = int(request.args.get("page", 1))
        body: dict = {"count": len(self.pages[page - 1]), "values": self.pages[page - 1]}
        if page < len(self.pages):
            body[self.next_key] = f"{request.base_url}?page={page + 1}"
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def live(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fetcher:
    for key in ("FINSAM_HE_SOURCE", "FINSAM_SOURCE_DISAGREEMENT_PCT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("FINSAM_KOLADA_API_URL", httpserver.url_for("/kolada"))
    monkeypatch.setenv("FINSAM_SCB_API_URL", httpserver.url_for("/api/v2"))
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    http = HttpClient(tmp_path / "cache", retries=0, backoff_seconds=0.0, timeout_seconds=5)
    return Fetcher(mode="live", snapshots_dir=tmp_path, client=http)


def serve_kolada(httpserver: HTTPServer, server: KoladaServer) -> KoladaServer:
    httpserver.expect_request(re.compile("/kolada/.*")).respond_with_handler(server)
    return server


@pytest.mark.parametrize("next_key", ["next_page", "next_url"])  # v2, v3
def test_kolada_pages_load_in_their_real_format(httpserver: HTTPServer, live: Fetcher,
                                                next_key: str) -> None:
    serve_kolada(httpserver, KoladaServer(next_key))
    long = kolada.fetch_kolada(live, CODES, [2022, 2023])
    request = httpserver.log[1][0]
    assert request.path == (f"/kolada/data/kpi/{','.join(kolada.KPIS)}/municipality/0180,2281"
                            "/year/2022,2023")
    assert len(httpserver.log) == 3  # the KPI list and two pages
    fye, share = kolada.to_full_year_equivalents(long)
    by = fye.set_index(["municipality_code", "sex", "benefit_type"])["full_year_equivalents"]
    assert by[("0180", "total", "sickness_benefit")] == 1030  # 1000 + 30 rehabilitering
    assert by[("0180", "women", "sickness_benefit")] == 600
    assert by[("0180", "total", "sickness_compensation")] == 5000
    assert by[("0180", "total", "total")] == 9000  # N01711 as published, not a sum
    assert by[("2281", "total", "total")] == 900
    assert ("2281", "total", "activity_compensation") not in by  # null: not published
    rate = share.set_index("municipality_code")
    assert rate.loc["0180", "population"] == 620_000
    assert rate.loc["0180", "share_pct"] == pytest.approx(100 * 9000 / 620_000)
    assert set(fye["provenance"]) == {"real"} and not fye["is_sample"].any()
    # the rate is computed here from Kolada's figures, not published
    assert set(share["provenance"]) == {"derived from real"}
    assert set(fye["source"]) <= {request.url, f"{request.base_url}?page=2"}


def test_a_kpi_title_no_rule_knows_fails_naming_it(httpserver: HTTPServer, live: Fetcher
                                                   ) -> None:
    server = KoladaServer()
    server.kpis = kpi_list(TITLES | {"N01704": "Individer med bostadsbidrag, antal"})
    serve_kolada(httpserver, server)
    with pytest.raises(SourceFormatError) as error:
        kolada.fetch_kolada(live, CODES, [2023])
    assert str(error.value).startswith(kolada.SOURCE)
    assert "'N01704': 'Individer med bostadsbidrag, antal'" in str(error.value)


@pytest.mark.parametrize(("title", "meaning"), [
    ("Individer med rehabilitieringspenning räknat i helårsekvivalenter, antal",
     "sickness_benefit"),  # Kolada's own spelling
    ("Individer med REHABILITERINGSPENNING räknat i helårsekvivalenter", "sickness_benefit"),
    ("Individer med utbetalat stöd räknat i helårsekvivalenter för samtliga "
     "ersättningsformer, antal", "total"),
    ("Invånare 16–64 år, antal", "population_16_64"),  # en dash
    ("Invånare 20-64 år, antal", "population_20_64"),
    ("Invånare totalt, antal", None),
])
def test_kpi_titles_are_read_by_meaning(title: str, meaning: str | None) -> None:
    assert kolada.kpi_meaning(title) == meaning


def test_a_municipality_without_values_fails_naming_it(httpserver: HTTPServer, live: Fetcher
                                                       ) -> None:
    server = serve_kolada(httpserver, KoladaServer())
    server.pages = [stockholm_2023()]
    with pytest.raises(SourceFormatError, match=r"no values for municipality code\(s\) \['2281'\]"):
        kolada.fetch_kolada(live, CODES, [2023])


def test_a_truncated_page_fails(httpserver: HTTPServer, live: Fetcher) -> None:
    server = serve_kolada(httpserver, KoladaServer())

    def truncated(request: Request) -> Response:
        if request.path.startswith("/kolada/kpi/"):
            return Response(server.kpis)
        return Response(json.dumps({"count": 7, "values": stockholm_2023()}))

    httpserver.clear()
    httpserver.expect_request(re.compile("/kolada/.*")).respond_with_handler(truncated)
    with pytest.raises(SourceFormatError, match="'count' is 7 but the page holds 6 values"):
        kolada.fetch_kolada(live, CODES, [2023])


def scb_frames(stockholm_he: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """SCB's side for 2023: Stockholm HE ``stockholm_he``, Sundsvall 900; populations 20–64
    as Kolada's; ages 16–64 (49 ages) summed: Stockholm 49 × 13 612 = 666 988, Sundsvall
    49 × 1 212 = 59 388."""
    keys = {"year": 2023, "sex": "total", "source": "scb", "provenance": "real"}
    fye = pd.DataFrame([{"municipality_code": c, "benefit_type": "total",
                         "full_year_equivalents": v, **keys}
                        for c, v in (("0180", stockholm_he), ("2281", 900.0))])
    share = pd.DataFrame([{"municipality_code": c, "age_band": "20-64", "population": p, **keys}
                          for c, p in (("0180", 620_000), ("2281", 55_000))])
    population = pd.DataFrame([{"municipality_code": c, "year": 2023, "age": age,
                                "population": n, "source": "scb", "provenance": "real"}
                               for c, n in (("0180", 13_612), ("2281", 1_212))
                               for age in range(16, 66)])  # 50 ages, 65 not in 16–64
    return fye, share, population


def test_the_comparison_names_municipality_and_year(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINSAM_SOURCE_DISAGREEMENT_PCT", raising=False)
    long = pd.DataFrame(
        [(c, 2023, kpi, meaning, "total", value, "kolada", "real") for c, kpi, meaning, value in (
            ("0180", "N01711", "total", 9000.0), ("2281", "N01711", "total", 900.0),
            ("0180", "N01955", "population_20_64", 620_000.0),
            ("2281", "N01955", "population_20_64", 55_000.0),
            ("0180", "N01713", "population_16_64", 667_000.0),
            ("2281", "N01713", "population_16_64", 60_000.0))],
        columns=kolada.LONG_COLUMNS)
    # SCB's Stockholm HE 8 000: Kolada's 9 000 is 12.5 % more; Sundsvall's 16–64: SCB
    # 59 388, Kolada 60 000 (+1.03 %, under the 2 % threshold); Stockholm's 16–64 +0.002 %
    table = comparison.compare(long, *scb_frames(8000.0))
    assert len(table) == 6
    row = table.set_index(["municipality_code", "measure"]).loc[("2281", "population_16_64")]
    assert (row["scb_value"], row["kolada_value"]) == (59_388, 60_000)
    verdict = statistics.comparison_verdict(table)
    assert not verdict.passed
    assert "Stockholm (0180) 2023 full_year_equivalents: SCB 8,000, Kolada 9,000 (+12.5 %)" \
        in verdict.description
    assert "Sundsvall" not in verdict.description
    assert verdict.rows == [{"municipality_code": "0180", "year": 2023,
                             "measure": "full_year_equivalents", "scb_value": 8000.0,
                             "kolada_value": 9000.0, "difference_pct": 12.5}]
    assert statistics.comparison_verdict(comparison.compare(long, *scb_frames(9000.0))).passed
    assert not statistics.comparison_verdict(table.iloc[0:0]).passed  # nothing compared


MONTHS = [f"2023M{m:02d}" for m in range(1, 13)]


def serve_scb_he(httpserver: HTTPServer) -> None:
    """SCB's TAB1386 for Stockholm and Sundsvall 2023: every cell 100 (a yearly mean of 100
    for every content, sex and municipality)."""
    dims = he_dims(MONTHS)
    dims["Region"] = {"0180": "Stockholm", "2281": "Sundsvall"}
    n_cells = 2 * 3 * len(dims["ContentsCode"]) * 12
    serve_scb(httpserver, {
        "/api/v2/tables/TAB1386/metadata": jsonstat(dims, None),
        "/api/v2/tables/TAB1386/data": {",".join(MONTHS): jsonstat(dims, [100] * n_cells)},
    })


def municipalities() -> pd.DataFrame:
    return pd.DataFrame({"municipality_code": CODES, "municipality_name": ["Stockholm",
                                                                           "Sundsvall"]})


def test_when_scb_fails_kolada_feeds_the_tables_and_says_so(
    httpserver: HTTPServer, live: Fetcher
) -> None:
    serve_kolada(httpserver, KoladaServer())
    httpserver.expect_request(re.compile("/api/v2/.*")).respond_with_data("down", status=503)
    fetched = statistics.fetch_he(live, municipalities(), today=date(2024, 6, 1))
    fye, share, compared = fetched.frames
    assert set(fye["source"].str.contains("/kolada/data/")) == {True}
    assert fye.set_index(["municipality_code", "sex", "benefit_type"]).loc[
        ("0180", "total", "total"), "full_year_equivalents"] == 9000
    assert compared.empty
    assert fetched.used == "kolada" and "full_year_equivalents" in fetched.failed
    assert fetched.notes[0].startswith(f"{scb_he.SOURCE} failed (")
    assert f"{kolada.SOURCE} fed raw.full_year_equivalents" in fetched.notes[0]


def test_when_kolada_is_chosen_and_fails_scb_feeds_the_tables(
    httpserver: HTTPServer, live: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINSAM_HE_SOURCE", "kolada")
    serve_kolada(httpserver, KoladaServer()).status = 500
    serve_scb_he(httpserver)
    fetched = statistics.fetch_he(live, municipalities(), today=date(2024, 6, 1))
    fye = fetched.frames[0]
    assert set(fye["source"].str.contains("/api/v2/tables/TAB1386/data")) == {True}
    assert fetched.used == "full_year_equivalents" and "kolada" in fetched.failed
    assert fetched.notes[0].startswith(f"{kolada.SOURCE} failed (")
    assert "HTTP 500" in fetched.notes[0]


def test_both_sources_failing_is_an_error_naming_both(
    httpserver: HTTPServer, live: Fetcher
) -> None:
    serve_kolada(httpserver, KoladaServer()).status = 500
    httpserver.expect_request(re.compile("/api/v2/.*")).respond_with_data("down", status=503)
    with pytest.raises(SourceError) as error:
        statistics.fetch_he(live, municipalities(), today=date(2024, 6, 1))
    assert "both failed" in str(error.value)
    assert "HTTP 503" in str(error.value) and "HTTP 500" in str(error.value)


def test_kolada_is_asked_for_the_years_before_this_one() -> None:
    assert kolada.years_to_ask(2025) == list(range(2014, 2026))
    assert kolada.years_to_ask(2045) == list(range(2021, 2046))  # at most 25 a list


def test_the_embedded_kolada_pages_are_marked_sample() -> None:
    """The embedded pages answer the requests for the whole registry, 25 at a time."""
    fetcher = Fetcher(mode="embedded", snapshots_dir=config.REPO_ROOT / "data" / "snapshots")
    codes = list(pd.read_csv(config.REPO_ROOT / "data" / "reference" / "municipalities.csv",
                             dtype=str)["municipality_code"])
    long = kolada.fetch_kolada(fetcher, codes, kolada.years_to_ask(2025))
    assert sorted(long["year"].unique()) == list(range(2014, 2025))
    assert set(long["provenance"]) == {"sample"}
    fye, _ = kolada.to_full_year_equivalents(long)
    assert fye["is_sample"].all()
