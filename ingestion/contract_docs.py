"""The parts of the docs that list tables and columns, written from the contracts in the dbt
YAML (``ingestion.contracts``) so they never disagree with them.

    python -m ingestion.contract_docs          rewrite the generated parts of the docs
    python -m ingestion.contract_docs --check  exit 1 when they are out of date

Each generated part sits between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``
in its document; the text around it is written by hand.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from ingestion import config, contracts

DOCS = config.REPO_ROOT / "docs"


def raw_tables() -> str:
    tables = [contracts.raw_table(name) for name in contracts.raw_table_names()]
    return _sections("raw", tables, rules=True)


def marts() -> str:
    return _sections("marts", contracts.models_in("marts"), rules=False)


def _sections(schema: str, tables: list[contracts.Table], rules: bool) -> str:
    parts = []
    for table in tables:
        grain = f" Grain: {', '.join(table.grain)}." if table.grain else ""
        parts.append(f"### {schema}.{table.name}\n\n{table.description}{grain}\n\n"
                     + _columns_table(table.columns, rules=rules))
    return "\n".join(parts)


def export_columns() -> str:
    parts = []
    for table in contracts.exported_marts():
        export = table.meta["export"]
        months = export.get("workbook_months")
        note = (f"\nThe workbook sheet holds the latest {months} months; the CSV and Parquet "
                "files hold every month.\n" if months else "")
        rows = "\n".join(f"| {c.meta['label_sv']} | {c.meta['label_en']} | `{c.name}` |"
                         for c in table.columns)
        parts.append(f"### {export['sheet']} — `marts.{table.name}` ({export['title_en']})\n"
                     f"{note}\n| Svensk rubrik | English header | column (CSV/Parquet) |\n"
                     f"| --- | --- | --- |\n{rows}\n")
    return "\n".join(parts)


def _columns_table(columns: tuple[contracts.Column, ...], rules: bool) -> str:
    header = "| column | type | rules | meaning |\n| --- | --- | --- | --- |\n" if rules else \
        "| column | type | meaning |\n| --- | --- | --- |\n"
    lines = []
    for column in columns:
        meaning = column.description.replace("|", "\\|")
        if rules:
            lines.append(f"| `{column.name}` | {column.data_type} | {_rules(column)} | {meaning} |")
        else:
            lines.append(f"| `{column.name}` | {column.data_type} | {meaning} |")
    return header + "\n".join(lines) + "\n"


def _rules(column: contracts.Column) -> str:
    meta = column.meta
    found = ["not null"] if column.not_null else []
    if "accepted_values" in meta:
        found.append("one of " + ", ".join(f"`{v}`" for v in meta["accepted_values"]))
    if "pattern" in meta:
        found.append(f"matches `{meta['pattern']}`")
    if "min" in meta or "max" in meta:
        found.append(f"{meta.get('min', '')}…{meta.get('max', '')}")
    return "; ".join(found).replace("|", "\\|")


# document → generated part → how it is written
GENERATED: dict[str, dict[str, Callable[[], str]]] = {
    "architecture.md": {"raw-tables": raw_tables, "marts": marts},
    "exports.md": {"export-columns": export_columns},
}


def rendered(document: str, text: str) -> str:
    for name, render in GENERATED[document].items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end generated -->)",
                             re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/{document} has no generated part {name!r}")
        body = render()
        text = pattern.sub(lambda m, body=body: m.group(1) + "\n" + body + "\n" + m.group(2),
                           text)
    return text


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    stale = []
    for document in GENERATED:
        path = DOCS / document
        text = path.read_text(encoding="utf-8")
        new = rendered(document, text)
        if new != text:
            stale.append(str(path))
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print("out of date, run `python -m ingestion.contract_docs`: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
