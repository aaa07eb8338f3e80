"""Benchmark: importing generated workbooks of 1,000, 10,000 and 100,000 customers.

Each import runs in a fresh process against a fresh SQLite database (the default set-up),
once with the calamine reader and once with openpyxl, the baseline, in the same run, so
the ratio between them holds even on a noisy machine. Prints rows per second and peak
memory (the process's maximum resident set) and checks the issue's targets.

    .venv/bin/python bench/import_bench.py                 # 1k, 10k, 100k, both readers
    .venv/bin/python bench/import_bench.py --sizes 1000 10000 --engines calamine

Generated workbooks are cached in bench/data/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
AS_OF = "2025-10-09"
SEED = 42
TARGET_SECONDS = {1_000: 3.0, 100_000: 120.0}
TARGET_PEAK_MB = 2048


def workbook_for(customers: int) -> Path:
    path = DATA / f"workbook_{customers}.xlsx"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "generate_dataset",
                "--customers",
                str(customers),
                "--seed",
                str(SEED),
                "--as-of",
                AS_OF,
                "--out",
                str(path),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def run_child(path: Path, engine: str) -> dict[str, float]:
    """Import once in a fresh process and database; returns its measurements."""
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "DJANGO_SETTINGS_MODULE": "procx_site.settings",
        }
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(path), "--engine", engine],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def child(path: Path, engine: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.services import workbook_import

    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    report = workbook_import(path=path, engine=engine)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": report.total_rows, "seconds": seconds, "peak_mb": peak_mb, "baseline_mb": before_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--engines", nargs="+", default=["calamine", "openpyxl"], choices=["calamine", "openpyxl"])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.engine)
        return

    results: list[tuple[int, str, dict[str, float]]] = []
    print(
        f"{'customers':>10} {'reader':>9} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'vs openpyxl':>11}"
    )
    for size in arguments.sizes:
        path = workbook_for(size)
        by_engine: dict[str, dict[str, float]] = {}
        # The baseline (openpyxl) first, so each calamine row can show its ratio to it.
        for engine in sorted(arguments.engines, key=lambda name: name != "openpyxl"):
            measured = run_child(path, engine)
            by_engine[engine] = measured
            results.append((size, engine, measured))
            baseline = by_engine.get("openpyxl")
            ratio = (
                f"{baseline['seconds'] / measured['seconds']:.1f}x faster" if baseline and engine != "openpyxl" else ""
            )
            print(
                f"{size:>10,} {engine:>9} {int(measured['rows']):>10,} {measured['seconds']:>8.1f} "
                f"{measured['rows'] / measured['seconds']:>9,.0f} {measured['peak_mb']:>8,.0f} {ratio:>11}",
                flush=True,
            )
        if "openpyxl" in by_engine and "calamine" in by_engine:
            speedup = by_engine["openpyxl"]["seconds"] / by_engine["calamine"]["seconds"]
            print(f"{'':>10} calamine is {speedup:.1f}x the speed of openpyxl at {size:,} customers", flush=True)

    print("\ntargets (calamine):")
    for size, engine, measured in results:
        if engine != "calamine":
            continue
        checks = []
        if size in TARGET_SECONDS:
            ok = measured["seconds"] < TARGET_SECONDS[size]
            checks.append(
                f"time {measured['seconds']:.1f} s < {TARGET_SECONDS[size]:.0f} s: {'met' if ok else 'MISSED'}"
            )
        if size == 100_000:
            ok = measured["peak_mb"] < TARGET_PEAK_MB
            checks.append(f"peak {measured['peak_mb']:,.0f} MB < {TARGET_PEAK_MB:,} MB: {'met' if ok else 'MISSED'}")
        if checks:
            print(f"  {size:,} customers: " + "; ".join(checks))


if __name__ == "__main__":
    main()
