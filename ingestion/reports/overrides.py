"""Analysts' corrections of report figures (``data/overrides/report_figures.csv``).

Each row names one figure (document, period, basis, metric and dimensions) and the value
that should replace what was extracted, with who changed it and why. An override wins over
extraction: matching extracted rows are replaced (the replaced values are reported as
``override_applied`` issues), and an override that matches nothing is added as a new figure.
Values are written as printed, with their unit (``kr``, ``tkr``, ``mnkr``, ``persons``,
``percent``), and converted like extracted figures. An override outside the plausible range
of its metric (``consistency.implausible``) is ``rejected`` like an extracted figure.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingestion.contracts import as_dates
from ingestion.reports import consistency
from ingestion.reports.documents import sha256
from ingestion.reports.numbers import UNIT_FACTORS

COLUMNS = [
    "document_id", "source", "association_id", "period_start", "period_end", "basis", "metric",
    "member", "intervention", "gender", "reason", "value", "unit", "changed_by", "changed_on",
    "why",
]
_KEY = ["period_start", "period_end", "basis", "metric", "member", "intervention", "gender",
        "reason"]


def load(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    missing = set(COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    frame = frame.replace({"": None})
    for column in ("period_start", "period_end"):  # dates, as the figures hold them
        frame[column] = as_dates(frame[column])
    frame["value"] = frame["value"].astype(float) * frame["unit"].map(
        lambda unit: UNIT_FACTORS.get(unit, 1.0))
    for column in ("changed_by", "why"):
        if frame[column].isna().any():
            raise ValueError(f"{path}: every override needs '{column}'")
    return frame


def apply(figures: pd.DataFrame, documents: pd.DataFrame, overrides: pd.DataFrame
          ) -> tuple[pd.DataFrame, list[dict]]:
    """Figures with the overrides applied, and the issues recording what they replaced."""
    issues, added = [], []
    keep = pd.Series(True, index=figures.index)
    for _, override in overrides.iterrows():
        document = _document(documents, override)
        if document is None:
            issues.append(_issue(override, "override_unmatched", "warning",
                                 "override names no loaded document; ignored"))
            continue
        same = (figures["document_id"] == document["document_id"]) & keep
        for column in _KEY:
            same &= _equal(figures[column], override[column])
        for _, old in figures[same].iterrows():
            issues.append(_issue(override, "override_applied", "warning",
                                 f"{old['metric']} {old['value']:g} (line {old['line']}) "
                                 f"replaced by {override['value']:g}: {override['why']}",
                                 document["document_id"], old["line"]))
        keep &= ~same
        added.append({
            **{c: document[c] for c in ("document_id", "source", "association", "association_id",
                                        "report_type", "is_sample")},
            **{c: override[c] for c in _KEY}, "value": override["value"],
            "unit": override["unit"], "page": None, "line": None,
            "raw_text": f"override by {override['changed_by']} ({override['changed_on']}): "
                        f"{override['why']}",
            "origin": "override", "check_status": "ok", "check_messages": None,
        })
        reason = consistency.implausible(added[-1])
        if reason is not None:  # an analyst's typo must not reach the marts either
            consistency.reject(added[-1], reason)
            issues.append(_issue(override, "implausible_value", "error",
                                 f"override by {override['changed_by']}: {reason}; kept out "
                                 f"of the marts", document["document_id"]))
    rows = [*figures[keep].to_dict(orient="records"), *added]
    result = pd.DataFrame(rows, columns=figures.columns).astype(figures.dtypes.to_dict())
    return result, issues


def _equal(column: pd.Series, value) -> pd.Series:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return column.isna()
    return column == value


def _document(documents: pd.DataFrame, override: pd.Series) -> pd.Series | None:
    loaded = documents[documents["status"] == "loaded"]
    if override["document_id"]:
        match = loaded[loaded["document_id"] == override["document_id"]]
    else:
        match = loaded[loaded["source"] == override["source"]]
    return None if match.empty else match.iloc[0]


def _issue(override: pd.Series, check: str, severity: str, message: str,
           document_id: str | None = None, line: int | None = None) -> dict:
    # An override naming no loaded document is keyed like an unreadable one: by its source.
    document_id = document_id or override["document_id"] or sha256(
        str(override["source"]).encode("utf-8"))
    return {"document_id": document_id,
            "source": override["source"], "check_name": check, "severity": severity,
            "line": line, "message": message}
