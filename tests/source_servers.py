"""Answers in the sources' real formats from an embedded snapshot, for tests that serve the
live sources from a local HTTP server (``pytest-httpserver``)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from ingestion.sources import kolada


def kolada_body(snapshots: Path, path: str, prefix: str = "/kolada") -> bytes | None:
    """The snapshot body answering a Kolada request path (``{prefix}/kpi/…`` or
    ``{prefix}/data/kpi/…/municipality/…/year/…``), or None for another path. A data page is
    found by its batch: the position of its first municipality in the registry."""
    if path.startswith(f"{prefix}/kpi/"):
        return (snapshots / kolada.snapshot_name()).read_bytes()
    if not path.startswith(f"{prefix}/data/kpi/"):
        return None
    first = path.split("/municipality/", 1)[1].split("/", 1)[0].split(",")[0]
    codes = list(pd.read_csv(snapshots.parent / "reference" / "municipalities.csv",
                             dtype=str)["municipality_code"])
    batch = codes.index(first) // kolada.BATCH + 1
    return gzip.decompress((snapshots / kolada.snapshot_name(batch)).read_bytes())
