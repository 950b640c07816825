"""A refresh in this process: what `finsam refresh` and `finsam nightly` run, and the tests.

It asks ``orchestration.jobs.stale_selection`` what is stale, runs the `nightly_refresh` job
on that selection, and tells what happened in a few lines (``summary``, ``failure_report``).
Dagster's own log goes to a file under ``data/logs/`` (and to the terminal with
``verbose``), so the command line shows only the outcome.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dagster import AssetKey, DagsterInstance, logger

from ingestion import config, warehouse
from ingestion.files import file_digest
from orchestration.jobs import NOTHING_STALE, Decision, all_assets, stale_selection
from orchestration.resources import BUILD_TAG
from orchestration.versions import DBT_CODE, RAW_CODE

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult
    from dagster._core.events import DagsterEvent

# Log files kept in data/logs/, newest first.
KEPT_LOGS = 30
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s - %(message)s"


@logger(config_schema={"path": str, "echo": bool, "log_level": str},
        description="Dagster's log of a run in a file, plain text; echoed to stderr if asked.")
def file_logger(init_context) -> logging.Logger:
    config_ = init_context.logger_config
    log = logging.Logger("finsam", level=config_["log_level"])
    handler = logging.FileHandler(config_["path"], encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    log.addHandler(handler)
    if config_["echo"]:
        echo = logging.StreamHandler(sys.stderr)  # plain text: no colour codes anywhere
        echo.setFormatter(logging.Formatter(LOG_FORMAT))
        log.addHandler(echo)
    return log


@contextmanager
def project_instance() -> Iterator[DagsterInstance]:
    """The project's Dagster instance (dagster.yaml in the repository root), its storage in
    ``data/dagster/`` of the data folder, unless DAGSTER_HOME / FINSAM_DAGSTER_STORAGE say
    otherwise; disposed of when the block ends.

    Not ``with DagsterInstance.get()``: that also makes the instance the process's current
    one for loading definitions, and a later Definitions (a test's ``materialize``) would
    find it disposed of."""
    os.environ.setdefault("DAGSTER_HOME", str(config.REPO_ROOT))
    os.environ.setdefault("FINSAM_DAGSTER_STORAGE", str(config.dagster_storage_dir()))
    Path(os.environ["FINSAM_DAGSTER_STORAGE"]).mkdir(parents=True, exist_ok=True)
    instance = DagsterInstance.get()
    try:
        yield instance
    finally:
        instance.dispose()


@dataclass
class Outcome:
    """A refresh: what was decided, its runs (none when nothing was stale; two when the raw
    tables ran first), and the published warehouse's digest before and after."""

    decision: Decision
    results: list[ExecuteInProcessResult]
    digest_before: str | None
    digest_after: str | None
    log_path: Path | None = None

    @property
    def result(self) -> ExecuteInProcessResult | None:
        """The last run, None when nothing ran."""
        return self.results[-1] if self.results else None

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)

    @property
    def run_id(self) -> str | None:
        return self.result.run_id if self.result else None

    @property
    def published_changed(self) -> bool:
        return self.digest_before != self.digest_after

    # The runs' events together (the tests read them either way).
    @property
    def all_events(self) -> list[DagsterEvent]:
        return [event for result in self.results for event in result.all_events]

    def get_asset_materialization_events(self) -> list[DagsterEvent]:
        return [e for r in self.results for e in r.get_asset_materialization_events()]

    def get_step_failure_events(self) -> list[DagsterEvent]:
        return [e for r in self.results for e in r.get_step_failure_events()]

    def get_asset_check_evaluations(self) -> list:
        return [e for r in self.results for e in r.get_asset_check_evaluations()]

    def materialized(self) -> set[AssetKey]:
        return {event.asset_key for event in self.get_asset_materialization_events()}


def _digest() -> str | None:
    published = config.published_warehouse_path()
    return file_digest(published) if published.exists() else None


# Said when the raw tables read again hold what the published warehouse holds.
SAME_ROWS = "the raw tables read again hold the same rows: nothing downstream rebuilt"


def refresh(instance: DagsterInstance, everything: bool = False,
            selection: Sequence[AssetKey] | None = None, log_path: Path | None = None,
            verbose: bool = False, exports: bool = True) -> Outcome:
    """Run what is stale (or ``everything``, or exactly ``selection``) in this process.
    Without ``exports``, the exports stay stale: they follow the published warehouse's
    version, so the next refresh writes them.

    What is stale runs in two runs sharing one build file when raw tables are among it: the
    raw tables first, then what their new data versions (their content) make stale. So a
    document saved again without a change, a registry edit that leaves the municipalities as
    they were, or live sources that published nothing new rebuild nothing downstream (the
    schedule under the Dagster daemon requests the whole stale part at once).

    ``log_path``: Dagster's log goes there (and to stderr when ``verbose``); without it,
    warnings and errors go to stderr (tests)."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    if selection is not None:
        decision = Decision(sorted(selection), ["as selected"])
    else:
        decision = all_assets(graph) if everything else stale_selection(instance, graph)

    def left_out(keys: Sequence[AssetKey]) -> list[AssetKey]:
        return [] if exports else [key for key in keys if graph.get(key).group_name == "exports"]

    left = left_out(decision.selection)
    if left:
        decision = replace(decision, left_stale=left,
                           selection=[key for key in decision.selection if key not in left])
    before = _digest()
    if decision.nothing_stale:
        return Outcome(decision, [], before, before, log_path)
    warehouse.check_published()
    # The raw assets stale in themselves (with the tables computed together with them);
    # raw tables downstream of those (the statistics read the municipalities) wait for
    # their new versions like the rest.
    raw = sorted({key for root in decision.roots if graph.get(root).code_version == RAW_CODE
                  for key in graph.get(root).execution_set_asset_keys})
    two_runs = selection is None and not everything and 0 < len(raw) < len(decision.selection)
    job = defs.resolve_job_def("nightly_refresh")
    # What is loaded by now (Dagster, dbt's manifest, the definitions: 300,000 objects)
    # lives as long as the process: left out of the cyclic garbage collector's scans, which
    # otherwise walk it again and again while the steps allocate (10-20 % of a step's time).
    gc.freeze()
    loggers = ({"file": {"config": {"path": str(log_path), "echo": verbose,
                                    "log_level": "DEBUG" if verbose else "INFO"}}}
               if log_path else {"console": {"config": {"log_level": "WARNING"}}})
    tags = {BUILD_TAG: str(uuid.uuid4()), "finsam/why": "; ".join(decision.reasons)[:1000]}

    def run(keys: Sequence[AssetKey]) -> ExecuteInProcessResult:
        return job.execute_in_process(instance=instance, raise_on_error=False,
                                      asset_selection=list(keys), tags=tags,
                                      run_config={"loggers": loggers})

    results = []
    with warehouse.refresh_lock(), _python_logs(log_path, verbose):
        if not two_runs:
            results.append(run(decision.selection))
        else:
            results.append(run(raw))
            if results[-1].success:
                # The inputs were observed for this refresh already: not again (a live
                # source's observation is new every time).
                after_raw = stale_selection(instance, graph, observe=False)
                skipped = set(raw) | set(left_out(after_raw.selection))
                rest = [key for key in after_raw.selection if key not in skipped]
                if rest:
                    results.append(run(rest))
                else:
                    warehouse.discard_build()
                    decision = Decision(decision.selection, [*decision.reasons, SAME_ROWS])
    return Outcome(decision, results, before, _digest(), log_path)


class _Tee:
    """A text stream writing to several (the log file, and the terminal when verbose)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextmanager
def _python_logs(log_path: Path | None, verbose: bool) -> Iterator[None]:
    """While a run lasts, what is not Dagster's run log also goes to the log file instead of
    the terminal: Python's logging and warnings (libraries', Dagster's own), and dbt's output,
    which dagster-dbt echoes on stdout."""
    if log_path is None:
        yield
        return
    with open(log_path, "a", encoding="utf-8") as log:
        handler = logging.StreamHandler(log)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root = logging.getLogger()
        root.addHandler(handler)
        logging.captureWarnings(True)
        try:
            with warnings.catch_warnings(), redirect_stdout(
                    _Tee(log, sys.stdout) if verbose else log):
                warnings.simplefilter("default")
                yield
        finally:
            logging.captureWarnings(False)
            root.removeHandler(handler)


def new_log_path() -> Path:
    """A new log file in ``data/logs/``; the oldest beyond KEPT_LOGS are deleted."""
    folder = config.logs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("refresh-*.log"), reverse=True)[KEPT_LOGS - 1:]:
        old.unlink(missing_ok=True)
    return folder / f"refresh-{datetime.now():%Y%m%dT%H%M%S%f}.log"


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "none"


def _metadata_value(event: DagsterEvent, name: str) -> object:
    value = event.materialization.metadata.get(name) if event.materialization else None
    return getattr(value, "value", value)


def summary(outcome: Outcome) -> list[str]:
    """What a successful refresh did, in a few lines: what it read, what it rebuilt and why,
    what it left alone, the figures flagged and where to read them, what it published."""
    published = config.published_warehouse_path()
    if not outcome.results and outcome.decision.left_stale:
        return [f"only the exports are stale, left for the next refresh (--no-exports); "
                f"nothing rebuilt. Published warehouse unchanged: {published}"]
    if not outcome.results:
        return [f"{NOTHING_STALE}; nothing rebuilt. Published warehouse unchanged: {published}"]
    events = {event.asset_key: event for event in outcome.get_asset_materialization_events()}
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    group_of = {key: graph.get(key).group_name for key in graph.materializable_asset_keys}
    raw = [key for key in events if graph.get(key).code_version == RAW_CODE]
    models = [key for key in events if graph.get(key).code_version == DBT_CODE]
    lines = []
    if raw:
        rows = sum(int(_metadata_value(events[key], "rows") or 0) for key in raw)
        groups = sorted({group_of[key] for key in raw})
        lines.append(f"read:      {len(raw)} raw tables ({', '.join(groups)}), {rows:,} rows")
    lines.append(f"rebuilt:   {len(events)} assets"
                 + (f", {len(models)} of them dbt models" if models else "")
                 + f"; {len(graph.materializable_asset_keys) - len(events)}"
                 " fresh, left as they were")
    reasons = outcome.decision.reasons
    shown = reasons[:3] + ([f"… and {len(reasons) - 3} more"] if len(reasons) > 3 else [])
    lines += [f"why:       {reason}" for reason in shown]
    evaluations = outcome.get_asset_check_evaluations()
    failed_warnings = [e for e in evaluations if not e.passed]
    lines.append(f"checks:    {len(evaluations) - len(failed_warnings)} passed"
                 + (f", {len(failed_warnings)} warned: "
                    + ", ".join(e.check_name for e in failed_warnings[:3])
                    if failed_warnings else ""))
    figures = events.get(AssetKey("report_figures"))
    if figures is not None:
        issues = events.get(AssetKey("report_issues"))
        lines.append(
            f"flagged:   {_metadata_value(figures, 'flagged_rows')} figures (raw.report_figures"
            f" where check_status = 'flagged', why in check_messages), "
            f"{_metadata_value(issues, 'rows') if issues else '?'} findings in "
            "raw.report_issues")
    publish = events.get(AssetKey("published_warehouse"))
    if publish is not None:
        lines.append(f"published: {published} (sha256 {_short(outcome.digest_before)} → "
                     f"{_short(outcome.digest_after)})")
        rows = _metadata_value(publish, "mart_rows") or {}
        lines += [f"  marts.{table:<32} {count:>9} rows" for table, count in rows.items()]
    else:
        lines.append(f"published: nothing new; the published warehouse is unchanged: {published}")
    exports = [key for key in events if group_of.get(key) == "exports"]
    if exports:
        lines.append(f"exports:   {config.exports_dir()} ({len(exports)} written)")
    if outcome.decision.left_stale:
        lines.append(f"exports:   {len(outcome.decision.left_stale)} stale, left for the next "
                     "refresh (--no-exports)")
    if outcome.log_path:
        lines.append(f"log:       {outcome.log_path}")
    return lines


def failure_report(outcome: Outcome | ExecuteInProcessResult) -> str:
    """What failed and why (the failed steps' errors and the failed checks' findings, which
    name the offending rows), whether the published warehouse changed, and what to do."""
    if not isinstance(outcome, Outcome):  # a bare run result (tests run the job directly)
        outcome = Outcome(Decision([]), [outcome], None, None)
    lines = []
    failures = outcome.get_step_failure_events()
    for event in failures:
        error = event.step_failure_data.error
        # Dagster wraps the asset's exception; that exception says what went wrong.
        while error is not None and error.cause is not None and (
                error.cls_name or "").startswith("Dagster"):
            error = error.cause
        message = (error.message if error else "").strip()
        # "module.ErrorClass: what" → "what": the message names the file, row or setting.
        prefix = message.split(": ", 1)[0]
        if error and error.cls_name and prefix.split(".")[-1] == error.cls_name:
            message = message[len(prefix) + 2:]
        lines.append(f"step {event.step_key} failed: {_detail(message)}")
    failed_checks = [e for e in outcome.get_asset_check_evaluations() if not e.passed]
    for evaluation in failed_checks:
        lines.append(f"check {evaluation.check_name} on "
                     f"{evaluation.asset_key.to_user_string()} failed: "
                     f"{_detail(evaluation.description or '')}")
    steps = ", ".join(event.step_key for event in failures) or "a blocking check"
    published = config.published_warehouse_path()
    if outcome.results and outcome.digest_before is None and outcome.digest_after is None:
        state = f"the published warehouse is unchanged: {published}"
    elif outcome.published_changed:
        state = (f"the published warehouse was updated before the failure (sha256 "
                 f"{_short(outcome.digest_before)} → {_short(outcome.digest_after)}): "
                 f"{published}")
    else:
        state = (f"the published warehouse is unchanged (sha256 "
                 f"{_short(outcome.digest_before)}): {published}")
    lines.append(f"refresh failed in {steps}; {state}")
    lines.append(_what_to_do(outcome, [e.step_key for e in failures], bool(failed_checks)))
    if outcome.log_path:
        lines.append(f"details: {outcome.log_path}")
    return "\n".join(lines)


def _detail(message: str, limit: int = 12) -> str:
    """The message's first line (what and where), then at most ``limit`` lines of detail."""
    first, *rest = message.splitlines() or [""]
    more = [f"    {line}" for line in rest[:limit]]
    if len(rest) > limit:
        more.append(f"    … {len(rest) - limit} more lines in the log")
    return "\n".join([first, *more])


def _what_to_do(outcome: Outcome, failed_steps: list[str], failed_checks: bool) -> str:
    if outcome.published_changed and all(step.startswith("exports_") for step in failed_steps):
        return ("what to do: fix what the export names (e.g. the folder's permissions) and run "
                "`finsam refresh`; it writes the exports from the published warehouse")
    if "published_warehouse" in failed_steps:
        return ("what to do: the build was checked but not published, for the reason above; "
                "deal with it and run `finsam refresh` again")
    if failed_checks and not failed_steps:
        return ("what to do: the rows named above fail a check: correct the input they come "
                "from (or add an override in data/overrides) and run `finsam refresh` again")
    return ("what to do: correct the input or setting named above and run `finsam refresh` "
            "again; nothing else needs to be undone")
