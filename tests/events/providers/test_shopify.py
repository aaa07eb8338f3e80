"""Shopify: its X-Shopify-Hmac-Sha256 signature, every mapped topic read into a canonical event, and a
body that contradicts its (unsigned) topic never stored as that topic's type.

The payloads here are ours, built for the tests (Shopify's own samples are posted in
test_published_shopify.py); the two fixtures come from fixtures/webhooks/."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest

from events.providers.shopify import sign_shopify, verify_shopify
from events.webhook_types import CanonicalEvent, CustomerRef, PayloadError, UnknownEventType
from tests.events.providers.support import (
    BODY,
    NOW,
    OTHER_SECRET,
    RECEIVED,
    SECRET,
    _read,
    _refused,
    _sample,
    _set_aside,
    rejection,
)

# --- Shopify --------------------------------------------------------------------------------


def test_it_accepts_a_shopify_signature_computed_independently_with_hmac() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    headers = {"X-SHOPIFY-HMAC-SHA256": base64.b64encode(digest).decode()}

    verify_shopify(body=BODY, headers=headers, secrets=[SECRET], now=NOW)
    assert sign_shopify(body=BODY, secret=SECRET) == {"X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode()}


def test_it_rejects_a_tampered_shopify_body() -> None:
    headers = sign_shopify(body=BODY, secret=SECRET)

    assert rejection(verify_shopify, body=BODY[:-1], headers=headers, secrets=[SECRET]) == (
        "no signature matches any configured secret"
    )


def test_it_rejects_a_shopify_signature_made_with_the_wrong_secret() -> None:
    headers = sign_shopify(body=BODY, secret=OTHER_SECRET)

    assert "no signature matches" in rejection(verify_shopify, headers=headers, secrets=[SECRET])


def test_it_rejects_a_shopify_delivery_without_its_signature_header() -> None:
    assert rejection(verify_shopify, headers={"X-Shopify-Topic": "orders/cancelled"}, secrets=[SECRET]) == (
        "missing header X-Shopify-Hmac-Sha256"
    )


def test_it_rejects_a_shopify_signature_that_is_not_base64() -> None:
    message = rejection(verify_shopify, headers={"X-Shopify-Hmac-Sha256": "%%%"}, secrets=[SECRET])

    assert message == "header X-Shopify-Hmac-Sha256 is malformed: its signature does not decode"


def test_it_accepts_a_shopify_delivery_signed_with_the_rotated_secret() -> None:
    headers = sign_shopify(body=BODY, secret=OTHER_SECRET)

    verify_shopify(body=BODY, headers=headers, secrets=[SECRET, OTHER_SECRET], now=NOW)


# --- Reading the topics -----------------------------------------------------------------------


def _shopify_headers(topic: str, **extra: str) -> dict[str, str]:
    return {"X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": "wh_1", **extra}


CHECKOUT, CHECKOUT_HEADERS = _sample("shopify_checkouts_update_abandoned")
ORDER, _ = _sample("shopify_orders_cancelled")  # cancelled, refunded, not fulfilled
# Ours: the same order at the other points of its life.
ORDER_PLACED = {key: value for key, value in ORDER.items() if key not in ("cancelled_at", "cancel_reason")} | {
    "financial_status": "pending",
    "payment_gateway_names": ["shopify_payments", "manual"],
    "discount_codes": [{"code": "AUTUMN10", "amount": "12.95", "type": "percentage"}],
    "line_items": [
        {"title": "Ceramic Pour-Over Set", "quantity": 1, "price": "129.50", "product_id": 8801},
        {"title": "Paper Filters", "quantity": 2, "price": "6.00", "product_id": 8802},
        {"title": "Gift wrap", "quantity": 1, "price": "0.00", "product_id": None},
    ],
}
ORDER_PAID = ORDER_PLACED | {"financial_status": "paid"}
ORDER_FULFILLED = ORDER_PAID | {
    "fulfillment_status": "fulfilled",
    "fulfillments": [
        {"id": 4400, "status": "cancelled", "tracking_company": None, "tracking_number": None},
        {
            "id": 4401,
            "status": "success",
            "tracking_company": "DHL Express",
            "tracking_number": "JD0146000012345678",
            "tracking_url": "https://www.dhl.com/track?id=JD0146000012345678",
        },
    ],
}
REFUND_CREATED = {
    "id": 509562969,
    "order_id": 450789469,
    "created_at": "2025-10-08T11:00:00-04:00",
    "note": "wrong size",
    "refund_line_items": [{"quantity": 2, "line_item": {"title": "Silk Scarf"}, "subtotal": "40.00"}],
    "transactions": [
        {"kind": "refund", "status": "success", "amount": "40.00", "currency": "EUR"},
        {"kind": "refund", "status": "success", "amount": "4.50", "currency": "EUR"},
        {"kind": "refund", "status": "failure", "amount": "99.00", "currency": "EUR"},
        {"kind": "sale", "status": "success", "amount": "120.00", "currency": "EUR"},
    ],
}
FULFILLMENT = {
    "id": 255858046,
    "order_id": 450789469,
    "name": "#1001.1",
    "email": "customer@example.com",
    "status": "success",
    "shipment_status": "delivered",
    "tracking_company": "UPS",
    "tracking_number": "1Z2345",
    "updated_at": "2025-10-09T12:00:00-04:00",
    "line_items": [{"title": "Silk Scarf", "quantity": 1}],
}
IN_TRANSIT = FULFILLMENT | {"shipment_status": "in_transit", "updated_at": "2025-10-08T09:00:00-04:00"}
PRODUCT = {
    "id": 632910392,
    "title": "Trail Runner 2 Shoes",
    "handle": "trail-runner-2",
    "updated_at": "2025-10-08T12:00:00-04:00",
    "variants": [{"id": 1, "inventory_quantity": 0}, {"id": 2, "inventory_quantity": -1}],
}
SHOPIFY_CUSTOMER = {
    "id": 7520143982629,
    "email": "customer@example.com",
    "first_name": "Priya",
    "tags": "procx_customer_id:C100109",
    "updated_at": "2025-10-08T12:00:00-04:00",
    "email_marketing_consent": {"state": "unsubscribed", "consent_updated_at": "2025-10-08T12:00:00-04:00"},
}
SUBSCRIBED = SHOPIFY_CUSTOMER | {
    "email_marketing_consent": {"state": "subscribed", "consent_updated_at": "2025-10-09T08:30:00-04:00"}
}


@pytest.mark.parametrize(
    ("topic", "payload", "event_type"),
    [
        ("orders/create", ORDER_PLACED, "order.placed"),
        ("orders/paid", ORDER_PAID, "payment.succeeded"),
        ("orders/cancelled", ORDER, "order.cancelled"),
        ("orders/fulfilled", ORDER_FULFILLED, "order.shipped"),
        ("checkouts/create", CHECKOUT, "cart.abandoned"),
        ("checkouts/update", CHECKOUT, "cart.abandoned"),
        ("refunds/create", REFUND_CREATED, "refund.requested"),
        ("fulfillments/create", FULFILLMENT, "order.delivered"),
        ("fulfillments/update", FULFILLMENT, "order.delivered"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "picked_up"}, "order.delivered"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "attempted_delivery"}, "shipment.delayed"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "delayed"}, "shipment.delayed"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "failure"}, "shipment.failed"),
        ("fulfillments/create", FULFILLMENT | {"shipment_status": "label_printed"}, "order.shipped"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "label_purchased"}, "order.shipped"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "confirmed"}, "order.shipped"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "carrier_picked_up"}, "order.shipped"),
        ("fulfillments/update", IN_TRANSIT, "order.shipped"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "out_for_delivery"}, "order.shipped"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "ready_for_pickup"}, "order.shipped"),
        ("products/update", PRODUCT, "product.out_of_stock"),
        ("customers/update", SHOPIFY_CUSTOMER, "email.unsubscribe"),
        ("customers/update", SUBSCRIBED, "email.subscribed"),
    ],
)
def test_each_shopify_topic_maps_to_its_canonical_type(topic, payload, event_type) -> None:
    event = _read("shopify", payload, _shopify_headers(topic))
    assert (event.event_type, event.native_type, event.delivery_id) == (event_type, topic, "wh_1")


def test_shopify_headers_are_read_whatever_their_case() -> None:
    headers = {"x-shopify-topic": "checkouts/update", "x-shopify-webhook-id": "wh_lower"}
    assert _read("shopify", CHECKOUT, headers).delivery_id == "wh_lower"


@pytest.mark.parametrize(
    ("headers", "payload", "expected"),
    [
        (
            _shopify_headers("checkouts/update", **{"X-Shopify-Triggered-At": "2025-10-08T14:02:47Z"}),
            CHECKOUT,
            dt.datetime(2025, 10, 8, 14, 2, 47, tzinfo=dt.UTC),
        ),
        (_shopify_headers("checkouts/update"), CHECKOUT, dt.datetime(2025, 10, 8, 14, 2, 47, tzinfo=dt.UTC)),
        (
            _shopify_headers("checkouts/update", **{"X-Shopify-Triggered-At": "soon"}),
            CHECKOUT,
            dt.datetime(2025, 10, 8, 14, 2, 47, tzinfo=dt.UTC),
        ),
        (
            _shopify_headers("checkouts/update"),
            CHECKOUT | {"updated_at": "last Tuesday"},
            dt.datetime(2025, 10, 8, 13, 41, 12, tzinfo=dt.UTC),
        ),
        (
            _shopify_headers("checkouts/update"),
            {k: v for k, v in CHECKOUT.items() if k != "updated_at"},
            dt.datetime(2025, 10, 8, 13, 41, 12, tzinfo=dt.UTC),
        ),
        (
            _shopify_headers("checkouts/update"),
            {k: v for k, v in CHECKOUT.items() if k not in ("updated_at", "created_at")},
            RECEIVED,
        ),
    ],
)
def test_shopify_time_is_the_trigger_header_else_the_payload_else_arrival(headers, payload, expected) -> None:
    assert _read("shopify", payload, headers).occurred_at == expected


def test_the_shop_and_event_headers_are_kept_as_facts() -> None:
    headers = _shopify_headers(
        "orders/create", **{"X-Shopify-Shop-Domain": "a.myshopify.com", "X-Shopify-Event-Id": "e1"}
    )
    data = _read("shopify", ORDER_PLACED, headers).data
    assert (data["shop_domain"], data["shopify_event_id"]) == ("a.myshopify.com", "e1")


# --- Orders -----------------------------------------------------------------------------------


def test_a_placed_order_carries_the_facts_the_order_row_is_written_from() -> None:
    event = _read("shopify", ORDER_PLACED, _shopify_headers("orders/create"))
    assert event.data == {
        "order_id": "5923871244581",
        "order_name": "#1001",
        "amount": "129.50",
        "currency": "USD",
        "item_count": 4,
        "items": ["Ceramic Pour-Over Set", "Paper Filters", "Gift wrap"],
        "product_ids": ["8801", "8802"],
        "financial_status": "pending",
        "payment_gateway": "shopify_payments",
        "promo_code": "AUTUMN10",
        "order_created_at": "2025-10-06T22:20:31Z",
    }
    assert event.customer == CustomerRef("C100109", "customer@example.com", "7520143982629")
    assert event.content_key == ""  # a resend has the same body: the body's hash finds it


@pytest.mark.parametrize(
    ("change", "amount", "currency"),
    [
        (
            {"currency": None, "total_price_set": {"shop_money": {"amount": "129.50", "currency_code": "usd"}}},
            "129.50",
            "USD",
        ),
        (
            {
                "currency": None,
                "total_price_set": {
                    "shop_money": None,
                    "presentment_money": {"amount": "120.00", "currency_code": "EUR"},
                },
            },
            "129.50",
            "EUR",
        ),
        (
            {"total_price": None, "total_price_set": {"shop_money": {"amount": "129.50", "currency_code": "USD"}}},
            "129.50",
            "USD",
        ),
        ({"currency": "JPY", "total_price": "15000"}, "15000", "JPY"),
    ],
)
def test_an_order_without_a_currency_takes_it_from_its_money_sets(change, amount, currency) -> None:
    data = _read("shopify", ORDER_PLACED | change, _shopify_headers("orders/create")).data
    assert (data["amount"], data["currency"]) == (amount, currency)


@pytest.mark.parametrize(
    "change",
    [{"currency": None}, {"currency": "dollars"}, {"total_price": "a lot"}, {"total_price": None}, {"total_price": {}}],
)
def test_an_order_whose_total_cannot_be_read_is_stored_without_it(change) -> None:
    data = _read("shopify", ORDER_PLACED | change, _shopify_headers("orders/create")).data
    assert "amount" not in data
    assert "currency" not in data
    assert data["order_id"] == "5923871244581"


def test_a_paid_order_is_one_payment_whatever_the_delivery() -> None:
    first = _read("shopify", ORDER_PAID, _shopify_headers("orders/paid"))
    resent = _read("shopify", ORDER_PAID | {"updated_at": "2025-10-09T09:00:00-04:00"}, _shopify_headers("orders/paid"))
    assert first.content_key == resent.content_key == "paid:5923871244581"
    assert (first.data["amount"], first.data["paid_amount"], first.data["order_name"]) == ("129.50", "129.50", "#1001")


def test_a_partly_paid_order_records_what_was_paid() -> None:
    order = ORDER_PAID | {"financial_status": "partially_paid", "total_outstanding": "29.50"}
    data = _read("shopify", order, _shopify_headers("orders/paid")).data
    assert (data["amount"], data["paid_amount"]) == ("129.50", "100.00")


def test_a_cancelled_order_keeps_its_reason_and_time() -> None:
    data = _read("shopify", ORDER, _shopify_headers("orders/cancelled")).data
    assert (data["reason"], data["cancelled_at"], data["order_name"]) == ("inventory", "2025-10-08T15:15:08Z", "#1001")


def test_a_fulfilled_order_is_shipped_with_its_latest_tracking() -> None:
    data = _read("shopify", ORDER_FULFILLED, _shopify_headers("orders/fulfilled")).data
    assert (data["fulfillment_id"], data["carrier"], data["tracking_number"], data["order_id"]) == (
        "4401",
        "DHL Express",
        "JD0146000012345678",
        "5923871244581",
    )


def test_an_order_without_its_id_is_kept_naming_the_field() -> None:
    order = {key: value for key, value in ORDER_PLACED.items() if key != "id"}
    assert _refused("shopify", order, _shopify_headers("orders/create")).field_name == "id"


# --- Checkouts, refunds, fulfillments, products, customers -----------------------------------


def test_an_abandoned_checkout_keeps_link_items_and_total() -> None:
    data = _read("shopify", CHECKOUT, CHECKOUT_HEADERS).data
    assert (data["checkout_id"], data["amount"], data["currency"], data["item_count"]) == (
        "35811394265381",
        "151.17",
        "USD",
        3,
    )


@pytest.mark.parametrize("topic", ["checkouts/create", "checkouts/update"])
def test_a_completed_checkout_is_not_abandoned(topic) -> None:
    completed = CHECKOUT | {"completed_at": "2025-10-08T10:05:00-04:00"}
    error = _set_aside("shopify", completed, _shopify_headers(topic))
    assert (error.native_type, error.why) == (topic, "the checkout was completed, not abandoned")


def test_a_shopify_refund_sums_its_successful_refund_transactions_and_names_its_order() -> None:
    event = _read("shopify", REFUND_CREATED, _shopify_headers("refunds/create"))
    assert event.data == {
        "amount": "44.50",
        "currency": "EUR",
        "refund_status": "issued",
        "item_count": 2,
        "items": ["Silk Scarf"],
        "refund_id": "509562969",
        "order_id": "450789469",
        "reason": "wrong size",
    }
    # Shopify's refund names no customer: the service finds them through the stored order event.
    assert event.customer == CustomerRef(related=(("order_id", "450789469"),))


def test_a_refund_without_a_currency_takes_the_refunded_lines() -> None:
    refund = REFUND_CREATED | {
        "refund_line_items": [
            {
                "quantity": 1,
                "line_item": {"title": "Silk Scarf"},
                "subtotal_set": {"shop_money": {"amount": "40.00", "currency_code": "EUR"}},
            }
        ],
        "transactions": [{"kind": "refund", "status": "success", "amount": "40.00", "currency": None}],
    }
    data = _read("shopify", refund, _shopify_headers("refunds/create")).data
    assert (data["amount"], data["currency"]) == ("40.00", "EUR")


@pytest.mark.parametrize(
    "transactions",
    [
        [{"kind": "refund", "status": "success", "amount": None, "currency": None}],
        [{"kind": "refund", "status": "success", "amount": "x", "currency": "EUR"}],
        [{"kind": "refund", "status": "success", "amount": "40.00", "currency": None}],
    ],
)
def test_a_refund_whose_amount_cannot_be_read_is_stored_without_it(transactions) -> None:
    data = _read(
        "shopify",
        REFUND_CREATED | {"refund_line_items": [], "transactions": transactions},
        _shopify_headers("refunds/create"),
    ).data
    assert "amount" not in data
    assert data["order_id"] == "450789469"


def test_a_delivered_fulfillment_keeps_the_order_carrier_and_time() -> None:
    event = _read("shopify", FULFILLMENT, _shopify_headers("fulfillments/update"))
    assert (event.data["order_name"], event.data["carrier"], event.data["delivered_at"]) == (
        "#1001",
        "UPS",
        "2025-10-09T16:00:00Z",
    )
    assert event.customer == CustomerRef(email="customer@example.com")


def test_a_failed_delivery_is_a_failure_not_a_delay() -> None:
    event = _read("shopify", FULFILLMENT | {"shipment_status": "failure"}, _shopify_headers("fulfillments/update"))
    assert (event.event_type, event.data["reason"], event.data["tracking_number"]) == (
        "shipment.failed",
        "failure",
        "1Z2345",
    )


def test_every_in_transit_update_of_a_fulfillment_is_one_shipment() -> None:
    keys = {
        _read("shopify", FULFILLMENT | change, _shopify_headers(topic)).content_key
        for topic, change in (
            ("fulfillments/update", {"shipment_status": "label_printed"}),
            ("fulfillments/update", {"shipment_status": "in_transit", "updated_at": "2025-10-08T09:00:00-04:00"}),
            ("fulfillments/update", {"shipment_status": "in_transit", "updated_at": "2025-10-08T21:00:00-04:00"}),
            ("fulfillments/update", {"shipment_status": "out_for_delivery"}),
        )
    }
    assert keys == {"shipped:255858046"}
    other = _read("shopify", IN_TRANSIT | {"id": 255858047}, _shopify_headers("fulfillments/update"))
    assert other.content_key == "shipped:255858047"


def test_an_out_of_stock_product_names_no_customer() -> None:
    event = _read("shopify", PRODUCT, _shopify_headers("products/update"))
    assert event.customer.is_empty
    assert event.data == {
        "product_id": "632910392",
        "product_title": "Trail Runner 2 Shoes",
        "handle": "trail-runner-2",
    }


def test_an_unsubscribe_names_the_customer_from_the_customer_payload() -> None:
    event = _read("shopify", SHOPIFY_CUSTOMER, _shopify_headers("customers/update"))
    assert event.customer == CustomerRef("C100109", "customer@example.com", "7520143982629")
    assert event.data == {"list": "marketing email", "unsubscribed_at": "2025-10-08T16:00:00Z"}


def test_a_customer_update_is_news_only_when_the_consent_changed() -> None:
    def key(payload: dict[str, Any]) -> str:
        return _read("shopify", payload, _shopify_headers("customers/update")).content_key

    unsubscribed = key(SHOPIFY_CUSTOMER)
    assert unsubscribed == "consent:7520143982629:unsubscribed:2025-10-08T12:00:00-04:00"
    # A later update for another reason (a new name, a new address) carries the same consent.
    assert key(SHOPIFY_CUSTOMER | {"first_name": "Priyanka", "updated_at": "2025-10-20T10:00:00-04:00"}) == unsubscribed
    assert key(SUBSCRIBED) != unsubscribed
    assert _read("shopify", SUBSCRIBED, _shopify_headers("customers/update")).data == {
        "list": "marketing email",
        "subscribed_at": "2025-10-09T12:30:00Z",
    }


def test_an_older_customer_payload_subscribes_by_its_accepts_marketing_flag() -> None:
    legacy = {"id": 1, "email": "customer@example.com", "accepts_marketing": True}
    assert _read("shopify", legacy, _shopify_headers("customers/update")).event_type == "email.subscribed"


@pytest.mark.parametrize(
    ("topic", "payload", "native_type"),
    [
        (
            "fulfillments/create",
            FULFILLMENT | {"shipment_status": None},
            "fulfillments/create (shipment_status not set is not a state ProCX records)",
        ),
        (
            "fulfillments/update",
            FULFILLMENT | {"shipment_status": "teleported"},
            "fulfillments/update (shipment_status teleported is not a state ProCX records)",
        ),
        (
            "products/update",
            PRODUCT | {"variants": [{"inventory_quantity": 0}, {"inventory_quantity": 3}]},
            "products/update (the product is in stock)",
        ),
        (
            "products/update",
            PRODUCT | {"variants": [{"id": 1}]},
            "products/update (the product has no inventory figures)",
        ),
        (
            "customers/update",
            SHOPIFY_CUSTOMER | {"email_marketing_consent": {"state": "not_subscribed"}},
            "customers/update (email marketing consent is not_subscribed: nothing changed to record)",
        ),
        (
            "customers/update",
            SHOPIFY_CUSTOMER | {"email_marketing_consent": {"state": "pending", "consent_updated_at": None}},
            "customers/update (email marketing consent is pending: nothing changed to record)",
        ),
        (
            "customers/update",
            {key: value for key, value in SHOPIFY_CUSTOMER.items() if key != "email_marketing_consent"},
            "customers/update (no email marketing consent in the payload)",
        ),
        (
            "customers/update",
            {"id": 1, "email": "customer@example.com", "accepts_marketing": False},
            "customers/update (accepts_marketing is false, which is not an unsubscribe by itself)",
        ),
        ("app/uninstalled", {"id": 1}, "app/uninstalled"),
        ("orders/updated", ORDER, "orders/updated"),
    ],
)
def test_shopify_deliveries_that_are_not_ours_are_set_aside_saying_why(topic, payload, native_type) -> None:
    error = _set_aside("shopify", payload, _shopify_headers(topic))
    assert error.native_type == topic
    assert (f"{topic} ({error.why})" if error.why else topic) == native_type


@pytest.mark.parametrize(
    ("headers", "payload", "field"),
    [
        ({"X-Shopify-Webhook-Id": "wh_1"}, CHECKOUT, "X-Shopify-Topic"),
        ({"X-Shopify-Topic": "checkouts/update"}, CHECKOUT, "X-Shopify-Webhook-Id"),
        (
            _shopify_headers("checkouts/update"),
            {k: v for k, v in CHECKOUT.items() if k not in ("customer", "email", "note_attributes")},
            "customer",
        ),
    ],
)
def test_shopify_payload_errors_name_the_field(headers, payload, field) -> None:
    assert _refused("shopify", payload, headers).field_name == field


# --- A body that contradicts its topic ----------------------------------------------------------

# Every body ProCX reads, and every type it may truthfully be stored as under some topic: an
# order that was paid and fulfilled was also placed, so orders/create may store it as placed.
BODIES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "placed order": (ORDER_PLACED, {"order.placed"}),
    "paid order": (ORDER_PAID, {"order.placed", "payment.succeeded"}),
    "cancelled order": (ORDER, {"order.placed", "order.cancelled"}),
    "fulfilled order": (ORDER_FULFILLED, {"order.placed", "payment.succeeded", "order.shipped"}),
    "checkout": (CHECKOUT, {"cart.abandoned"}),
    "refund": (REFUND_CREATED, {"refund.requested"}),
    "fulfillment": (IN_TRANSIT, {"order.shipped"}),
    "product": (PRODUCT, {"product.out_of_stock"}),
    "customer": (SHOPIFY_CUSTOMER, {"email.unsubscribe"}),
}
OWN_BODY = {
    "orders/create": ("placed order", "order.placed"),
    "orders/paid": ("paid order", "payment.succeeded"),
    "orders/cancelled": ("cancelled order", "order.cancelled"),
    "orders/fulfilled": ("fulfilled order", "order.shipped"),
    "checkouts/create": ("checkout", "cart.abandoned"),
    "checkouts/update": ("checkout", "cart.abandoned"),
    "refunds/create": ("refund", "refund.requested"),
    "fulfillments/create": ("fulfillment", "order.shipped"),
    "fulfillments/update": ("fulfillment", "order.shipped"),
    "products/update": ("product", "product.out_of_stock"),
    "customers/update": ("customer", "email.unsubscribe"),
}


def _outcome(topic: str, payload: dict[str, Any]) -> CanonicalEvent | UnknownEventType:
    try:
        return _read("shopify", payload, _shopify_headers(topic))
    except UnknownEventType as error:
        return error


def test_the_table_covers_every_topic_shopify_reads() -> None:
    from events.providers.shopify import _SHOPIFY_READERS

    assert set(OWN_BODY) == set(_SHOPIFY_READERS)


@pytest.mark.parametrize("topic", list(OWN_BODY))
@pytest.mark.parametrize("body", list(BODIES))
def test_a_body_is_stored_as_what_it_is_or_kept_as_suspicious(topic, body) -> None:
    payload, truthful = BODIES[body]
    outcome = _outcome(topic, payload)
    own_body, own_type = OWN_BODY[topic]
    if body == own_body:
        assert isinstance(outcome, CanonicalEvent)
        assert outcome.event_type == own_type
    elif isinstance(outcome, CanonicalEvent):
        assert outcome.event_type in truthful, f"{body} under {topic} stored as {outcome.event_type}"
    else:
        assert outcome.native_type == topic
        assert outcome.why.startswith("suspicious, the body contradicts the topic: ")


@pytest.mark.parametrize(
    ("topic", "payload", "why"),
    [
        ("orders/cancelled", ORDER_PLACED, "it has no cancelled_at"),
        ("orders/cancelled", ORDER | {"cancelled_at": None}, "it has no cancelled_at"),
        ("orders/paid", ORDER_PLACED, "its financial_status is pending, not paid"),
        ("orders/paid", ORDER, "its financial_status is refunded, not paid"),
        ("orders/paid", ORDER_PAID | {"financial_status": None}, "its financial_status is not set, not paid"),
        ("orders/fulfilled", ORDER_PAID, "its fulfillment_status is not set, not fulfilled"),
        (
            "orders/fulfilled",
            ORDER_PAID | {"fulfillment_status": "partial"},
            "its fulfillment_status is partial, not fulfilled",
        ),
        ("refunds/create", {"id": 1, "order_id": 2, "note": "x"}, "it has neither refund_line_items nor transactions"),
        ("checkouts/update", {"email": "customer@example.com", "cart_token": "c1"}, "it has no checkout token or id"),
        ("checkouts/update", ORDER_PLACED, "the body is an order, not a checkout"),
        ("orders/create", CHECKOUT, "the body is a checkout, not an order"),
        ("orders/create", SHOPIFY_CUSTOMER, "the body is a customer, not an order"),
        ("fulfillments/update", REFUND_CREATED, "the body is a refund, not a fulfillment"),
        ("refunds/create", IN_TRANSIT, "the body is a fulfillment, not a refund"),
        ("customers/update", ORDER_PLACED, "the body is an order, not a customer"),
        ("products/update", SHOPIFY_CUSTOMER, "the body is a customer, not a product"),
    ],
)
def test_a_suspicious_delivery_says_what_contradicts_its_topic(topic, payload, why) -> None:
    error = _set_aside("shopify", payload, _shopify_headers(topic))
    assert (error.native_type, error.why) == (topic, f"suspicious, the body contradicts the topic: {why}")


# --- Optional fields --------------------------------------------------------------------------

IDENTIFYING = {"id", "customer", "email", "note_attributes", "tags"}  # what names the object or the customer
ODD_VALUES = [None, "", "unexpected", 7, [], {}, [None, 3, "x"], {"amount": None}]


@pytest.mark.parametrize("topic", list(OWN_BODY))
def test_no_optional_field_missing_null_or_odd_makes_a_delivery_unreadable(topic) -> None:
    payload = BODIES[OWN_BODY[topic][0]][0]
    for key in sorted(set(payload) - IDENTIFYING):
        variants = [{k: v for k, v in payload.items() if k != key}] + [payload | {key: value} for value in ODD_VALUES]
        for variant in variants:
            try:
                _read("shopify", variant, _shopify_headers(topic))
            except UnknownEventType:
                pass  # set aside with a reason: the field was what said what the body is
            except PayloadError as error:
                raise AssertionError(f"{topic} with {key}={variant.get(key)!r}: {error}") from error
