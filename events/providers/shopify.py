"""Shopify: webhook topics signed in X-Shopify-Hmac-Sha256, at /api/webhooks/shopify/.

X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body keyed with the app's secret;
there is no signed timestamp. The topic is in X-Shopify-Topic, the delivery id (the dedupe key)
in X-Shopify-Webhook-Id, the time in X-Shopify-Triggered-At (else the payload's updated_at /
created_at); X-Shopify-Shop-Domain and X-Shopify-Event-Id are kept as facts.

The topics
    orders/cancelled                   order.cancelled
    checkouts/create, checkouts/update cart.abandoned while `completed_at` is null (Shopify has
                                       no abandonment topic; a completed checkout goes to the inbox)
    refunds/create                     refund.requested (amount: the refund transactions)
    fulfillments/create, /update       order.delivered when `shipment_status` is "delivered";
                                       shipment.delayed when it is "attempted_delivery", "failure"
                                       or "delayed". orders/fulfilled is not mapped: fulfilled
                                       means shipped, not delivered.
    products/update                    product.out_of_stock when every variant has
                                       inventory_quantity 0 or less
    customers/update                   email.unsubscribe when email_marketing_consent.state is
                                       "unsubscribed" (or, on payloads without it, when
                                       accepts_marketing is false)
    Customer: `customer: {id, email}` or the top-level `email`; ours from a note attribute or
    customer tag `procx_customer_id` ("procx_customer_id:C100109").
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from events.providers.base import (
    Facts,
    Json,
    SigningScheme,
    WebhookView,
    _base64_bytes,
    _currency,
    _decimal,
    _decoded_signatures,
    _header,
    _hmac_sha256,
    _identifier,
    _integer,
    _iso_or_none,
    _iso_time,
    _json_object,
    _major,
    _object,
    _objects,
    _optional_time,
    _require_header,
    _require_match,
    _require_secrets,
    _text,
    _utc,
    _utf8_key,
    endpoint_schema,
)
from events.webhook_types import CanonicalEvent, CustomerRef, PayloadError, UnknownEventType

SHOPIFY_SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
SHOPIFY_TOPIC_HEADER = "X-Shopify-Topic"
SHOPIFY_WEBHOOK_ID_HEADER = "X-Shopify-Webhook-Id"
SHOPIFY_TRIGGERED_AT_HEADER = "X-Shopify-Triggered-At"
SHOPIFY_SHOP_DOMAIN_HEADER = "X-Shopify-Shop-Domain"
SHOPIFY_EVENT_ID_HEADER = "X-Shopify-Event-Id"
HEADERS = (
    SHOPIFY_SIGNATURE_HEADER,
    SHOPIFY_TOPIC_HEADER,
    SHOPIFY_WEBHOOK_ID_HEADER,
    SHOPIFY_TRIGGERED_AT_HEADER,
    SHOPIFY_SHOP_DOMAIN_HEADER,
    SHOPIFY_EVENT_ID_HEADER,
)

SIGNING_SCHEME = SigningScheme(
    name="ShopifyHmac",
    header=SHOPIFY_SIGNATURE_HEADER,
    description=(
        "X-Shopify-Hmac-Sha256: the base64 HMAC-SHA256 of the raw body keyed with the app's secret. "
        "X-Shopify-Topic and X-Shopify-Webhook-Id are required too. Secret: PROCX_SHOPIFY_WEBHOOK_SECRET "
        "(comma-separated to rotate)."
    ),
)


# Verifying and signing ----------------------------------------------------------------------


def verify_shopify(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """Shopify: base64 HMAC-SHA256 of the raw body. No signed timestamp, so `now` is unused."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "shopify"))]
    encoded = _require_header(headers, SHOPIFY_SIGNATURE_HEADER)
    signatures = _decoded_signatures([encoded], _base64_bytes, SHOPIFY_SIGNATURE_HEADER)
    _require_match(body, keys=keys, signatures=signatures)


def sign_shopify(*, body: bytes, secret: str) -> dict[str, str]:
    """Headers for a valid delivery (tests, the demo command and the benchmark build them)."""
    signature = _hmac_sha256(_utf8_key(secret, 0), body)
    return {SHOPIFY_SIGNATURE_HEADER: base64.b64encode(signature).decode()}


# Reading the payload ------------------------------------------------------------------------


_PROCX_ID = re.compile(r"procx_customer_id\s*[:=]\s*(\S+)", re.IGNORECASE)


def _shopify_procx_id(payload: Json, customer: Json) -> str:
    for attribute in _objects(payload, "note_attributes"):
        if str(attribute.get("name", "")).strip().lower() == "procx_customer_id":
            value = attribute.get("value")
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
    tags = customer.get("tags")
    if isinstance(tags, str) and (match := _PROCX_ID.search(tags)):
        return match.group(1).rstrip(",")
    return ""


def _shopify_customer(payload: Json, *, required: bool = True, is_customer: bool = False) -> CustomerRef:
    customer = payload if is_customer else _object(payload, "customer", "customer")
    reference = CustomerRef(
        customer_id=_shopify_procx_id(payload, customer),
        email=_text(customer, "email", "customer.email")
        or _text(payload, "email", "email")
        or _text(payload, "contact_email", "contact_email"),
        provider_customer_id=_identifier(customer, "id", "customer.id"),
    )
    if required and reference.is_empty:
        raise PayloadError("customer", "is required (customer.id or an email)")
    return reference


def _shopify_money(payload: Json, amount_key: str) -> Facts:
    value = payload.get(amount_key)
    if value is None or value == "":
        return {}
    currency_value = payload.get("currency") or payload.get("presentment_currency")
    currency = _currency(currency_value, "currency")
    return {"amount": _major(_decimal(value, amount_key), currency), "currency": currency}


def _line_items(items: list[Json]) -> Facts:
    titles = [title for item in items if (title := _text(item, "title", "line_items.title"))]
    count = sum(quantity for item in items if (quantity := _integer(item, "quantity", "")) and quantity > 0)
    facts: Facts = {}
    if count:
        facts["item_count"] = count
    if titles:
        facts["items"] = titles
    return facts


def _shopify_order_cancelled(topic: str, order: Json) -> tuple[str, Facts, CustomerRef]:
    facts: Facts = {**_shopify_money(order, "total_price"), **_line_items(_objects(order, "line_items"))}
    for key, fact in (("id", "order_id"), ("name", "order_name"), ("cancel_reason", "reason")):
        if value := _identifier(order, key, key):
            facts[fact] = value
    if cancelled_at := _iso_or_none(order.get("cancelled_at")):
        facts["cancelled_at"] = cancelled_at
    return "order.cancelled", facts, _shopify_customer(order)


def _shopify_checkout(topic: str, checkout: Json) -> tuple[str, Facts, CustomerRef]:
    if checkout.get("completed_at"):
        raise UnknownEventType("shopify", f"{topic} (completed)")
    facts: Facts = {**_shopify_money(checkout, "total_price"), **_line_items(_objects(checkout, "line_items"))}
    if checkout_id := _identifier(checkout, "id", "id") or _text(checkout, "token", "token"):
        facts["checkout_id"] = checkout_id
    if url := _text(checkout, "abandoned_checkout_url", "abandoned_checkout_url"):
        facts["checkout_url"] = url
    return "cart.abandoned", facts, _shopify_customer(checkout)


def _refund_currency(refund: Json) -> str:
    """The refund's currency when its transactions do not say (Shopify's own sample sends
    `"currency": null`): the shop money of a refunded line's subtotal set, else ""."""
    for entry in _objects(refund, "refund_line_items"):
        for key in ("subtotal_set", "total_tax_set"):
            money = _object(entry, key, "").get("shop_money")
            code = money.get("currency_code") if isinstance(money, dict) else None
            if isinstance(code, str) and re.fullmatch(r"[A-Za-z]{3}", code.strip()):
                return code.strip().upper()
    return ""


def _shopify_refund(topic: str, refund: Json) -> tuple[str, Facts, CustomerRef]:
    facts: Facts = {}
    total, currency, statuses, refunded = Decimal(0), "", set(), False
    for index, transaction in enumerate(_objects(refund, "transactions")):
        status = _text(transaction, "status", "")
        if _text(transaction, "kind", "") != "refund" or status in ("failure", "error"):
            continue
        total += _decimal(transaction.get("amount"), f"transactions[{index}].amount")
        refunded = True
        if not currency and transaction.get("currency") not in (None, ""):
            currency = _currency(transaction.get("currency"), f"transactions[{index}].currency")
        statuses.add(status)
    if refunded and not currency:
        currency = _refund_currency(refund)
    if refunded and currency:
        facts |= {"amount": _major(total, currency), "currency": currency}
        facts["refund_status"] = "issued" if statuses <= {"success"} else "pending"
    # Each refunded line names the item and how many of it came back.
    facts |= _line_items(
        [
            {**_object(entry, "line_item", ""), "quantity": entry.get("quantity")}
            for entry in _objects(refund, "refund_line_items")
        ]
    )
    for key, fact in (("id", "refund_id"), ("order_id", "order_id"), ("note", "reason")):
        if value := _identifier(refund, key, key):
            facts[fact] = value
    # A refund payload names no customer; one is found only if the shop adds ours.
    return "refund.requested", facts, _shopify_customer(refund, required=False)


_DELAYED_SHIPMENTS = frozenset({"attempted_delivery", "failure", "delayed"})


def _shopify_fulfillment(topic: str, fulfillment: Json) -> tuple[str, Facts, CustomerRef]:
    status = _text(fulfillment, "shipment_status", "shipment_status")
    if status == "delivered":
        event_type = "order.delivered"
    elif status in _DELAYED_SHIPMENTS:
        event_type = "shipment.delayed"
    else:
        raise UnknownEventType("shopify", f"{topic} (shipment_status {status or 'not set'})")
    facts: Facts = {"shipment_status": status, **_line_items(_objects(fulfillment, "line_items"))}
    for key, fact in (
        ("id", "fulfillment_id"),
        ("order_id", "order_id"),
        ("tracking_company", "carrier"),
        ("tracking_number", "tracking_number"),
        ("tracking_url", "tracking_url"),
    ):
        if value := _identifier(fulfillment, key, key):
            facts[fact] = value
    # "#1001.1" is the fulfillment's name; the order's is the part before the dot.
    if name := _text(fulfillment, "name", "name"):
        facts["order_name"] = name.rsplit(".", 1)[0] if re.fullmatch(r"#?\S+\.\d+", name) else name
    if event_type == "order.delivered":
        facts["delivered_at"] = _iso_or_none(fulfillment.get("updated_at"))
        if facts["delivered_at"] is None:
            del facts["delivered_at"]
    else:
        facts["reason"] = status
    return event_type, facts, _shopify_customer(fulfillment)


def _shopify_product(topic: str, product: Json) -> tuple[str, Facts, CustomerRef]:
    quantities = [_integer(variant, "inventory_quantity", "") for variant in _objects(product, "variants")]
    if not quantities or any(quantity is None for quantity in quantities):
        raise UnknownEventType("shopify", f"{topic} (no inventory figures)")
    if any(quantity > 0 for quantity in quantities if quantity is not None):
        raise UnknownEventType("shopify", f"{topic} (in stock)")
    facts: Facts = {}
    for key, fact in (("id", "product_id"), ("title", "product_title"), ("handle", "handle")):
        if value := _identifier(product, key, key):
            facts[fact] = value
    # A product concerns every customer who wanted it, not one: the delivery names none.
    return "product.out_of_stock", facts, CustomerRef()


def _shopify_customer_update(topic: str, customer: Json) -> tuple[str, Facts, CustomerRef]:
    consent = customer.get("email_marketing_consent")
    if isinstance(consent, dict):
        state = _text(consent, "state", "email_marketing_consent.state")
        unsubscribed = state == "unsubscribed"
        when = _iso_or_none(consent.get("consent_updated_at"))
    else:
        # Older API versions: only the flag, which is also false for someone who never subscribed.
        state = "not accepted" if customer.get("accepts_marketing") is False else "accepted"
        unsubscribed = customer.get("accepts_marketing") is False
        when = _iso_or_none(customer.get("accepts_marketing_updated_at"))
    if not unsubscribed:
        raise UnknownEventType("shopify", f"{topic} (email marketing {state or 'unchanged'})")
    facts: Facts = {"list": "marketing email"}
    if when:
        facts["unsubscribed_at"] = when
    return "email.unsubscribe", facts, _shopify_customer(customer, is_customer=True)


_SHOPIFY_READERS: dict[str, Callable[[str, Json], tuple[str, Facts, CustomerRef]]] = {
    "orders/cancelled": _shopify_order_cancelled,
    "checkouts/create": _shopify_checkout,
    "checkouts/update": _shopify_checkout,
    "refunds/create": _shopify_refund,
    "fulfillments/create": _shopify_fulfillment,
    "fulfillments/update": _shopify_fulfillment,
    "products/update": _shopify_product,
    "customers/update": _shopify_customer_update,
}


def _adapt_shopify(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    topic = _header(headers, SHOPIFY_TOPIC_HEADER, required=True)
    delivery_id = _header(headers, SHOPIFY_WEBHOOK_ID_HEADER, required=True)
    payload = _json_object(body)
    reader = _SHOPIFY_READERS.get(topic)
    if reader is None:
        raise UnknownEventType("shopify", topic)
    triggered = _header(headers, SHOPIFY_TRIGGERED_AT_HEADER)
    occurred_at = (
        _iso_time(triggered, SHOPIFY_TRIGGERED_AT_HEADER)
        if triggered
        else _optional_time(payload, "updated_at", "updated_at")
        or _optional_time(payload, "created_at", "created_at")
        or _utc(received_at)
    )
    event_type, facts, customer = reader(topic, payload)
    for header, fact in ((SHOPIFY_SHOP_DOMAIN_HEADER, "shop_domain"), (SHOPIFY_EVENT_ID_HEADER, "shopify_event_id")):
        if value := _header(headers, header):
            facts[fact] = value
    return CanonicalEvent(
        source="shopify",
        event_type=event_type,
        native_type=topic,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# The endpoint -------------------------------------------------------------------------------


@endpoint_schema(
    source="shopify",
    summary="Shopify topics",
    accepts=(
        "Shopify webhook topics: cancelled orders, abandoned checkouts, refunds, fulfillments, products out "
        "of stock and marketing unsubscribes; the topic in X-Shopify-Topic."
    ),
    signing_scheme=SIGNING_SCHEME,
)
class ShopifyWebhookView(WebhookView):
    """POST /api/webhooks/shopify/: Shopify's topics, signed in X-Shopify-Hmac-Sha256."""

    source = "shopify"
    signing_scheme = SIGNING_SCHEME
