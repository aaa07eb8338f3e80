from __future__ import annotations

import json
import logging
import random
import time
import urllib.error
import urllib.request
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings

from customers.models import Customer, CustomerEvent, Order
from demo.samples import SAMPLES, SampleDelivery, sample_delivery, secret_variable, throwaway_secret

RULE = "=" * 78


class Command(BaseCommand):
    help = (
        "Show event-driven mode: post signed sample deliveries (a Stripe payment failure, a Shopify abandoned "
        "checkout, a Zendesk escalation, a Qualtrics detractor and ProCX's own envelope) for real customers "
        "through the real endpoints, and print each payload, its description and the customer's health "
        "before and after."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--url",
            help="post to a running ProCX, e.g. http://127.0.0.1:8000 (default: in-process, processed at once)",
        )
        parser.add_argument("--seed", type=int, default=None, help="pick the same customers every time")
        parser.add_argument(
            "--wait", type=float, default=30.0, help="with --url, seconds to wait for the worker's re-score"
        )

    def handle(self, *args: Any, url: str | None, seed: int | None, wait: float, **options: Any) -> None:
        customers = self._customers(len(SAMPLES), seed)
        sources = sorted({spec.source for spec in SAMPLES})
        missing = [source for source in sources if not settings.PROCX_WEBHOOK_SECRETS.get(source)]
        if url:
            # The server verifies with its own environment: this shell must sign with the same.
            variables = ", ".join(secret_variable(source) for source in sources)
            if missing:
                raise CommandError(
                    f"no secret for {', '.join(missing)}: to post to {url}, set "
                    f"{', '.join(secret_variable(source) for source in missing)} here to the values the server "
                    f"verifies with (the server needs {variables}; make run sets demo ones, listed at the top "
                    "of the Makefile)"
                )
            self.stdout.write(f"The server at {url} must verify with the same secrets as this shell: {variables}.")
        throwaway = {source: [throwaway_secret(source)] for source in missing}
        if throwaway:
            # In this process the endpoints verify with the settings: a secret made for this run
            # signs and verifies, and nothing outside the run ever accepts it.
            for source in missing:
                self.stdout.write(
                    f"No secret for {source} is configured ({secret_variable(source)}): signing with a throwaway "
                    "one made for this run, which the endpoints in this process verify with."
                )
        with override_settings(PROCX_WEBHOOK_SECRETS={**settings.PROCX_WEBHOOK_SECRETS, **throwaway}):
            deliveries = [
                sample_delivery(spec, customer_id=customer.pk, email=customer.email, order_id=order_id)
                for spec, (customer, order_id) in zip(SAMPLES, customers, strict=True)
            ]
            target = url.rstrip("/") if url else "in-process (Django's test client; processed at once)"
            self.stdout.write(f"Posting {len(deliveries)} signed deliveries to {target}")
            for number, delivery in enumerate(deliveries, start=1):
                self._show(number, delivery, url=url, wait=wait)

    def _customers(self, count: int, seed: int | None) -> list[tuple[Customer, str]]:
        ids = list(Customer.objects.filter(orders__isnull=False).distinct().order_by("pk").values_list("pk", flat=True))
        if len(ids) < count:
            raise CommandError("there are too few customers with orders: import a workbook first (make run does)")
        chosen = random.Random(seed).sample(ids, count)
        picked = []
        for customer_id in chosen:
            customer = Customer.objects.get(pk=customer_id)
            order_id = Order.objects.filter(customer=customer).order_by("-order_date").values_list("pk", flat=True)[0]
            picked.append((customer, order_id))
        return picked

    def _post(self, delivery: SampleDelivery, url: str | None) -> tuple[int, dict[str, Any]]:
        if url is None:
            from django_q.conf import Conf

            sync, Conf.SYNC = Conf.SYNC, True  # run the after-commit processing now, in this process
            queue_log = logging.getLogger("django-q")
            level = queue_log.level
            queue_log.setLevel(logging.WARNING)  # the inline worker's start and stop lines are noise here
            try:
                # The test client says it is "testserver"; present a host this site accepts instead.
                host = next((host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"), "localhost")
                response = Client().post(
                    delivery.path,
                    data=delivery.body,
                    content_type="application/json",
                    headers={**delivery.headers, "Host": host},
                )
            finally:
                Conf.SYNC = sync
                queue_log.setLevel(level)
            return response.status_code, response.json()
        request = urllib.request.Request(
            f"{url.rstrip('/')}{delivery.path}", data=delivery.body, headers=delivery.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
        except (urllib.error.URLError, OSError) as error:
            raise CommandError(f"cannot reach {url}: {error}") from error

    def _show(self, number: int, delivery: SampleDelivery, *, url: str | None, wait: float) -> None:
        write = self.stdout.write
        write("")
        write(RULE)
        write(f"{number}. {delivery.spec.title}  ->  POST {delivery.path}")
        write(RULE)
        write(json.dumps(delivery.payload, indent=2, ensure_ascii=False))
        status, answer = self._post(delivery, url)
        write("")
        write(f"Answer    {status} {answer.get('status', '')}")
        write(f"Reads     {answer.get('detail', '')}")
        if status == 401 and url:
            write(
                f"Note      the server at {url} verifies {delivery.spec.source} with another secret than this "
                f"shell's {secret_variable(delivery.spec.source)}: set the same value in both"
            )
        event_id = answer.get("event_id")
        if not event_id:
            return
        if answer.get("status") == "duplicate":
            write(f"Note      stored once already, as event {event_id}: nothing changes for the customer")
            return
        event = self._processed(event_id, wait if url else 0)
        if event is None:
            write("Health    not re-scored yet: is the worker running (make run starts it)?")
            return
        write(f"Customer  {event.customer_id}")
        before = "not scored" if event.health_before is None else f"{event.health_before:.1f}"
        after = "-" if event.health_after is None else f"{event.health_after:.1f}"
        risk = ""
        if event.risk_after is not None:
            risk_before = "?" if event.risk_before is None else f"{event.risk_before:.0%}"
            risk = f"; churn risk {risk_before} -> {event.risk_after:.0%}"
        write(f"Health    {before} -> {after}{risk}")
        for effect in event.metadata.get("effects", []):
            write(f"Sheets    {effect}")
        if event.processing_error:
            write(f"Note      {event.processing_error}")
        drafted = event.interventions.first()
        if drafted is not None:
            write(f"Outreach  intervention {drafted.pk} drafted ({drafted.channel}, {drafted.action}), pending review")

    def _processed(self, event_id: str, wait: float) -> CustomerEvent | None:
        deadline = time.monotonic() + wait
        while True:
            event = CustomerEvent.objects.filter(pk=event_id).first()
            if event is not None and event.processed_at is not None:
                return event
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.5)
