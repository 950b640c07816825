"""Writing a file so that a reader, or a run in parallel, never sees half of it. The one
atomic writer of the project: downloads, caches, state files and the exports use it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path of a unique name beside ``path``; rename it over ``path`` when
    the block ends without error. Parallel runs never write into each other's file, and the
    rename is atomic (same folder): an analyst opening the previous file, or a reader of a
    cache, sees the old file or the new, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    partial = Path(temporary)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> Path:
    with atomic_path(path) as partial:
        partial.write_bytes(data)
    return path


def write_text_atomically(path: Path, text: str) -> Path:
    return write_atomically(path, text.encode("utf-8"))
