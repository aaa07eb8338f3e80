"""Processing webhook events in batches: a burst of deliveries queues one worker task, the task
waits out its window so a late event is not left behind, and two runs never process an event twice."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from customers.models import CustomerEvent, Payment
from events import apps as events_apps
from events import processing, tasks
from events.processing import events_process
from events.providers.procx import sign_standard_webhook
from events.services import delivery_receive
from tests.factories import make_customer, make_event, make_order, make_payment

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + "dGVzdC1zdGFuZGFyZC13ZWJob29rcy1rZXk="


@pytest.fixture
def queued(monkeypatch, settings) -> list[dict[str, Any]]:
    """Tasks queued for the worker, recorded instead of run; the batch window starts afresh."""
    settings.PROCX_WEBHOOK_SECRETS = {**settings.PROCX_WEBHOOK_SECRETS, "procx": [SECRET]}
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "django_q.tasks.async_task", lambda func, *args, **kwargs: calls.append({"func": func, **kwargs})
    )
    monkeypatch.setattr(events_apps._EventBatch, "queued_at", float("-inf"))
    return calls


def webhook_event(customer_id: str, number: int) -> CustomerEvent:
    """A payment failure for the customer, stored through the real ingestion path."""
    body = (
        f'{{"event_type": "payment.failed", "timestamp": "{timezone.now():%Y-%m-%dT%H:%M:%SZ}", '
        f'"data": {{"customer_id": "{customer_id}", "amount": 120.0, "reason": "card_declined", "attempt": {number}}}}}'
    ).encode()
    headers = sign_standard_webhook(
        body=body, secret=SECRET, message_id=f"msg_batch_{number}", timestamp=int(time.time())
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = delivery_receive(source="procx", headers=headers, body=body)
    assert result.status_code == 200, result.body
    return result.delivery.event


@pytest.fixture
def customer_id() -> str:
    customer = make_customer(customer_id="C200001", last_active_date=timezone.now().date())
    make_payment(make_order(customer, order_id="O200001"))
    return customer.pk


def test_a_burst_of_deliveries_queues_one_task_that_processes_them_all(queued, customer_id, settings) -> None:
    settings.PROCX_EVENT_BATCH_SECONDS = 30
    events = [webhook_event(customer_id, number) for number in range(1, 4)]

    assert [call["func"] for call in queued] == ["events.tasks.process_events"]
    assert CustomerEvent.objects.filter(pk__in=[e.pk for e in events], processed_at=None).count() == 3

    settle_until = queued[0]["settle_until"]
    assert 25 < settle_until - time.time() <= 30  # the task will look again once the window is over
    assert tasks.process_events() == 3
    assert not CustomerEvent.objects.filter(pk__in=[e.pk for e in events], processed_at=None).exists()


def test_with_no_window_every_delivery_queues_its_own_task(queued, customer_id, settings) -> None:
    settings.PROCX_EVENT_BATCH_SECONDS = 0
    webhook_event(customer_id, 1)
    webhook_event(customer_id, 2)
    assert len(queued) == 2


def test_once_the_window_has_passed_the_next_delivery_queues_again(queued, customer_id, settings) -> None:
    settings.PROCX_EVENT_BATCH_SECONDS = 30
    webhook_event(customer_id, 1)
    events_apps._EventBatch.queued_at -= 31
    webhook_event(customer_id, 2)
    assert len(queued) == 2


def test_the_task_waits_out_its_window_and_processes_an_event_stored_meanwhile(
    queued, customer_id, monkeypatch
) -> None:
    first = webhook_event(customer_id, 1)
    waited: list[float] = []
    late: list[CustomerEvent] = []

    def sleep(seconds: float) -> None:  # another delivery commits while the task waits
        waited.append(seconds)
        late.append(webhook_event(customer_id, 2))

    monkeypatch.setattr(tasks.time, "sleep", sleep)
    assert tasks.process_events(settle_until=time.time() + 2) == 2
    assert 0 < waited[0] <= 2
    assert CustomerEvent.objects.get(pk=first.pk).processed_at is not None
    assert CustomerEvent.objects.get(pk=late[0].pk).processed_at is not None


def test_the_wait_is_capped(queued, customer_id, monkeypatch) -> None:
    waited: list[float] = []
    monkeypatch.setattr(tasks.time, "sleep", waited.append)
    tasks.process_events(settle_until=time.time() + 3600)
    assert waited == [tasks.MAX_SETTLE_SECONDS]


def test_an_event_another_run_processed_meanwhile_is_not_processed_twice(customer_id, monkeypatch) -> None:
    customer = make_customer(customer_id="C200002")
    order = make_order(customer, order_id="O200002")
    first, second = (
        make_event(
            customer,
            event_id=f"EVT_BATCH_{number}",
            event_type="payment.failed",
            category="COMPLAINT",
            source="procx",
            delivery_key=f"procx:batch-{number}",
            received_at=timezone.now(),
            metadata={"order_id": order.pk, "amount": 50.0, "reason": "card_declined"},
        )
        for number in (1, 2)
    )
    real_apply = processing.event_effects_apply
    applied: list[str] = []

    def other_run_takes_the_second(*, event: CustomerEvent) -> dict[str, Any]:
        if event.pk == first.pk:  # meanwhile, another run processes the second event
            CustomerEvent.objects.filter(pk=second.pk).update(processed_at=timezone.now())
        applied.append(event.pk)
        return real_apply(event=event)

    monkeypatch.setattr(processing, "event_effects_apply", other_run_takes_the_second)
    result = events_process()

    assert applied == [first.pk]
    assert [event.pk for event in result.processed] == [first.pk]
    assert Payment.objects.filter(order=order, status="failed").count() == 1


def test_a_sweep_leaves_an_event_that_failed_before_to_the_scheduled_scan(customer_id) -> None:
    customer = make_customer(customer_id="C200003")
    failed = make_event(
        customer,
        event_id="EVT_BATCH_FAILED",
        event_type="payment.failed",
        source="procx",
        delivery_key="procx:batch-failed",
        received_at=timezone.now(),
        processing_error="OperationalError: database is locked",
    )
    assert tasks.process_events() == 0
    assert CustomerEvent.objects.get(pk=failed.pk).processed_at is None
    assert failed.pk in {event.pk for event in events_process().processed}


def test_a_task_queued_under_its_old_name_before_an_upgrade_still_runs(customer_id) -> None:
    from django.utils.module_loading import import_string

    assert import_string("interventions.tasks.process_events") is tasks.process_events
