"""The hand-maintained registry in data/reference/ → raw.municipalities, raw.associations,
raw.association_members, raw.municipalities_outside (the work is done by
``ingestion.reference``).

No ``from __future__ import annotations`` here: Dagster reads the annotations of a
multi-asset at definition time and rejects them as strings.
"""

from collections.abc import Iterator

from dagster import DataVersion, MaterializeResult, multi_asset

from ingestion import reference
from ingestion.warehouse import content_version, write_table
from orchestration.assets import raw_table_specs
from orchestration.resources import WarehouseResource
from orchestration.versions import REGISTRY_FILES

GROUP = "reference"


@multi_asset(specs=raw_table_specs(GROUP, list(reference.FILES), deps=[REGISTRY_FILES]))
def reference_tables(warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
    """Load and check the four CSV files together (the checks span them), then write them."""
    tables = reference.load_reference()
    with warehouse.connect() as con:
        rows_written = {table: write_table(con, "raw", table, frame)
                        for table, frame in tables.items()}
    for table, frame in tables.items():
        rows = rows_written[table]
        metadata: dict[str, int] = {"rows": rows}
        if "confidence" in frame:
            for confidence, rows in frame["confidence"].value_counts().sort_index().items():
                metadata[f"{confidence}_rows"] = int(rows)
        yield MaterializeResult(asset_key=table, metadata=metadata,
                                data_version=DataVersion(content_version(frame)))
