"""Report documents from URLs, cached by content hash under ``<cache>/documents``.

The file is stored as ``<sha256>.<ext>`` and an index maps each URL to its hash, so a
document seen before is not fetched again (``refresh=True`` fetches anyway) and a failed
fetch falls back to the cached copy.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlparse

import requests

from ingestion import config
from ingestion.reports.documents import sha256

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 60


def cache_folder() -> Path:
    return config.cache_dir() / "documents"


def fetch(url: str, folder: Path | None = None, refresh: bool = False,
          session: requests.Session | None = None) -> Path:
    """Path of the cached copy of ``url``, downloading it when needed."""
    folder = folder or cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    index_path = folder / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    cached = folder / index[url] if url in index else None
    if cached and cached.exists() and not refresh:
        return cached
    try:
        response = (session or requests).get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.RequestException:
        if cached and cached.exists():
            log.warning("fetching %s failed; using the cached copy %s", url, cached)
            return cached
        raise
    data = response.content
    is_pdf = data[:5] == b"%PDF-" or urlparse(url).path.lower().endswith(".pdf")
    path = folder / f"{sha256(data)}.{'pdf' if is_pdf else 'txt'}"
    if not path.exists():
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    index[url] = path.name
    index_path.write_text(json.dumps(index, indent=1, sort_keys=True))
    return path
