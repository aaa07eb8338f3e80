"""Shopify's own published sample payloads (events/providers/examples/shopify/, SOURCES.md says
where each is from), each posted signed through /api/webhooks/shopify/ with its topic: stored
(200) or kept in the inbox saying why (202), never refused (400) or a crash (500).

Payloads marked "ours" are Shopify's samples with a field changed, built here because Shopify
publishes no sample of that state (a paid order, a consent change, a parcel on its way)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from customers.models import Customer, CustomerEvent
from events.models import WebhookDelivery
from events.providers.base import EXAMPLES_DIR
from events.providers.shopify import EXAMPLES, sign_shopify
from tests.events.test_webhooks import SECRETS, _tasks_run_inline, _webhook_settings, post  # noqa: F401  (fixtures)
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

ORDER_ID = "820982911946154508"  # every order sample's, and the refund's order_id


def sample(file: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / "shopify" / file).read_text())


def deliver(topic: str, body: bytes | dict[str, Any], *, webhook_id: str | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Shop-Domain": "jsmith.myshopify.com",
        **sign_shopify(body=raw, secret=SECRETS["shopify"]),
    }
    return post("shopify", raw, headers)


@pytest.fixture
def shoppers() -> dict[str, Customer]:
    """The people Shopify's samples name, as ProCX customers."""
    return {
        "john": make_customer(customer_id="C200001", email="john@example.com"),  # the orders' and checkout's customer
        "jon": make_customer(customer_id="C200002", email="jon@example.com"),  # the fulfillment's email
        "bob": make_customer(customer_id="C200003", email="bob@biller.com"),  # the customers/update sample
    }


# file: (status, the event type stored, or what the inbox reason says)
PUBLISHED = {
    "orders_create.json": (200, "order.placed"),
    "orders_paid.json": (
        202,
        "orders/paid: suspicious, the body contradicts the topic: its financial_status is voided",
    ),
    "orders_cancelled.json": (200, "order.cancelled"),
    "orders_fulfilled.json": (
        202,
        "orders/fulfilled: suspicious, the body contradicts the topic: its fulfillment_status is not set",
    ),
    "fulfillments_create.json": (202, "fulfillments/create: shipment_status not set is not a state ProCX records"),
    "refunds_create.json": (202, f"no customer matches order '{ORDER_ID}'"),
    "customers_update.json": (202, "customers/update: no email marketing consent in the payload"),
    "checkouts_update.json": (200, "cart.abandoned"),
}


def test_every_published_example_is_posted_here() -> None:
    assert {example.file for example in EXAMPLES} == set(PUBLISHED)
    assert {path.name for path in (EXAMPLES_DIR / "shopify").glob("*.json")} == set(PUBLISHED)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.file)
def test_each_published_sample_is_stored_or_kept_saying_why(example, shoppers) -> None:
    topic = (example.headers or {})["X-Shopify-Topic"]
    status, expected = PUBLISHED[example.file]
    response = deliver(topic, example.body("shopify"))
    assert response.status_code == status, response.json()
    delivery = WebhookDelivery.objects.get()
    if status == 200:
        event = CustomerEvent.objects.get(pk=response.json()["event_id"])
        assert (event.event_type, event.metadata["native_type"], delivery.outcome) == (expected, topic, "accepted")
        assert event.customer_id == shoppers["john"].pk
        assert "None" not in event.description
    else:
        assert response.json()["status"] == "inbox"
        assert expected in response.json()["detail"]
        assert delivery.outcome == "inbox"
        assert delivery.native_type.startswith(topic)


def test_the_published_order_is_stored_with_its_facts(shoppers) -> None:
    response = deliver("orders/create", sample("orders_create.json"))
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert {key: event.metadata[key] for key in ("order_id", "order_name", "amount", "currency", "item_count")} == {
        "order_id": ORDER_ID,
        "order_name": "#9999",
        "amount": "404.95",
        "currency": "USD",
        "item_count": 5,
    }
    assert event.metadata["payment_gateway"] == "visa"
    assert event.description.startswith("The customer placed order #9999")


def test_the_published_refund_with_no_currency_is_stored_for_the_customer_of_its_order(shoppers) -> None:
    assert deliver("orders/create", sample("orders_create.json")).status_code == 200
    response = deliver("refunds/create", sample("refunds_create.json"))
    assert response.status_code == 200, response.json()
    refund = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert (refund.event_type, refund.customer_id) == ("refund.requested", shoppers["john"].pk)
    # Its transactions say "currency": null; the refunded lines' money sets say USD.
    assert (refund.metadata["amount"], refund.metadata["currency"], refund.metadata["order_id"]) == (
        "85.00",
        "USD",
        ORDER_ID,
    )


def test_a_replay_under_a_new_webhook_id_is_acknowledged_and_stored_once(shoppers) -> None:
    body = (EXAMPLES_DIR / "shopify" / "orders_create.json").read_bytes()
    first, replay = deliver("orders/create", body), deliver("orders/create", body)
    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json()["status"] == "duplicate"
    assert replay.json()["event_id"] == first.json()["event_id"]
    assert CustomerEvent.objects.filter(source="shopify").count() == 1


def test_the_same_webhook_id_twice_is_stored_once(shoppers) -> None:
    body = sample("checkouts_update.json")
    first, again = (
        deliver("checkouts/update", body, webhook_id="wh-1"),
        deliver("checkouts/update", body, webhook_id="wh-1"),
    )
    assert (first.json()["status"], again.json()["status"]) == ("accepted", "duplicate")


# --- Ours: Shopify's samples in the states Shopify publishes no sample of ----------------------


def test_a_paid_order_is_one_payment_however_often_shopify_sends_it(shoppers) -> None:
    paid = sample("orders_paid.json") | {"financial_status": "paid"}  # ours
    first = deliver("orders/paid", paid)
    assert first.status_code == 200, first.json()
    event = CustomerEvent.objects.get(pk=first.json()["event_id"])
    assert (event.event_type, event.metadata["paid_amount"]) == ("payment.succeeded", "404.95")
    resent = deliver("orders/paid", paid | {"updated_at": "2022-01-02T10:00:00-05:00"})  # ours: a later resend
    assert (resent.status_code, resent.json()["status"]) == (200, "duplicate")
    assert CustomerEvent.objects.filter(event_type="payment.succeeded").count() == 1


def test_a_fulfilled_order_is_shipped(shoppers) -> None:
    fulfilled = sample("orders_fulfilled.json") | {  # ours
        "fulfillment_status": "fulfilled",
        "fulfillments": [sample("fulfillments_create.json")],
    }
    response = deliver("orders/fulfilled", fulfilled)
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert (event.event_type, event.metadata["carrier"], event.metadata["tracking_number"]) == (
        "order.shipped",
        "UPS",
        "1z827wk74630",
    )


def test_a_parcel_in_transit_is_one_shipment_and_then_delivered(shoppers) -> None:
    fulfillment = sample("fulfillments_create.json")
    statuses = [
        deliver("fulfillments/update", fulfillment | change).json()["status"]
        for change in (  # ours: the carrier's updates of the sample's parcel
            {"shipment_status": "in_transit", "updated_at": "2022-01-01T08:00:00-05:00"},
            {"shipment_status": "in_transit", "updated_at": "2022-01-01T20:00:00-05:00"},
            {"shipment_status": "out_for_delivery", "updated_at": "2022-01-02T07:00:00-05:00"},
            {"shipment_status": "delivered", "updated_at": "2022-01-02T11:00:00-05:00"},
        )
    ]
    assert statuses == ["accepted", "duplicate", "duplicate", "accepted"]
    types = CustomerEvent.objects.filter(customer=shoppers["jon"]).values_list("event_type", flat=True)
    assert sorted(types) == ["order.delivered", "order.shipped"]


def test_a_failed_delivery_is_stored_as_a_failure(shoppers) -> None:
    failed = sample("fulfillments_create.json") | {"shipment_status": "failure"}  # ours
    response = deliver("fulfillments/update", failed)
    assert CustomerEvent.objects.get(pk=response.json()["event_id"]).event_type == "shipment.failed"


def test_a_customer_update_is_stored_once_per_consent_change(shoppers) -> None:
    customer = sample("customers_update.json")
    consent = {
        "state": "subscribed",
        "opt_in_level": "single_opt_in",
        "consent_updated_at": "2022-01-05T10:00:00-05:00",
    }
    subscribed = customer | {"email_marketing_consent": consent}  # ours
    renamed = subscribed | {"first_name": "Robert", "updated_at": "2022-02-01T10:00:00-05:00"}  # ours: another change
    unsubscribed = subscribed | {  # ours
        "email_marketing_consent": consent
        | {"state": "unsubscribed", "consent_updated_at": "2022-03-01T10:00:00-05:00"}
    }
    answers = [deliver("customers/update", body) for body in (subscribed, renamed, unsubscribed)]
    assert [(answer.status_code, answer.json()["status"]) for answer in answers] == [
        (200, "accepted"),
        (200, "duplicate"),
        (200, "accepted"),
    ]
    types = (
        CustomerEvent.objects.filter(customer=shoppers["bob"])
        .order_by("event_time")
        .values_list("event_type", flat=True)
    )
    assert list(types) == ["email.subscribed", "email.unsubscribe"]


@pytest.mark.parametrize(
    ("topic", "file"),
    [
        ("orders/create", "refunds_create.json"),
        ("refunds/create", "orders_create.json"),
        ("checkouts/update", "orders_create.json"),
    ],
)
def test_a_sample_sent_under_another_topic_is_kept_as_suspicious(topic, file, shoppers) -> None:
    response = deliver(topic, sample(file))
    assert response.status_code == 202
    assert f"shopify {topic}: suspicious, the body contradicts the topic: the body is" in response.json()["detail"]
    assert not CustomerEvent.objects.exists()
    # The log shows the topic as sent, and the reason beside it.
    delivery = WebhookDelivery.objects.get()
    assert delivery.native_type == topic
    assert "suspicious" in delivery.error


def test_the_schema_shows_the_headers_read_and_every_published_sample(admin_client) -> None:
    schema = admin_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/webhooks/shopify/"]["post"]
    headers = {parameter["name"]: parameter.get("required", False) for parameter in operation["parameters"]}
    assert headers == {
        "X-Shopify-Topic": True,
        "X-Shopify-Webhook-Id": False,
        "X-Shopify-Triggered-At": False,
        "X-Shopify-Shop-Domain": False,
        "X-Shopify-Event-Id": False,
    }
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    # drf-spectacular names an example in CamelCase: refunds_create.json is RefundsCreate.
    assert set(examples) == {file.removesuffix(".json").title().replace("_", "") for file in PUBLISHED}
    assert examples["RefundsCreate"]["value"] == sample("refunds_create.json")
    assert "X-Shopify-Topic: refunds/create" in examples["RefundsCreate"]["description"]
