"""Extraction throughput on the seed documents (or the files given): pages and lines per
second. Run: ``.venv/bin/python bench/bench_extraction.py [FILE...]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ingestion.config import SHARED_SEEDS_DIR
from ingestion.reports.documents import load_associations, read_document
from ingestion.reports.extract import extract_bytes
from ingestion.reports.numbers import fold

ROUNDS = 5


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted(SHARED_SEEDS_DIR.glob("*.txt"))
    if not paths:
        print(f"no documents: pass files or provide {SHARED_SEEDS_DIR}", file=sys.stderr)
        return 1
    associations = load_associations()
    documents = [(p.read_bytes(), p.name) for p in paths]
    sizes = [read_document(data, name, associations) for data, name in documents]
    pages = sum(max(doc.pages) for doc in sizes)
    lines = sum(len(doc.lines) for doc in sizes)
    figures = 0
    elapsed = 0.0
    for _ in range(ROUNDS):
        fold.cache_clear()  # every pass reads the documents as if for the first time
        started = time.perf_counter()
        figures = sum(len(extract_bytes(data, name, associations).figures)
                      for data, name in documents)
        elapsed += (time.perf_counter() - started) / ROUNDS
    print(f"{len(paths)} documents, {pages} pages, {lines} lines, {figures} figures")
    print(f"{elapsed:.3f} s per pass: {pages / elapsed:,.0f} pages/s, "
          f"{lines / elapsed:,.0f} lines/s, {figures / elapsed:,.0f} figures/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
