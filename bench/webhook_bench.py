"""Benchmark: sustained ingestion of signed webhook deliveries, served by gunicorn.

For each database (SQLite, then PostgreSQL at 127.0.0.1:5432 as user postgres in a fresh
database `procx_bench_webhooks`, created and dropped by the run) a fresh database is migrated
and loaded with the generated 1,000-customer workbook (shared with the other benchmarks,
cached in bench/data/). gunicorn then serves the app (DEBUG off, bench/webhook_bench_site.py:
the project's settings and URLs plus the baseline view) and 20 concurrent keep-alive clients:
- post to a minimal Django view that stores the body in one row (a Session), the baseline;
- post ProCX envelopes (`payment.failed` for real customers and their orders) to
  /api/webhooks/events/, each signed the Standard Webhooks way with its own webhook-id;
  one in 20 is a re-send of an earlier delivery (same id and body, signed again, as a
  provider's retry is), which must be acknowledged and stored once.
Requests are signed before the clock starts, in batches short enough for the 300 s tolerance.
Each kind is warmed up first (200 requests, not counted). No django-q worker runs: the
processing queued after commit is not part of ingestion (the queue is only counted: one task
per web process per PROCX_EVENT_BATCH_SECONDS, not one per delivery).
Afterwards the database is counted: one stored event per distinct delivery and one
WebhookDelivery row per request, or the difference is reported as lost.
Targets: at least 300 deliveries/s on SQLite, p99 under 100 ms, no errors and nothing lost,
and at least half the minimal view's throughput.

    .venv/bin/python bench/webhook_bench.py [--databases sqlite postgres] [--deliveries 6000]
        [--clients 20] [--workers 2] [--threads 4]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import itertools
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.import_bench import workbook_for  # noqa: E402

CUSTOMERS = 1_000
WEBHOOK_PATH = "/api/webhooks/events/"
MINIMAL_PATH = "/bench/minimal/"
WARMUP_REQUESTS = 200
RESEND_EVERY = 20  # one delivery in 20 is a provider's re-send of an earlier one
# Deliveries older than 300 s are refused; each batch is signed just before it is sent and
# sized from the warm-up's pace to take well under that.
BATCH_SECONDS = 120
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "procx_bench_webhooks"
TARGET_SQLITE_PER_SECOND = 300
TARGET_P99_MS = 100
TARGET_SHARE_OF_MINIMAL = 0.5
FLOOD_BODY_BYTES = 250_000  # under the 256 KB limit, so each one is read and checked
TARGET_FLOOD_GROWTH_MB = 2


# --- Children: the database set-up and the counts afterwards, in the app's own process ------


def child_prepare(path: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.models import Customer, Order
    from customers.services import workbook_import

    workbook_import(path=path)
    orders: dict[str, str] = {}
    for customer_id, order_id in Order.objects.order_by("order_date").values_list("customer_id", "order_id"):
        orders[customer_id] = order_id  # the customer's latest
    customers = [[pk, orders.get(pk)] for pk in Customer.objects.order_by("pk").values_list("pk", flat=True)]
    print(json.dumps({"customers": customers}))


def child_count() -> None:
    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from django_q.models import OrmQ

    from customers.models import CustomerEvent
    from events.models import WebhookDelivery

    outcomes = Counter(WebhookDelivery.objects.values_list("outcome", flat=True))
    print(
        json.dumps(
            {
                "events": CustomerEvent.objects.filter(delivery_key__startswith="procx:").count(),
                "deliveries": WebhookDelivery.objects.count(),
                "outcomes": dict(outcomes),
                "sessions": Session.objects.count(),
                "queued": OrmQ.objects.count(),
            }
        )
    )


def child_size() -> None:
    """The database's size in bytes (SQLite: after folding the write-ahead log back in)."""
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA page_size")
            size = pages * cursor.fetchone()[0]
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    print(json.dumps({"bytes": size}))


def run_child(mode: str, env: dict[str, str], *arguments: str) -> dict[str, Any]:
    command = [sys.executable, __file__, mode, *arguments]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    message_id: str
    body: bytes
    resend: bool = False


@dataclass(frozen=True)
class PreparedRequest:
    path: str
    body: bytes
    headers: dict[str, str]


def deliveries_plan(customers: list[list[str | None]], count: int, *, rng: random.Random) -> list[Delivery]:
    """`count` deliveries; every RESEND_EVERY-th re-sends one of the recent earlier ones."""
    plan: list[Delivery] = []
    for index in range(count):
        if index % RESEND_EVERY == RESEND_EVERY - 1:
            original = rng.choice([delivery for delivery in plan[-200:] if not delivery.resend])
            plan.append(Delivery(original.message_id, original.body, resend=True))
            continue
        customer_id, order_id = rng.choice(customers)
        data: dict[str, Any] = {"customer_id": customer_id, "amount": 19.99, "currency": "USD"}
        if order_id:
            data["order_id"] = order_id
        # Each failure is its own payment: ProCX stores the same content under a new id only once.
        data |= {"reason": "insufficient_funds", "attempt": 1, "charge_id": f"ch_{uuid.uuid4().hex[:24]}"}
        body = {
            "event_type": "payment.failed",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "source": "stripe",
            "data": data,
        }
        plan.append(Delivery(f"msg_{uuid.uuid4().hex}", json.dumps(body).encode()))
    return plan


def signed(plan: list[Delivery], secret: str) -> list[PreparedRequest]:
    # The signing helper lives beside its provider's DRF view, so importing it needs settings
    # (this client process never touches a database).
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procx_site.settings")
    django.setup()
    from events.providers.procx import sign_standard_webhook

    now = int(time.time())
    return [
        PreparedRequest(
            WEBHOOK_PATH,
            delivery.body,
            {
                "Content-Type": "application/json",
                **sign_standard_webhook(
                    body=delivery.body, secret=secret, message_id=delivery.message_id, timestamp=now
                ),
            },
        )
        for delivery in plan
    ]


def unsigned(plan: list[Delivery]) -> list[PreparedRequest]:
    return [PreparedRequest(MINIMAL_PATH, delivery.body, {"Content-Type": "application/json"}) for delivery in plan]


# --- Clients -------------------------------------------------------------------------------


@dataclass
class Measurement:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)
    server_cpu: float = 0.0  # seconds of CPU the gunicorn processes used
    client_cpu: float = 0.0  # and this process's client threads

    def add(self, other: Measurement) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.server_cpu += other.server_cpu
        self.client_cpu += other.client_cpu
        self.latencies += other.latencies
        self.statuses += other.statuses
        self.answers += other.answers
        self.errors += other.errors
        self.error_examples += other.error_examples[: 5 - len(self.error_examples)]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def cpu_ms(self, seconds: float) -> float:
        return seconds * 1000 / self.requests if self.requests else 0.0

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000 if ordered else 0.0


def send(port: int, requests: list[PreparedRequest], clients: int) -> Measurement:
    """Send the requests from `clients` threads, each with its own keep-alive connection,
    taking the next request as soon as it has its answer."""
    next_index = itertools.count()
    start = threading.Barrier(clients + 1)
    results = [Measurement() for _ in range(clients)]

    def client(result: Measurement) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while (index := next(next_index)) < len(requests):
            request = requests[index]
            started = time.perf_counter()
            try:
                connection.request("POST", request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                result.errors += 1
                if len(result.error_examples) < 5:
                    result.error_examples.append(f"{type(error).__name__}: {error}")
                connection.close()  # the next request opens a new connection
                continue
            result.latencies.append(time.perf_counter() - started)
            result.statuses[response.status] += 1
            if not 200 <= response.status < 300:
                result.errors += 1
                if len(result.error_examples) < 5:
                    result.error_examples.append(f"HTTP {response.status}: {answer[:200]!r}")
            try:
                result.answers[json.loads(answer).get("status", "?")] += 1
            except ValueError:
                result.answers["not json"] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(result,)) for result in results]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    total = Measurement(requests=len(requests), seconds=time.perf_counter() - started)
    for result in results:
        total.latencies += result.latencies
        total.statuses += result.statuses
        total.answers += result.answers
        total.errors += result.errors
        total.error_examples += result.error_examples[: 5 - len(total.error_examples)]
    return total


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving the bench site on a free loopback port, started and stopped cleanly."""

    def __init__(self, *, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.log = log
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "procx_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--worker-class",
            "gthread",  # keeps connections alive (the sync worker closes each one)
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ]
        with log.open("w") as output:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)

    def wait_until_answering(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", MINIMAL_PATH)  # 405: Django itself answered
                if connection.getresponse().status == 405:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (Linux /proc; 0 elsewhere)."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue  # a process that ended meanwhile
            fields = text[text.rfind(")") + 2 :].split()
            if stat.parent.name == str(self.process.pid) or fields[1] == str(self.process.pid):
                total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def send(self, requests: list[PreparedRequest], clients: int) -> Measurement:
        server_before, client_before = self.cpu_seconds(), time.process_time()
        measured = send(self.port, requests, clients)
        measured.server_cpu = self.cpu_seconds() - server_before
        measured.client_cpu = time.process_time() - client_before
        return measured

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- One database --------------------------------------------------------------------------


@dataclass
class DatabaseResult:
    name: str
    minimal: Measurement
    webhook: Measurement
    counts: dict[str, Any]
    minimal_sent: int
    webhook_sent: int
    distinct_sent: int
    resends_sent: int
    flood_sent: int = 0
    flood_rejected: int = 0
    flood_growth_bytes: int = 0

    @property
    def webhook_lost(self) -> int:
        return max(0, self.distinct_sent - self.counts["events"]) + max(
            0, self.webhook_sent - self.counts["deliveries"]
        )

    @property
    def webhook_stored_twice(self) -> int:
        return max(0, self.counts["events"] - self.distinct_sent)

    @property
    def minimal_lost(self) -> int:
        return max(0, self.minimal_sent - self.counts["sessions"])


def measure(name: str, database_url: str, *, path: Path, arguments: argparse.Namespace, folder: Path) -> DatabaseResult:
    webhook_secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.webhook_bench_site",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PROCX_WEBHOOK_SECRET": webhook_secret,
        "PROCX_WEBHOOKS_ALLOW_UNSIGNED": "false",
        "REDIS_URL": "",  # the ORM broker: queued processing is counted in the database
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
    }
    print(f"  {name}: migrating and importing {CUSTOMERS:,} customers ...", flush=True)
    customers = run_child("--child-prepare", env, str(path))["customers"]
    rng = random.Random(42)
    warmup = deliveries_plan(customers, WARMUP_REQUESTS, rng=rng)
    warmup = [delivery for delivery in warmup if not delivery.resend]
    plan = deliveries_plan(customers, arguments.deliveries, rng=rng)

    server = Gunicorn(env=env, workers=arguments.workers, threads=arguments.threads, log=folder / f"{name}.log")
    try:
        server.wait_until_answering()
        server.send(unsigned(warmup), arguments.clients)
        warm = server.send(signed(warmup, webhook_secret), arguments.clients)
        if warm.errors:
            raise RuntimeError(f"the warm-up deliveries failed: {warm.error_examples}")

        minimal = server.send(unsigned(plan), arguments.clients)
        print(f"  {name}: minimal view {minimal.per_second:,.0f}/s; webhook deliveries ...", flush=True)
        batch_size = max(500, int(warm.per_second * BATCH_SECONDS))
        webhook = Measurement()
        for offset in range(0, len(plan), batch_size):
            webhook.add(server.send(signed(plan[offset : offset + batch_size], webhook_secret), arguments.clients))
        # A flood of unsigned posts just under the size limit: the log keeps no rejected body.
        before = run_child("--child-size", env)["bytes"]
        junk = b'{"padding": "' + b"x" * (FLOOD_BODY_BYTES - 16) + b'"}'
        flood = server.send(
            [PreparedRequest(WEBHOOK_PATH, junk, {"Content-Type": "application/json"})] * arguments.flood,
            arguments.clients,
        )
        flood_growth = run_child("--child-size", env)["bytes"] - before
        print(f"  {name}: {arguments.flood:,} unsigned {len(junk) // 1024} KB posts ...", flush=True)
    finally:
        server.stop()
    if server.process.returncode not in (0, None):
        print(f"  gunicorn exited with {server.process.returncode}:\n{server.log.read_text()[-2000:]}")

    counts = run_child("--child-count", env)
    resends = sum(delivery.resend for delivery in plan)
    return DatabaseResult(
        name=name,
        minimal=minimal,
        webhook=webhook,
        counts=counts,
        minimal_sent=len(warmup) + len(plan),
        webhook_sent=len(warmup) + len(plan) + arguments.flood,  # the flood is logged too (rejected)
        distinct_sent=len(warmup) + len({delivery.message_id for delivery in plan}),
        resends_sent=resends,
        flood_sent=arguments.flood,
        flood_rejected=flood.statuses.get(401, 0),
        flood_growth_bytes=flood_growth,
    )


def postgres_database() -> tuple[str | None, str]:
    """A fresh, empty database, or None and why PostgreSQL cannot be used."""
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    except Exception as error:  # psycopg missing, server down, no permission: all mean "skip"
        return None, f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''}"
    return f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}", ""


def postgres_drop() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")


# --- Report --------------------------------------------------------------------------------


def print_table(result: DatabaseResult) -> None:
    print(f"\n{result.name}")
    print(
        f"  {'':<22} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'lost':>5} "
        f"{'server CPU ms/req':>18} {'client CPU ms/req':>18}"
    )
    for label, measured, lost in (
        ("minimal view (1 row)", result.minimal, result.minimal_lost),
        ("signed webhook", result.webhook, result.webhook_lost),
    ):
        print(
            f"  {label:<22} {measured.per_second:>10,.0f} {measured.percentile_ms(0.50):>8.1f} "
            f"{measured.percentile_ms(0.99):>8.1f} {measured.errors:>7,} {lost:>5,} "
            f"{measured.cpu_ms(measured.server_cpu):>18.2f} {measured.cpu_ms(measured.client_cpu):>18.2f}"
        )
    share = result.webhook.per_second / result.minimal.per_second if result.minimal.per_second else 0
    print(f"  webhook / minimal: {share:.2f}x the throughput")
    counts = result.counts
    outcomes = counts["outcomes"]
    by_outcome = ", ".join(f"{outcome} {number:,}" for outcome, number in sorted(outcomes.items()))
    print("  counted afterwards, warm-up included:")
    print(
        f"    {counts['events']:,} events stored with a delivery key for {result.distinct_sent:,} distinct deliveries; "
        f"{result.resends_sent:,} re-sends, {result.webhook.answers.get('duplicate', 0):,} answered duplicate"
    )
    print(f"    {counts['deliveries']:,} WebhookDelivery rows for {result.webhook_sent:,} requests ({by_outcome})")
    print(f"    {counts['sessions']:,} minimal-view rows for {result.minimal_sent:,} requests")
    print(
        f"    {counts['queued']:,} processing tasks queued for the django-q worker (none runs; "
        "each processes every event pending)"
    )
    for example in result.minimal.error_examples + result.webhook.error_examples:
        print(f"  error: {example}")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_targets(results: list[DatabaseResult]) -> None:
    print("\ntargets:")
    for result in results:
        webhook = result.webhook
        if result.name == "SQLite":
            print(
                f"  SQLite: {webhook.per_second:,.0f} deliveries/s >= {TARGET_SQLITE_PER_SECOND}: "
                f"{verdict(webhook.per_second >= TARGET_SQLITE_PER_SECOND)}"
            )
        p99 = webhook.percentile_ms(0.99)
        print(f"  {result.name}: p99 {p99:.1f} ms < {TARGET_P99_MS} ms: {verdict(p99 < TARGET_P99_MS)}")
        clean = webhook.errors == 0 and result.webhook_lost == 0 and result.webhook_stored_twice == 0
        print(
            f"  {result.name}: {webhook.errors} errors, {result.webhook_lost} lost, "
            f"{result.webhook_stored_twice} re-sends stored twice, all zero: {verdict(clean)}"
        )
        share = webhook.per_second / result.minimal.per_second if result.minimal.per_second else 0
        print(
            f"  {result.name}: {share:.2f}x the minimal view's throughput >= {TARGET_SHARE_OF_MINIMAL}: "
            f"{verdict(share >= TARGET_SHARE_OF_MINIMAL)}"
        )
        growth_mb = result.flood_growth_bytes / 1_000_000
        print(
            f"  {result.name}: {result.flood_sent:,} unsigned {FLOOD_BODY_BYTES // 1000} KB posts "
            f"({result.flood_rejected:,} answered 401) grew the database by {growth_mb:.2f} MB "
            f"< {TARGET_FLOOD_GROWTH_MB} MB: {verdict(growth_mb < TARGET_FLOOD_GROWTH_MB)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--deliveries", type=int, default=6_000, help="per measurement (default 6,000)")
    parser.add_argument("--clients", type=int, default=20)
    # Two processes for two cores; four threads each overlap database waits without letting
    # so many SQLite writers queue for the lock that the tail grows (8 threads doubled p99).
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker, gthread (default 4)")
    parser.add_argument("--child-prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--flood", type=int, default=2_000, help="unsigned 250 KB posts (default 2,000)")
    parser.add_argument("--child-count", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child_prepare:
        child_prepare(arguments.child_prepare)
        return
    if arguments.child_count:
        child_count()
        return
    if arguments.child_size:
        child_size()
        return

    path = workbook_for(CUSTOMERS)
    print(
        f"gunicorn gthread, {arguments.workers} workers x {arguments.threads} threads on {os.cpu_count()} CPUs; "
        f"{arguments.clients} keep-alive clients; {arguments.deliveries:,} requests per measurement "
        f"(+{WARMUP_REQUESTS} warm-up), 1 in {RESEND_EVERY} deliveries a re-send; DEBUG off.\n"
        "No django-q worker runs: processing queued after each commit is not part of ingestion.",
        flush=True,
    )
    load = os.getloadavg()[0]
    if load > 0.5:
        print(
            f"Load average {load:.1f} before the run: other work shares the CPUs, so the figures are lower and noisier."
        )
    results = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for database in arguments.databases:
            if database == "sqlite":
                results.append(
                    measure(
                        "SQLite", f"sqlite:///{folder}/webhooks.sqlite3", path=path, arguments=arguments, folder=folder
                    )
                )
                print_table(results[-1])
                continue
            url, reason = postgres_database()
            if url is None:
                print(f"\nPostgreSQL at 127.0.0.1:5432 is not reachable ({reason}): skipped")
                continue
            try:
                results.append(measure("PostgreSQL", url, path=path, arguments=arguments, folder=folder))
            finally:
                postgres_drop()
            print_table(results[-1])
    print_targets(results)


if __name__ == "__main__":
    main()
