"""Shopify: its X-Shopify-Hmac-Sha256 signature, and every mapped topic read into a canonical event."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest

from events.providers.shopify import sign_shopify, verify_shopify
from events.webhook_types import CustomerRef
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


# --- shopify ---------------------------------------------------------------------------------


def _shopify_headers(topic: str, **extra: str) -> dict[str, str]:
    return {"X-Shopify-Topic": topic, "X-Shopify-Webhook-Id": "wh_1", **extra}


CHECKOUT, CHECKOUT_HEADERS = _sample("shopify_checkouts_update_abandoned")
ORDER, _ = _sample("shopify_orders_cancelled")
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
    "tags": "procx_customer_id:C100109",
    "updated_at": "2025-10-08T12:00:00-04:00",
    "email_marketing_consent": {"state": "unsubscribed", "consent_updated_at": "2025-10-08T12:00:00-04:00"},
}


@pytest.mark.parametrize(
    ("topic", "payload", "event_type"),
    [
        ("orders/cancelled", ORDER, "order.cancelled"),
        ("checkouts/create", CHECKOUT, "cart.abandoned"),
        ("checkouts/update", CHECKOUT, "cart.abandoned"),
        ("refunds/create", REFUND_CREATED, "refund.requested"),
        ("fulfillments/create", FULFILLMENT, "order.delivered"),
        ("fulfillments/update", FULFILLMENT, "order.delivered"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "attempted_delivery"}, "shipment.delayed"),
        ("fulfillments/update", FULFILLMENT | {"shipment_status": "failure"}, "shipment.delayed"),
        ("products/update", PRODUCT, "product.out_of_stock"),
        ("customers/update", SHOPIFY_CUSTOMER, "email.unsubscribe"),
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
    assert error.native_type == f"{topic} (completed)"


def test_a_shopify_refund_sums_its_successful_refund_transactions() -> None:
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
    assert event.customer.is_empty  # Shopify's refund names no customer: the service keeps it in the inbox


def test_a_delivered_fulfillment_keeps_the_order_carrier_and_time() -> None:
    event = _read("shopify", FULFILLMENT, _shopify_headers("fulfillments/update"))
    assert (event.data["order_name"], event.data["carrier"], event.data["delivered_at"]) == (
        "#1001",
        "UPS",
        "2025-10-09T16:00:00Z",
    )
    assert event.customer == CustomerRef(email="customer@example.com")


@pytest.mark.parametrize(
    ("topic", "payload", "native_type"),
    [
        (
            "fulfillments/create",
            FULFILLMENT | {"shipment_status": None},
            "fulfillments/create (shipment_status not set)",
        ),
        (
            "fulfillments/update",
            FULFILLMENT | {"shipment_status": "in_transit"},
            "fulfillments/update (shipment_status in_transit)",
        ),
        ("orders/fulfilled", ORDER, "orders/fulfilled"),
        (
            "products/update",
            PRODUCT | {"variants": [{"inventory_quantity": 0}, {"inventory_quantity": 3}]},
            "products/update (in stock)",
        ),
        ("products/update", PRODUCT | {"variants": [{"id": 1}]}, "products/update (no inventory figures)"),
        (
            "customers/update",
            SHOPIFY_CUSTOMER | {"email_marketing_consent": {"state": "subscribed"}},
            "customers/update (email marketing subscribed)",
        ),
        ("app/uninstalled", {"id": 1}, "app/uninstalled"),
    ],
)
def test_shopify_deliveries_that_are_not_ours_are_set_aside(topic, payload, native_type) -> None:
    assert _set_aside("shopify", payload, _shopify_headers(topic)).native_type == native_type


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
    assert event.data["unsubscribed_at"] == "2025-10-08T16:00:00Z"


def test_an_older_customer_payload_unsubscribes_by_its_accepts_marketing_flag() -> None:
    legacy = {"id": 1, "email": "customer@example.com", "accepts_marketing": False}
    assert _read("shopify", legacy, _shopify_headers("customers/update")).event_type == "email.unsubscribe"


@pytest.mark.parametrize(
    ("headers", "payload", "field"),
    [
        ({"X-Shopify-Webhook-Id": "wh_1"}, CHECKOUT, "X-Shopify-Topic"),
        ({"X-Shopify-Topic": "checkouts/update"}, CHECKOUT, "X-Shopify-Webhook-Id"),
        (
            _shopify_headers("checkouts/update", **{"X-Shopify-Triggered-At": "soon"}),
            CHECKOUT,
            "X-Shopify-Triggered-At",
        ),
        (
            _shopify_headers("checkouts/update"),
            {k: v for k, v in CHECKOUT.items() if k not in ("customer", "email", "note_attributes")},
            "customer",
        ),
        (_shopify_headers("orders/cancelled"), ORDER | {"total_price": "a lot"}, "total_price"),
        (_shopify_headers("orders/cancelled"), ORDER | {"currency": None}, "currency"),
        (
            _shopify_headers("refunds/create"),
            REFUND_CREATED
            | {"transactions": [{"kind": "refund", "status": "success", "amount": "x", "currency": "EUR"}]},
            "transactions[0].amount",
        ),
    ],
)
def test_shopify_payload_errors_name_the_field(headers, payload, field) -> None:
    assert _refused("shopify", payload, headers).field_name == field
