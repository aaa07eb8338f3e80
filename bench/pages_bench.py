"""Benchmark: the staff web app's page server time, and its SQL queries per page.

Two fresh SQLite databases, each built and measured in its own process: the large one
(100,000 customers from the generated workbook, shared with the other benchmarks and cached
in bench/data/; 10,000 interventions; a year of webhook events) and the small one, the
baseline (1,000 customers, 100 interventions, a month of events). Each is loaded (not timed,
but the time it takes is printed) by importing the workbook, training the churn model and
running one scan, adding 30 finished scans of history for the dashboard's chart, drafting
the interventions through the offline pipeline and setting a realistic status mix, and
storing the webhook events (about 300 a day) and a few hundred inbox deliveries.

Each page (dashboard, queue, queue filtered, one intervention, the customer with the most
events and orders, events feed, scans, customers search by a last name) is then requested
through django.test.Client as a signed-in staff member in the Reviewers group, DEBUG off:
3 warm-ups, one request whose SQL is captured (the query count, and the slowest queries),
then N timed requests (median and p95 of the server time). The slowest queries of a page
that misses a target are printed (of every page with --show-sql).
Targets: every page's median under 300 ms at 100,000 customers; each page's query count
the same at both sizes (it must not grow with the data).

    .venv/bin/python bench/pages_bench.py [--customers 100000] [--interventions 10000]
        [--event-days 365] [--requests 30] [--show-sql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import workbook_for  # noqa: E402
from bench.scan_bench import SCAN_AS_OF  # noqa: E402

SMALL = {"customers": 1_000, "interventions": 100, "event_days": 30}
EVENTS_PER_DAY = 300
INBOX_DELIVERIES = 300
HISTORY_SCANS = 30
DRAFT_BATCH = 500
WARMUPS = 3
SLOWEST_SHOWN = 3
TARGET_MEDIAN_MS = 300
SEED = 42
# The share of interventions in each status once reviewed; the rest stay pending review.
STATUS_MIX = {"sent": 0.15, "approved": 0.10, "rejected": 0.10, "failed": 0.05}


def say(message: str) -> None:
    """Progress from the child, on stderr (stdout carries only the result)."""
    print(f"    {message}", file=sys.stderr, flush=True)


# --- The child: build one database, then measure the pages in it ---------------------------


def build(path: Path, interventions: int, event_days: int) -> dict[str, Any]:
    """Load the database; returns the seconds each step took and what to request."""
    from django.core.management import call_command

    from customers.scan import churn_model_train, scan_run
    from customers.services import workbook_import

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    workbook_import(path=path)
    seconds["import"] = time.perf_counter() - started
    say(f"imported in {seconds['import']:.0f} s")

    started = time.perf_counter()
    churn_model_train(as_of=SCAN_AS_OF)
    scan = scan_run(as_of=SCAN_AS_OF)
    scan_history_add(scan)
    seconds["scan"] = time.perf_counter() - started
    say(f"trained and scanned in {seconds['scan']:.0f} s ({scan.at_risk_count:,} findings)")

    started = time.perf_counter()
    reviewer = reviewer_create()
    drafted = interventions_add(scan, count=interventions, reviewer=reviewer)
    seconds["interventions"] = time.perf_counter() - started
    say(f"drafted {drafted:,} interventions in {seconds['interventions']:.0f} s")

    started = time.perf_counter()
    events = webhook_events_add(days=event_days)
    seconds["events"] = time.perf_counter() - started
    say(f"stored {events:,} webhook events in {seconds['events']:.0f} s")
    return {"seconds": seconds, "reviewer": reviewer, "drafted": drafted, "events": events}


def scan_history_add(scan: Any) -> None:
    """Earlier finished scans, one a day, so the dashboard's value-at-risk chart has a history."""
    from customers.models import ScanRun

    generator = random.Random(SEED)
    ScanRun.objects.bulk_create(
        ScanRun(
            started_at=scan.started_at - dt.timedelta(days=days_before),
            finished_at=scan.started_at - dt.timedelta(days=days_before) + dt.timedelta(seconds=20),
            as_of=scan.as_of - dt.timedelta(days=days_before),
            status=ScanRun.Status.FINISHED,
            trigger=ScanRun.Trigger.SCHEDULE,
            parameters=scan.parameters,
            customers_scanned=scan.customers_scanned,
            at_risk_count=int(scan.at_risk_count * generator.uniform(0.8, 1.2)),
            value_at_risk=(scan.value_at_risk * generator.randint(70, 130) / 100).quantize(Decimal("0.01")),
            duration_seconds=scan.duration_seconds,
            churn_model=scan.churn_model,
            risk_source=scan.risk_source,
            health_histogram=scan.health_histogram,
        )
        for days_before in range(1, HISTORY_SCANS + 1)
    )


def reviewer_create() -> Any:
    from django.contrib.auth.models import Group, User

    from interventions.apps import REVIEWERS_GROUP

    user = User.objects.create_user(username="bench-reviewer", email="reviewer@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return user


def interventions_add(scan: Any, *, count: int, reviewer: Any) -> int:
    """Draft `count` interventions through the offline pipeline (the scan's findings first, then
    the least healthy customers), then review some of them into a realistic status mix."""
    from django.utils import timezone

    from customers.models import Customer
    from interventions.agents.types import Trigger
    from interventions.models import Intervention, Origin, Status
    from interventions.services.drafting import DraftRequest, interventions_draft

    findings = {finding.customer_id: finding for finding in scan.findings.order_by("rank")}
    others = Customer.objects.exclude(pk__in=list(findings)).order_by("health_score", "pk").values_list("pk", flat=True)
    candidates = [*findings, *others]
    trigger = Trigger(kind="scan", description=f"Proactive scan #{scan.pk}")
    position = 0
    # A decision to hold drafts nothing, so batches continue until enough are drafted.
    while position < len(candidates) and (drafted := Intervention.objects.count()) < count:
        batch = candidates[position : position + min(DRAFT_BATCH, count - drafted)]
        position += len(batch)
        requests = [DraftRequest(key, trigger, scan_finding=findings.get(key)) for key in batch]
        interventions_draft(requests=requests, origin=Origin.SCAN, as_of=SCAN_AS_OF, model=None)

    ids = list(Intervention.objects.order_by("pk").values_list("pk", flat=True))
    random.Random(SEED).shuffle(ids)
    now = timezone.now()
    start = 0
    for status, share in STATUS_MIX.items():
        chosen = ids[start : start + round(len(ids) * share)]
        start += len(chosen)
        fields: dict[str, Any] = {"status": status, "reviewed_by": reviewer, "reviewed_at": now}
        if status == Status.REJECTED:
            fields["rejection_reason"] = "Not the right moment for this customer."
        if status == Status.SENT:
            fields["sent_at"] = now
        if status == Status.FAILED:
            fields["send_error"] = "SMTP 451: temporary failure"
        for offset in range(0, len(chosen), DRAFT_BATCH):
            Intervention.objects.filter(pk__in=chosen[offset : offset + DRAFT_BATCH]).update(**fields)
    return len(ids)


def webhook_events_add(*, days: int) -> int:
    """About EVENTS_PER_DAY webhook events a day for `days` days up to now, spread over the
    customers, and INBOX_DELIVERIES deliveries waiting in the inbox."""
    from django.utils import timezone

    from customers.models import Customer, CustomerEvent
    from events.models import DeliveryOutcome, WebhookDelivery
    from events.webhook_types import CANONICAL_TYPES, SOURCES

    generator = random.Random(SEED)
    customers = list(Customer.objects.values_list("pk", flat=True))
    types = list(CANONICAL_TYPES.values())
    now = timezone.now()
    total = days * EVENTS_PER_DAY
    span = dt.timedelta(days=days).total_seconds()

    def event(number: int) -> CustomerEvent:
        received = now - dt.timedelta(seconds=span * (total - number) / total)
        kind = generator.choice(types)
        source = generator.choice(SOURCES)
        customer = generator.choice(customers)
        return CustomerEvent(
            event_id=f"wh_{number:09d}",
            customer_id=customer,
            event_type=kind.name,
            event_time=received - dt.timedelta(seconds=generator.randint(1, 120)),
            source=source,
            category=kind.category,
            description=f"{kind.label} for {customer} (via {source}), reference {number:09d}.",
            metadata={"amount": str(generator.randint(5, 900)), "currency": "USD"},
            delivery_key=f"{source}:evt_{number:09d}",
            received_at=received,
            processed_at=received,
        )

    CustomerEvent.objects.bulk_create((event(number) for number in range(total)), batch_size=2_000)
    WebhookDelivery.objects.bulk_create(
        (
            WebhookDelivery(
                source="shopify",
                received_at=now - dt.timedelta(minutes=number * 7),
                delivery_id=f"inbox-{number}",
                native_type="orders/cancelled",
                event_type="order.cancelled",
                body=json.dumps({"id": number, "customer": {"email": f"unknown{number}@example.com"}}),
                body_bytes=80,
                signature_verified=True,
                outcome=DeliveryOutcome.INBOX,
                status_code=202,
                error=f"no customer with email unknown{number}@example.com",
            )
            for number in range(INBOX_DELIVERIES)
        ),
        batch_size=500,
    )
    return total


def pages_to_request() -> dict[str, str]:
    """The pages, with the intervention, customer and last name each size is read at."""
    from django.db.models import Count

    from customers.models import Customer, CustomerEvent, Order
    from interventions.models import Intervention, Status

    top = Intervention.objects.filter(status=Status.PENDING_REVIEW).order_by("-value_at_risk", "-pk").first()
    activity: dict[str, int] = {}
    for model in (CustomerEvent, Order):
        for row in model.objects.order_by().values("customer_id").annotate(count=Count("pk")):
            activity[row["customer_id"]] = activity.get(row["customer_id"], 0) + row["count"]
    busiest = max(activity, key=lambda key: (activity[key], key))
    last_name = (
        Customer.objects.exclude(last_name="")
        .order_by()
        .values("last_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "last_name")
        .first()["last_name"]
    )
    return {
        "dashboard": "/",
        "queue": "/queue/",
        "queue filtered": "/queue/?status=sent&segment=VIP",
        "intervention": f"/interventions/{top.pk}/",
        "customer": f"/customers/{busiest}/",
        "events": "/events/",
        "scans": "/scans/",
        "customers search": f"/customers/?q={last_name}",
    }


def page_measure(client: Any, url: str, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUPS):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    # The query count from a request of its own: capturing SQL slows the timed ones down.
    # The capture's own times are rounded to the millisecond; the wrapper times each query finer.
    durations: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            durations.append((time.perf_counter() - started) * 1000)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        client.get(url)
    queries = captured.captured_queries  # read now: later requests may clear the connection's log
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    if len(durations) != len(queries):
        durations = [float(query["time"]) * 1000 for query in queries]
    slowest = sorted(zip(durations, (query["sql"] for query in queries), strict=True), reverse=True)
    return {
        "url": url,
        "queries": len(queries),
        "median_ms": statistics.median(timings),
        "p95_ms": statistics.quantiles(timings, n=20, method="inclusive")[-1],
        "slowest": slowest[:SLOWEST_SHOWN],
    }


def child(path: Path, interventions: int, event_days: int, requests: int) -> None:
    import django

    django.setup()
    from django.test import Client

    from customers.models import Customer

    started = time.perf_counter()
    built = build(path, interventions, event_days)
    setup_seconds = time.perf_counter() - started
    pages = pages_to_request()
    client = Client()
    client.force_login(built["reviewer"])
    measured = {}
    for name, url in pages.items():
        measured[name] = page_measure(client, url, requests)
        say(f"{name}: {measured[name]['median_ms']:.1f} ms, {measured[name]['queries']} queries")
    result = {
        "customers": Customer.objects.count(),
        "interventions": built["drafted"],
        "events": built["events"],
        "event_days": event_days,
        "seconds": {**built["seconds"], "total": setup_seconds},
        "pages": measured,
    }
    print(json.dumps(result))


# --- The parent --------------------------------------------------------------------------


def run(customers: int, interventions: int, event_days: int, requests: int) -> dict[str, Any]:
    path = workbook_for(customers)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/pages.sqlite3",
            "DJANGO_SETTINGS_MODULE": "procx_site.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            "LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            __file__,
            "--child",
            str(path),
            "--interventions",
            str(interventions),
            "--event-days",
            str(event_days),
            "--requests",
            str(requests),
        ]
        # stderr is the child's progress: let it through.
        result = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def sql_short(sql: str, limit: int = 500) -> str:
    """The query without its long column list, cut at `limit`: what it reads and how."""
    head, separator, rest = sql.partition(" FROM ")
    if separator and head.startswith("SELECT ") and len(head) > 100:
        sql = f"SELECT ... FROM {rest}"
    return sql if len(sql) <= limit else sql[: limit - 3] + "..."


def describe(measured: dict[str, Any]) -> str:
    seconds = measured["seconds"]
    return (
        f"{measured['customers']:,} customers, {measured['interventions']:,} interventions, "
        f"{measured['events']:,} webhook events over {measured['event_days']} days; set up in "
        f"{seconds['total']:.0f} s (import {seconds['import']:.0f}, train + scan {seconds['scan']:.0f}, "
        f"drafting {seconds['interventions']:.0f}, events {seconds['events']:.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--interventions", type=int, default=10_000)
    parser.add_argument("--event-days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--show-sql", action="store_true", help="the slowest queries of every page, not only of those that miss"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.interventions, arguments.event_days, arguments.requests)
        return

    print("small database (the baseline):", flush=True)
    small = run(SMALL["customers"], SMALL["interventions"], SMALL["event_days"], arguments.requests)
    print(f"  {describe(small)}", flush=True)
    print("large database:", flush=True)
    large = run(arguments.customers, arguments.interventions, arguments.event_days, arguments.requests)
    print(f"  {describe(large)}", flush=True)

    print(
        f"\n{arguments.requests} requests per page after {WARMUPS} warm-ups, DEBUG off; "
        f"times in ms, small | large\n"
        f"{'page':<17} {'queries':>9} {'median':>15} {'p95':>15} {'large/small':>12}"
    )
    for name, big in large["pages"].items():
        little = small["pages"][name]
        print(
            f"{name:<17} {little['queries']:>4} {big['queries']:>4} "
            f"{little['median_ms']:>7.1f} {big['median_ms']:>7.1f} {little['p95_ms']:>7.1f} {big['p95_ms']:>7.1f} "
            f"{big['median_ms'] / little['median_ms']:>11.1f}x"
        )

    print(f"\ntargets ({large['customers']:,} customers):")
    for name, big in large["pages"].items():
        little = small["pages"][name]
        fast = big["median_ms"] < TARGET_MEDIAN_MS
        same = big["queries"] == little["queries"]
        print(
            f"  {name:<17} median {big['median_ms']:6.1f} ms < {TARGET_MEDIAN_MS} ms: {'met' if fast else 'MISSED'}; "
            f"queries {little['queries']} = {big['queries']}: {'met' if same else 'MISSED'}"
        )
        if arguments.show_sql or not (fast and same):
            print(f"    {big['url']}, slowest queries:")
            for milliseconds, sql in big["slowest"]:
                print(f"    {milliseconds:8.1f} ms  {sql_short(sql)}")


if __name__ == "__main__":
    main()
