"""Files, in one place: writing one so that a reader, or a run in parallel, never sees half of
it (the one atomic writer of the project: downloads, caches, state files and the exports use
it), and digests of files and folders (the published warehouse, code versions)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
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


def file_digest(path: Path) -> str:
    """sha256 (hex) of a file's bytes, read in blocks (a warehouse is hundreds of MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_under(root: Path, paths: Iterable[str], exclude: Iterable[str] = ()) -> list[Path]:
    """The files under ``paths`` (relative to ``root``; a path may name a file), sorted,
    without Python caches and without what is under ``exclude``."""
    skipped = tuple(root / p for p in exclude)
    files: list[Path] = []
    for name in paths:
        top = root / name
        found = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        files += [p for p in found if p.is_file() and "__pycache__" not in p.parts
                  and not any(p == s or s in p.parents for s in skipped)]
    return files


def tree_digest(root: Path, paths: Iterable[str], exclude: Iterable[str] = ()) -> str:
    """sha256 of the names (relative to ``root``) and contents of the files under ``paths``."""
    digest = hashlib.sha256()
    for path in files_under(root, paths, exclude):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
