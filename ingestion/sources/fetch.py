"""One switch between the live sources and the embedded snapshot.

Both paths hand the bytes to the same parse function, so the default (embedded) run exercises
the parsers the live run uses. Snapshot files hold a response body in the source's own format;
a ``.gz`` suffix only means the file is stored gzip-compressed.

Parsing is cached by content: the result of ``parse(body)`` is kept under
``<cache>/parsed/`` keyed by the sha256 of the body, the location, the parse function and
the code of the parsers and the municipality registry they resolve names with. A nightly run
whose snapshot or (304) response did not change unpickles the frame instead of reading the
workbooks' pivot caches or the JSON-stat cubes again (seconds at national scale).
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TypeVar

from ingestion import config
from ingestion.files import write_atomically
from ingestion.sources.errors import SourceError, SourceFormatError, describe
from ingestion.sources.http import HttpClient

T = TypeVar("T")


@dataclass
class Fetcher:
    """Fetches from the network (``live``) or from ``snapshots_dir`` (``embedded``).

    A live body fetched with ``keep=True`` is kept for this Fetcher's life (one asset
    load, or one ``finsam sources check``): the drift report reads the metadata and the
    file list the fetch then reads again, and the second read must not be a second request.
    """

    mode: str
    snapshots_dir: Path
    client: HttpClient | None = None
    kept: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)  # by URL

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
        keep: bool = False,
    ) -> tuple[T, str]:
        """Return ``(parse(body), origin)``; origin is the URL or ``embedded:<snapshot>``.
        ``keep``: a later ``get`` of the same URL reuses this body (see the class)."""
        if self.mode == "live":
            location = HttpClient.full_url(url, params)
            parse = cached(parse, location)
            if location in self.kept:
                return _parse(source, location, parse, self.kept[location]), location
            if self.client is None:
                self.client = HttpClient()
            if keep:
                parse = self._keeping(location, parse)
            return self.client.get(source, url, params, parse=parse), location
        path = self.snapshots_dir / snapshot
        if not path.is_file():
            raise SourceError(source, str(path), "embedded snapshot missing")
        body = path.read_bytes()
        if path.suffix == ".gz":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError, zlib.error) as exc:  # cut short or not gzip at all
                raise SourceFormatError(source, str(path), f"not a whole gzip file ({exc})"
                                        ) from None
        # The request goes into the cache key: the same file parsed for another selection
        # (the metadata snapshot changed) must not reuse the old result.
        key = f"embedded:{snapshot}\0{HttpClient.full_url(url, params)}"
        return _parse(source, str(path), cached(parse, key), body), f"embedded:{snapshot}"

    def _keeping(self, location: str, parse: Callable[[bytes], T]) -> Callable[[bytes], T]:
        def parse_and_keep(body: bytes) -> T:
            result = parse(body)
            # Only a body the parser accepted, like the HTTP cache: a rejected one is
            # asked for again.
            self.kept[location] = body
            return result

        return parse_and_keep


def _parse(source: str, where: str, parse: Callable[[bytes], T], body: bytes) -> T:
    """``parse(body)``; a parser failure is the source's format error (as ``HttpClient``)."""
    try:
        return parse(body)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceFormatError(source, where, describe(exc)) from exc


def cached(parse: Callable[[bytes], T], location: str) -> Callable[[bytes], T]:
    """``parse`` with its results kept by content (see the module docstring)."""

    def parse_or_load(body: bytes) -> T:
        code = getattr(parse, "__code__", None)
        name = f"{parse.__module__}.{parse.__qualname__}:{code.co_firstlineno if code else ''}"
        digest = hashlib.sha256(f"{location}\0{name}\0{_code_version()}\0".encode())
        digest.update(body)
        path = config.cache_dir() / "parsed" / f"{digest.hexdigest()}.pickle"
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            pass  # not cached yet, or written by other code: parse again
        result = parse(body)
        write_atomically(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        return result

    return parse_or_load


def _code_version() -> str:
    """The parsers' code and the registry they read: a change to either re-parses."""
    digest = hashlib.sha256(_parser_code())
    registry = config.reference_dir() / "municipalities.csv"
    if registry.exists():
        digest.update(registry.read_bytes())
    return digest.hexdigest()


# drift.py defines no parser (it calls the other modules'), and an edit to the drift report
# must not invalidate every cached parse.
NOT_PARSER_CODE = frozenset({"drift.py"})


@cache
def _parser_code() -> bytes:
    paths = sorted(Path(__file__).parent.glob("*.py"))
    return b"".join(path.read_bytes() for path in paths if path.name not in NOT_PARSER_CODE)
