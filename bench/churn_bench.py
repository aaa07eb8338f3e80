"""Benchmark: the point-in-time churn model (issue 11) against the code before it, in one run.

"Before" is commit e62413d (churn features measured at scan time, one calibrated logistic
regression), checked out with `git worktree add` into /tmp/procx-before and removed at the end.
"After" is a copy of the working tree taken when the run starts, so edits made meanwhile do not
land half-way through. Each side runs in its own processes with only its own code on sys.path,
on SQLite databases loaded from the same generated workbook (bench/import_bench.py's, cached in
bench/data/):
1. The scan (`scan_run`, the churn model trained beforehand, not timed), at 10,000 and 100,000
   customers. Each side's database is loaded and its model trained once; every timed scan then
   runs in a fresh process on a fresh copy of that database, before and after interleaved (which
   goes first alternates). The ratio after/before holds on a noisy machine where absolute times
   do not; the median of the runs' ratios is the figure. Target: after within 10 % of before.
   Each run's CPU time is printed beside its wall-clock time: it counts only the scan's own
   process, so its ratio is the steadier cross-check when other work shares the machine.
2. Training (`churn_model_train`): once per side while its database is loaded, then again on
   copies (--train-repeats in all, the order alternating); the medians are the figures.
   Target: after under 60 s at 100,000 customers.
3. On the demo data (the 1,000-customer, seed-42 workbook `make run` generates, dated AS_OF):
   the chosen model's held-out figures against the health score's, and which won.
When the after scan or training misses its target at the largest size (or with --profile), it
runs once more under cProfile and the top functions are printed.

    .venv/bin/python bench/churn_bench.py [--sizes 10000 100000] [--repeats 4] [--train-repeats 2] [--profile]

Takes 30-45 minutes at the default sizes (loading 100,000 customers twice is a third of it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import AS_OF, workbook_for  # noqa: E402
from bench.scan_bench import SCAN_AS_OF  # noqa: E402

BEFORE_COMMIT = "e62413d"
BEFORE_TREE = Path("/tmp/procx-before")
DEMO_CUSTOMERS = 1_000
SCAN_TOLERANCE = 1.10  # after within 10 % of before
TRAIN_TARGET_SECONDS = 60.0
TRAIN_TARGET_CUSTOMERS = 100_000
SIDES = ("before", "after")
T = TypeVar("T")
MODEL_FIELDS = (
    "usable",
    "reason",
    "family",
    "labelled",
    "positives",
    "held_out",
    "horizon_days",
    "metrics",
    "baseline_metrics",
    "family_metrics",
    "dropped_features",
    "skipped",
    "seconds",
)


# --- the children: one side's code, one database ---------------------------------------------


def _use_code(code: Path) -> None:
    """Put only `code`'s project on the import path: this tree's must not leak into the other side."""
    mine = {ROOT, ROOT / "bench"}
    sys.path[:] = [str(code)] + [entry for entry in sys.path if entry and Path(entry).resolve() not in mine]
    os.chdir(code)
    import django

    django.setup()
    import customers

    loaded_from = Path(customers.__file__).resolve()
    if code.resolve() not in loaded_from.parents:
        raise RuntimeError(f"customers was imported from {loaded_from}, not from {code}")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _model_figures(model: object) -> dict[str, object]:
    # The before side's ChurnModel lacks the point-in-time fields: they come back as None.
    return {name: getattr(model, name, None) for name in MODEL_FIELDS}


def _timed(work: Callable[[], T], profile_to: Path | None = None) -> tuple[T, float, float]:
    """`work()`, its wall-clock seconds and the CPU seconds this process spent on it.

    CPU time counts only this process, so it moves less than wall time when other work shares
    the machine: its ratio is the steadier cross-check of the wall-clock ratio.
    With `profile_to`, under cProfile, the statistics written there.
    """
    profiler = None
    if profile_to is not None:
        import cProfile

        profiler = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    result = work()
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.dump_stats(profile_to)
    return result, wall, cpu


def child_prepare(workbook: Path) -> dict[str, object]:
    """Migrate, import the workbook, train the churn model (timed): the database every scan copies."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.scan import churn_model_train
    from customers.services import workbook_import

    _, import_seconds, _ = _timed(lambda: workbook_import(path=workbook))
    model, train_seconds, train_cpu = _timed(lambda: churn_model_train(as_of=SCAN_AS_OF))
    return {
        "import_seconds": import_seconds,
        "train_seconds": train_seconds,
        "train_cpu": train_cpu,
        "model": _model_figures(model),
        "peak_mb": _peak_mb(),
    }


def child_train(profile_to: Path | None) -> dict[str, object]:
    """Train again on a prepared database (for the profile): the model it adds changes nothing timed."""
    from customers.scan import churn_model_train

    _, seconds, cpu = _timed(lambda: churn_model_train(as_of=SCAN_AS_OF), profile_to)
    return {"train_seconds": seconds, "train_cpu": cpu, "peak_mb": _peak_mb()}


def child_scan(profile_to: Path | None) -> dict[str, object]:
    """One scan, the first in this process, as a scheduled scan after a restart would be."""
    from customers.models import ChurnModel
    from customers.scan import scan_run

    models_before = ChurnModel.objects.count()
    scan, seconds, cpu = _timed(lambda: scan_run(as_of=SCAN_AS_OF), profile_to)
    if ChurnModel.objects.count() != models_before:
        # The scan retrained (it judged the model out of date): its time would include training.
        raise RuntimeError("the scan trained a churn model; the prepared one was not used")
    return {
        "scan_seconds": seconds,
        "scan_cpu": cpu,
        "customers": scan.customers_scanned,
        "findings": scan.at_risk_count,
        "risk_source": scan.risk_source,
        "peak_mb": _peak_mb(),
    }


# --- the parent: trees, databases, runs ---------------------------------------------------------


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def before_tree_add(commit: str) -> Path:
    """Check `commit` out into BEFORE_TREE (a leftover of an interrupted run is replaced)."""
    registered = [
        line.removeprefix("worktree ") for line in _git("worktree", "list", "--porcelain").splitlines() if line
    ]
    if str(BEFORE_TREE) in registered:
        _git("worktree", "remove", "--force", str(BEFORE_TREE))
    elif BEFORE_TREE.exists():
        raise SystemExit(f"{BEFORE_TREE} exists and is not a worktree of this repository: move it away first")
    _git("worktree", "add", "--detach", str(BEFORE_TREE), commit)
    return BEFORE_TREE


def before_tree_remove() -> None:
    if BEFORE_TREE.exists():
        _git("worktree", "remove", "--force", str(BEFORE_TREE))
    _git("worktree", "prune")


def working_tree_snapshot(destination: Path) -> str:
    """Copy the working tree's files (tracked and untracked, not ignored) to `destination`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    for name in filter(None, listed.split(b"\0")):
        source = ROOT / os.fsdecode(name)
        if source.is_file():
            target = destination / os.fsdecode(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    changed = [line for line in _git("status", "--porcelain", "--untracked-files=no").splitlines() if line]
    head = _git("rev-parse", "--short", "HEAD").strip()
    return f"working tree at {head}" + (f" with {len(changed)} uncommitted changed files" if changed else "")


def run_child(mode: str, *, code: Path, database: Path, extra: list[str] | None = None) -> tuple[dict, str]:
    """Run this script as a child on `code` and `database`; its JSON result and what it printed."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "procx_site.settings",
    }
    command = [sys.executable, __file__, "--child", mode, "--code", str(code), *(extra or [])]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=code)
    if result.returncode != 0:
        raise SystemExit(f"{mode} child on {code} failed:\n{result.stderr[-4000:]}")
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def database_copy(template: Path, destination: Path) -> Path:
    """A fresh copy of a prepared database (and its WAL files, if any were left)."""
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, destination.with_name(destination.name + suffix))
    return destination


def database_remove(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def _number(value: object, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{digits}f}"
    return f"{int(value):,}" if isinstance(value, (int, float)) else str(value)


def _model_line(model: dict) -> str:
    metrics = model.get("metrics") or {}
    baseline = model.get("baseline_metrics") or {}
    family = model.get("family") or "logistic_regression (calibrated)"
    return (
        f"{family}, held-out AUC {_number(metrics.get('roc_auc'))} against the health score's "
        f"{_number(baseline.get('roc_auc'))}: {'used' if model.get('usable') else 'not used'}"
    )


def measure_size(
    size: int, *, code: dict[str, Path], folder: Path, repeats: int, train_repeats: int, profile: str
) -> dict:
    workbook = workbook_for(size)
    templates = {side: folder / f"{side}-{size}.sqlite3" for side in SIDES}
    prepared = {}
    for side in SIDES:
        prepared[side], _ = run_child(
            "prepare", code=code[side], database=templates[side], extra=["--workbook", str(workbook)]
        )
    before, after = prepared["before"], prepared["after"]
    print(
        f"\n{size:,} customers: loaded in {before['import_seconds']:.0f} s (before) and "
        f"{after['import_seconds']:.0f} s (after); peak MB while training {before['peak_mb']:,.0f} (before), "
        f"{after['peak_mb']:,.0f} (after)",
        flush=True,
    )
    # Training: once while loading (before, then after), then again on copies, the order alternating.
    trainings = [{side: {key: prepared[side][key] for key in ("train_seconds", "train_cpu")} for side in SIDES}]
    for repeat in range(1, train_repeats):
        order = SIDES[::-1] if repeat % 2 else SIDES
        measured = {}
        for side in order:
            database = database_copy(templates[side], folder / f"train-{side}.sqlite3")
            try:
                measured[side], _ = run_child("train", code=code[side], database=database)
            finally:
                database_remove(database)
        trainings.append(measured)
    print(f"  {'training':>8} {'before s':>9} {'after s':>9} {'after/before':>13} {'CPU before':>11} {'CPU after':>10}")
    for number, measured in enumerate(trainings, start=1):
        print(
            f"  {number:>8} {measured['before']['train_seconds']:>9.2f} {measured['after']['train_seconds']:>9.2f} "
            f"{measured['after']['train_seconds'] / measured['before']['train_seconds']:>13.3f} "
            f"{measured['before']['train_cpu']:>11.2f} {measured['after']['train_cpu']:>10.2f}",
            flush=True,
        )
    train_medians = {
        side: {key: statistics.median(m[side][key] for m in trainings) for key in ("train_seconds", "train_cpu")}
        for side in SIDES
    }
    for side in SIDES:
        print(f"  {side} model: {_model_line(prepared[side]['model'])}", flush=True)

    print(
        f"  {'run':>5} {'first':>7} {'before s':>9} {'after s':>9} {'after/before':>13}"
        f" {'CPU before':>11} {'CPU after':>10} {'CPU ratio':>10}",
        flush=True,
    )
    runs = []
    for repeat in range(repeats):
        order = SIDES if repeat % 2 == 0 else SIDES[::-1]
        measured = {}
        for side in order:
            database = database_copy(templates[side], folder / f"scan-{side}.sqlite3")
            try:
                measured[side], _ = run_child("scan", code=code[side], database=database)
            finally:
                database_remove(database)
        ratio = measured["after"]["scan_seconds"] / measured["before"]["scan_seconds"]
        cpu_ratio = measured["after"]["scan_cpu"] / measured["before"]["scan_cpu"]
        runs.append({**{side: measured[side] for side in SIDES}, "ratio": ratio, "cpu_ratio": cpu_ratio})
        print(
            f"  {repeat + 1:>5} {order[0]:>7} {measured['before']['scan_seconds']:>9.2f} "
            f"{measured['after']['scan_seconds']:>9.2f} {ratio:>13.3f} {measured['before']['scan_cpu']:>11.2f} "
            f"{measured['after']['scan_cpu']:>10.2f} {cpu_ratio:>10.3f}",
            flush=True,
        )
    median_ratio = statistics.median(run["ratio"] for run in runs)
    median_cpu_ratio = statistics.median(run["cpu_ratio"] for run in runs)
    medians = {side: statistics.median(run[side]["scan_seconds"] for run in runs) for side in SIDES}
    met = median_ratio <= SCAN_TOLERANCE
    print(
        f"  median  before {medians['before']:.2f} s, after {medians['after']:.2f} s; median ratio "
        f"{median_ratio:.3f} (CPU {median_cpu_ratio:.3f}): after within {SCAN_TOLERANCE - 1:.0%} of before: "
        f"{'met' if met else 'MISSED'}",
        flush=True,
    )
    for side in SIDES:
        last = runs[-1][side]
        peak = max(run[side]["peak_mb"] for run in runs)
        print(
            f"  {side} scan: {last['customers']:,} scanned, {last['findings']:,} findings, peak {peak:,.0f} MB; "
            f"{last['risk_source']}",
            flush=True,
        )
    if profile == "always" or (profile == "auto" and not met):
        profile_child("scan", templates["after"], code=code["after"], folder=folder)
    train_missed = size == TRAIN_TARGET_CUSTOMERS and train_medians["after"]["train_seconds"] >= TRAIN_TARGET_SECONDS
    if profile == "always" or (profile == "auto" and train_missed):
        profile_child("train", templates["after"], code=code["after"], folder=folder)
    for template in templates.values():
        database_remove(template)
    return {
        "prepared": prepared,
        "trainings": trainings,
        "train_medians": train_medians,
        "runs": runs,
        "median_ratio": median_ratio,
        "median_cpu_ratio": median_cpu_ratio,
        "medians": medians,
    }


def profile_child(mode: str, template: Path, *, code: Path, folder: Path, top: int = 25) -> None:
    """The after side's scan or training once more under cProfile: where its time goes."""
    import pstats

    database = database_copy(template, folder / "profile.sqlite3")
    stats_path = folder / f"{mode}.prof"
    try:
        measured, _ = run_child(mode, code=code, database=database, extra=["--profile-to", str(stats_path)])
    finally:
        database_remove(database)
    what = {"scan": "scan", "train": "training"}[mode]
    print(
        f"\n  cProfile of the after {what} ({measured[f'{mode}_seconds']:.2f} s under the profiler, "
        f"CPU {measured[f'{mode}_cpu']:.2f} s):",
        flush=True,
    )
    stats = pstats.Stats(str(stats_path), stream=sys.stdout)
    stats.strip_dirs()
    print(f"  top {top} by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"  top {top} by own time:")
    stats.sort_stats("tottime").print_stats(top)
    sys.stdout.flush()


def demo_figures(*, code: dict[str, Path], folder: Path) -> dict:
    from customers.churn import METRIC_KEYS  # here, not at module level: see _use_code

    workbook = workbook_for(DEMO_CUSTOMERS)
    prepared = {}
    for side in SIDES:
        database = folder / f"demo-{side}.sqlite3"
        prepared[side], _ = run_child(
            "prepare", code=code[side], database=database, extra=["--workbook", str(workbook)]
        )
        database_remove(database)
    model = prepared["after"]["model"]
    print(f"\nDemo data: {DEMO_CUSTOMERS:,} customers, seed 42, as of {AS_OF} ({workbook.name})")
    print(
        f"  after: {model['labelled']:,} labelled customers ({model['positives']:,} churned), each measured "
        f"{model['horizon_days']} days before the outcome; held out (forward-in-time folds): {model['held_out']:,}"
    )
    if model["dropped_features"]:
        print(f"  dropped features: {', '.join(model['dropped_features'])}")
    if model["skipped"]:
        print("  skipped: " + "; ".join(f"{count:,} {reason}" for reason, count in model["skipped"].items()))
    columns = dict(model["family_metrics"] or {})
    columns["health score"] = model["baseline_metrics"] or {}
    header = "".join(f"{name:>22}" for name in columns)
    print(f"  {'held-out figure':<22}{header}")
    for key in METRIC_KEYS:
        print(f"  {key:<22}" + "".join(f"{_number(figures.get(key)):>22}" for figures in columns.values()))
    print(f"  family chosen: {model['family']} (training {prepared['after']['train_seconds']:.1f} s)")
    print(f"  reason: {model['reason']}")
    if model["usable"]:
        print(f"  won: the model ({model['family']}); the scan takes risk from it")
    else:
        print("  won: the health score; the model is not used and risk comes from the health score")
    print("  ChurnModel fields as stored:")
    for name in ("family", "family_metrics", "baseline_metrics", "held_out", "reason"):
        print(f"    {name} = {json.dumps(model[name])}")
    before = prepared["before"]["model"]
    print(
        f"  for comparison, before (features at scan time, after the churners had left): {_model_line(before)}",
        flush=True,
    )
    return prepared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=4, help="before/after scan pairs per size (at least 2)")
    parser.add_argument("--train-repeats", type=int, default=2, help="trainings per side and size")
    parser.add_argument("--before", default=BEFORE_COMMIT, help="the commit measured as 'before'")
    parser.add_argument(
        "--profile", action="store_true", help="profile the after scan and training at the largest size anyway"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the demo data's held-out figures")
    parser.add_argument("--child", choices=["prepare", "scan", "train"], help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workbook", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _use_code(arguments.code)
        if arguments.child == "prepare":
            result = child_prepare(arguments.workbook)
        elif arguments.child == "train":
            result = child_train(arguments.profile_to)
        else:
            result = child_scan(arguments.profile_to)
        print(json.dumps(result, default=str))
        return
    if arguments.repeats < 2:
        parser.error("--repeats must be at least 2: one pair is not a median")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="churn-bench-") as scratch:
        folder = Path(scratch)
        try:
            code = {"before": before_tree_add(arguments.before), "after": folder / "after"}
            described = working_tree_snapshot(code["after"])
            print(f"before: {arguments.before} ({BEFORE_TREE}); after: {described}")
            print(f"scans and training as of {SCAN_AS_OF:%Y-%m-%d %H:%M} UTC; workbooks from bench/data/ (seed 42)")
            results = {}
            largest = max(arguments.sizes)
            for size in arguments.sizes:
                profile = ("always" if arguments.profile else "auto") if size == largest else "never"
                results[size] = measure_size(
                    size,
                    code=code,
                    folder=folder,
                    repeats=arguments.repeats,
                    train_repeats=arguments.train_repeats,
                    profile=profile,
                )
            if not arguments.no_demo:
                demo_figures(code=code, folder=folder)
        finally:
            before_tree_remove()

    print("\nsummary (medians):")
    for size, result in results.items():
        medians = result["medians"]
        print(
            f"  scan     {size:>7,}: before {medians['before']:6.2f} s, after {medians['after']:6.2f} s, "
            f"after/before {result['median_ratio']:.3f} (CPU {result['median_cpu_ratio']:.3f}); "
            f"<= {SCAN_TOLERANCE:.2f}: {'met' if result['median_ratio'] <= SCAN_TOLERANCE else 'MISSED'}"
        )
    for size, result in results.items():
        train = result["train_medians"]
        target = ""
        if size == TRAIN_TARGET_CUSTOMERS:
            met = train["after"]["train_seconds"] < TRAIN_TARGET_SECONDS
            target = f"; after < {TRAIN_TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}"
        print(
            f"  training {size:>7,}: before {train['before']['train_seconds']:6.2f} s, "
            f"after {train['after']['train_seconds']:6.2f} s (CPU {train['before']['train_cpu']:.2f} s, "
            f"{train['after']['train_cpu']:.2f} s){target}"
        )
    print(f"  whole run: {(time.perf_counter() - started) / 60:.0f} min")


if __name__ == "__main__":
    main()
