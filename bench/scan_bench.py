"""Benchmark: the proactive scan on 1,000, 10,000 and 100,000 generated customers.

For each size a fresh SQLite database is loaded with the generated workbook (shared with
bench/import_bench.py, cached in bench/data/), a churn model is trained (not timed), then:
- the scan (`scan_run`: signals, health, risk, snapshots, findings) is timed;
- up to 10,000 customers, the naive design it replaces runs on the same data in the same
  process: a loop over customers querying each one's rows through the ORM, scoring the
  customer and saving its snapshot.
The ratio between the two holds on a noisy machine. Targets: 100,000 customers in under 30 s;
the naive loop at least 50 times slower at 10,000.

    .venv/bin/python bench/scan_bench.py [--sizes 1000 10000 100000] [--naive-up-to 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import AS_OF, workbook_for  # noqa: E402

SCAN_AS_OF = dt.datetime.fromisoformat(AS_OF).replace(hour=23, minute=59, second=59, tzinfo=dt.UTC)


def child(path: Path, naive: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.scan import churn_model_train, scan_run
    from customers.services import workbook_import

    workbook_import(path=path)
    churn_model_train(as_of=SCAN_AS_OF)
    started = time.perf_counter()
    scan = scan_run(as_of=SCAN_AS_OF)
    scan_seconds = time.perf_counter() - started
    result = {"customers": scan.customers_scanned, "scan_seconds": scan_seconds, "findings": scan.at_risk_count}
    if naive:
        started = time.perf_counter()
        naive_scan(SCAN_AS_OF)
        result["naive_seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def naive_scan(as_of: dt.datetime) -> None:
    """The prototype's design: one customer at a time, their rows fetched through the ORM."""
    import pandas as pd

    from customers.behaviour import SIGNAL_COLUMNS
    from customers.churn import health_risk
    from customers.event_semantics import EventSignal, event_signal
    from customers.health import Population, health_breakdown
    from customers.models import UNRESOLVED_TICKET_STATUSES, Customer, HealthScore

    now = pd.Timestamp(as_of.replace(tzinfo=None))
    population = Population.from_signals(
        pd.DataFrame.from_records(list(Customer.objects.values("customer_id", "segment", "lifetime_value")))
        .set_index("customer_id")
        .astype({"lifetime_value": float})
    )

    def naive_time(value: dt.datetime | None) -> pd.Timestamp:
        return pd.NaT if value is None else pd.Timestamp(value.astimezone(dt.UTC).replace(tzinfo=None))

    for customer in Customer.objects.all():
        orders = [o for o in customer.orders.all() if o.order_date <= as_of]
        payments = [p for p in customer.payments.all() if p.payment_date <= as_of]
        tickets = [t for t in customer.tickets.all() if t.created_at <= as_of]
        answers = sorted((a for a in customer.nps_responses.all() if a.date <= as_of), key=lambda a: a.date)
        events = [e for e in customer.events.all() if e.event_time <= as_of]
        label = getattr(customer, "churn_label", None) if hasattr(customer, "churn_label") else None

        def within(moment: dt.datetime, start_days: int, end_days: int = 0) -> bool:
            return as_of - dt.timedelta(days=start_days) < moment <= as_of - dt.timedelta(days=end_days)

        engaged = [e for e in events if event_signal(e.event_type) == EventSignal.ENGAGEMENT]
        times = [o.order_date for o in orders] + [p.payment_date for p in payments if p.status == "success"]
        times += [e.event_time for e in engaged]
        last_active = pd.Timestamp(customer.last_active_date)
        engagement = max((naive_time(t) for t in times), default=pd.NaT)
        latest = max(last_active, engagement) if engagement is not pd.NaT else last_active
        kept = [o for o in orders if o.order_status != "cancelled" and o.payment_status != "failed"]
        attempts_90 = sum(within(p.payment_date, 90) for p in payments)
        succeeded_90 = sum(within(p.payment_date, 90) and p.status == "success" for p in payments)
        row = {
            "segment": customer.segment,
            "loyalty_tier": customer.loyalty_tier,
            "lifetime_value": float(customer.lifetime_value),
            "signup_date": pd.Timestamp(customer.signup_date),
            "last_active_date": last_active,
            "last_activity_at": latest,
            "last_engagement_at": engagement,
            "orders_total": len(orders),
            "orders_last_90": sum(within(o.order_date, 90) for o in kept),
            "orders_prev_90": sum(within(o.order_date, 180, 90) for o in kept),
            "spend_last_90": float(
                sum(
                    o.total_amount
                    for o in orders
                    if within(o.order_date, 90) and o.order_status != "cancelled" and o.payment_status != "failed"
                )
            ),
            "spend_prev_90": float(
                sum(
                    o.total_amount
                    for o in orders
                    if within(o.order_date, 180, 90) and o.order_status != "cancelled" and o.payment_status != "failed"
                )
            ),
            "last_order_at": naive_time(max((o.order_date for o in orders), default=None)),
            "tickets_last_90": sum(within(t.created_at, 90) for t in tickets),
            "unresolved_tickets": sum(t.status in UNRESOLVED_TICKET_STATUSES for t in tickets),
            "mean_ticket_sentiment": sum(t.sentiment_score for t in tickets) / len(tickets)
            if tickets
            else float("nan"),
            "mean_csat": sum(t.csat_score for t in tickets) / len(tickets) if tickets else float("nan"),
            "latest_nps": float(answers[-1].nps_score) if answers else float("nan"),
            "previous_nps": float(answers[-2].nps_score) if len(answers) > 1 else float("nan"),
            "payments_last_30": sum(within(p.payment_date, 30) for p in payments),
            "failed_payments_last_30": sum(within(p.payment_date, 30) and p.status == "failed" for p in payments),
            "payments_last_90": sum(within(p.payment_date, 90) for p in payments),
            "failed_payments_last_90": sum(within(p.payment_date, 90) and p.status == "failed" for p in payments),
            "payment_reliability_90": succeeded_90 / attempts_90 if attempts_90 else float("nan"),
            "events_last_30": sum(within(e.event_time, 30) for e in engaged),
            "leaving_signals_last_90": sum(
                within(e.event_time, 90) and event_signal(e.event_type) == EventSignal.LEAVING for e in events
            ),
            "trouble_events_last_90": sum(
                within(e.event_time, 90) and event_signal(e.event_type) == EventSignal.TROUBLE for e in events
            ),
            "churn_label": float(label.is_churn) if label else float("nan"),
        }
        signals = pd.DataFrame([row], index=pd.Index([customer.customer_id], name="customer_id"))[list(SIGNAL_COLUMNS)]
        breakdown = health_breakdown(signals, as_of=now, population=population)
        score = float(breakdown.score.iloc[0])
        HealthScore.objects.create(
            customer=customer,
            as_of=as_of,
            score=score,
            points=breakdown.points.iloc[0].to_dict(),
            churn_risk=float(health_risk(breakdown.score).iloc[0]),
            risk_source="health",
        )


def run(size: int, naive: bool) -> dict[str, float]:
    path = workbook_for(size)
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/scan.sqlite3",
            "DJANGO_SETTINGS_MODULE": "procx_site.settings",
        }
        command = [sys.executable, __file__, "--child", str(path), *(["--naive"] if naive else [])]
        result = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--naive-up-to", type=int, default=10_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--naive", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.naive)
        return

    print(f"{'customers':>10} {'scan s':>8} {'customers/s':>12} {'findings':>9} {'naive s':>9} {'naive/scan':>11}")
    results = {}
    for size in arguments.sizes:
        measured = run(size, naive=size <= arguments.naive_up_to)
        results[size] = measured
        naive = measured.get("naive_seconds")
        ratio = f"{naive / measured['scan_seconds']:.0f}x" if naive else "-"
        print(
            f"{size:>10,} {measured['scan_seconds']:>8.2f} {size / measured['scan_seconds']:>12,.0f} "
            f"{measured['findings']:>9,} {(f'{naive:.1f}' if naive else '-'):>9} {ratio:>11}",
            flush=True,
        )
    print("\ntargets:")
    if 100_000 in results:
        seconds = results[100_000]["scan_seconds"]
        print(f"  100,000 customers: {seconds:.1f} s < 30 s: {'met' if seconds < 30 else 'MISSED'}")
    if 10_000 in results and "naive_seconds" in results[10_000]:
        ratio = results[10_000]["naive_seconds"] / results[10_000]["scan_seconds"]
        print(
            f"  10,000 customers: naive loop {ratio:.0f}x the scan's time >= 50x: {'met' if ratio >= 50 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
