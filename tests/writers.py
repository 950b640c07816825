"""Another process holding a DuckDB file open read-write, as an analyst's session would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
if sys.argv[2]:
    con.execute(sys.argv[2])
print("open", flush=True)
time.sleep(600)
"""


@contextmanager
def writer_process(path: Path, statement: str = "") -> Iterator[subprocess.Popen]:
    """A process with ``path`` open for writing (after running ``statement``) until the block
    ends; then killed, without a checkpoint, so a write leaves its write-ahead log behind."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), statement],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "open"
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)
