"""Validating tables: raw tables before they are written, staging models and marts after dbt.

Every failure names the table, the source and the failing rows, so an analyst can find the
row in the source file or response. A raw table that fails is not written: the previous
table stays in the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ingestion import config, contracts
from ingestion.files import tree_digest
from ingestion.validation.rules import MODEL_RULES, RAW_RULES, registry_problems
from ingestion.validation.schemas import model_schema, raw_schema

# The registry lists every municipality of the country.
N_MUNICIPALITIES = 290
# Failing rows listed in a message; the count is always complete.
LISTED_ROWS = 10


class RawValidationError(ValueError):
    """A raw table broke its contract; the message names the source and the rows."""


def validate_raw(name: str, frame: pd.DataFrame, source: str,
                 extra_rules: Iterable[pa.Check] = ()) -> pd.DataFrame:
    """Check ``frame`` against the contract of ``raw.<name>`` and its rules; returns it with
    the contract's types (coerced in place: the frame is its writer's own and already in
    those types, and pandera's copy of raw.population alone is 40 MB at national scale)."""
    schema = raw_schema(name, [*RAW_RULES.get(name, []), *extra_rules])
    try:
        return schema.validate(frame, lazy=True, inplace=True)
    except SchemaErrors as exc:
        raise RawValidationError(_describe(source, schema.name, frame, exc.failure_cases)) from exc


def rules_version() -> str:
    """A digest of the raw contracts and the validation code: a cached result validated by
    other rules is validated again."""
    return tree_digest(config.REPO_ROOT, [
        str(contracts.SOURCES_FILE.relative_to(config.REPO_ROOT)), "ingestion/validation"])


# Registry tables that may not be empty: a header-only file is a file cut short, and would
# publish a warehouse without the rows (every membership gone). No municipality outside
# every association is a possible country.
REQUIRED_ROWS = ("municipalities", "associations", "association_members")


def validate_registry(tables: dict[str, pd.DataFrame], folder: str = "data/reference",
                      files: dict[str, str] | None = None) -> None:
    """The four registry tables, each against its contract and all of them against the rules
    across them; every problem is listed at once, the first line naming the file of the
    first. ``files``: table → file name in ``folder``."""
    files = files or {name: f"{name}.csv" for name in tables}
    problems = []
    for name in REQUIRED_ROWS:
        if tables[name].empty:
            problems.append(f"{folder}/{files[name]}: no rows (only a header); the registry "
                            f"needs its {name.replace('_', ' ')}")
    for name, frame in tables.items():
        try:
            validate_raw(name, frame, f"{folder}/{files[name]}")
        except RawValidationError as exc:
            problems.append(str(exc))
    codes = tables["municipalities"]["municipality_code"]
    if codes.nunique() != N_MUNICIPALITIES and not tables["municipalities"].empty:
        problems.append(f"{folder}/{files['municipalities']}: {codes.nunique()} municipalities,"
                        f" expected {N_MUNICIPALITIES}")
    problems += [
        f"{folder}: {message}:\n{rows.to_string(index=False, max_rows=20)}"
        for message, rows in registry_problems(tables)
        if len(rows)
    ]
    if problems:
        raise RawValidationError("\n".join(problems))


@dataclass(frozen=True)
class ModelCheck:
    """pandera's part of a staging model's or mart's checks, and the model's grain."""

    table: contracts.Table
    schema: pa.DataFrameSchema

    @property
    def layer(self) -> str:
        return "staging" if self.table.name.startswith("stg_") else "marts"

    @property
    def grain(self) -> list[str]:
        """The columns that name a row: the model's grain, else its source table's (a
        staging model is one source table renamed and cast)."""
        if self.table.grain:
            return list(self.table.grain)
        source = self.table.name.split("__", 1)[-1]
        if self.layer == "staging" and source in contracts.raw_table_names():
            return list(contracts.raw_table(source).grain)
        return []

    @property
    def select(self) -> str:
        """The query that reads what the check needs: the ranged columns, the columns its
        rules read and the grain, or every column when a rule does not say what it reads.
        The large staging tables' other columns (source addresses) then never reach memory:
        200 MB for stg_af__unemployment at national scale."""
        reads = [getattr(check, "reads", ()) for check in self.schema.checks]
        if not all(reads):
            columns = ["*"]
        else:
            known = {column.name for column in self.table.columns}
            wanted = dict.fromkeys([*self.schema.columns, *(c for r in reads for c in r),
                                    *self.grain])
            columns = [f'"{name}"' for name in wanted if name in known]
        return f'select {", ".join(columns)} from "{self.layer}"."{self.table.name}"'


@dataclass(frozen=True)
class ModelResult:
    """The outcome of a model's check: what failed, by the failing rows' grain."""

    label: str
    rows: int
    failing_rows: list[dict]  # at most LISTED_ROWS, each with its grain and failed rules
    failing_row_count: int
    table_failures: list[str]  # failures of the table, not of a row
    key_columns: list[str]

    @property
    def passed(self) -> bool:
        return not self.failing_row_count and not self.table_failures

    @property
    def description(self) -> str:
        if self.passed:
            return f"{self.label}: {self.rows} rows pass"
        examples = ", ".join(
            "(" + ", ".join(f"{c}={row[c]}" for c in self.key_columns) + ")"
            for row in self.failing_rows[:5]
        )
        return (f"{self.label} fails its checks: {self.failing_row_count} failing row(s)"
                + (f", e.g. {examples}" if examples else "")
                + (f"; table: {'; '.join(self.table_failures)}" if self.table_failures else ""))


def check_model(frame: pd.DataFrame, check: ModelCheck) -> ModelResult:
    """Validate a built model's rows; failures are named by the model's grain."""
    label = f"{check.layer}.{check.table.name}"
    key_columns = [c for c in check.grain if c in frame.columns]
    try:
        check.schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return ModelResult(label, len(frame), [], 0, [], key_columns)
    failing = []
    for index, group in cases[cases["index"].notna()].groupby("index", sort=True):
        key = frame.loc[index, key_columns].astype(str).to_dict()
        failed = sorted({row.check if row.schema_context == "DataFrameSchema"
                         else f"{row.column}: {row.check}" for row in group.itertuples()})
        failing.append({"row": int(index), **key, "failed": failed})
    table_cases = cases[cases["index"].isna()]
    table_failures = sorted({f"{row.column}: {row.check} ({row.failure_case})"
                             for row in table_cases.itertuples()})
    return ModelResult(label, len(frame), failing[:LISTED_ROWS], len(failing), table_failures,
                       key_columns)


@cache
def model_checks() -> dict[str, ModelCheck]:
    """Every staging model and mart with a value range or a rule to check."""
    found = {}
    for table in [*contracts.models_in("staging"), *contracts.models_in("marts")]:
        schema = model_schema(table, MODEL_RULES.get(table.name, []))
        if schema.columns or schema.checks:
            found[table.name] = ModelCheck(table, schema)
    unknown = set(MODEL_RULES) - set(found)
    if unknown:
        raise KeyError(f"rules for models without a contract: {sorted(unknown)}")
    return found


def _describe(source: str, table: str, frame: pd.DataFrame, cases: pd.DataFrame) -> str:
    rows = pd.to_numeric(cases["index"], errors="coerce").dropna().astype(int).unique()
    lines = []
    for (context, column, check), group in cases.groupby(
            ["schema_context", "column", "check"], sort=False, dropna=False):
        if context == "Column":
            examples = ", ".join(map(str, group["failure_case"].drop_duplicates().head(3)))
            lines.append(f"- {column}: {check} (e.g. {examples})")
        elif not any(line.endswith(f": {check}") for line in lines):  # once per table rule
            lines.append(f"- table: {check}")
    # ``source`` (often a long URL) is left out of the listing; the message names it.
    offending = frame.loc[frame.index.intersection(rows)].drop(columns="source",
                                                               errors="ignore")
    listing = (offending.head(LISTED_ROWS).to_string(index=False) if len(offending)
               else "(no single row: the table as a whole)")
    return (f"{source}: {table} failed, {len(rows)} row(s):\n" + "\n".join(lines)
            + f"\noffending rows:\n{listing}")
