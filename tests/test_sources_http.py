"""The shared HTTP client against a local server: retries, timeouts, conditional requests and
the cache that keeps the last good body."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion.sources.errors import SourceError, SourceFormatError
from ingestion.sources.http import HttpClient

SOURCE = "Test source"


def client(tmp_path: Path, **options: float) -> HttpClient:
    settings = {"retries": 2, "backoff_seconds": 0.0, "timeout_seconds": 5.0} | options
    return HttpClient(tmp_path / "cache", **settings)


def test_503_then_success_is_retried(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_ordered_request("/data").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/data").respond_with_json({"value": [1, 2]})
    result = client(tmp_path).get(SOURCE, httpserver.url_for("/data"), parse=json.loads)
    assert result == {"value": [1, 2]}
    assert len(httpserver.log) == 2


def test_retry_after_of_429_is_honoured(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_ordered_request("/data").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/data").respond_with_data("ok")
    started = time.monotonic()
    assert client(tmp_path).get(SOURCE, httpserver.url_for("/data"), parse=bytes.decode) == "ok"
    assert time.monotonic() - started >= 1.0


def test_persistent_5xx_gives_up_naming_source_and_url(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/data").respond_with_data("down", status=502)
    with pytest.raises(SourceError) as error:
        client(tmp_path).get(SOURCE, httpserver.url_for("/data"), parse=bytes.decode)
    assert str(error.value).startswith(f"{SOURCE}: gave up after 3 attempts; last: HTTP 502")
    assert httpserver.url_for("/data") in str(error.value)
    assert len(httpserver.log) == 3


def test_404_is_not_retried(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(SourceError, match="HTTP 404"):
        client(tmp_path).get(SOURCE, httpserver.url_for("/gone"), parse=bytes.decode)
    assert len(httpserver.log) == 1


def test_timeout_is_a_clear_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(SourceError) as error:
        client(tmp_path, retries=1, timeout_seconds=0.2).get(
            SOURCE, httpserver.url_for("/slow"), parse=bytes.decode
        )
    assert "Timeout" in str(error.value) and SOURCE in str(error.value)


def test_size_limit(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/big").respond_with_data("x" * 2000)
    with pytest.raises(SourceError, match="exceeds 1000"):
        HttpClient(tmp_path, max_bytes=1000).get(SOURCE, httpserver.url_for("/big"), parse=len)


def test_second_fetch_is_conditional_and_304_uses_the_cache(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    headers = {"ETag": '"v1"', "Last-Modified": "Mon, 02 Jun 2025 08:00:00 GMT"}
    httpserver.expect_ordered_request("/data").respond_with_data("[1, 2, 3]", headers=headers)
    httpserver.expect_ordered_request(
        "/data",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": headers["Last-Modified"]},
    ).respond_with_data("", status=304)
    http = client(tmp_path)
    first = http.get(SOURCE, httpserver.url_for("/data"), {"year": "2024"}, parse=json.loads)
    second = http.get(SOURCE, httpserver.url_for("/data"), {"year": "2024"}, parse=json.loads)
    assert first == second == [1, 2, 3]
    assert "If-None-Match" not in httpserver.log[0][0].headers
    assert httpserver.log[1][1].status_code == 304
    httpserver.check_assertions()


def test_malformed_body_keeps_the_previous_good_copy(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    good = json.dumps({"value": list(range(50))})
    httpserver.expect_ordered_request("/data").respond_with_data(good, headers={"ETag": '"a"'})
    # The source changed (new ETag) but the body was cut off half-way.
    httpserver.expect_ordered_request("/data").respond_with_data(
        good[: len(good) // 2], headers={"ETag": '"b"'}
    )
    httpserver.expect_ordered_request("/data", headers={"If-None-Match": '"a"'}).respond_with_data(
        "", status=304
    )
    http = client(tmp_path)
    url = httpserver.url_for("/data")
    assert http.get(SOURCE, url, parse=json.loads)["value"][-1] == 49
    with pytest.raises(SourceFormatError) as error:
        http.get(SOURCE, url, parse=json.loads)
    assert str(error.value).startswith(f"{SOURCE}: JSONDecodeError")
    assert url in str(error.value)
    # The cache still holds the good body and its validator, so the next run gets a 304.
    assert http.get(SOURCE, url, parse=json.loads)["value"][-1] == 49
    httpserver.check_assertions()


def test_304_without_a_cached_body_is_an_error(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/data").respond_with_data("", status=304)
    with pytest.raises(SourceError, match="nothing is cached"):
        client(tmp_path).get(SOURCE, httpserver.url_for("/data"), parse=bytes.decode)


def test_body_cut_off_mid_transfer_is_retried_then_reported(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    def cut_off(request: Request) -> Response:
        # Announces 1000 bytes, sends 10 and closes the connection.
        response = Response(iter([b"[1, 2, 3, "]), headers={"Content-Length": "1000"})
        response.headers["Connection"] = "close"
        return response

    httpserver.expect_request("/data").respond_with_handler(cut_off)
    http = client(tmp_path, retries=1, timeout_seconds=1.0)
    with pytest.raises(SourceError) as error:
        http.get(SOURCE, httpserver.url_for("/data"), parse=json.loads)
    assert "gave up after 2 attempts" in str(error.value)
    assert "IncompleteRead" in str(error.value)
    assert len(httpserver.log) == 2
    assert not (tmp_path / "cache").exists()
