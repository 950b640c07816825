"""The last guard before a publish: no table of the new warehouse may have shrunk by more than
``FINSAM_MAX_ROW_DROP`` against the published one, and no association may have lost every
membership row. An empty or truncated input (a header-only registry file, a snapshot cut
short) that passed every check of its own rows would otherwise publish a warehouse with the
rows gone: the marts are computed from whatever is there."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion import config

# Schemas whose tables are guarded: what was read, and what analysts use.
GUARDED_SCHEMAS = ("raw", "marts")
# Findings about the reports: fewer of them after a correction is the point.
MAY_SHRINK = frozenset({"raw.report_issues"})
# Kinds of rows a table may not lose all of: the registry keeps a membership's history when
# it ends, so an association whose rows all vanish is a file cut short, not a change.
KINDS = {"raw.association_members": "association_id"}


class ShrinkageError(RuntimeError):
    """The new warehouse lost more rows than allowed; the message names the tables."""


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        f"where schema_name in {GUARDED_SCHEMAS} order by 1").fetchall()
    return {name: con.execute(f"select count(*) from {name}").fetchone()[0]
            for (name,) in tables}


def _kinds(con: duckdb.DuckDBPyConnection, table: str, column: str) -> set[str]:
    try:
        return {value for (value,) in con.execute(f"select distinct {column} from {table}"
                                                  ).fetchall()}
    except duckdb.CatalogException:  # the table is missing: counted as shrunk to 0 above
        return set()


def shrinkage(build: Path, published: Path, max_drop: float | None = None) -> list[str]:
    """Every guarded table of ``published`` that has more than ``max_drop`` (a fraction) fewer
    rows in ``build``, and every kind of row one lost entirely, as 'table: before → after'."""
    max_drop = config.max_row_drop() if max_drop is None else max_drop
    with duckdb.connect(str(published), read_only=True) as old, \
            duckdb.connect(str(build), read_only=True) as new:
        before, after = row_counts(old), row_counts(new)
        problems = []
        for table, rows in before.items():
            now = after.get(table, 0)
            if table in MAY_SHRINK or not rows or (rows - now) / rows <= max_drop:
                continue
            problems.append(f"{table} {rows} → {now} rows (-{100 * (rows - now) / rows:.0f} %)")
        for table, column in KINDS.items():
            lost = sorted(_kinds(old, table, column) - _kinds(new, table, column))
            if lost and table in after:
                shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5
                                               else "")
                problems.append(f"{table} has no rows left for {column} {shown}")
    return problems


def check_shrinkage(build: Path, published: Path) -> None:
    """Raise ShrinkageError naming every table that shrank too much (see ``shrinkage``)."""
    problems = shrinkage(build, published)
    if problems:
        raise ShrinkageError(
            f"not published: {'; '.join(problems)}, against the published {published} "
            f"(at most {config.max_row_drop():.0%} fewer rows allowed, FINSAM_MAX_ROW_DROP). "
            "Correct the input that lost them; if the drop is intended, run once with "
            "FINSAM_MAX_ROW_DROP=1")
