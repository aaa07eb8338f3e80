"""Stripe's published examples (events/providers/examples/stripe/, SOURCES.md says where each
comes from) posted through the real endpoint, signed: each is stored as the event it means for
the customer it names, or kept in the inbox saying why; never refused. Then what needs two
deliveries: a dispute or refund found through the payment before it, and one payment reported
by two events stored once."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest

from customers.models import Customer, CustomerEvent
from events.models import ProviderCustomer, WebhookDelivery
from events.providers.base import EXAMPLES_DIR
from events.providers.stripe import EXAMPLES, sign_stripe
from tests.events.test_webhooks import (  # noqa: F401 (autouse fixtures: secrets, tasks inline)
    SECRETS,
    _tasks_run_inline,
    _webhook_settings,
    post,
)
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

# Who the published examples name (SOURCES.md): the invoice and the subscription a Stripe
# customer, the payment method an email; the charge, payment intent, refund and dispute nobody.
STRIPE_CUSTOMER = "cus_QXg1o8vcGmoR32"
EMAIL = "jenny@example.com"
CHARGE = "ch_1PgafuB7WZ01zgkWXYmPNZs8"
PAYMENT_INTENT = "pi_1PgafyB7WZ01zgkWSjxsAJo3"


@pytest.fixture
def customer() -> Customer:
    customer = make_customer(email=EMAIL)
    ProviderCustomer.objects.create(source="stripe", provider_customer_id=STRIPE_CUSTOMER, customer=customer)
    return customer


def _example(file: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((EXAMPLES_DIR / "stripe" / file).read_bytes())
    return payload


def _post(payload: dict[str, Any] | bytes) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return post("stripe", body, sign_stripe(body=body, secret=SECRETS["stripe"], timestamp=int(time.time())))


def _stored() -> list[CustomerEvent]:
    return list(CustomerEvent.objects.exclude(delivery_key=None).order_by("received_at"))


# file: ("accepted", the canonical type) or ("inbox", what the reason says)
EXPECTED = {
    "invoice.payment_failed.json": ("accepted", "subscription.payment_failed"),
    "invoice.payment_succeeded.json": ("accepted", "payment.succeeded"),
    "invoice.paid.json": ("accepted", "payment.succeeded"),
    "payment_intent.payment_failed.json": ("inbox", f"no customer matches payment intent '{PAYMENT_INTENT}'"),
    "payment_intent.succeeded.json": ("inbox", f"no customer matches payment intent '{PAYMENT_INTENT}'"),
    "charge.failed.json": ("inbox", f"no customer matches charge '{CHARGE}'"),
    "charge.succeeded.json": ("inbox", f"no customer matches charge '{CHARGE}'"),
    "charge.refunded.json": ("inbox", f"no customer matches charge '{CHARGE}'"),
    "refund.created.json": ("inbox", f"no customer matches charge '{CHARGE}'"),
    "charge.dispute.created.json": ("inbox", f"no customer matches charge '{CHARGE}'"),
    "customer.subscription.updated.json": ("accepted", "subscription.cancel_scheduled"),
    "customer.subscription.deleted.json": ("accepted", "subscription.cancelled"),
    "payment_method.automatically_updated.json": ("accepted", "payment.method_expired"),
}


def test_every_published_example_is_in_the_schema_and_expected_here() -> None:
    files = {path.name for path in (EXAMPLES_DIR / "stripe").glob("*.json")}
    assert {example.file for example in EXAMPLES} == files == set(EXPECTED)


def test_the_schema_shows_the_published_examples(admin_client) -> None:
    schema = admin_client.get("/api/schema/?format=json").json()
    examples = schema["paths"]["/api/webhooks/stripe/"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    shown = sorted(json.dumps(example["value"], sort_keys=True) for example in examples.values())
    published = sorted(json.dumps(_example(file), sort_keys=True) for file in EXPECTED)
    assert shown == published


@pytest.mark.parametrize(("file", "expected"), EXPECTED.items())
def test_each_published_example_is_stored_or_kept_in_the_inbox_saying_why(file, expected, customer) -> None:
    outcome, meaning = expected
    response = _post((EXAMPLES_DIR / "stripe" / file).read_bytes())
    answer = response.json()
    delivery = WebhookDelivery.objects.get()
    assert (answer["status"], delivery.outcome, delivery.native_type) == (outcome, outcome, file.removesuffix(".json"))
    if outcome == "accepted":
        assert response.status_code == 200
        (event,) = _stored()
        assert (event.event_type, event.customer_id, event.source) == (meaning, customer.pk, "stripe")
        assert event.description == answer["detail"]
        assert event.description.endswith(".")
        assert "None" not in event.description
    else:
        assert response.status_code == 202
        assert meaning in answer["detail"]
        assert meaning in delivery.error
        assert _stored() == []


def test_the_published_invoice_failure_reads_amount_subscription_and_retry(customer) -> None:
    _post(_example("invoice.payment_failed.json"))
    (event,) = _stored()
    facts = ("amount", "currency", "invoice_id", "next_attempt_at", "subscription_id")
    assert [event.metadata[fact] for fact in facts] == [
        "10.00",
        "USD",
        "in_1Pgc6tB7WZ01zgkWu9fdqL6I",
        "2009-02-13T23:31:30Z",
        "subscription",
    ]
    assert "reason" not in event.metadata  # the draft invoice's finalization error has no code
    assert event.description.startswith("Subscription payment of $10.00 failed.")


def test_the_published_subscription_set_to_end_is_a_scheduled_cancellation_with_its_end(customer) -> None:
    _post(_example("customer.subscription.updated.json"))
    (event,) = _stored()
    assert (event.metadata["cancel_at"], event.metadata["amount"], event.metadata["interval"]) == (
        "2009-02-13T23:31:30Z",
        "20.00",
        "month",
    )
    assert "13 Feb 2009" in event.description


def test_the_published_subscription_update_repeated_without_previous_attributes_is_stored_once(customer) -> None:
    first = _example("customer.subscription.updated.json")
    # Ours: the same subscription, still set to end, in a later update with another id.
    again = copy.deepcopy(first) | {"id": "evt_example_repeat", "created": first["created"] + 60}
    again["data"]["object"]["metadata"] = {"seen": "again"}
    stored, repeated = _post(first), _post(again)
    assert (stored.json()["status"], repeated.json()["status"]) == ("accepted", "duplicate")
    assert repeated.json()["event_id"] == stored.json()["event_id"]
    assert len(_stored()) == 1


# --- A dispute or refund names no customer: found through the payment before it ---------------


def _charge_paid_by_a_known_customer() -> dict[str, Any]:
    """Ours: the published charge, as charge.succeeded, naming the customer (the published one
    names nobody)."""
    payload = _example("charge.succeeded.json") | {"id": "evt_ours_charge_succeeded"}
    payload["data"] = {"object": payload["data"]["object"] | {"customer": STRIPE_CUSTOMER}}
    return payload


def _intent_paid_by_a_known_customer() -> dict[str, Any]:
    """Ours: the published payment intent, as payment_intent.succeeded, naming the customer and
    the published charge as its latest."""
    payload = _example("payment_intent.succeeded.json") | {"id": "evt_ours_payment_intent_succeeded"}
    intent = payload["data"]["object"] | {
        "customer": STRIPE_CUSTOMER,
        "latest_charge": CHARGE,
        "amount_received": 1099,
        "status": "succeeded",
        "last_payment_error": None,
    }
    payload["data"] = {"object": intent}
    return payload


@pytest.mark.parametrize("paid", [_charge_paid_by_a_known_customer, _intent_paid_by_a_known_customer])
@pytest.mark.parametrize(
    ("file", "event_type"),
    [("charge.dispute.created.json", "dispute.created"), ("refund.created.json", "refund.requested")],
)
def test_a_published_dispute_or_refund_is_stored_for_whoever_paid_its_charge(paid, file, event_type, customer) -> None:
    assert _post(paid()).json()["status"] == "accepted"

    response = _post(_example(file))

    assert (response.status_code, response.json()["status"]) == (200, "accepted")
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert (event.event_type, event.customer_id, event.metadata["charge_id"]) == (event_type, customer.pk, CHARGE)


def test_a_published_dispute_waits_in_the_inbox_until_its_payment_is_known(customer) -> None:
    from events.services import delivery_reprocess

    assert _post(_example("charge.dispute.created.json")).status_code == 202
    waiting = WebhookDelivery.objects.get(outcome="inbox")
    _post(_charge_paid_by_a_known_customer())

    done = delivery_reprocess(delivery=waiting)

    assert (done.outcome, done.event.event_type, done.event.customer_id) == (
        "reprocessed",
        "dispute.created",
        customer.pk,
    )


# --- One payment, one event: whichever of its events arrives first is stored ------------------

# events.services.content_key_for leaves the type out when an adapter names the facts, so two
# event types that report one payment share a key.


def _ours(native: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Ours: an event of a payment that both a payment intent's and a charge's events report."""
    return {
        "id": f"evt_ours_{native}",
        "object": "event",
        "type": native,
        "created": 1759933920,
        "data": {"object": obj},
    }


_INTENT = {
    "id": "pi_ours",
    "object": "payment_intent",
    "amount": 2000,
    "amount_received": 2000,
    "currency": "usd",
    "customer": STRIPE_CUSTOMER,
    "latest_charge": "ch_ours",
    "status": "succeeded",
}
_CHARGE = {
    "id": "ch_ours",
    "object": "charge",
    "amount": 2000,
    "currency": "usd",
    "customer": STRIPE_CUSTOMER,
    "payment_intent": "pi_ours",
    "status": "succeeded",
    "failure_code": None,
}
_ERROR = {"code": "card_declined", "decline_code": "insufficient_funds", "charge": "ch_ours"}
ONE_PAYMENT = {
    "succeeded": (
        _ours("payment_intent.succeeded", _INTENT),
        _ours("charge.succeeded", _CHARGE),
    ),
    "failed": (
        _ours(
            "payment_intent.payment_failed",
            _INTENT | {"status": "requires_payment_method", "last_payment_error": _ERROR},
        ),
        _ours("charge.failed", _CHARGE | {"status": "failed", "failure_code": "card_declined"}),
    ),
    "invoice paid": (_example("invoice.payment_succeeded.json"), _example("invoice.paid.json")),
}


@pytest.mark.parametrize("first_arrives", [0, 1])
@pytest.mark.parametrize("payment", ONE_PAYMENT)
def test_one_payment_reported_by_two_events_is_stored_once_in_either_order(payment, first_arrives, customer) -> None:
    first, second = ONE_PAYMENT[payment][first_arrives], ONE_PAYMENT[payment][1 - first_arrives]

    stored, repeated = _post(first), _post(second)

    assert (stored.json()["status"], repeated.json()["status"]) == ("accepted", "duplicate")
    assert repeated.status_code == 200
    assert repeated.json()["event_id"] == stored.json()["event_id"]
    (event,) = _stored()
    assert event.metadata["native_type"] == first["type"]


def test_two_failed_attempts_at_one_payment_intent_are_two_events(customer) -> None:
    intent = _INTENT | {"status": "requires_payment_method", "last_payment_error": _ERROR}
    first = _ours("payment_intent.payment_failed", intent)
    second = _ours("payment_intent.payment_failed", intent | {"latest_charge": "ch_ours_2"}) | {"id": "evt_ours_2"}
    assert [_post(payload).json()["status"] for payload in (first, second)] == ["accepted", "accepted"]
    assert len(_stored()) == 2
