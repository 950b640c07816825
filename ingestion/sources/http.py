"""The one HTTP client of the project: the statistics sources and the report downloads
(``ingestion/reports/download.py``) both fetch through it.

Timeouts, retries with exponential backoff on 429/5xx, connection errors and bodies cut off
mid-transfer, a size limit, and conditional requests against a local cache: a body is
stored with its ETag and Last-Modified, the next request sends If-None-Match /
If-Modified-Since, and a 304 answers from the cache, so a nightly run re-downloads nothing
that did not change.

A body is written to the cache only after the caller's ``parse`` accepted it, so a truncated
or malformed response never replaces the last good copy.

Why one retry loop here rather than urllib3's ``Retry`` on the session's adapter: ``Retry``
covers statuses and connections, but not a body cut off after the headers arrived (read
while streaming, after urllib3 returned the response), which the sources do send; two
mechanisms, one inside the other, would multiply their attempts.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import requests

from ingestion import config
from ingestion.files import write_atomically
from ingestion.sources.errors import SourceError, SourceFormatError, describe

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSFER_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,  # body cut off (fewer bytes than announced)
)
USER_AGENT = "finsam-warehouse/0.1 (open data pipeline; python-requests)"


class HttpClient:
    def __init__(
        self,
        cache_dir: Path | None = None,
        *,
        timeout_seconds: float = 60.0,
        retries: int = 3,
        backoff_seconds: float = 2.0,
        max_backoff_seconds: float = 60.0,
        max_bytes: int = 100 * 1024 * 1024,
        session: requests.Session | None = None,
    ) -> None:
        self.cache_dir = cache_dir or config.cache_dir()
        self.timeout_seconds = timeout_seconds
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.max_bytes = max_bytes
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)

    @staticmethod
    def full_url(url: str, params: Mapping[str, str] | None = None) -> str:
        return requests.Request("GET", url, params=params).prepare().url or url

    def fetch(self, source: str, url: str, headers: Mapping[str, str] | None = None
              ) -> tuple[int, bytes, Mapping[str, str]]:
        """GET ``url`` with ``headers`` (e.g. conditional ones), retried as the module says:
        the status (200 or 304), the body (empty on a 304) and the response headers. Any
        other status, or giving up, raises SourceError naming ``source`` and the URL."""
        response, body = self._request(source, url, headers or {})
        return response.status_code, body, response.headers

    def get(
        self,
        source: str,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        parse: Callable[[bytes], T],
    ) -> T:
        """GET ``url`` and return ``parse(body)``; the body comes from the cache on a 304."""
        location = self.full_url(url, params)
        body_path, meta_path = self._cache_paths(location)
        cached = _read_meta(meta_path) if body_path.exists() else {}
        headers = {}
        if cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        if cached.get("last_modified"):
            headers["If-Modified-Since"] = cached["last_modified"]

        response, body = self._request(source, location, headers)
        if response.status_code == 304:
            if not cached:
                raise SourceError(source, location, "304 Not Modified but nothing is cached")
            return _parse(source, location, body_path.read_bytes(), parse)
        result = _parse(source, location, body, parse)
        self._store(body_path, meta_path, location, body, response.headers)
        return result

    def _request(
        self, source: str, location: str, headers: Mapping[str, str]
    ) -> tuple[requests.Response, bytes]:
        problem, retry_after = "", None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self._delay(attempt, retry_after))
            try:
                response = self.session.get(
                    location, headers=dict(headers), timeout=self.timeout_seconds, stream=True
                )
            except TRANSFER_ERRORS as exc:
                problem, retry_after = f"{type(exc).__name__}: {exc}", None
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
                response.close()
                continue
            if response.status_code not in (200, 304):
                response.close()
                raise SourceError(
                    source, location, f"HTTP {response.status_code} {response.reason}"
                )
            try:
                return response, self._read_body(source, location, response)
            except TRANSFER_ERRORS as exc:
                # A body cut off mid-transfer is worth another try.
                problem, retry_after = f"{type(exc).__name__}: {exc}", None
        raise SourceError(
            source, location, f"gave up after {self.retries + 1} attempts; last: {problem}"
        )

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        delay = self.backoff_seconds * 2 ** (attempt - 1)
        if retry_after and retry_after.isdigit():
            delay = max(delay, float(retry_after))
        return min(delay, self.max_backoff_seconds)

    def _read_body(self, source: str, location: str, response: requests.Response) -> bytes:
        if response.status_code == 304:
            return b""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise SourceError(
                source, location, f"body of {declared} bytes exceeds {self.max_bytes}"
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            if size > self.max_bytes:
                response.close()
                raise SourceError(source, location, f"body exceeds {self.max_bytes} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        encoded = response.headers.get("Content-Encoding", "identity") != "identity"
        if declared and declared.isdigit() and not encoded and len(body) != int(declared):
            raise SourceFormatError(
                source, location, f"truncated body: {len(body)} of {declared} bytes"
            )
        return body

    def _cache_paths(self, location: str) -> tuple[Path, Path]:
        key = hashlib.sha256(location.encode()).hexdigest()[:32]
        return self.cache_dir / f"{key}.body", self.cache_dir / f"{key}.json"

    def _store(
        self,
        body_path: Path,
        meta_path: Path,
        location: str,
        body: bytes,
        headers: Mapping[str, str],
    ) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        meta = {
            "url": location,
            "etag": headers.get("ETag"),
            "last_modified": headers.get("Last-Modified"),
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_atomically(body_path, body)
        write_atomically(meta_path, json.dumps(meta, indent=1).encode())


def _parse(source: str, location: str, body: bytes, parse: Callable[[bytes], T]) -> T:
    try:
        return parse(body)
    except SourceError:
        raise
    except Exception as exc:  # any parser failure means the body is not what we expect
        raise SourceFormatError(source, location, describe(exc)) from exc


def _read_meta(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
