"""Report documents from URLs, cached by content hash under ``<cache>/documents``.

The file is stored as ``<sha256>.<ext>`` and an index maps each URL to that file, its
ETag/Last-Modified and the time the server last confirmed it, so a document seen before is
not fetched again. The refresh fetches all its URLs with ``fetch_all`` (the index is read
and written once) and ``refresh=True``, which asks the server with a conditional request:
"not modified" confirms the copy without downloading it. A failed fetch falls back to the
cached copy and says so (``Fetched.fallback_error``): the refresh's blocking check stops
publishing when that copy is older than ``config.document_fallback_max_age_days()``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from ingestion import config
from ingestion.files import write_atomically
from ingestion.reports.documents import sha256
from ingestion.sources.errors import SourceError
from ingestion.sources.http import HttpClient

log = logging.getLogger(__name__)
SOURCE = "report download"
# The shared client's timeouts and size limit (ingestion/sources/http.py), with one retry a
# second later: a document that still fails falls back to its cached copy and is asked for
# again the next night.
RETRIES, BACKOFF_SECONDS = 1, 1.0
# What a failed download raises (HTTP status, connection, timeout, size limit, a cache file
# that cannot be written); anything else is a bug and fails the refresh.
FETCH_ERRORS = (SourceError, OSError)


def client() -> HttpClient:
    return HttpClient(retries=RETRIES, backoff_seconds=BACKOFF_SECONDS)


@dataclass(frozen=True)
class Fetched:
    url: str
    path: Path
    fetched_at: datetime  # when the server last served or confirmed this copy (UTC)
    fallback_error: str | None = None  # set when the download failed and this is the cache

    def age_days(self, now: datetime | None = None) -> float:
        return ((now or datetime.now(UTC)) - self.fetched_at).total_seconds() / 86_400


def cache_folder() -> Path:
    return config.cache_dir() / "documents"


def fetch(url: str, folder: Path | None = None, refresh: bool = False,
          http: HttpClient | None = None) -> Fetched:
    """The cached copy of ``url``, downloading it when needed; raises ``FETCH_ERRORS`` when
    the download fails and nothing is cached."""
    with _index(folder) as (folder, index):
        return _fetch(url, folder, index, refresh, http or client())


def fetch_all(urls: list[str], folder: Path | None = None, refresh: bool = False,
              http: HttpClient | None = None) -> list[Fetched | str]:
    """``fetch`` of each URL, reading and writing the index once for all of them: the copy
    of each, or why there is none (a failed download is reported like an unreadable file)."""
    if not urls:
        return []
    results: list[Fetched | str] = []
    http = http or client()
    try:
        with _index(folder) as (folder, index):
            for url in urls:
                try:
                    results.append(_fetch(url, folder, index, refresh, http))
                except FETCH_ERRORS as exc:
                    results.append(_why(exc))
    except OSError as exc:  # the cache folder or index is unusable: every URL failed
        return [_why(exc)] * len(urls)
    return results


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def _index(folder: Path | None) -> Iterator[tuple[Path, dict]]:
    """The cache folder and its index, written back once, when the block changed it."""
    folder = folder or cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.json"
    index = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    before = dict(index)  # entries are replaced, never changed in place
    yield folder, index
    if index != before:  # a cache hit without refresh changes nothing
        write_atomically(path, json.dumps(index, indent=1, sort_keys=True).encode())


def _fetch(url: str, folder: Path, index: dict, refresh: bool, http: HttpClient) -> Fetched:
    """``fetch`` against an index already read; updates ``index`` in place."""
    entry = index.get(url)
    cached = _cached(folder, url, entry)
    if cached and not refresh:
        return cached
    headers = {}
    if cached and isinstance(entry, dict):
        if entry.get("etag"):
            headers["If-None-Match"] = entry["etag"]
        if entry.get("last_modified"):
            headers["If-Modified-Since"] = entry["last_modified"]
    try:
        status, data, response_headers = http.fetch(SOURCE, url, headers)
    except SourceError as exc:
        if cached is None:
            raise
        error = f"{type(exc).__name__}: {exc}"
        log.warning("fetching %s failed (%s); using the cached copy %s of %s", url, error,
                    cached.path, f"{cached.fetched_at:%Y-%m-%d %H:%M} UTC")
        return Fetched(url, cached.path, cached.fetched_at, fallback_error=error)
    fetched_at = datetime.now(UTC).replace(microsecond=0)  # as the index keeps it
    if status == 304 and cached:  # not modified: the copy is confirmed
        path = cached.path
    elif status == 304:
        raise SourceError(SOURCE, url, "304 Not Modified but nothing is cached")
    else:
        is_pdf = data[:5] == b"%PDF-" or urlparse(url).path.lower().endswith(".pdf")
        # Named by its content: pipeline takes the name's stem as the document id.
        path = folder / f"{sha256(data)}.{'pdf' if is_pdf else 'txt'}"
        if not path.exists():
            write_atomically(path, data)
    index[url] = {"file": path.name, "fetched_at": fetched_at.isoformat(timespec="seconds"),
                  "etag": response_headers.get("ETag"),
                  "last_modified": response_headers.get("Last-Modified")}
    return Fetched(url, path, fetched_at)


def _cached(folder: Path, url: str, entry: dict | str | None) -> Fetched | None:
    if entry is None:
        return None
    # Indexes written before the download time was kept map the URL to the file name.
    name = entry if isinstance(entry, str) else entry["file"]
    path = folder / name
    if not path.exists():
        return None
    if isinstance(entry, dict) and entry.get("fetched_at"):
        fetched_at = datetime.fromisoformat(entry["fetched_at"])
    else:
        fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Fetched(url, path, fetched_at)
