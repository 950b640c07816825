"""The report pipeline streams documents (hashes in chunks, sends paths to the workers),
prunes its cache by age and size and writes cache files under unique temporary names."""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path

import pytest

from ingestion.reports import pipeline
from ingestion.reports.pipeline import Source, extract_reports, file_sha256, prune_cache

REPORT = (
    "Samordningsförbundet Sundsvall\nHalvårsrapport {year}\n\n"
    "\tBudget {year}\tUtfall 30/6-{year}\n"
    "Försäkringskassan\t3 680 000\t1 840 000\n"
    "Sundsvalls kommun\t1 840 000\t920 000\n"
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FINSAM_DATA_DIR", str(tmp_path))
    (tmp_path / "documents").mkdir()
    for year in (2021, 2022, 2023):
        (tmp_path / "documents" / f"report_{year}.txt").write_text(
            REPORT.format(year=year), encoding="utf-8")
    return tmp_path


def test_files_are_hashed_in_chunks(tmp_path: Path):
    path = tmp_path / "big.txt"
    data = os.urandom(3_000_000)
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_workers_get_paths_not_bytes(data_dir: Path, monkeypatch):
    big = data_dir / "documents" / "report_2020.txt"
    big.write_text(REPORT.format(year=2020) + "Förbundet arbetar vidare.\n" * 100_000,
                   encoding="utf-8")
    source = pipeline._file_source(big)
    assert big.stat().st_size > 2_000_000
    assert len(pickle.dumps(source)) < 1_000  # what a worker is sent

    in_process = extract_reports(overrides_path=data_dir / "none.csv")
    for path in (data_dir / "cache" / "reports").iterdir():
        path.unlink()
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)  # through the worker processes
    in_workers = extract_reports(overrides_path=data_dir / "none.csv")
    assert in_workers.figures.drop(columns="loaded_at", errors="ignore").equals(
        in_process.figures.drop(columns="loaded_at", errors="ignore"))
    assert len(in_workers.documents) == 4 and set(in_workers.documents["status"]) == {"loaded"}


def test_an_unreadable_file_is_a_failed_document(data_dir: Path, monkeypatch):
    locked = data_dir / "documents" / "locked.txt"
    locked.write_text("x", encoding="utf-8")
    real = pipeline.file_sha256

    def unreadable(path: Path) -> str:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(pipeline, "file_sha256", unreadable)
    tables = extract_reports(overrides_path=data_dir / "none.csv")
    failed = tables.documents.set_index("source").loc["embedded:locked.txt"]
    assert failed["status"] == "failed" and "PermissionError" in failed["error"]
    assert (tables.documents["status"] == "loaded").sum() == 3


def test_cache_files_are_renamed_into_place(data_dir: Path):
    extract_reports(overrides_path=data_dir / "none.csv")
    cache = data_dir / "cache" / "reports"
    names = [p.name for p in cache.iterdir()]
    assert len([n for n in names if n.endswith(".pickle")]) == 4  # 3 documents + the tables
    assert not [n for n in names if n.endswith(".tmp")]


def test_a_cache_hit_marks_the_file_as_used(data_dir: Path):
    extract_reports(overrides_path=data_dir / "none.csv")
    cache = data_dir / "cache" / "reports"
    long_ago = time.time() - 30 * 86_400
    for path in cache.iterdir():
        os.utime(path, (long_ago, long_ago))
    extract_reports(overrides_path=data_dir / "none.csv")  # served by the tables entry
    used = [p for p in cache.iterdir() if p.stat().st_mtime > long_ago + 86_400]
    assert [p.name.startswith("tables-") for p in used] == [True]


def _file(folder: Path, name: str, size: int, age_days: float, now: float) -> Path:
    path = folder / name
    path.write_bytes(b"x" * size)
    os.utime(path, (now - age_days * 86_400, now - age_days * 86_400))
    return path


def test_prune_deletes_old_files_then_the_least_recently_used(tmp_path: Path):
    now = time.time()
    fresh = _file(tmp_path, "fresh.pickle", 400, 0.1, now)
    recent = _file(tmp_path, "recent.pickle", 400, 2, now)
    older = _file(tmp_path, "older.pickle", 400, 5, now)
    stale = _file(tmp_path, "stale.pickle", 10, 90, now)
    crashed = _file(tmp_path, ".tables-x.abc.tmp", 10, 3, now)
    writing = _file(tmp_path, ".tables-y.def.tmp", 10, 0.01, now)
    deleted = prune_cache(tmp_path, max_age_days=60, max_bytes=1_000, now=now)
    assert set(deleted) == {older, stale, crashed}
    assert {p for p in tmp_path.iterdir()} == {fresh, recent, writing}


def test_the_refresh_prunes_its_cache(data_dir: Path, monkeypatch):
    cache = data_dir / "cache" / "reports"
    cache.mkdir(parents=True)
    now = time.time()
    old = _file(cache, "from-an-old-extractor.pickle", 100, 400, now)
    monkeypatch.setenv("FINSAM_REPORT_CACHE_MAX_AGE_DAYS", "365")
    extract_reports(overrides_path=data_dir / "none.csv")
    assert not old.exists()
    monkeypatch.setenv("FINSAM_REPORT_CACHE_MAX_MB", "0")
    (data_dir / "documents" / "report_2024.txt").write_text(REPORT.format(year=2024))
    extract_reports(overrides_path=data_dir / "none.csv")
    assert list(cache.iterdir()) == []


def test_sources_know_their_hash_or_their_error(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_text("x", encoding="utf-8")
    assert pipeline._file_source(path) == Source(
        "a.txt", path, hashlib.sha256(b"x").hexdigest())
    missing = pipeline._file_source(tmp_path / "gone.txt")
    assert missing.path is None and "FileNotFoundError" in missing.error
