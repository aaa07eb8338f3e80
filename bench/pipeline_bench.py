"""Benchmark: the offline agent pipeline's throughput, and the scan plus drafts for its top 10.

On a fresh SQLite database loaded with the generated workbook (shared with the other
benchmarks, cached in bench/data/) and a trained churn model (not timed), in one process:
- the scan alone (`scan_run`), the baseline;
- the scan followed by drafts for its top 10 findings (`proactive_scan_run`), the same scan
  plus the pipeline: the ratio to the baseline is what drafting adds;
- throughput over N customers, in interventions per second: the four stages (contexts read
  in one batch, `pipeline_run`, nothing saved); full drafting as the scan does it
  (`interventions_draft`: the stages plus the Intervention and AgentStep rows, one batch);
  and drafting one customer at a time (`intervention_draft`, as a webhook or the demo does).
Targets: at least 200 interventions per second drafted offline; the scan plus its top 10
drafts under 5 s at 10,000 customers.

    .venv/bin/python bench/pipeline_bench.py [--customers 10000] [--drafts 500]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import workbook_for  # noqa: E402
from bench.scan_bench import SCAN_AS_OF  # noqa: E402


def child(path: Path, drafts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.models import Customer
    from customers.scan import churn_model_train, scan_run
    from customers.services import workbook_import
    from interventions.agents.context import contexts_build
    from interventions.agents.pipeline import pipeline_run
    from interventions.agents.policy import OutreachPolicy
    from interventions.agents.types import Trigger
    from interventions.models import Intervention, Origin
    from interventions.services.drafting import DraftRequest, intervention_draft, interventions_draft
    from interventions.services.scans import proactive_scan_run

    workbook_import(path=path)
    churn_model_train(as_of=SCAN_AS_OF)
    scan_run(as_of=SCAN_AS_OF)  # warm: the first scan pays for imports and caches

    started = time.perf_counter()
    scan_run(as_of=SCAN_AS_OF)
    scan_seconds = time.perf_counter() - started

    Intervention.objects.all().delete()
    started = time.perf_counter()
    _, scan_outcomes = proactive_scan_run(as_of=SCAN_AS_OF, top_n=10)
    scan_and_drafts_seconds = time.perf_counter() - started

    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:drafts])
    trigger = Trigger(kind="scan", description="benchmark")
    policy = OutreachPolicy.from_settings()
    requests = [DraftRequest(customer_id, trigger) for customer_id in customers]

    started = time.perf_counter()
    contexts = contexts_build(triggers={customer_id: trigger for customer_id in customers}, as_of=SCAN_AS_OF)
    for context in contexts.values():
        pipeline_run(context=context, policy=policy)
    stages_seconds = time.perf_counter() - started

    Intervention.objects.all().delete()
    started = time.perf_counter()
    outcomes = interventions_draft(requests=requests, origin=Origin.DEMO, as_of=SCAN_AS_OF, model=None, policy=policy)
    draft_seconds = time.perf_counter() - started
    drafted = sum(outcome.intervention is not None for outcome in outcomes)

    Intervention.objects.all().delete()
    started = time.perf_counter()
    for customer_id in customers:
        intervention_draft(
            customer_id=customer_id, origin=Origin.DEMO, trigger=trigger, as_of=SCAN_AS_OF, model=None, policy=policy
        )
    one_by_one_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "customers": Customer.objects.count(),
                "scan_seconds": scan_seconds,
                "scan_and_drafts_seconds": scan_and_drafts_seconds,
                "top_drafts": sum(outcome.intervention is not None for outcome in scan_outcomes),
                "drafts": len(customers),
                "drafted": drafted,
                "stages_seconds": stages_seconds,
                "draft_seconds": draft_seconds,
                "one_by_one_seconds": one_by_one_seconds,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--drafts", type=int, default=500)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.drafts)
        return

    path = workbook_for(arguments.customers)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/pipeline.sqlite3",
            "DJANGO_SETTINGS_MODULE": "procx_site.settings",
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
        }
        command = [sys.executable, __file__, "--child", str(path), "--drafts", str(arguments.drafts)]
        result = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    scan, both = measured["scan_seconds"], measured["scan_and_drafts_seconds"]
    stages_rate = measured["drafts"] / measured["stages_seconds"]
    draft_rate = measured["drafts"] / measured["draft_seconds"]
    print(f"{measured['customers']:,} customers, offline backend")
    print(f"  scan alone (baseline)            {scan:7.2f} s")
    print(
        f"  scan + top-10 drafts             {both:7.2f} s  ({both / scan:.2f}x the scan; "
        f"{measured['top_drafts']} drafted)"
    )
    print(
        f"  pipeline stages, {measured['drafts']} customers  {measured['stages_seconds']:7.2f} s  {stages_rate:7.0f}/s"
    )
    one_rate = measured["drafts"] / measured["one_by_one_seconds"]
    print(
        f"  drafting (stages + saving)       {measured['draft_seconds']:7.2f} s  {draft_rate:7.0f}/s  "
        f"({measured['drafted']} interventions, the rest held)"
    )
    print(
        f"  drafting one customer at a time  {measured['one_by_one_seconds']:7.2f} s  {one_rate:7.0f}/s  (webhooks, demo)"
    )
    print("\ntargets:")
    print(f"  offline drafting {draft_rate:.0f}/s >= 200/s: {'met' if draft_rate >= 200 else 'MISSED'}")
    print(
        f"  scan + top-10 drafts at {measured['customers']:,} customers {both:.2f} s < 5 s: "
        f"{'met' if both < 5 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
