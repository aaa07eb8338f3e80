"""Shopify: webhook topics signed in X-Shopify-Hmac-Sha256, at /api/webhooks/shopify/.

X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body keyed with the app's secret;
there is no signed timestamp. The topic is in X-Shopify-Topic, the delivery id (the dedupe key)
in X-Shopify-Webhook-Id, the time in X-Shopify-Triggered-At (else the payload's updated_at /
created_at); X-Shopify-Shop-Domain and X-Shopify-Event-Id are kept as facts.

The topics
    orders/create                      order.placed, with the order's facts (below)
    orders/paid                        payment.succeeded: the order's facts and `paid_amount`
                                       (the total less what is outstanding); stored once per
                                       order (content key "paid:<order id>"), resends included
    orders/cancelled                   order.cancelled: the order's facts, `reason`, `cancelled_at`
    orders/fulfilled                   order.shipped (fulfilled means shipped, not delivered):
                                       the order's facts and the latest fulfillment's carrier,
                                       tracking_number, tracking_url
    checkouts/create, checkouts/update cart.abandoned while `completed_at` is null (Shopify has
                                       no abandonment topic; a completed checkout goes to the inbox)
    refunds/create                     refund.requested (amount: the refund transactions). A refund
                                       names no customer: it names its order, and ProCX finds the
                                       customer through the stored order event (CustomerRef.related)
    fulfillments/create, /update       by `shipment_status`: "delivered" or "picked_up"
                                       order.delivered; "failure" shipment.failed; "attempted_delivery"
                                       or "delayed" shipment.delayed; "confirmed", "label_printed",
                                       "label_purchased", "carrier_picked_up", "in_transit",
                                       "out_for_delivery" or "ready_for_pickup" order.shipped, stored
                                       once per fulfillment (content key "shipped:<fulfillment id>")
                                       however many such updates arrive; none yet: the inbox
    products/update                    product.out_of_stock when every variant has
                                       inventory_quantity 0 or less
    customers/update                   Shopify sends it for any change of the customer; it is read
                                       for its email marketing consent only: "unsubscribed"
                                       email.unsubscribe, "subscribed" email.subscribed, stored once
                                       per consent change (content key "consent:<customer id>:
                                       <state>:<consent_updated_at>"), so unrelated updates are
                                       duplicates; no consent, "not_subscribed" or "pending": the inbox
    The order's facts: order_id (Shopify's numeric id, as a string), order_name ("#1001"), amount and
    currency (total_price in the order's currency, else its shop or presentment money set),
    item_count, items (titles), product_ids, financial_status, fulfillment_status, payment_gateway,
    promo_code (the first discount code), order_created_at.
    Customer: `customer: {id, email}` or the top-level `email`; ours from a note attribute or
    customer tag `procx_customer_id` ("procx_customer_id:C100109").

The topic header is not signed: a body that contradicts its topic (an orders/cancelled order that
is not cancelled, an orders/paid order that is not paid, a refund without refund lines or
transactions, a checkout topic on an order, any topic on another resource's body) is never stored
as that topic's type. It goes to the inbox as "<topic> (suspicious: the body contradicts the topic:
<why>)". Every fact but what identifies the object (an order's, refund's or fulfillment's id) is
optional: a missing, null or unreadable one is left out, never a refusal.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from events.providers.base import (
    Example,
    Facts,
    Json,
    RequestHeader,
    SigningScheme,
    WebhookView,
    _array,
    _base64_bytes,
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


@dataclass(frozen=True)
class _Reading:
    """What one topic's payload says: the canonical type, its facts, who it is about and, when
    deliveries with different bodies are the same event, the facts that make them so."""

    event_type: str
    facts: Facts
    customer: CustomerRef
    content_key: str = ""


_PROCX_ID = re.compile(r"procx_customer_id\s*[:=]\s*(\S+)", re.IGNORECASE)
_CURRENCY = re.compile(r"[A-Za-z]{3}")


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


def _suspicious(topic: str, why: str) -> UnknownEventType:
    # The topic header is not signed; a body that says otherwise is kept for a person to look at.
    return UnknownEventType("shopify", topic, f"suspicious, the body contradicts the topic: {why}")


# What kind of Shopify object a body is, from the fields only that kind has. A topic whose body
# is another kind is suspicious; a body of no recognisable kind is read as the topic says.
_KINDS: tuple[tuple[str, Callable[[Json], bool]], ...] = (
    ("refund", lambda body: "refund_line_items" in body),
    ("order", lambda body: "financial_status" in body or "order_number" in body),
    (
        "fulfillment",
        lambda body: (
            "order_id" in body
            and any(key in body for key in ("shipment_status", "tracking_number", "tracking_numbers"))
        ),
    ),
    ("refund", lambda body: "transactions" in body and "order_id" in body),
    ("checkout", lambda body: "abandoned_checkout_url" in body or "cart_token" in body),
    ("product", lambda body: "variants" in body),
    (
        "customer",
        lambda body: any(key in body for key in ("email_marketing_consent", "verified_email", "accepts_marketing")),
    ),
)


def _kind(body: Json) -> str:
    return next((kind for kind, test in _KINDS if test(body)), "")


def _require_kind(topic: str, body: Json, expected: str) -> None:
    kind = _kind(body)
    if kind and kind != expected:
        raise _suspicious(topic, f"the body is {_article(kind)} {kind}, not {_article(expected)} {expected}")


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


def _amount(value: object) -> Decimal | None:
    """An optional money amount: None when absent or not a number."""
    try:
        return _decimal(value, "")
    except PayloadError:
        return None


def _currency_code(*values: object) -> str:
    """The first value that is a currency code, upper case; "" when none is."""
    for value in values:
        if isinstance(value, str) and _CURRENCY.fullmatch(value.strip()):
            return value.strip().upper()
    return ""


def _money_set(payload: Json, key: str) -> tuple[Decimal | None, str]:
    """A `*_set` field's amount and currency: the shop's money, else the presentment money."""
    money = _object(payload, key, "")
    for side in ("shop_money", "presentment_money"):
        entry = _object(money, side, "")
        amount, currency = _amount(entry.get("amount")), _currency_code(entry.get("currency_code"))
        if amount is not None and currency:
            return amount, currency
    return None, ""


def _total(payload: Json) -> Facts:
    """total_price in the payload's currency; when either is missing, the total price set's."""
    amount = _amount(payload.get("total_price"))
    currency = _currency_code(payload.get("currency"))
    set_amount, set_currency = _money_set(payload, "total_price_set")
    if amount is None or not currency:
        amount, currency = (amount, set_currency) if amount is not None and set_currency else (set_amount, set_currency)
    if amount is None or not currency:
        # A checkout's currency may only be its presentment currency.
        amount = _amount(payload.get("total_price"))
        currency = _currency_code(payload.get("presentment_currency"))
    if amount is None or not currency:
        return {}
    return {"amount": _major(amount, currency), "currency": currency}


def _line_items(items: list[Json]) -> Facts:
    titles = [title for item in items if (title := _text(item, "title", "line_items.title"))]
    count = sum(quantity for item in items if (quantity := _integer(item, "quantity", "")) and quantity > 0)
    facts: Facts = {}
    if count:
        facts["item_count"] = count
    if titles:
        facts["items"] = titles
    return facts


def _order_id(topic: str, order: Json) -> str:
    if order_id := _identifier(order, "id", "id"):
        return order_id
    raise PayloadError("id", f"is required (the order id of {topic})")


def _order_facts(topic: str, order: Json) -> Facts:
    """The facts the processing step writes an Order from; every one but order_id optional."""
    items = _objects(order, "line_items")
    facts: Facts = {"order_id": _order_id(topic, order), **_total(order), **_line_items(items)}
    product_ids = list(dict.fromkeys(product for item in items if (product := _identifier(item, "product_id", ""))))
    if product_ids:
        facts["product_ids"] = product_ids
    for key, fact in (
        ("name", "order_name"),
        ("financial_status", "financial_status"),
        ("fulfillment_status", "fulfillment_status"),
    ):
        if value := _text(order, key, key):
            facts[fact] = value
    gateways = [
        name.strip() for name in _array(order, "payment_gateway_names") if isinstance(name, str) and name.strip()
    ]
    if gateways:
        facts["payment_gateway"] = gateways[0]
    codes = [code for entry in _objects(order, "discount_codes") if (code := _text(entry, "code", ""))]
    if codes:
        facts["promo_code"] = codes[0]
    if created := _iso_or_none(order.get("created_at")):
        facts["order_created_at"] = created
    return facts


def _shopify_order_created(topic: str, order: Json) -> _Reading:
    _require_kind(topic, order, "order")
    return _Reading("order.placed", _order_facts(topic, order), _shopify_customer(order))


_PAID = frozenset({"paid", "partially_paid"})


def _shopify_order_paid(topic: str, order: Json) -> _Reading:
    _require_kind(topic, order, "order")
    status = _text(order, "financial_status", "financial_status")
    if status not in _PAID:
        raise _suspicious(topic, f"its financial_status is {status or 'not set'}, not paid")
    facts = _order_facts(topic, order)
    if "amount" in facts:
        outstanding = _amount(order.get("total_outstanding")) if status == "partially_paid" else None
        paid = Decimal(facts["amount"]) - outstanding if outstanding is not None else Decimal(facts["amount"])
        facts["paid_amount"] = _major(paid, facts["currency"])
    # Shopify resends orders/paid under new delivery ids; the order is paid once.
    return _Reading("payment.succeeded", facts, _shopify_customer(order), content_key=f"paid:{facts['order_id']}")


def _shopify_order_cancelled(topic: str, order: Json) -> _Reading:
    _require_kind(topic, order, "order")
    cancelled_at = order.get("cancelled_at")
    if not cancelled_at:
        raise _suspicious(topic, "it has no cancelled_at")
    facts = _order_facts(topic, order)
    if reason := _text(order, "cancel_reason", "cancel_reason"):
        facts["reason"] = reason
    if when := _iso_or_none(cancelled_at):
        facts["cancelled_at"] = when
    return _Reading("order.cancelled", facts, _shopify_customer(order))


def _tracking(fulfillment: Json) -> Facts:
    facts: Facts = {}
    for key, fact in (
        ("id", "fulfillment_id"),
        ("tracking_company", "carrier"),
        ("tracking_number", "tracking_number"),
        ("tracking_url", "tracking_url"),
    ):
        if value := _identifier(fulfillment, key, key):
            facts[fact] = value
    return facts


def _shopify_order_fulfilled(topic: str, order: Json) -> _Reading:
    _require_kind(topic, order, "order")
    status = _text(order, "fulfillment_status", "fulfillment_status")
    if status != "fulfilled":
        raise _suspicious(topic, f"its fulfillment_status is {status or 'not set'}, not fulfilled")
    facts = _order_facts(topic, order)
    # The latest fulfillment that says how it travels; an order fulfilled in parts has several.
    fulfillments = [_tracking(entry) for entry in _objects(order, "fulfillments")]
    shipped = [entry for entry in fulfillments if set(entry) - {"fulfillment_id"}] or fulfillments
    if shipped:
        facts |= shipped[-1]
    return _Reading("order.shipped", facts, _shopify_customer(order))


def _shopify_checkout(topic: str, checkout: Json) -> _Reading:
    _require_kind(topic, checkout, "checkout")
    checkout_id = _identifier(checkout, "id", "id") or _text(checkout, "token", "token")
    if not checkout_id:
        raise _suspicious(topic, "it has no checkout token or id")
    if checkout.get("completed_at"):
        raise UnknownEventType("shopify", topic, "the checkout was completed, not abandoned")
    facts: Facts = {"checkout_id": checkout_id, **_total(checkout), **_line_items(_objects(checkout, "line_items"))}
    if url := _text(checkout, "abandoned_checkout_url", "abandoned_checkout_url"):
        facts["checkout_url"] = url
    return _Reading("cart.abandoned", facts, _shopify_customer(checkout))


def _refund_currency(refund: Json) -> str:
    """The refund's currency when its transactions do not say (Shopify's own sample sends
    `"currency": null`): the money set of a refunded line's subtotal or tax, else ""."""
    for entry in _objects(refund, "refund_line_items"):
        for key in ("subtotal_set", "total_tax_set"):
            if currency := _money_set(entry, key)[1]:
                return currency
    return _money_set(refund, "total_duties_set")[1]


def _shopify_refund(topic: str, refund: Json) -> _Reading:
    _require_kind(topic, refund, "refund")
    if not isinstance(refund.get("refund_line_items"), list) and not isinstance(refund.get("transactions"), list):
        raise _suspicious(topic, "it has neither refund_line_items nor transactions")
    facts: Facts = {}
    total, currency, statuses, refunded = Decimal(0), "", set(), False
    for transaction in _objects(refund, "transactions"):
        status = _text(transaction, "status", "")
        amount = _amount(transaction.get("amount"))
        if _text(transaction, "kind", "") != "refund" or status in ("failure", "error") or amount is None:
            continue
        total += amount
        refunded = True
        currency = currency or _currency_code(transaction.get("currency"))
        statuses.add(status)
    currency = currency or _refund_currency(refund)
    if refunded and currency:
        facts |= {"amount": _major(total, currency), "currency": currency}
    if refunded:
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
    # A refund payload names no customer, only its order: whoever the stored order event was for.
    named = _shopify_customer(refund, required=False)
    related = (("order_id", facts["order_id"]),) if "order_id" in facts else ()
    return _Reading("refund.requested", facts, replace(named, related=related))


_DELIVERED = frozenset({"delivered", "picked_up"})
_DELAYED = frozenset({"attempted_delivery", "delayed"})
_SHIPPED = frozenset(
    {
        "confirmed",
        "label_printed",
        "label_purchased",
        "carrier_picked_up",
        "in_transit",
        "out_for_delivery",
        "ready_for_pickup",
    }
)


def _shopify_fulfillment(topic: str, fulfillment: Json) -> _Reading:
    _require_kind(topic, fulfillment, "fulfillment")
    status = _text(fulfillment, "shipment_status", "shipment_status")
    content_key = ""
    if status in _DELIVERED:
        event_type = "order.delivered"
    elif status == "failure":
        event_type = "shipment.failed"
    elif status in _DELAYED:
        event_type = "shipment.delayed"
    elif status in _SHIPPED:
        event_type = "order.shipped"
    else:
        raise UnknownEventType("shopify", topic, f"shipment_status {status or 'not set'} is not a state ProCX records")
    facts: Facts = {
        "shipment_status": status,
        **_tracking(fulfillment),
        **_line_items(_objects(fulfillment, "line_items")),
    }
    if order_id := _identifier(fulfillment, "order_id", "order_id"):
        facts["order_id"] = order_id
    # "#1001.1" is the fulfillment's name; the order's is the part before the dot.
    if name := _text(fulfillment, "name", "name"):
        facts["order_name"] = name.rsplit(".", 1)[0] if re.fullmatch(r"#?\S+\.\d+", name) else name
    if event_type == "order.delivered":
        if delivered_at := _iso_or_none(fulfillment.get("updated_at")):
            facts["delivered_at"] = delivered_at
    elif event_type == "order.shipped":
        # Every in-transit update of one fulfillment is the same shipment.
        content_key = f"shipped:{facts.get('fulfillment_id', '')}" if "fulfillment_id" in facts else ""
    else:
        facts["reason"] = status
    return _Reading(event_type, facts, _shopify_customer(fulfillment), content_key=content_key)


def _shopify_product(topic: str, product: Json) -> _Reading:
    _require_kind(topic, product, "product")
    quantities = [_integer(variant, "inventory_quantity", "") for variant in _objects(product, "variants")]
    if not quantities or any(quantity is None for quantity in quantities):
        raise UnknownEventType("shopify", topic, "the product has no inventory figures")
    if any(quantity > 0 for quantity in quantities if quantity is not None):
        raise UnknownEventType("shopify", topic, "the product is in stock")
    facts: Facts = {}
    for key, fact in (("id", "product_id"), ("title", "product_title"), ("handle", "handle")):
        if value := _identifier(product, key, key):
            facts[fact] = value
    # A product concerns every customer who wanted it, not one: the delivery names none.
    return _Reading("product.out_of_stock", facts, CustomerRef())


_CONSENT_TYPES = {
    "unsubscribed": ("email.unsubscribe", "unsubscribed_at"),
    "subscribed": ("email.subscribed", "subscribed_at"),
}


def _shopify_customer_update(topic: str, customer: Json) -> _Reading:
    _require_kind(topic, customer, "customer")
    consent = customer.get("email_marketing_consent")
    if isinstance(consent, dict):
        state = _text(consent, "state", "email_marketing_consent.state").lower()
        changed_at = consent.get("consent_updated_at")
        if state not in _CONSENT_TYPES:
            raise UnknownEventType(
                "shopify", topic, f"email marketing consent is {state or 'not set'}: nothing changed to record"
            )
    elif customer.get("accepts_marketing") is True:
        # Older API versions: only the flag. True is a subscription; false is also the state of
        # someone who never subscribed, so it cannot be read as an unsubscribe.
        state, changed_at = "subscribed", customer.get("accepts_marketing_updated_at")
    elif customer.get("accepts_marketing") is False:
        raise UnknownEventType("shopify", topic, "accepts_marketing is false, which is not an unsubscribe by itself")
    else:
        raise UnknownEventType("shopify", topic, "no email marketing consent in the payload")
    event_type, when_fact = _CONSENT_TYPES[state]
    facts: Facts = {"list": "marketing email"}
    if when := _iso_or_none(changed_at):
        facts[when_fact] = when
    reference = _shopify_customer(customer, is_customer=True)
    # Shopify sends customers/update for any change of the customer: only a change of consent is news.
    content_key = (
        f"consent:{reference.provider_customer_id}:{state}:{changed_at if isinstance(changed_at, str) else ''}"
    )
    return _Reading(event_type, facts, reference, content_key=content_key)


_SHOPIFY_READERS: dict[str, Callable[[str, Json], _Reading]] = {
    "orders/create": _shopify_order_created,
    "orders/paid": _shopify_order_paid,
    "orders/cancelled": _shopify_order_cancelled,
    "orders/fulfilled": _shopify_order_fulfilled,
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
    # The time is a fact like any other: an unreadable one falls back to the next, never a refusal.
    times = (_header(headers, SHOPIFY_TRIGGERED_AT_HEADER), payload.get("updated_at"), payload.get("created_at"))
    readable = [iso for value in times if isinstance(value, str) and (iso := _iso_or_none(value))]
    occurred_at = _iso_time(readable[0], "") if readable else _utc(received_at)
    reading = reader(topic, payload)
    facts = reading.facts
    for header, fact in ((SHOPIFY_SHOP_DOMAIN_HEADER, "shop_domain"), (SHOPIFY_EVENT_ID_HEADER, "shopify_event_id")):
        if value := _header(headers, header):
            facts[fact] = value
    return CanonicalEvent(
        source="shopify",
        event_type=reading.event_type,
        native_type=topic,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=reading.customer,
        data=facts,
        content_key=reading.content_key,
    )


# The endpoint -------------------------------------------------------------------------------


EXAMPLES = (
    Example(
        "orders_create.json",
        "An order placed (Shopify's orders/create sample)",
        {SHOPIFY_TOPIC_HEADER: "orders/create"},
    ),
    Example("orders_paid.json", "An order paid (Shopify's orders/paid sample)", {SHOPIFY_TOPIC_HEADER: "orders/paid"}),
    Example(
        "orders_cancelled.json",
        "An order cancelled by the customer (Shopify's orders/cancelled sample)",
        {SHOPIFY_TOPIC_HEADER: "orders/cancelled"},
    ),
    Example(
        "orders_fulfilled.json",
        "An order fulfilled (Shopify's orders/fulfilled sample)",
        {SHOPIFY_TOPIC_HEADER: "orders/fulfilled"},
    ),
    Example(
        "fulfillments_create.json",
        "A fulfillment with UPS tracking (Shopify's fulfillments/create sample)",
        {SHOPIFY_TOPIC_HEADER: "fulfillments/create"},
    ),
    Example(
        "refunds_create.json",
        "A refund whose transactions carry no currency (Shopify's refunds/create sample)",
        {SHOPIFY_TOPIC_HEADER: "refunds/create"},
    ),
    Example(
        "customers_update.json",
        "A customer updated (Shopify's customers/update sample)",
        {SHOPIFY_TOPIC_HEADER: "customers/update"},
    ),
    Example(
        "checkouts_update.json",
        "A checkout not completed (Shopify's checkouts/update sample)",
        {SHOPIFY_TOPIC_HEADER: "checkouts/update"},
    ),
)


@endpoint_schema(
    source="shopify",
    summary="Shopify topics",
    accepts=(
        "Shopify webhook topics: orders placed, paid, cancelled and fulfilled, abandoned checkouts, refunds, "
        "fulfillments shipped, delivered or failed, products out of stock and email marketing consent; the topic "
        "in X-Shopify-Topic."
    ),
    signing_scheme=SIGNING_SCHEME,
    headers=[
        RequestHeader(
            SHOPIFY_TOPIC_HEADER,
            "The topic, such as orders/create. Not signed: a body that contradicts it is kept in the inbox.",
            required=True,
        ),
        RequestHeader(
            SHOPIFY_WEBHOOK_ID_HEADER,
            "The delivery's id: the same id twice is stored once. Required; missing, the delivery is kept in the inbox.",
        ),
        RequestHeader(SHOPIFY_TRIGGERED_AT_HEADER, "When Shopify triggered the delivery (ISO 8601): the event's time."),
        RequestHeader(SHOPIFY_SHOP_DOMAIN_HEADER, "The shop's myshopify.com domain, kept as the fact shop_domain."),
        RequestHeader(
            SHOPIFY_EVENT_ID_HEADER,
            "The merchant action's id, shared by its deliveries; kept as the fact shopify_event_id.",
        ),
    ],
    examples=EXAMPLES,
)
class ShopifyWebhookView(WebhookView):
    """POST /api/webhooks/shopify/: Shopify's topics, signed in X-Shopify-Hmac-Sha256."""

    source = "shopify"
    signing_scheme = SIGNING_SCHEME
