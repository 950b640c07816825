"""Extraction throughput in one process: pages, lines and MB per second.

    .venv/bin/python bench/bench_extraction.py [FILE...]

Without files: the seed documents as text, then the same seeds laid out as PDFs with real
tables (``bench/pdf_layout.py``), so text and PDF reading can be compared on one content,
then the seeds in every layout of the layout corpus (``bench/layout_corpus.py``, built or
taken from its cache; skipped without Chromium). Prints the load average: the machine is
shared, so compare runs made close together.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(BENCH_DIR.parent))

from ingestion.config import SHARED_SEEDS_DIR  # noqa: E402
from ingestion.reports.documents import load_associations, read_document  # noqa: E402
from ingestion.reports.extract import extract_bytes  # noqa: E402
from ingestion.reports.numbers import fold  # noqa: E402

ROUNDS = 5


@dataclass
class Throughput:
    label: str
    documents: int
    pages: int
    lines: int
    megabytes: float
    figures: int
    seconds: float  # per pass

    def __str__(self) -> str:
        s = self.seconds
        return (f"{self.label}: {self.documents} documents, {self.pages} pages, "
                f"{self.megabytes:.2f} MB, {self.lines} lines, {self.figures} figures\n"
                f"  {s:.3f} s per pass: {self.pages / s:,.0f} pages/s, "
                f"{self.megabytes / s:.2f} MB/s, {self.lines / s:,.0f} lines/s")


def measure(label: str, paths: list[Path], rounds: int = ROUNDS) -> Throughput:
    associations = load_associations()
    documents = [(p.read_bytes(), p.name) for p in paths]
    read = [read_document(data, name, associations) for data, name in documents]
    figures, elapsed = 0, 0.0
    for _ in range(rounds):
        fold.cache_clear()  # every pass reads the documents as if for the first time
        started = time.perf_counter()
        figures = sum(len(extract_bytes(data, name, associations).figures)
                      for data, name in documents)
        elapsed += (time.perf_counter() - started) / rounds
    return Throughput(label, len(paths), sum(max(doc.pages) for doc in read),
                      sum(len(doc.lines) for doc in read),
                      sum(len(data) for data, _ in documents) / 1e6, figures, elapsed)


def seeds_as_pdfs(seeds: list[Path], folder: Path) -> list[Path]:
    from bench import pdf_layout

    return [pdf_layout.write(seed.read_text(encoding="utf-8").split("\n"),
                             folder / f"{seed.stem}.pdf") for seed in seeds]


def main(argv: list[str]) -> int:
    print(f"load average {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} cores")
    if argv:
        print(measure("given files", [Path(p) for p in argv]))
        return 0
    seeds = sorted(SHARED_SEEDS_DIR.glob("*.txt"))
    if not seeds:
        print(f"no documents: pass files or provide {SHARED_SEEDS_DIR}", file=sys.stderr)
        return 1
    print(measure("seeds as text", seeds))
    with tempfile.TemporaryDirectory() as folder:
        print(measure("seeds as PDFs with tables", seeds_as_pdfs(seeds, Path(folder))))
    from bench import layout_corpus

    if layout_corpus.chromium_version():
        built = layout_corpus.build(layout_corpus.documents(SHARED_SEEDS_DIR))
        for layout in layout_corpus.LAYOUTS:
            paths = [built[(seed.name, layout.name)] for seed in seeds]
            print(measure(f"seeds, layout '{layout.name}'", paths, rounds=1))
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
