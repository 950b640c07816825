"""All configured documents -> the three validated raw tables.

Documents come from the configured folders (``config.documents_dirs()``) and URLs
(``config.document_urls()``); analysts' overrides are applied last. A document or URL that
cannot be read (a damaged PDF, a failed download), or on which the extractor fails (a
defect, with its traceback), is a ``failed`` row in ``report_documents`` and the others
still load; the blocking checks in ``ingestion.reports.blocking_checks`` stop publishing
when too many documents failed or nothing was read.

Documents are streamed: each file is hashed in chunks (a downloaded one is named by its
hash), and the worker processes get its path, not its bytes, so memory holds one document
per process. Extraction is cached by content: a document's result is kept under
``<cache>/reports/`` keyed by the sha256 of its bytes, its source name, the extractor's
code and the association registry, so a nightly run reads only new or changed documents.
Documents not in the cache are extracted in parallel, one process per core. The validated
tables are cached too, keyed by all of that and the overrides: a night in which no
document changed costs hashing the files. The cache is pruned by age and size
(``config.report_cache_max_age_days()``, ``config.report_cache_max_bytes()``), least
recently used first.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import pandas as pd

from ingestion import config
from ingestion.files import write_atomically
from ingestion.reports import consistency, download, overrides
from ingestion.reports.documents import load_associations, source_name
from ingestion.reports.extract import Extraction, extract_file, failed
from ingestion.validation.validate import rules_version, validate_raw

DOCUMENT_SUFFIXES = {".txt", ".pdf"}
# What a failed validation of the report tables names as their source.
SOURCE = "report documents"


@dataclass
class ReportTables:
    figures: pd.DataFrame
    documents: pd.DataFrame
    issues: pd.DataFrame
    # Downloads that failed and were read from an older cached copy instead.
    fallbacks: list[download.Fetched] = field(default_factory=list)

    @property
    def n_flagged(self) -> int:
        return int((self.figures["check_status"] == "flagged").sum())


@dataclass(frozen=True)
class Source:
    """One document to read: where it is, or why it could not be had."""
    name: str  # file name (``embedded:<file>``) or URL
    path: Path | None
    document_id: str | None = None  # sha256 of the file's bytes
    error: str | None = None


def document_files(folders: list[Path]) -> list[Path]:
    """Report files in ``folders`` (text and PDF; READMEs are not reports)."""
    return sorted(
        path for folder in folders if folder.is_dir() for path in folder.iterdir()
        if path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.lower().startswith("readme")
    )


def extract_reports(folders: list[Path] | None = None, urls: list[str] | None = None,
                    overrides_path: Path | None = None) -> ReportTables:
    folders = config.documents_dirs() if folders is None else folders
    urls = config.document_urls() if urls is None else urls
    overrides_path = overrides_path or config.overrides_dir() / "report_figures.csv"
    associations = load_associations()
    # Ask the server every run (a conditional request: unchanged copies are not sent).
    fetched = download.fetch_all(urls, refresh=True)
    fallbacks = [f for f in fetched if isinstance(f, download.Fetched) and f.fallback_error]
    sources = [*map(_file_source, document_files(folders)), *map(_url_source, urls, fetched)]
    # The whole result for exactly these documents, overrides and code, when a run saw them.
    key = _tables_key(associations, sources, overrides_path)
    cached = _cached(key)
    if isinstance(cached, ReportTables):
        cached.fallbacks = fallbacks
        return cached
    result = Extraction()
    seen: dict[str, str] = {}
    pending: list[Source] = []
    for source in sources:
        if source.path is None or source.document_id is None:
            result += failed(source.name, source.error or "not read")
            continue
        if source.document_id in seen:  # the same file twice (a copy, or a file and its URL)
            result.issues.append({
                "document_id": source.document_id, "source": source.name,
                "check_name": "duplicate_document", "severity": "warning", "line": None,
                "message": f"same bytes as {seen[source.document_id]}; read once",
            })
            continue
        seen[source.document_id] = source.name
        pending.append(source)
    for extraction in extract_documents(pending, associations):
        result += extraction
    figures, documents, issues = result.frames()
    figures, override_issues = overrides.apply(figures, documents, overrides.load(overrides_path))
    issues = pd.DataFrame([*issues.to_dict(orient="records"), *override_issues],
                          columns=issues.columns).astype(issues.dtypes.to_dict())
    tables = ReportTables(
        figures=validate_raw("report_figures", figures, SOURCE,
                             [consistency.every_violation_is_flagged_rule()]),
        documents=validate_raw("report_documents", documents, SOURCE),
        issues=validate_raw("report_issues", issues, SOURCE),
    )
    _store(key, tables)
    prune_cache(cache_folder(), config.report_cache_max_age_days(),
                config.report_cache_max_bytes())
    tables.fallbacks = fallbacks
    return tables


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in chunks (never the whole file in memory)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _file_source(path: Path) -> Source:
    try:
        return Source(source_name(path), path, file_sha256(path))
    except OSError as exc:
        return Source(source_name(path), None, error=f"{type(exc).__name__}: {exc}")


def _url_source(url: str, fetched: download.Fetched | str) -> Source:
    if isinstance(fetched, str):
        return Source(url, None, error=fetched)
    # download names every file (in both index formats) by the sha256 of its bytes.
    return Source(url, fetched.path, fetched.path.stem)


# Fewer documents than this are extracted in this process: starting workers costs ~1 s.
PARALLEL_FROM = 32


def extract_documents(sources: list[Source],
                      associations: dict[str, tuple[str, ...]]) -> list[Extraction]:
    """The extraction of each source, from the cache when it holds the result."""
    version = extractor_version(associations)
    keys = [_cache_key(version, s.name, s.document_id or "") for s in sources]
    results = [hit if isinstance(hit := _cached(key), Extraction) else None for key in keys]
    missing = [i for i, hit in enumerate(results) if hit is None]
    for i, extraction in zip(missing, _extract_all([sources[i] for i in missing],
                                                   associations), strict=True):
        _store(keys[i], extraction)
        results[i] = extraction
    return [r for r in results if r is not None]


def _extract_all(sources: list[Source],
                 associations: dict[str, tuple[str, ...]]) -> Iterator[Extraction]:
    workers = min(len(os.sched_getaffinity(0)), 8)
    if len(sources) < PARALLEL_FROM or workers < 2:
        for source in sources:
            yield _extract_one(source, associations)
        return
    # spawn, not fork: the calling process (Dagster) runs threads that fork would copy.
    # Workers get paths and read one document at a time.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_extract_one, sources, repeat(associations),
                            chunksize=max(1, len(sources) // (workers * 8)))


def _extract_one(source: Source, associations: dict[str, tuple[str, ...]]) -> Extraction:
    assert source.path is not None
    return extract_file(source.path, associations, source.name, source.document_id)


def extractor_version(associations: dict[str, tuple[str, ...]]) -> str:
    """The extractor's code and the registry it matches names against."""
    digest = hashlib.sha256(json.dumps(associations, sort_keys=True).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _tables_key(associations: dict[str, tuple[str, ...]], sources: list[Source],
                overrides_path: Path) -> str:
    """Everything the three tables depend on: the documents (or why they are missing), the
    overrides, the extractor and the raw schemas."""
    digest = hashlib.sha256(extractor_version(associations).encode())
    digest.update(rules_version().encode())
    digest.update(overrides_path.read_bytes() if overrides_path.exists() else b"no overrides")
    for source in sources:
        digest.update(f"\0{source.name}\0{source.document_id or source.error}".encode())
    return "tables-" + digest.hexdigest()


def _cache_key(version: str, source: str, document_id: str) -> str:
    return hashlib.sha256(f"{version}\0{source}\0{document_id}".encode()).hexdigest()


def cache_folder() -> Path:
    return config.cache_dir() / "reports"


def _cache_path(key: str) -> Path:
    return cache_folder() / f"{key}.pickle"


def _cached(key: str) -> Extraction | ReportTables | None:
    path = _cache_path(key)
    try:
        result = pickle.loads(path.read_bytes())
        os.utime(path)  # recently used: kept longest when the cache is pruned
        return result
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # not extracted yet, or by other code


def _store(key: str, result: Extraction | ReportTables) -> None:
    path = _cache_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


def prune_cache(folder: Path, max_age_days: float, max_bytes: int,
                now: float | None = None) -> list[Path]:
    """Delete cache files unused for more than ``max_age_days``, then the least recently
    used until the folder holds at most ``max_bytes`` (and temporary files a crashed run
    left behind, after a day). Returns the deleted files."""
    now = time.time() if now is None else now
    entries = []
    for path in folder.glob("*"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed by a parallel run
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    entries.sort(reverse=True)  # most recently used first
    deleted, total = [], 0
    for mtime, size, path in entries:
        age_days = (now - mtime) / 86_400
        stale_temporary = path.suffix == ".tmp" and age_days > 1
        if stale_temporary or age_days > max_age_days or total + size > max_bytes:
            path.unlink(missing_ok=True)
            deleted.append(path)
        else:
            total += size
    return deleted
