"""Every benchmark of the pipeline at national scale, in one run (``make bench``).

    python bench/run_all.py [--work DIR] [--reuse] [--rounds 20] [--record]

1. generates a national data folder (bench/generate_national.py) unless ``--reuse``;
2. three refreshes, each ``python -m orchestration.cli refresh`` in a subprocess, timed
   (wall) with the peak RSS of its largest process (the refresh or its dbt):
   - cold: from nothing (no warehouse, caches, dbt target or run history);
   - no-op: right after it, nothing changed (Dagster's versions find nothing stale: no run);
   - changed-input: a nightly run in which inputs changed (one report document and one
     year of the SCB population), so what depends on them runs: extraction of what
     changed, the statistics, dbt build, checks, publish and exports;
   then the nightly tick with nothing changed (``finsam nightly``: what the schedule does,
   observe the inputs, find nothing stale and skip), timed the same way;
3. where each refresh spent its time (Dagster's per-step durations from its run storage,
   and dbt's own time for its build inside the refresh, from the refresh's log);
   the workbook export on its own (in-process, on the published warehouse);
4. extraction throughput over all documents, in-process; and over a sample of them printed
   as PDFs with real tables (every ``PDF_EVERY``-th document), cold, in pages/s and MB/s;
5. the refresh's ``dbt build`` alone on the refreshed raw tables (warm partial parse), and a
   ``dbt run`` of fct_funding_vs_ideal and its parents;
6. p50/p95 latency of the analysts' queries (bench/queries/*.sql) on the published warehouse;
7. bench/plain_funding_vs_ideal.sql: the same mart in one plain DuckDB statement, its time
   against dbt's, and whether its numbers equal the mart's.

``--record`` writes the figures into bench/RESULTS.md between the run_all markers.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(REPO_ROOT))

import duckdb  # noqa: E402

from bench import generate_national  # noqa: E402

INPUT_FOLDERS = ("reference", "snapshots", "documents", "overrides")
RESULTS = BENCH_DIR / "RESULTS.md"
BEGIN, END = "<!-- run_all:begin -->", "<!-- run_all:end -->"
# Issue 14's targets: seconds of wall time (a refresh or tick includes process start-up),
# and the peak RSS of every refresh's largest process.
TARGETS = {"cold refresh": 60.0, "changed-input refresh": 30.0, "nightly tick": 5.0,
           "workbook export": 3.0, "dbt build": 5.0}
PEAK_RSS_TARGET_MB = 600.0
WORKBOOK_ROUNDS = 3
PDF_EVERY = 20  # every 20th generated document is also printed as a PDF (~95 PDFs, ~860 pages)
PDF_PAGES_PER_SECOND = 200.0  # target of cold PDF extraction on 2 cores
# Columns of fct_funding_vs_ideal the plain statement reproduces.
COMPARED = [
    "association_name", "data_year", "share_scope", "contribution_state_sek",
    "contribution_region_sek", "contribution_municipalities_sek", "contribution_total_sek",
    "ideal_state_allocation_sek", "ideal_allocation_sek", "funding_ratio", "funding_gap_sek",
    "population_in_age_band", "population_share", "full_year_equivalents", "he_share",
    "he_rate_pct", "funding_per_he_sek", "funding_per_inhabitant_sek",
    "denominator_population_coverage", "reported_ideal_share_pct",
    "reported_ideal_allocation_sek", "is_sample",
]
# Run as a child: runs argv, then reports the peak RSS of its own children (the refresh
# and, through it, dbt) in kB, so each measurement has its own maximum.
PEAK_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def add(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # 1-min, at the start


def load_now() -> float:
    """The 1-minute load average: on 2 shared cores a figure means little without it."""
    return os.getloadavg()[0]


def verdict(value: float, target: float | None, unit: str = "s") -> str:
    if target is None:
        return ""
    return f"≤ {target:,.0f} {unit} ({'met' if value <= target else 'MISSED'})"


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINSAM_")}
    env.update(FINSAM_DATA_DIR=str(data_dir), FINSAM_DAGSTER_STORAGE=str(data_dir / "dagster"),
               DAGSTER_HOME=str(REPO_ROOT))
    return env


def run_measured(command: list[str], env: dict[str, str], timeout: float = 3600) -> Timed:
    load = load_now()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK_RSS_WRAPPER, *command], env=env,
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - started
    *stderr, peak = result.stderr.rstrip("\n").rsplit("\n", 1) or [""]
    peak_kb = float(peak) if peak.strip().isdigit() else math.nan
    return Timed(seconds, peak_kb / 1024, result.returncode, result.stdout, "\n".join(stderr),
                 load)


def finsam(command: str, data_dir: Path) -> Timed:
    """``finsam <command>`` (``refresh`` or ``nightly``) on ``data_dir``, as cron runs it."""
    timed = run_measured([sys.executable, "-m", "orchestration.cli", command], env_for(data_dir))
    if timed.returncode != 0:
        sys.stderr.write(timed.stderr[-5000:])
        raise SystemExit(f"{command} of {data_dir} failed (exit {timed.returncode})")
    print(f"  {command}: {timed.seconds:.1f} s, peak RSS {timed.peak_rss_mb:,.0f} MB "
          f"(load {timed.load:.1f})", file=sys.stderr, flush=True)
    return timed


def workbook_export(published: Path, out_dir: Path, rounds: int) -> tuple[float, float]:
    """(p50 seconds, load at the start) of the workbook export in-process, as the
    exports_workbook asset does it: read the marts, write finsam.xlsx."""
    from outputs.export import export_workbook
    from outputs.marts import load_snapshot

    load = load_now()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        export_workbook(load_snapshot(published), out_dir)
        times.append(time.perf_counter() - started)
    return percentile(times, 0.5), load


def fresh_copy(source: Path, target: Path) -> Path:
    """Only the inputs of ``source``: the state a first refresh starts from."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in INPUT_FOLDERS:
        shutil.copytree(source / name, target / name)
    return target


def change_inputs(data_dir: Path) -> None:
    """What a typical night brings: one more line in a report, one SCB year revised."""
    document = sorted((data_dir / "documents").glob("*.txt"))[0]
    with document.open("a", encoding="utf-8") as handle:
        handle.write("Rättelse: en rad tillagd efter publiceringen (benchmark).\n")
    snapshot = sorted((data_dir / "snapshots" / "scb").glob("TAB638_2*.json.gz"))[-1]
    doc = json.loads(gzip.decompress(snapshot.read_bytes()))
    doc["value"][0] += 1
    snapshot.write_bytes(gzip.compress(json.dumps(doc).encode(), mtime=0))


def step_durations(data_dir: Path, after: str | None
                   ) -> tuple[str | None, float, list[tuple[str, float]]]:
    """(run id, run duration, [(step, seconds)] of the steps that ran) of the latest run in
    ``data_dir``'s Dagster storage, read in a subprocess so this process never holds
    Dagster's instance; (``after``, 0, []) when no run followed run ``after`` (nothing was
    stale)."""
    code = (
        "import json\nfrom dagster import DagsterInstance\n"
        "with DagsterInstance.get() as i:\n"
        "    run = i.get_runs(limit=1)[0]\n"
        "    stats = i.get_run_stats(run.run_id)\n"
        "    steps = [(s.step_key, s.end_time - s.start_time)\n"
        "             for s in i.get_run_step_stats(run.run_id) if s.start_time and s.end_time]\n"
        "    print(json.dumps([run.run_id, (stats.end_time or 0) - (stats.start_time or 0),"
        " steps]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env_for(data_dir), cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True)
    run_id, run_seconds, steps = json.loads(result.stdout.strip().splitlines()[-1])
    if run_id == after:
        return after, 0.0, []
    return run_id, run_seconds, [(key, seconds) for key, seconds in steps]


def dbt_own_seconds(timed: Timed) -> float | None:
    """dbt's own time for its build inside a refresh, from the log the refresh names on its
    last line: the step's time less Dagster's part."""
    lines = timed.stdout.strip().splitlines()
    if not lines or not lines[-1].startswith("log:"):
        return None
    return dbt_log_seconds(Path(lines[-1].split(":", 1)[1].strip()))


def dbt_log_seconds(log: Path) -> float | None:
    """dbt's own time for its last command in ``log`` ("Finished running … in N seconds")."""
    found = re.findall(r"Finished running .* in [^(]*\(([\d.]+)s\)", log.read_text())
    return float(found[-1]) if found else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def time_repeated(action: Callable[[], object], rounds: int) -> list[float]:
    action()  # warm-up: first-touch I/O and DuckDB's caches
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def extraction_throughput(documents: Path, scratch: Path) -> list[dict[str, float]]:
    """Extract every document in-process (the refresh's own code path), twice: from an
    empty data folder (cold) and again (whatever the extractor caches, warm)."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    os.environ["FINSAM_DATA_DIR"] = str(scratch)
    from ingestion.reports.pipeline import document_files, extract_reports

    files = document_files([documents])
    n_bytes = sum(p.stat().st_size for p in files)
    n_lines = sum(p.read_bytes().count(b"\n") for p in files)
    passes = []
    for _ in ("cold", "warm"):
        load = load_now()
        started = time.perf_counter()
        tables = extract_reports(folders=[documents], urls=[],
                                 overrides_path=scratch / "no-overrides.csv")
        seconds = time.perf_counter() - started
        passes.append({"documents": len(files), "figures": len(tables.figures),
                       "seconds": seconds, "docs_per_s": len(files) / seconds,
                       "lines_per_s": n_lines / seconds, "mb_per_s": n_bytes / 1e6 / seconds,
                       "load": load})
    return passes


def pdf_extraction_throughput(documents: Path, scratch: Path) -> dict[str, float]:
    """Extract the PDF sample in-process from an empty data folder (cold: nothing cached),
    through the refresh's own code path and its worker processes."""
    import pypdfium2

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    os.environ["FINSAM_DATA_DIR"] = str(scratch)
    from ingestion.reports.pipeline import document_files, extract_reports

    files = document_files([documents])
    pages = 0
    for path in files:
        document = pypdfium2.PdfDocument(path)
        pages += len(document)
        document.close()
    n_bytes = sum(p.stat().st_size for p in files)
    load = load_now()
    started = time.perf_counter()
    tables = extract_reports(folders=[documents], urls=[],
                             overrides_path=scratch / "no-overrides.csv")
    seconds = time.perf_counter() - started
    return {"documents": len(files), "pages": pages, "megabytes": n_bytes / 1e6, "load": load,
            "figures": len(tables.figures), "failed": int((tables.documents["status"]
                                                          == "failed").sum()),
            "seconds": seconds, "pages_per_s": pages / seconds,
            "mb_per_s": n_bytes / 1e6 / seconds}


def dbt(args: list[str], data_dir: Path, target: Path) -> float:
    from ingestion.warehouse import run_dbt

    started = time.perf_counter()
    result = run_dbt(data_dir / "build" / "warehouse.duckdb", [*args, "--quiet"], target,
                     cwd=REPO_ROOT / "dbt_project", capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr}")
    return seconds


def dbt_alone(published: Path, scratch: Path) -> dict[str, float]:
    """dbt on a copy of the refreshed warehouse (raw tables as the refresh wrote them); the
    build is the refresh's own dbt command."""
    from orchestration.assets.dbt import BUILD_ARGS

    fresh_copy_dir = scratch / "dbt"
    if fresh_copy_dir.exists():
        shutil.rmtree(fresh_copy_dir)
    (fresh_copy_dir / "build").mkdir(parents=True)
    shutil.copyfile(published, fresh_copy_dir / "build" / "warehouse.duckdb")
    target = fresh_copy_dir / "dbt_target"
    dbt(["parse"], fresh_copy_dir, target)  # the refresh keeps a parsed project too
    load = load_now()
    # Three builds, the median: dbt's own time ("Finished running", from its log) and the
    # wall time with dbt's start-up (~6 s of imports and project loading on this machine).
    builds = []
    for _ in range(3):
        wall = dbt(BUILD_ARGS, fresh_copy_dir, target)
        builds.append((dbt_log_seconds(target / "dbt.log"), wall))
    own, wall = sorted(builds)[1]
    return {
        "load": load,
        "build": wall,
        "build_own": own,
        "run_funding": dbt(["run", "--select", "+fct_funding_vs_ideal"], fresh_copy_dir, target),
        "parse_cold": _cold_parse(fresh_copy_dir),
    }


def dbt_alone_row(times: dict[str, float]) -> str:
    """The target is dbt's own time; the wall time beside it adds dbt's start-up."""
    own = times["build_own"]
    return (f"| dbt build alone (warm partial parse, median of 3): dbt's own time "
            f"(wall with start-up) | {own:.1f} s ({times['build']:.1f} s) | "
            f"{verdict(own, TARGETS['dbt build'])} | {times['load']:.1f} |")


def _cold_parse(data_dir: Path) -> float:
    target = data_dir / "dbt_target_cold"
    shutil.rmtree(target, ignore_errors=True)
    return dbt(["parse"], data_dir, target)


def query_latencies(published: Path, rounds: int) -> list[tuple[str, float, float, int]]:
    rows = []
    with duckdb.connect(str(published), read_only=True) as con:
        for path in sorted((BENCH_DIR / "queries").glob("q*.sql")):
            sql = path.read_text(encoding="utf-8")
            n_rows = len(con.execute(sql).fetchall())
            times = time_repeated(lambda sql=sql: con.execute(sql).fetchall(), rounds)
            rows.append((path.stem, percentile(times, 0.5), percentile(times, 0.95), n_rows))
    return rows


def plain_versus_mart(published: Path, rounds: int) -> dict[str, object]:
    sql = (BENCH_DIR / "plain_funding_vs_ideal.sql").read_text(encoding="utf-8")
    load = load_now()
    with duckdb.connect(str(published), read_only=True) as con:
        times = time_repeated(lambda: con.execute(sql).fetchall(), rounds)
        plain = con.execute(sql).df().set_index(["association_id", "year"]).sort_index()
        mart = (con.execute("select * from marts.fct_funding_vs_ideal").df()
                .set_index(["association_id", "year"]).sort_index())
    mismatches = compare_frames(plain, mart[COMPARED])
    return {"p50": percentile(times, 0.5), "load": load, "rows_plain": len(plain),
            "rows_mart": len(mart),
            "mismatches": mismatches}


def compare_frames(plain, mart) -> list[str]:
    """Differences between the plain result and the mart, by key and column."""
    problems = []
    missing = mart.index.difference(plain.index)
    extra = plain.index.difference(mart.index)
    if len(missing):
        problems.append(f"{len(missing)} mart rows missing from plain, e.g. {list(missing[:3])}")
    if len(extra):
        problems.append(f"{len(extra)} plain rows not in the mart, e.g. {list(extra[:3])}")
    common = mart.index.intersection(plain.index)
    for column in COMPARED:
        left, right = plain.loc[common, column], mart.loc[common, column]
        if left.dtype.kind in "fiu" or right.dtype.kind in "fiu":
            a, b = left.astype("float64"), right.astype("float64")
            both_null = a.isna() & b.isna()
            # Sums of ~10^7 kronor in another order differ in the last bits; a gap (a small
            # difference of two such sums) inherits that absolute error: half a krona is equal.
            tolerance = (1e-6 * b.abs()).clip(lower=0.5 if column.endswith("_sek") else 1e-6)
            close = (a - b).abs() <= tolerance
            differ = ~(both_null | close.fillna(False))
        else:
            differ = ~((left == right) | (left.isna() & right.isna()))
        if differ.any():
            example = differ[differ].index[0]
            problems.append(f"{column}: {int(differ.sum())} rows differ, e.g. {example}: "
                            f"plain {left.loc[example]!r} vs mart {right.loc[example]!r}")
    return problems


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
            f"{memory_gib:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, duckdb {duckdb.__version__}, "
            f"load average at start {os.getloadavg()[0]:.1f}")


def record(report: Report) -> None:
    block = "\n".join([BEGIN, *report.lines, END])
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else f"{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    RESULTS.write_text(head + block + tail, encoding="utf-8")


def steps_report(report: Report,
                 runs: dict[str, tuple[Timed, float, list[tuple[str, float]]]]) -> None:
    for label, (timed, seconds, rows) in runs.items():
        if not rows:
            report.add("")
            report.add(f"The {label} ran nothing: Dagster's versions found nothing stale.")
            continue
        report.add("")
        report.add(f"Slowest steps of the {label} (Dagster step durations; run {seconds:.1f} s, "
                   f"all steps {sum(s for _, s in rows):.1f} s, {len(rows)} steps ran; "
                   f"load {timed.load:.1f}):")
        report.add("")
        report.add("| step | seconds |")
        report.add("| --- | --- |")
        for key, step_seconds in sorted(rows, key=lambda r: -r[1])[:8]:
            report.add(f"| {key} | {step_seconds:.1f} |")
    # The staging models' and marts' pandera checks run in one step (orchestration/assets/
    # pandera_checks.py); the raw tables are validated inside their own assets' steps.
    checks = sum(s for key, s in runs["changed-input refresh"][2] if "pandera" in key)
    report.add("")
    report.add(f"pandera checks of the built models (changed-input refresh): {checks:.1f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "finsam-bench",
                        help="scratch folder (generated inputs and refreshed copies)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the generated inputs in --work when present")
    parser.add_argument("--rounds", type=int, default=20, help="timed runs per query")
    parser.add_argument("--record", action="store_true", help="write into bench/RESULTS.md")
    parser.add_argument("--targets-only", action="store_true",
                        help="only what issue 14's targets need (refreshes, tick, workbook, "
                        "dbt build): no extraction, PDF or query figures; not for --record")
    args = parser.parse_args(argv)
    if args.record and args.targets_only:
        parser.error("--record needs the whole run")
    work = args.work.resolve()
    inputs = work / "inputs"
    report = Report()
    report.add(f"### Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report.add("")
    report.add(f"Machine: {machine()}.")

    if not (args.reuse and (inputs / "documents").is_dir()
            and (inputs / "pdf_documents").is_dir()):
        summary = generate_national.generate(inputs, pdf_every=PDF_EVERY)
        report.add(f"Generated {summary['associations']} associations, "
                   f"{summary['municipalities']} municipalities, statistics "
                   f"{summary['statistics_years']}, {summary['documents']} documents "
                   f"({summary['document_bytes'] / 1e6:.0f} MB; {summary['pdf_documents']} "
                   f"of them also as PDFs) in {summary['seconds']} s.")
    data_dir = fresh_copy(inputs, work / "refresh")
    published = data_dir / "warehouse.duckdb"

    runs: dict[str, tuple[Timed, float, list[tuple[str, float]]]] = {}
    last_run = None
    for label in ("cold refresh", "no-op refresh", "changed-input refresh"):
        if label == "changed-input refresh":
            change_inputs(data_dir)
        timed = finsam("refresh", data_dir)
        last_run, *durations = step_durations(data_dir, last_run)
        runs[label] = (timed, *durations)
    # The schedule's tick right after a refresh of these inputs: it must find nothing new.
    tick = finsam("nightly", data_dir)
    skipped = tick.stdout.startswith("skipped:")
    workbook_seconds, workbook_load = workbook_export(published, work / "exports",
                                                      WORKBOOK_ROUNDS)
    report.add("")
    report.add("Load average: the 1-minute load when the measure started (2 cores: above 2, "
               "every figure is inflated).")
    report.add("")
    report.add("| measure | value | target | load |")
    report.add("| --- | --- | --- | --- |")
    for label, (timed, run_seconds, _) in runs.items():
        report.add(f"| {label}: wall time | {timed.seconds:.1f} s | "
                   f"{verdict(timed.seconds, TARGETS.get(label))} | {timed.load:.1f} |")
        report.add(f"| {label}: Dagster run, without process start-up | {run_seconds:.1f} s | "
                   f"| {timed.load:.1f} |")
        report.add(f"| {label}: peak RSS (largest process) | {timed.peak_rss_mb:,.0f} MB | "
                   f"{verdict(timed.peak_rss_mb, PEAK_RSS_TARGET_MB, 'MB')} | "
                   f"{timed.load:.1f} |")
    report.add(f"| nightly tick, nothing changed (`finsam nightly`): wall time | "
               f"{tick.seconds:.1f} s ({'skipped' if skipped else 'RAN: ' + tick.stdout[:60]}) "
               f"| {verdict(tick.seconds, TARGETS['nightly tick'])} | {tick.load:.1f} |")
    report.add(f"| nightly tick: peak RSS | {tick.peak_rss_mb:,.0f} MB | | {tick.load:.1f} |")
    changed, _, changed_steps = runs["changed-input refresh"]
    step = dict(changed_steps)
    dbt_seconds = dbt_own_seconds(changed)
    if dbt_seconds is not None:
        report.add(f"| dbt build inside the changed-input refresh (dbt's own time) | "
                   f"{dbt_seconds:.1f} s | {verdict(dbt_seconds, TARGETS['dbt build'])} | "
                   f"{changed.load:.1f} |")
    for key, label in (("exports_workbook", "workbook export"),
                       ("finsam_dbt_models", "dbt build")):
        if key in step:
            report.add(f"| {label}: Dagster step `{key}` of the changed-input refresh | "
                       f"{step[key]:.1f} s | {verdict(step[key], TARGETS[label])} | "
                       f"{changed.load:.1f} |")
    report.add(f"| workbook export alone (read the marts, write finsam.xlsx; p50 of "
               f"{WORKBOOK_ROUNDS}) | {workbook_seconds:.1f} s | "
               f"{verdict(workbook_seconds, TARGETS['workbook export'])} | {workbook_load:.1f} |")
    report.add(f"| published warehouse size | {published.stat().st_size / 1e6:.0f} MB | | |")

    if args.targets_only:
        dbt_times = dbt_alone(published, work)
        report.add(dbt_alone_row(dbt_times))
        steps_report(report, runs)
        return 0

    for label, extraction in zip(("cold", "warm"), extraction_throughput(
            inputs / "documents", work / "extraction"), strict=True):
        report.add(f"| extraction ({label}): {extraction['documents']} documents, "
                   f"{extraction['figures']:,} figures | {extraction['seconds']:.1f} s: "
                   f"{extraction['docs_per_s']:.1f} docs/s, {extraction['lines_per_s']:,.0f} "
                   f"lines/s, {extraction['mb_per_s']:.2f} MB/s | | "
                   f"{extraction['load']:.1f} |")

    pdf = pdf_extraction_throughput(inputs / "pdf_documents", work / "pdf-extraction")
    pdf_verdict = "met" if pdf["pages_per_s"] >= PDF_PAGES_PER_SECOND else "MISSED"
    report.add(f"| PDF extraction (cold, {len(os.sched_getaffinity(0))} cores): "
               f"{pdf['documents']} documents, {pdf['pages']} pages, {pdf['megabytes']:.1f} MB, "
               f"{pdf['figures']:,} figures, {pdf['failed']} failed | {pdf['seconds']:.1f} s: "
               f"{pdf['pages_per_s']:.0f} pages/s, {pdf['mb_per_s']:.2f} MB/s | "
               f"≥ {PDF_PAGES_PER_SECOND:.0f} pages/s ({pdf_verdict}) | {pdf['load']:.1f} |")

    dbt_times = dbt_alone(published, work)
    plain = plain_versus_mart(published, args.rounds)
    dbt_load = f"{dbt_times['load']:.1f}"
    report.add(dbt_alone_row(dbt_times))
    report.add(f"| dbt parse from scratch | {dbt_times['parse_cold']:.1f} s | | {dbt_load} |")
    report.add(f"| dbt run +fct_funding_vs_ideal | {dbt_times['run_funding']:.1f} s | | "
               f"{dbt_load} |")
    report.add(f"| plain SQL fct_funding_vs_ideal (p50) | {plain['p50'] * 1000:.1f} ms | | "
               f"{plain['load']:.1f} |")
    report.add(f"| ratio dbt build / plain | {dbt_times['build'] / plain['p50']:,.0f}× | | |")
    report.add(f"| ratio dbt run +fct_funding_vs_ideal / plain | "
               f"{dbt_times['run_funding'] / plain['p50']:,.0f}× | | |")
    same = "identical" if not plain["mismatches"] else "; ".join(plain["mismatches"])
    report.add(f"| plain SQL vs mart ({plain['rows_mart']} rows) | {same} | | |")

    report.add("")
    report.add(f"Analyst queries on the published warehouse ({args.rounds} timed runs each, "
               f"one read-only connection; load {load_now():.1f}):")
    report.add("")
    report.add("| query | p50 ms | p95 ms | rows |")
    report.add("| --- | --- | --- | --- |")
    for name, p50, p95, n_rows in query_latencies(published, args.rounds):
        report.add(f"| {name} | {p50 * 1000:.1f} | {p95 * 1000:.1f} | {n_rows} |")

    steps_report(report, runs)
    if args.record:
        record(report)
        print(f"\nrecorded in {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
