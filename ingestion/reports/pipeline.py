"""All configured documents -> the three validated raw tables.

Documents come from the configured folders (``config.documents_dirs()``) and URLs
(``config.document_urls()``); analysts' overrides are applied last. One unreadable
document or URL never stops the others: it is a ``failed`` row in ``report_documents``.

Extraction is cached by content: a document's result is kept under ``<cache>/reports/``
keyed by the sha256 of its bytes, its source name, the extractor's code and the
association registry, so a nightly run reads only new or changed documents. Documents not
in the cache are extracted in parallel, one process per core (at national scale, ~2,000
documents, extraction is the largest step of a first refresh; see bench/RESULTS.md). The
validated tables are cached too, keyed by all of that and the overrides: a night in which
no document changed costs reading and hashing the files.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import pandas as pd

from ingestion import config
from ingestion.reports import download, overrides
from ingestion.reports.documents import load_associations, sha256, source_name
from ingestion.reports.extract import Extraction, extract_bytes, failed
from ingestion.validation import raw_reports
from ingestion.validation.raw_reports import (
    ReportDocumentsSchema,
    ReportFiguresSchema,
    ReportIssuesSchema,
)

DOCUMENT_SUFFIXES = {".txt", ".pdf"}


@dataclass
class ReportTables:
    figures: pd.DataFrame
    documents: pd.DataFrame
    issues: pd.DataFrame

    @property
    def n_flagged(self) -> int:
        return int((self.figures["check_status"] == "flagged").sum())


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
    inputs = [*_files(document_files(folders)), *map(_download, urls)]
    # The whole result for exactly these documents, overrides and code, when a run saw them.
    key = _tables_key(associations, inputs, overrides_path)
    cached = _cached(key)
    if isinstance(cached, ReportTables):
        return cached
    result = Extraction()
    seen: dict[str, str] = {}
    pending: list[tuple[str, bytes]] = []
    for source, data, error in inputs:
        if data is None:
            result += failed(source, error)
            continue
        document_id = sha256(data)
        if document_id in seen:  # the same file twice (a copy, or a file and its URL)
            result.issues.append({
                "document_id": document_id, "source": source, "check_name": "duplicate_document",
                "severity": "warning", "line": None,
                "message": f"same bytes as {seen[document_id]}; read once",
            })
            continue
        seen[document_id] = source
        pending.append((source, data))
    for extraction in extract_documents(pending, associations):
        result += extraction
    figures, documents, issues = result.frames()
    figures, override_issues = overrides.apply(figures, documents, overrides.load(overrides_path))
    issues = pd.DataFrame([*issues.to_dict(orient="records"), *override_issues],
                          columns=issues.columns).astype(issues.dtypes.to_dict())
    tables = ReportTables(
        figures=ReportFiguresSchema.validate(figures),
        documents=ReportDocumentsSchema.validate(documents),
        issues=ReportIssuesSchema.validate(issues),
    )
    _store(key, tables)
    return tables


def _files(paths: list[Path]) -> list[tuple[str, bytes | None, str]]:
    found = []
    for path in paths:
        try:
            found.append((source_name(path), path.read_bytes(), ""))
        except OSError as exc:
            found.append((source_name(path), None, f"{type(exc).__name__}: {exc}"))
    return found


def _download(url: str) -> tuple[str, bytes | None, str]:
    try:
        return url, download.fetch(url).read_bytes(), ""
    except Exception as exc:  # an unreachable URL is reported like an unreadable file
        return url, None, f"{type(exc).__name__}: {exc}"


# Fewer documents than this are extracted in this process: starting workers costs ~1 s.
PARALLEL_FROM = 32


def extract_documents(documents: list[tuple[str, bytes]],
                      associations: dict[str, tuple[str, ...]]) -> list[Extraction]:
    """``extract_bytes`` of each (source, bytes), from the cache when it holds the result."""
    version = _extractor_version(associations)
    keys = [_cache_key(version, source, data) for source, data in documents]
    results = [hit if isinstance(hit := _cached(key), Extraction) else None for key in keys]
    missing = [i for i, hit in enumerate(results) if hit is None]
    for i, extraction in zip(missing, _extract_all([documents[i] for i in missing],
                                                   associations), strict=True):
        _store(keys[i], extraction)
        results[i] = extraction
    return [r for r in results if r is not None]


def _extract_all(documents: list[tuple[str, bytes]],
                 associations: dict[str, tuple[str, ...]]) -> Iterator[Extraction]:
    workers = min(len(os.sched_getaffinity(0)), 8)
    if len(documents) < PARALLEL_FROM or workers < 2:
        for source, data in documents:
            yield extract_bytes(data, source, associations)
        return
    # spawn, not fork: the calling process (Dagster) runs threads that fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_extract_one, documents, repeat(associations),
                            chunksize=max(1, len(documents) // (workers * 8)))


def _extract_one(document: tuple[str, bytes],
                 associations: dict[str, tuple[str, ...]]) -> Extraction:
    source, data = document
    return extract_bytes(data, source, associations)


def _extractor_version(associations: dict[str, tuple[str, ...]]) -> str:
    """The extractor's code and the registry it matches names against."""
    digest = hashlib.sha256(json.dumps(associations, sort_keys=True).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _tables_key(associations: dict[str, tuple[str, ...]],
                inputs: list[tuple[str, bytes | None, str]], overrides_path: Path) -> str:
    """Everything the three tables depend on: the documents (or why they are missing), the
    overrides, the extractor and the raw schemas."""
    digest = hashlib.sha256(_extractor_version(associations).encode())
    digest.update(Path(raw_reports.__file__).read_bytes())
    digest.update(overrides_path.read_bytes() if overrides_path.exists() else b"no overrides")
    for source, data, error in inputs:
        content = hashlib.sha256(data).hexdigest() if data is not None else error
        digest.update(f"\0{source}\0{content}".encode())
    return "tables-" + digest.hexdigest()


def _cache_key(version: str, source: str, data: bytes) -> str:
    digest = hashlib.sha256(f"{version}\0{source}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def _cache_path(key: str) -> Path:
    return config.cache_dir() / "reports" / f"{key}.pickle"


def _cached(key: str) -> Extraction | ReportTables | None:
    try:
        return pickle.loads(_cache_path(key).read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None  # not extracted yet, or by other code


def _store(key: str, result: Extraction | ReportTables) -> None:
    path = _cache_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, path)
