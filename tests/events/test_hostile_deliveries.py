"""Deliveries meant to hurt, and a real provider's odd ones (issue 13): a rejected body is not
kept, the log is pruned but never the inbox, a hostile body is a logged 400 and never a 500, and
Shopify's refund with a null currency is accepted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from customers.models import CustomerEvent
from events.models import DeliveryOutcome, WebhookDelivery
from events.providers.procx import sign_standard_webhook
from events.providers.qualtrics import sign_qualtrics
from events.providers.shopify import sign_shopify
from events.providers.stripe import sign_stripe
from events.providers.zendesk import sign_zendesk
from events.services import deliveries_prune
from tests.events.test_webhooks import (  # noqa: F401 (autouse fixtures: secrets, tasks inline)
    SECRETS,
    URLS,
    _tasks_run_inline,
    _webhook_settings,
)
from tests.factories import make_customer, make_order

pytestmark = pytest.mark.django_db


def signed(source: str, body: bytes, *, topic: str = "orders/cancelled") -> dict[str, str]:
    """The headers `source` would send with `body`, signed with the test secret."""
    now = int(time.time())
    if source == "procx":
        return sign_standard_webhook(
            body=body, secret=SECRETS["procx"], message_id=f"msg_{uuid.uuid4().hex}", timestamp=now
        )
    if source == "stripe":
        return sign_stripe(body=body, secret=SECRETS["stripe"], timestamp=now)
    if source == "shopify":
        return {
            "X-Shopify-Topic": topic,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            **sign_shopify(body=body, secret=SECRETS["shopify"]),
        }
    if source == "zendesk":
        stamp = dt.datetime.fromtimestamp(now, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return sign_zendesk(body=body, secret=SECRETS["zendesk"], timestamp=stamp)
    return sign_qualtrics(body=body, secret=SECRETS["qualtrics"])


def post(source: str, body: bytes, headers: dict[str, str]):
    return Client().post(URLS[source], data=body, content_type="application/json", headers=headers)


# --- a rejected body is not kept ----------------------------------------------------------------


@pytest.mark.parametrize("source", list(URLS))
def test_a_rejected_delivery_keeps_its_headers_size_hash_and_reason_but_not_its_body(source) -> None:
    body = json.dumps({"padding": "x" * 50_000}).encode()
    response = post(source, body, {"X-Shopify-Topic": "orders/create"})
    assert response.status_code == 401
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == DeliveryOutcome.REJECTED
    assert delivery.body == ""
    assert delivery.body_bytes == len(body)
    assert delivery.body_sha256 == hashlib.sha256(body).hexdigest()
    assert delivery.error
    assert delivery.headers.get("x-shopify-topic") == "orders/create"


def test_a_flood_of_unsigned_posts_stores_no_body_at_all() -> None:
    body = b'{"a": "' + b"x" * 250_000 + b'"}'
    for _ in range(40):
        assert post("stripe", body, {}).status_code == 401
    assert WebhookDelivery.objects.count() == 40
    assert sum(len(delivery.body) for delivery in WebhookDelivery.objects.all()) == 0


def test_a_verified_delivery_keeps_its_body_for_the_inbox() -> None:
    body = json.dumps(
        {"event_type": "payment.failed", "timestamp": "2025-10-08T10:00:00Z", "data": {"customer_id": "C999999"}}
    ).encode()
    response = post("procx", body, signed("procx", body))
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert delivery.body == body.decode()
    assert delivery.body_sha256 == hashlib.sha256(body).hexdigest()


# --- pruning ------------------------------------------------------------------------------------


def _logged(outcome: str, *, days_ago: float) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        source="stripe",
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        outcome=outcome,
        status_code={"inbox": 202, "rejected": 401}.get(outcome, 200),
    )


# (outcome, age in days) -> kept after pruning at the default 30 days?
PRUNING = [
    (DeliveryOutcome.ACCEPTED, 1, True),
    (DeliveryOutcome.ACCEPTED, 29.9, True),
    (DeliveryOutcome.ACCEPTED, 30.1, False),
    (DeliveryOutcome.DUPLICATE, 45, False),
    (DeliveryOutcome.REJECTED, 31, False),
    (DeliveryOutcome.INVALID, 90, False),
    (DeliveryOutcome.TOO_LARGE, 365, False),
    (DeliveryOutcome.REPROCESSED, 60, False),
    (DeliveryOutcome.INBOX, 1, True),
    (DeliveryOutcome.INBOX, 400, True),  # the inbox is kept until staff handle it
]


@pytest.mark.parametrize(("outcome", "days_ago", "kept"), PRUNING)
def test_pruning_keeps_the_last_month_and_every_inbox_entry(outcome, days_ago, kept, settings) -> None:
    settings.PROCX_WEBHOOK_LOG_DAYS = 30
    delivery = _logged(outcome, days_ago=days_ago)
    deleted = deliveries_prune()
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists() is kept
    assert deleted == (0 if kept else 1)


def test_pruning_a_delivery_leaves_its_stored_event() -> None:
    customer = make_customer()
    event = CustomerEvent.objects.create(
        event_id="EVT_1", customer=customer, event_type="payment.failed", event_time=timezone.now()
    )
    old = _logged(DeliveryOutcome.ACCEPTED, days_ago=60)
    old.event = event
    old.save()
    deliveries_prune()
    assert not WebhookDelivery.objects.exists()
    assert CustomerEvent.objects.filter(pk="EVT_1").exists()


def test_the_scheduled_scan_prunes_the_log(settings, monkeypatch) -> None:
    from interventions import tasks

    monkeypatch.setattr(tasks, "proactive_scan_run", lambda **kwargs: (type("Scan", (), {"pk": 1})(), []))
    old = _logged(DeliveryOutcome.ACCEPTED, days_ago=31)
    tasks.scheduled_scan()
    assert not WebhookDelivery.objects.filter(pk=old.pk).exists()


# --- hostile bodies: a logged 400, never a 500 ---------------------------------------------------


def _nested(depth: int) -> bytes:
    return b'{"a": ' + b"[" * depth + b"]" * depth + b"}"


HOSTILE = {
    "nested 10,000 deep": _nested(10_000),
    "nested 100,000 deep": _nested(100_000),
    "a 5,000-digit number": b'{"amount": ' + b"9" * 5_000 + b"}",
    "invalid UTF-8": b'{"name": "\xff\xfe\xfa"}',
    "a bare array": b"[1, 2, 3]",
    "not JSON at all": b"\x00\x01\x02",
    "NUL bytes around JSON": b'\x00{"a": 1}\x00',
    "a NUL escaped in a string": b'{"event_type": "payment.failed", "note": "a\\u0000b"}',
}


@pytest.mark.parametrize("source", list(URLS))
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_signed_body_is_a_logged_400_never_a_500(source, name) -> None:
    body = HOSTILE[name]
    response = post(source, body, signed(source, body))
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "body"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code == response.status_code
    assert delivery.body_sha256 == hashlib.sha256(body).hexdigest()
    assert not CustomerEvent.objects.exists()


# --- Shopify's refund with a null currency -------------------------------------------------------


REFUND_WITH_NULL_CURRENCY = {
    # Shaped like Shopify's refunds/create reference sample: the transaction's currency is null;
    # the refunded line's shop money says USD.
    "id": 509562969,
    "order_id": 820982911946154508,
    "created_at": "2025-10-08T10:00:00-04:00",
    "note": "it did not fit",
    "restock": True,
    "refund_line_items": [
        {
            "id": 104689539,
            "quantity": 1,
            "line_item_id": 703073504,
            "restock_type": "legacy_restock",
            "subtotal": 85.0,
            "total_tax": 0.0,
            "subtotal_set": {
                "shop_money": {"amount": "85.00", "currency_code": "USD"},
                "presentment_money": {"amount": "85.00", "currency_code": "USD"},
            },
            "line_item": {"id": 703073504, "title": "Silk scarf", "quantity": 1, "price": "85.00"},
        }
    ],
    "transactions": [
        {
            "id": 179259969,
            "order_id": 820982911946154508,
            "kind": "refund",
            "gateway": "bogus",
            "status": "success",
            "amount": "85.00",
            "currency": None,
        }
    ],
}


def test_a_shopify_refund_whose_transactions_have_a_null_currency_is_read_in_the_lines_currency() -> None:
    from events.providers import adapt

    body = json.dumps(REFUND_WITH_NULL_CURRENCY).encode()
    event = adapt(
        source="shopify",
        headers={"X-Shopify-Topic": "refunds/create", "X-Shopify-Webhook-Id": "w-1"},
        body=body,
        received_at=timezone.now(),
    )
    assert event.event_type == "refund.requested"
    assert (event.data["amount"], event.data["currency"]) == ("85.00", "USD")


def test_a_shopify_refund_with_a_null_currency_is_never_answered_400() -> None:
    """Before, a 400: Shopify retried it 8 times and dropped it. A refund names no customer, so
    it waits in the inbox (202, kept with its body) until it can be matched."""
    make_order(make_customer(customer_id="C100109", email="priya@example.com"), order_id="O300789")
    body = json.dumps(REFUND_WITH_NULL_CURRENCY).encode()
    response = post("shopify", body, signed("shopify", body, topic="refunds/create"))
    assert response.status_code == 202, response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == DeliveryOutcome.INBOX
    assert delivery.body == body.decode()


@pytest.mark.parametrize("currency", [None, "", "usd"])
def test_a_refund_transaction_currency_missing_or_lowercase_still_reads(currency) -> None:
    from events.providers import adapt

    payload = json.loads(json.dumps(REFUND_WITH_NULL_CURRENCY))
    payload["transactions"][0]["currency"] = currency
    event = adapt(
        source="shopify",
        headers={"X-Shopify-Topic": "refunds/create", "X-Shopify-Webhook-Id": "w-2"},
        body=json.dumps(payload).encode(),
        received_at=timezone.now(),
    )
    assert event.data["currency"] == "USD"
