"""One switch between the live sources and the embedded snapshot.

Both paths hand the bytes to the same parse function, so the default (embedded) run exercises
the parsers the live run uses. Snapshot files hold a response body in the source's own format;
a ``.gz`` suffix only means the file is stored gzip-compressed.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ingestion import config
from ingestion.sources.errors import SourceError, SourceFormatError, describe
from ingestion.sources.http import HttpClient

T = TypeVar("T")


@dataclass
class Fetcher:
    """Fetches from the network (``live``) or from ``snapshots_dir`` (``embedded``)."""

    mode: str
    snapshots_dir: Path
    client: HttpClient | None = None

    @classmethod
    def from_config(cls, client: HttpClient | None = None) -> Fetcher:
        """``FINSAM_SOURCES`` decides the mode; the snapshot folder hangs off FINSAM_DATA_DIR."""
        return cls(mode=config.sources_mode(), snapshots_dir=config.snapshots_dir(), client=client)

    def get(
        self,
        source: str,
        url: str,
        params: Mapping[str, str] | None,
        snapshot: str,
        parse: Callable[[bytes], T],
    ) -> tuple[T, str]:
        """Return ``(parse(body), origin)``; origin is the URL or ``embedded:<snapshot>``."""
        if self.mode == "live":
            if self.client is None:
                self.client = HttpClient()
            return self.client.get(source, url, params, parse=parse), HttpClient.full_url(
                url, params
            )
        path = self.snapshots_dir / snapshot
        if not path.is_file():
            raise SourceError(source, str(path), "embedded snapshot missing")
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        try:
            return parse(body), f"embedded:{snapshot}"
        except SourceError:
            raise
        except Exception as exc:
            raise SourceFormatError(source, str(path), describe(exc)) from exc
