"""SCB PxWebApi v2 fetchers against a local server serving JSON-stat 2.0, and on the embedded
snapshot."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion import config
from ingestion.sources import pxweb, scb_he, scb_population
from ingestion.sources.errors import SourceFormatError
from ingestion.sources.fetch import Fetcher
from ingestion.sources.http import HttpClient
from ingestion.validation import raw_statistics as schemas

CODES = ["0180", "2281"]


def jsonstat(dims: dict[str, dict[str, str]], values: list | None) -> bytes:
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": "test",
        "id": list(dims),
        "size": [len(categories) for categories in dims.values()],
        "dimension": {
            code: {"label": code, "category": {"index": list(cats), "label": cats}}
            for code, cats in dims.items()
        },
    }
    if values is not None:
        doc["value"] = values
    return json.dumps(doc).encode()


POP_DIMS = {
    "Region": {"0180": "Stockholm", "2281": "Sundsvall"},
    "Alder": {"0": "0 år", "100+": "100+ år"},
    "Kon": {"1": "män", "2": "kvinnor"},
    "ContentsCode": {"BE0101N1": "Folkmängd"},
    "Tid": {"2024": "2024"},
}
# Row-major over Region, Alder, Kon: 0180/0/men, 0180/0/women, 0180/100+/men, ...
POP_VALUES = [5000, 4800, 60, 250, 480, 470, 4, 21]


@pytest.fixture
def live(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fetcher:
    monkeypatch.setattr(pxweb, "BASE_URL", httpserver.url_for("/api/v2"))
    http = HttpClient(tmp_path / "cache", retries=1, backoff_seconds=0.0, timeout_seconds=5)
    return Fetcher(mode="live", snapshots_dir=tmp_path, client=http)


def serve_population(httpserver: HTTPServer, metadata: dict[str, dict[str, str]]) -> None:
    """Answer like SCB, with ETags, and 304 to a request that sends the current ETag."""
    bodies = {
        "/api/v2/tables/TAB638/metadata": jsonstat(metadata, None),
        "/api/v2/tables/TAB638/data": jsonstat(POP_DIMS, POP_VALUES),
    }

    def handler(request: Request) -> Response:
        etag = f'"{request.path.rsplit("/", 1)[-1]}-1"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(bodies[request.path], headers={"ETag": etag})

    for path in bodies:
        httpserver.expect_request(path).respond_with_handler(handler)


def test_population_from_jsonstat(httpserver: HTTPServer, live: Fetcher) -> None:
    serve_population(httpserver, POP_DIMS)
    frame = scb_population.fetch_population(live, CODES)
    rows = frame.set_index(["municipality_code", "age", "sex"])["population"]
    assert rows[("0180", 0, "women")] == 4800
    assert rows[("0180", 100, "women")] == 250
    assert rows[("2281", 100, "men")] == 4
    assert len(frame) == 8 and not frame["is_sample"].any()
    assert frame["source"].iloc[0].startswith(httpserver.url_for("/api/v2/tables/TAB638/data"))
    schemas.validate(frame, schemas.population_schema(CODES), scb_population.SOURCE)
    data_request = httpserver.log[1][0]
    assert data_request.args["valueCodes[Tid]"] == "2024"
    assert data_request.args["valueCodes[Alder]"].split(",")[-1] == "100+"
    assert "valueCodes[Civilstand]" not in data_request.args  # eliminated: summed by SCB


def test_nightly_rerun_makes_only_conditional_requests(
    httpserver: HTTPServer, live: Fetcher
) -> None:
    serve_population(httpserver, POP_DIMS)
    first = scb_population.fetch_population(live, CODES)
    n_first = len(httpserver.log)
    second = scb_population.fetch_population(live, CODES)
    rerun = httpserver.log[n_first:]
    assert len(rerun) == n_first == 2
    assert all(request.headers.get("If-None-Match") for request, _ in rerun)
    assert [response.status_code for _, response in rerun] == [304, 304]
    assert second.equals(first)


def test_missing_variable_is_a_clear_error(httpserver: HTTPServer, live: Fetcher) -> None:
    serve_population(httpserver, {k: v for k, v in POP_DIMS.items() if k != "Alder"})
    with pytest.raises(SourceFormatError) as error:
        scb_population.fetch_population(live, CODES)
    message = str(error.value)
    assert message.startswith("SCB population (TAB638): variable(s) ['Alder'] missing")
    assert "/api/v2/tables/TAB638/metadata" in message


def test_truncated_jsonstat_is_a_clear_error(httpserver: HTTPServer, live: Fetcher) -> None:
    httpserver.expect_request("/api/v2/tables/TAB638/metadata").respond_with_data(
        jsonstat(POP_DIMS, None)
    )
    body = json.loads(jsonstat(POP_DIMS, POP_VALUES))
    body["value"] = POP_VALUES[:5]  # valid JSON, but cells are missing
    httpserver.expect_request("/api/v2/tables/TAB638/data").respond_with_json(body)
    with pytest.raises(SourceFormatError, match=r"TAB638\): 5 values for 8 cells"):
        scb_population.fetch_population(live, CODES)


HE_CONTENTS = {
    "0000018G": "Sjukpenning",
    "0000018I": "Ekonomiskt bistånd",
    "0000018J": "Summa helårsekvivalenter",
    "0000018L": "Folkmängd",
    "0000018M": "Andel av befolkningen 20-64 år",
}


def he_dims(months: list[str], contents: dict[str, str] = HE_CONTENTS) -> dict:
    return {
        "Region": {"0180": "Stockholm"},
        "Kon": {"1": "män", "2": "kvinnor", "1+2": "totalt"},
        "Aldersgrupp": {"20-64": "20-64 år"},
        "ContentsCode": contents,
        "Tid": {m: m for m in months},
    }


def he_values(n_sexes: int = 3) -> list[float]:
    """Month m (0..11) of content c for sex s: 100·c + 10·s + m, so each yearly mean is
    100·c + 10·s + 5.5."""
    return [
        100 * c + 10 * s + m
        for s, c, m in product(range(n_sexes), range(len(HE_CONTENTS)), range(12))
    ]


def test_he_monthly_values_average_to_a_year(httpserver: HTTPServer, live: Fetcher) -> None:
    months_2023 = [f"2023M{m:02d}" for m in range(1, 13)]
    # 2024 has one month only, so it is not fetched.
    metadata = he_dims([*months_2023, "2024M01"])
    httpserver.expect_request("/api/v2/tables/TAB1386/metadata").respond_with_data(
        jsonstat(metadata, None)
    )
    values = he_values()
    values[0 * 60 + 1 * 12 + 5] = None  # men, Ekonomiskt bistånd, June: not reported
    httpserver.expect_request("/api/v2/tables/TAB1386/data").respond_with_data(
        jsonstat(he_dims(months_2023), values)
    )
    fye, share = scb_he.fetch_full_year_equivalents(live, ["0180"])
    values = fye.set_index(["sex", "benefit_type"])["full_year_equivalents"]
    assert values[("men", "sickness_benefit")] == pytest.approx(5.5)
    assert pd.isna(values[("men", "social_assistance")])  # 11 months are not a year
    assert values[("women", "social_assistance")] == pytest.approx(115.5)
    assert values[("total", "total")] == pytest.approx(225.5)
    assert set(fye["year"]) == {2023}
    total = share.set_index("sex").loc["total"]
    assert (total["population"], total["share_pct"]) == (326, pytest.approx(425.5))
    assert len(httpserver.log) == 2
    assert httpserver.log[1][0].args["valueCodes[Tid]"] == ",".join(months_2023)


def test_he_unknown_content_label_fails_naming_the_source(
    httpserver: HTTPServer, live: Fetcher
) -> None:
    contents = {**HE_CONTENTS, "0000018X": "Bostadsbidrag"}
    httpserver.expect_request("/api/v2/tables/TAB1386/metadata").respond_with_data(
        jsonstat(he_dims(["2023M01"], contents), None)
    )
    with pytest.raises(SourceFormatError) as error:
        scb_he.fetch_full_year_equivalents(live, ["0180"])
    assert str(error.value).startswith("SCB helårsekvivalenter (TAB1386): unknown ContentsCode")
    assert "Bostadsbidrag" in str(error.value)


def test_embedded_snapshot_runs_the_same_parsers() -> None:
    fetcher = Fetcher(mode="embedded", snapshots_dir=config.REPO_ROOT / "data" / "snapshots")
    codes = ["0180", "2281"]
    population = scb_population.fetch_population(fetcher, codes, first_year=2023)
    assert set(population["year"]) == {2023, 2024}
    assert population["is_sample"].all()
    assert population["source"].iloc[0] == "embedded:scb/TAB638_2023.json.gz"
    # The files hold all 290 municipalities; the fetcher keeps the ones asked for.
    assert set(population["municipality_code"]) == set(codes)
    fye, share = scb_he.fetch_full_year_equivalents(fetcher, codes, first_year=2024)
    assert fye["is_sample"].all() and share["is_sample"].all()
    assert len(fye) == 2 * 3 * 7 and len(share) == 2 * 3 and set(fye["year"]) == {2024}


def test_validation_names_source_and_offending_rows(httpserver: HTTPServer, live: Fetcher) -> None:
    serve_population(httpserver, POP_DIMS)
    frame = scb_population.fetch_population(live, CODES)
    frame.loc[3, "population"] = -1
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # a repeated key
    with pytest.raises(schemas.RawValidationError) as error:
        schemas.validate(frame, schemas.population_schema(["0180"]), scb_population.SOURCE)
    message = str(error.value)
    assert message.startswith("SCB population (TAB638): raw.population failed")
    assert "greater_than_or_equal_to(0)" in message and "-1" in message
    assert "not in data/reference/municipalities.csv" in message and "2281" in message
    assert "multiple_fields_uniqueness" in message


def test_rate_above_100_is_rejected() -> None:
    share = pd.DataFrame(
        {
            "municipality_code": ["0180"],
            "year": [2023],
            "sex": ["total"],
            "age_band": ["20-64"],
            "population": pd.array([600000], dtype="Int64"),
            "share_pct": [101.0],
            "source": ["test"],
            "is_sample": [False],
        }
    )
    with pytest.raises(schemas.RawValidationError, match="in_range"):
        schemas.validate(share, schemas.he_population_share_schema(["0180"]), scb_he.SOURCE)
