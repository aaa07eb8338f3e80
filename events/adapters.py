"""Provider payloads read into one CanonicalEvent: `adapt(source=..., headers=..., body=..., received_at=...)`.

Pure: no ORM, no request. The signature has already been checked (events.signatures); this
module only reads. It raises PayloadError (answered 400) when the body is not what the
provider sends, naming the field ("data.object.amount_due", "X-Shopify-Topic"), and
UnknownEventType (answered 202, kept in the inbox) for a well-formed delivery of a type ProCX
does not map. Nothing else escapes: a KeyError or TypeError from an odd payload would be a
500 and a retry storm, so `adapt` turns any that slip through into a PayloadError.

Times become aware UTC datetimes (an ISO time without a zone is read as UTC, as the workbook
does). Money becomes a string of major units written with the currency's decimals ("2499.99",
"5000" yen, "1.250" dinars) beside an upper-case ISO `currency`.

What each provider sends, and what ProCX makes of it
====================================================

procx: the seed's own envelope, signed with Standard Webhooks
    {"event_type": "payment.failed", "timestamp": "2025-01-10T14:32:00Z", "source": "stripe",
     "data": {"customer_id": "C100109" (or "email"), "amount": 2499.99, "currency": "USD", ...}}
    event_type is already canonical (any of CANONICAL_TYPES); delivery id = header `webhook-id`.
    `data` is kept as sent, except: `amount` becomes a major-unit string, `currency` upper
    case, "USD" when a money type (MONEY_TYPES) has none; the envelope's `source` is kept as
    `origin`.

stripe: event objects {"id": "evt_...", "type", "created": <unix>, "data": {"object": {...}}}
    invoice.payment_failed             payment.failed, or subscription.payment_failed when the
                                       invoice belongs to a subscription
    invoice.payment_succeeded          payment.succeeded
    charge.failed, charge.succeeded    payment.failed, payment.succeeded; except a charge made
                                       for an invoice: Stripe sends the invoice event for the
                                       same payment with more facts (attempt, next retry), so
                                       the charge goes to the inbox instead of a second event
    customer.subscription.deleted      subscription.cancelled
    charge.refunded, refund.created,   refund.requested (ProCX has no "refund issued" type; the
    charge.refund.updated              customer wanting money back is the fact that matters,
                                       and `refund_status` says issued / pending / failed).
                                       Subscribe to one of them: each is its own delivery.
    charge.dispute.created             dispute.created
    customer.source.expiring,          payment.method_expired (`automatically_updated` true for
    payment_method.automatically_updated, the latter two: the network replaced the card)
    payment_method.card_automatically_updated
    Amounts are in the currency's minor unit (STRIPE: zero-decimal JPY, KRW, VND, CLP...,
    three-decimal BHD, JOD, KWD, OMR, TND; ISK is sent with two decimals). Customer:
    `customer` (cus_...), an email (`customer_email`, `billing_details.email`,
    `receipt_email`), `metadata.customer_id` (ours).

shopify: topic in X-Shopify-Topic, delivery id in X-Shopify-Webhook-Id, time from
X-Shopify-Triggered-At (else the payload's updated_at / created_at)
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

zendesk: {"type": "zen:event-type:ticket.created", "id", "time", "subject": "zen:ticket:<id>",
"detail": {ticket fields}, "event": {previous/current values}}
    ticket.created                     support.ticket.created
    ticket.status_changed              support.ticket.resolved to solved or closed;
                                       support.ticket.escalated to a status named "escalated"
    ticket.priority_changed            support.ticket.escalated when raised to high or urgent
    ticket.tags_changed                support.ticket.escalated when "escalated" or "escalation"
                                       is added
    ticket.group_assignment_changed    support.ticket.escalated when the ticket is tagged
                                       escalated or is urgent (a hand-over to the escalation team)
    Zendesk has no "escalated" event; these are the signals teams use for one. Any other
    change goes to the inbox. Customer: detail.requester_id (and detail.requester_email when a
    trigger adds it).

qualtrics: JSON that a Qualtrics workflow ("Web service" task) posts, signed in the
X-ProCX-Signature header (hex HMAC-SHA256 of the body; events.signatures), in this format:
    {"response_id": "R_1abcDEF",            required: the delivery id
     "survey_id": "SV_9xyz",                optional
     "recorded_at": "2025-01-10T14:32:00Z", optional ISO 8601 (UTC if no zone); else received_at
     "customer_id": "C100109",              customer_id or email (at least one)
     "email": "customer@example.com",
     "nps_score": 3,                        required, an integer 0-10 (a string of digits is read too)
     "feedback": "Delivery took two weeks."}  optional
    0-6 nps.detractor, 7-8 nps.passive, 9-10 nps.promoter. Qualtrics' own event
    subscription (form-encoded Topic, Status, SurveyID, ResponseID, CompletedDate) carries
    no score: it goes to the inbox with a note to forward the answer from a workflow.

The customer
    Each payload that the provider always sends with a customer must name one, or it is a
    PayloadError naming the field expected. Payloads that by the provider's design name no
    customer (a Stripe refund or dispute object, a Shopify refund or product) are read with
    what they do carry (metadata.customer_id, a dispute's evidence email) and may come back
    with an empty CustomerRef: the delivery is then kept in the inbox as "no customer
    matches", with its order and charge ids, rather than refused.

Keys of `data`, by meaning (a key is present only when the payload has the fact)
    money: amount, currency, partial (a partial refund), refund_status (issued, pending,
    failed, cancelled); payments: reason (a provider code such as "insufficient_funds"),
    reason_message (the provider's sentence), attempt, next_attempt_at, payment_method
    ("Visa ending 4242"), exp_month, exp_year, automatically_updated, invoice_id,
    invoice_url, charge_id, refund_id, dispute_id, evidence_due_by, subscription_id, plan,
    interval, comment; orders: order_id, order_name ("#1001"), item_count, items (titles),
    checkout_id, checkout_url, cancelled_at, fulfillment_id, shipment_status, carrier,
    tracking_number, tracking_url, delivered_at; products: product_id, product_title;
    tickets: ticket_id, subject, status, priority, previous_priority, channel, tags,
    description, escalation_reason; NPS: nps_score, feedback, survey_id; email: list;
    Shopify: shop_domain, shopify_event_id. Times are ISO 8601 UTC strings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from events.descriptions import currency_exponent
from events.webhook_types import (
    CANONICAL_TYPES,
    SOURCES,
    CanonicalEvent,
    CustomerRef,
    PayloadError,
    UnknownEventType,
)

# Canonical types whose facts are an amount of money: the procx envelope gets "USD" when it
# names no currency for these.
MONEY_TYPES = frozenset(
    {
        "payment.failed",
        "payment.succeeded",
        "subscription.payment_failed",
        "subscription.cancelled",
        "refund.requested",
        "dispute.created",
        "order.cancelled",
        "return.initiated",
        "cart.abandoned",
    }
)

Facts = dict[str, Any]
Json = dict[str, Any]


# Reading fields -----------------------------------------------------------------------------


def _json_object(body: bytes) -> Json:
    try:
        payload = json.loads(body)
    except ValueError as error:  # includes UnicodeDecodeError
        raise PayloadError("body", f"is not valid JSON ({error})") from error
    if not isinstance(payload, dict):
        raise PayloadError("body", f"must be a JSON object, not {_type_name(payload)}")
    return payload


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _text(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
    """A string field, stripped; "" when absent. Required: present and non-empty."""
    value = container.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(path, "is required")
        return ""
    if not isinstance(value, str):
        if required:
            raise PayloadError(path, f"must be a string, not {_type_name(value)}")
        return ""
    return value.strip()


def _identifier(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
    """An id that providers send as a string or a number (Shopify, Zendesk): always a string."""
    value = container.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(container, key, path, required=required)


def _integer(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> int | None:
    value = container.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None:
        if required:
            raise PayloadError(path, "is required")
        return None
    if required:
        raise PayloadError(path, f"must be an integer, not {_type_name(value)}")
    return None


def _object(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> Json:
    value = container.get(key)
    if isinstance(value, dict):
        return value
    if required:
        raise PayloadError(path, "is required" if value is None else f"must be an object, not {_type_name(value)}")
    return {}


def _array(container: Mapping[str, Any], key: str) -> list[Any]:
    value = container.get(key)
    return value if isinstance(value, list) else []


def _objects(container: Mapping[str, Any], key: str) -> list[Json]:
    return [item for item in _array(container, key) if isinstance(item, dict)]


def _header(headers: Mapping[str, str], name: str, *, required: bool = False) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted and isinstance(value, str) and value.strip():
            return value.strip()
    if required:
        raise PayloadError(name, "header is required")
    return ""


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _iso_time(value: Any, path: str) -> dt.datetime:
    """An ISO 8601 time (any offset; none means UTC) as an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(path, "must be an ISO 8601 time")
    try:
        return _utc(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError as error:
        raise PayloadError(path, f"is not an ISO 8601 time ({value!r})") from error


def _optional_time(container: Mapping[str, Any], key: str, path: str) -> dt.datetime | None:
    value = container.get(key)
    return None if value is None or value == "" else _iso_time(value, path)


def _unix(value: int, path: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise PayloadError(path, f"is not a unix time ({value})") from error


def _iso(moment: dt.datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


def _iso_or_none(value: Any) -> str | None:
    """An optional time fact: kept as ISO UTC when it reads as one, dropped otherwise."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return _iso(dt.datetime.fromtimestamp(value, tz=dt.UTC))
        if isinstance(value, str) and value.strip():
            return _iso(_iso_time(value, ""))
    except (PayloadError, OverflowError, OSError, ValueError):
        return None
    return None


def _currency(value: Any, path: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise PayloadError(path, "must be a three-letter ISO 4217 currency code")
    return value.strip().upper()


def _major(value: Decimal, currency: str) -> str:
    """A major-unit amount written with the currency's decimals, unless that would drop digits."""
    step = Decimal(1).scaleb(-currency_exponent(currency))
    quantized = value.quantize(step)
    return format(quantized if quantized == value else value, "f")


def _decimal(value: Any, path: str) -> Decimal:
    """A number sent as a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(path, "must be a number")
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation as error:
        raise PayloadError(path, f"is not a number ({value!r})") from error
    if not number.is_finite():
        raise PayloadError(path, "must be a finite number")
    return number


# Stripe minor units differ from ISO 4217 in two places: Stripe takes ISK with two decimals
# (for backwards compatibility) and MGA with none.
_STRIPE_EXPONENT_EXCEPTIONS = {"ISK": 2, "MGA": 0}


def _stripe_major(minor: int, currency: str) -> str:
    exponent = _STRIPE_EXPONENT_EXCEPTIONS.get(currency, currency_exponent(currency))
    return _major(Decimal(minor).scaleb(-exponent), currency)


# procx ------------------------------------------------------------------------------------------


def _adapt_procx(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    delivery_id = _header(headers, "webhook-id", required=True)
    payload = _json_object(body)
    event_type = _text(payload, "event_type", "event_type", required=True)
    if event_type not in CANONICAL_TYPES:
        raise UnknownEventType("procx", event_type)
    occurred_at = _optional_time(payload, "timestamp", "timestamp") or _utc(received_at)
    data = _object(payload, "data", "data", required=True)

    customer = CustomerRef(
        customer_id=_identifier(data, "customer_id", "data.customer_id"),
        email=_text(data, "email", "data.email"),
    )
    if customer.is_empty:
        raise PayloadError("data.customer_id", "is required (or data.email)")

    facts: Facts = dict(data)
    currency = data.get("currency")
    if currency is not None:
        facts["currency"] = _currency(currency, "data.currency")
    elif event_type in MONEY_TYPES:
        facts["currency"] = "USD"
    if data.get("amount") is not None:
        facts["amount"] = _major(_decimal(data["amount"], "data.amount"), facts.get("currency", "USD"))
    origin = _text(payload, "source", "source")
    if origin:
        facts["origin"] = origin
    return CanonicalEvent(
        source="procx",
        event_type=event_type,
        native_type=event_type,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# stripe ----------------------------------------------------------------------------------------

_CARD_BRANDS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "american express": "American Express",
    "discover": "Discover",
    "jcb": "JCB",
    "unionpay": "UnionPay",
    "diners": "Diners Club",
    "diners club": "Diners Club",
    "rupay": "RuPay",
}


def _card_text(card: Mapping[str, Any]) -> str:
    """The card as "Visa ending 4242", from a Stripe card (brand and last4); "" without last4."""
    last4 = _text(card, "last4", "last4")
    if not last4:
        return ""
    brand = _text(card, "brand", "brand")
    name = _CARD_BRANDS.get(brand.lower(), brand) if brand and brand.lower() != "unknown" else "card"
    return f"{name} ending {last4}"


def _stripe_customer(obj: Json, *, email_paths: tuple[str, ...] = (), required: bool = True) -> CustomerRef:
    """Who a Stripe object is about; `customer` may be an id or an expanded customer object."""
    provider_id, email = "", ""
    customer = obj.get("customer")
    if isinstance(customer, str):
        provider_id = customer.strip()
    elif isinstance(customer, dict):
        provider_id = _text(customer, "id", "data.object.customer.id")
        email = _text(customer, "email", "data.object.customer.email")
    for dotted in email_paths:
        if email:
            break
        container: Any = obj
        *parents, last = dotted.split(".")
        for parent in parents:
            container = container.get(parent) if isinstance(container, dict) else None
        email = _text(container, last, dotted) if isinstance(container, dict) else ""
    reference = CustomerRef(
        customer_id=_text(_object(obj, "metadata", "data.object.metadata"), "customer_id", "metadata.customer_id"),
        email=email,
        provider_customer_id=provider_id,
    )
    if required and reference.is_empty:
        raise PayloadError("data.object.customer", "is required (or an email, or metadata.customer_id)")
    return reference


def _stripe_money(obj: Json, amount_key: str) -> Facts:
    amount = _integer(obj, amount_key, f"data.object.{amount_key}", required=True)
    currency = _currency(obj.get("currency"), "data.object.currency")
    return {"amount": _stripe_major(amount or 0, currency), "currency": currency}


def _stripe_reason(*candidates: tuple[Any, Any]) -> Facts:
    """The most specific failure code and the provider's sentence, from (code, message) pairs."""
    facts: Facts = {}
    for code, message in candidates:
        if "reason" not in facts and isinstance(code, str) and code.strip():
            facts["reason"] = code.strip()
        if "reason_message" not in facts and isinstance(message, str) and message.strip():
            facts["reason_message"] = message.strip()
    if "reason" not in facts and "reason_message" in facts:
        facts["reason"] = facts["reason_message"]
    return facts


def _charge_reason(charge: Json) -> Facts:
    outcome = _object(charge, "outcome", "data.object.outcome")
    failure_code = charge.get("failure_code")
    # A generic "card_declined" says less than the decline code the network gave.
    decline = outcome.get("reason") if failure_code in (None, "card_declined") else None
    return _stripe_reason(
        (decline, charge.get("failure_message")),
        (failure_code, outcome.get("seller_message")),
    )


def _common_stripe_facts(obj: Json) -> Facts:
    metadata = _object(obj, "metadata", "data.object.metadata")
    facts: Facts = {}
    order_id = _identifier(metadata, "order_id", "data.object.metadata.order_id")
    if order_id:
        facts["order_id"] = order_id
    return facts


def _stripe_invoice(native: str, invoice: Json) -> tuple[str, Facts, CustomerRef]:
    failed = native == "invoice.payment_failed"
    customer = _stripe_customer(invoice, email_paths=("customer_email",))
    facts: Facts = {
        **_stripe_money(invoice, "amount_due" if failed else "amount_paid"),
        **_common_stripe_facts(invoice),
    }
    for key, fact in (("id", "invoice_id"), ("hosted_invoice_url", "invoice_url")):
        if value := _text(invoice, key, f"data.object.{key}"):
            facts[fact] = value
    if (charge := invoice.get("charge")) and isinstance(charge, str):
        facts["charge_id"] = charge
    attempt = _integer(invoice, "attempt_count", "data.object.attempt_count")
    if attempt:
        facts["attempt"] = attempt
    if failed and (next_attempt := _iso_or_none(invoice.get("next_payment_attempt"))):
        facts["next_attempt_at"] = next_attempt
    # API versions before 2025-03-31 name the subscription on the invoice, later ones under parent.
    subscription = invoice.get("subscription")
    if isinstance(subscription, dict):
        subscription = subscription.get("id")
    if not subscription:
        details = _object(_object(invoice, "parent", "data.object.parent"), "subscription_details", "")
        subscription = details.get("subscription")
    if isinstance(subscription, str) and subscription:
        facts["subscription_id"] = subscription
    if failed:
        # The invoice itself holds no decline reason unless its payment intent or charge is expanded.
        intent = _object(invoice, "payment_intent", "data.object.payment_intent")
        last_error = _object(intent, "last_payment_error", "")
        charge_object = _object(invoice, "charge", "data.object.charge")
        finalization = _object(invoice, "last_finalization_error", "")
        facts |= _stripe_reason(
            (last_error.get("decline_code"), last_error.get("message")),
            (_charge_reason(charge_object).get("reason") if charge_object else None, None),
            (last_error.get("code"), None),
            (finalization.get("code"), finalization.get("message")),
        )
        if "subscription_id" in facts:
            return "subscription.payment_failed", facts, customer
        return "payment.failed", facts, customer
    return "payment.succeeded", facts, customer


def _stripe_charge(native: str, charge: Json) -> tuple[str, Facts, CustomerRef]:
    invoice = charge.get("invoice")
    if invoice and native in ("charge.failed", "charge.succeeded"):
        # Stripe also sends invoice.payment_failed / _succeeded for this payment, with the attempt
        # count and next retry: reading both would make two events of one payment.
        raise UnknownEventType("stripe", f"{native} (invoice payment: read from the invoice event)")
    customer = _stripe_customer(charge, email_paths=("billing_details.email", "receipt_email"))
    refunded = native == "charge.refunded"
    facts: Facts = {
        **_stripe_money(charge, "amount_refunded" if refunded else "amount"),
        **_common_stripe_facts(charge),
    }
    if charge_id := _text(charge, "id", "data.object.id"):
        facts["charge_id"] = charge_id
    if isinstance(invoice, str):
        facts["invoice_id"] = invoice
    card = _object(_object(charge, "payment_method_details", ""), "card", "")
    if method := _card_text(card):
        facts["payment_method"] = method
    if native == "charge.failed":
        return "payment.failed", facts | _charge_reason(charge), customer
    if refunded:
        facts["refund_status"] = "issued"
        if charge.get("refunded") is False:
            facts["partial"] = True
        refunds = _objects(_object(charge, "refunds", ""), "data")
        if refunds and (reason := _text(refunds[0], "reason", "reason")):
            facts["reason"] = reason
        return "refund.requested", facts, customer
    return "payment.succeeded", facts, customer


_STRIPE_REFUND_STATUS = {
    "succeeded": "issued",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "cancelled",
}


def _stripe_refund(native: str, refund: Json) -> tuple[str, Facts, CustomerRef]:
    # A refund object names no customer: only our metadata can.
    customer = _stripe_customer(refund, required=False)
    facts: Facts = {**_stripe_money(refund, "amount"), **_common_stripe_facts(refund)}
    for key, fact in (("id", "refund_id"), ("charge", "charge_id"), ("reason", "reason")):
        if value := _text(refund, key, f"data.object.{key}"):
            facts[fact] = value
    status = _STRIPE_REFUND_STATUS.get(_text(refund, "status", "data.object.status"))
    if status:
        facts["refund_status"] = status
    return "refund.requested", facts, customer


def _stripe_dispute(native: str, dispute: Json) -> tuple[str, Facts, CustomerRef]:
    # A dispute names no customer; its evidence may carry the customer's email.
    customer = _stripe_customer(dispute, email_paths=("evidence.customer_email_address",), required=False)
    facts: Facts = {**_stripe_money(dispute, "amount"), **_common_stripe_facts(dispute)}
    for key, fact in (("id", "dispute_id"), ("charge", "charge_id"), ("reason", "reason")):
        if value := _text(dispute, key, f"data.object.{key}"):
            facts[fact] = value
    due = _iso_or_none(_object(dispute, "evidence_details", "").get("due_by"))
    if due:
        facts["evidence_due_by"] = due
    return "dispute.created", facts, customer


def _stripe_subscription(native: str, subscription: Json) -> tuple[str, Facts, CustomerRef]:
    customer = _stripe_customer(subscription)
    facts: Facts = {}
    if subscription_id := _text(subscription, "id", "data.object.id"):
        facts["subscription_id"] = subscription_id
    items = _objects(_object(subscription, "items", ""), "data")
    price = _object(items[0], "price", "") if items else {}
    plan = _object(subscription, "plan", "")
    unit_amount = _integer(price, "unit_amount", "") or _integer(plan, "amount", "")
    quantity = (_integer(items[0], "quantity", "") if items else None) or 1
    currency_value = price.get("currency") or plan.get("currency") or subscription.get("currency")
    if unit_amount is not None and isinstance(currency_value, str) and re.fullmatch(r"[A-Za-z]{3}", currency_value):
        currency = currency_value.upper()
        facts |= {"amount": _stripe_major(unit_amount * quantity, currency), "currency": currency}
    interval = _text(_object(price, "recurring", ""), "interval", "") or _text(plan, "interval", "")
    if interval:
        facts["interval"] = interval
    if name := _text(price, "nickname", "") or _text(plan, "nickname", ""):
        facts["plan"] = name
    details = _object(subscription, "cancellation_details", "")
    reason = _text(details, "feedback", "") or _text(details, "reason", "")
    if reason:
        facts["reason"] = reason
    if comment := _text(details, "comment", ""):
        facts["comment"] = comment
    if cancelled_at := _iso_or_none(subscription.get("canceled_at") or subscription.get("ended_at")):
        facts["cancelled_at"] = cancelled_at
    return "subscription.cancelled", facts, customer


def _stripe_payment_method(native: str, obj: Json) -> tuple[str, Facts, CustomerRef]:
    customer = _stripe_customer(obj, email_paths=("billing_details.email", "owner.email"))
    # customer.source.expiring sends the card itself (or a source holding one); payment_method.*
    # sends a PaymentMethod with the card under "card".
    card = obj if obj.get("object") == "card" else _object(obj, "card", "data.object.card")
    facts: Facts = {}
    if method := _card_text(card):
        facts["payment_method"] = method
    for key in ("exp_month", "exp_year"):
        if (value := _integer(card, key, "")) is not None:
            facts[key] = value
    if native != "customer.source.expiring":
        facts["automatically_updated"] = True
    return "payment.method_expired", facts, customer


_STRIPE_READERS: dict[str, Callable[[str, Json], tuple[str, Facts, CustomerRef]]] = {
    "invoice.payment_failed": _stripe_invoice,
    "invoice.payment_succeeded": _stripe_invoice,
    "charge.failed": _stripe_charge,
    "charge.succeeded": _stripe_charge,
    "charge.refunded": _stripe_charge,
    "charge.refund.updated": _stripe_refund,
    "refund.created": _stripe_refund,
    "charge.dispute.created": _stripe_dispute,
    "customer.subscription.deleted": _stripe_subscription,
    "customer.source.expiring": _stripe_payment_method,
    "payment_method.automatically_updated": _stripe_payment_method,
    "payment_method.card_automatically_updated": _stripe_payment_method,
}


def _adapt_stripe(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    payload = _json_object(body)
    delivery_id = _text(payload, "id", "id", required=True)
    native = _text(payload, "type", "type", required=True)
    reader = _STRIPE_READERS.get(native)
    if reader is None:
        raise UnknownEventType("stripe", native)
    occurred_at = _unix(_integer(payload, "created", "created", required=True) or 0, "created")
    obj = _object(_object(payload, "data", "data", required=True), "object", "data.object", required=True)
    event_type, facts, customer = reader(native, obj)
    return CanonicalEvent(
        source="stripe",
        event_type=event_type,
        native_type=native,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# shopify ---------------------------------------------------------------------------------------

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


def _shopify_refund(topic: str, refund: Json) -> tuple[str, Facts, CustomerRef]:
    facts: Facts = {}
    total, currency, statuses = Decimal(0), "", set()
    for index, transaction in enumerate(_objects(refund, "transactions")):
        status = _text(transaction, "status", "")
        if _text(transaction, "kind", "") != "refund" or status in ("failure", "error"):
            continue
        total += _decimal(transaction.get("amount"), f"transactions[{index}].amount")
        currency = currency or _currency(transaction.get("currency"), f"transactions[{index}].currency")
        statuses.add(status)
    if currency:
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
    topic = _header(headers, "X-Shopify-Topic", required=True)
    delivery_id = _header(headers, "X-Shopify-Webhook-Id", required=True)
    payload = _json_object(body)
    reader = _SHOPIFY_READERS.get(topic)
    if reader is None:
        raise UnknownEventType("shopify", topic)
    triggered = _header(headers, "X-Shopify-Triggered-At")
    occurred_at = (
        _iso_time(triggered, "X-Shopify-Triggered-At")
        if triggered
        else _optional_time(payload, "updated_at", "updated_at")
        or _optional_time(payload, "created_at", "created_at")
        or _utc(received_at)
    )
    event_type, facts, customer = reader(topic, payload)
    for header, fact in (("X-Shopify-Shop-Domain", "shop_domain"), ("X-Shopify-Event-Id", "shopify_event_id")):
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


# zendesk ---------------------------------------------------------------------------------------

_ZENDESK_PREFIX = "zen:event-type:"
_ESCALATION_TAGS = frozenset({"escalated", "escalation"})
_PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


def _lower(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split()
    return (
        [tag.strip().lower() for tag in value if isinstance(tag, str) and tag.strip()]
        if isinstance(value, list)
        else []
    )


def _zendesk_mapping(short: str, detail: Json, change: Json) -> tuple[str, str] | str:
    """(canonical type, escalation reason) for a mapped change, or the inbox label for another."""
    current, previous = _lower(change.get("current")), _lower(change.get("previous"))
    if short == "ticket.created":
        return "support.ticket.created", ""
    if short == "ticket.status_changed":
        current = current or _lower(detail.get("status"))
        if current in ("solved", "closed"):
            return "support.ticket.resolved", ""
        if current == "escalated":
            return "support.ticket.escalated", "status set to escalated"
        return f"ticket.status_changed (to {current or 'unknown'})"
    if short == "ticket.priority_changed":
        current = current or _lower(detail.get("priority"))
        raised = _PRIORITY_RANK.get(current, -1) > _PRIORITY_RANK.get(previous, -1)
        if current in ("high", "urgent") and raised:
            reason = f"priority raised from {previous} to {current}" if previous else f"priority raised to {current}"
            return "support.ticket.escalated", reason
        return f"ticket.priority_changed (to {current or 'unknown'})"
    if short == "ticket.tags_changed":
        added = set(_tags(change.get("tags_added")))
        if added & _ESCALATION_TAGS:
            return "support.ticket.escalated", f"tagged {sorted(added & _ESCALATION_TAGS)[0]}"
        return "ticket.tags_changed (no escalation tag)"
    if short == "ticket.group_assignment_changed":
        if set(_tags(detail.get("tags"))) & _ESCALATION_TAGS or _lower(detail.get("priority")) == "urgent":
            return "support.ticket.escalated", "handed to another team"
        return "ticket.group_assignment_changed (not an escalation)"
    return short


def _adapt_zendesk(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    payload = _json_object(body)
    native = _text(payload, "type", "type", required=True)
    delivery_id = _identifier(payload, "id", "id", required=True)
    detail = _object(payload, "detail", "detail", required=True)
    change = _object(payload, "event", "event")
    short = native.removeprefix(_ZENDESK_PREFIX)
    mapped = _zendesk_mapping(short, detail, change)
    if isinstance(mapped, str):
        raise UnknownEventType(
            "zendesk", f"{_ZENDESK_PREFIX}{mapped}" if native.startswith(_ZENDESK_PREFIX) else mapped
        )
    event_type, escalation_reason = mapped
    occurred_at = _optional_time(payload, "time", "time") or _utc(received_at)

    subject = _text(payload, "subject", "subject")
    ticket_id = _identifier(detail, "id", "detail.id")
    if not ticket_id and subject.startswith("zen:ticket:"):
        ticket_id = subject.removeprefix("zen:ticket:")
    if not ticket_id:
        raise PayloadError("detail.id", "is required (the ticket id)")
    customer = CustomerRef(
        email=_text(detail, "requester_email", "detail.requester_email"),
        provider_customer_id=_identifier(detail, "requester_id", "detail.requester_id"),
    )
    if customer.is_empty:
        raise PayloadError("detail.requester_id", "is required (or detail.requester_email)")

    facts: Facts = {"ticket_id": ticket_id}
    for key in ("subject", "description"):
        if value := _text(detail, key, f"detail.{key}"):
            facts[key] = value
    for key in ("status", "priority"):
        if value := _lower(detail.get(key)):
            facts[key] = value
    if short == "ticket.priority_changed" and (previous := _lower(change.get("previous"))):
        facts["previous_priority"] = previous
    if short == "ticket.status_changed" and (current := _lower(change.get("current"))):
        facts["status"] = current
    if channel := _lower(_object(detail, "via", "detail.via").get("channel")):
        facts["channel"] = channel
    if tags := _tags(detail.get("tags")):
        facts["tags"] = tags
    if escalation_reason:
        facts["escalation_reason"] = escalation_reason
    return CanonicalEvent(
        source="zendesk",
        event_type=event_type,
        native_type=native,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# qualtrics -------------------------------------------------------------------------------------

QUALTRICS_SUBSCRIPTION_TYPE = "surveyengine.completedResponse (no score: forward the answer from a workflow)"


def _nps_score(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}\s*", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError("nps_score", f"must be an integer from 0 to 10, not {value!r}")
    if not 0 <= value <= 10:
        raise PayloadError("nps_score", f"must be from 0 to 10, not {value}")
    return value


def _nps_group(score: int) -> str:
    if score <= 6:
        return "nps.detractor"
    return "nps.passive" if score <= 8 else "nps.promoter"


def _adapt_qualtrics(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    if body.lstrip()[:1] not in (b"{", b"["):
        # Qualtrics' own event subscription posts a form; it names the response but not the score.
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            form = {}
        if "Topic" in form:
            raise UnknownEventType("qualtrics", QUALTRICS_SUBSCRIPTION_TYPE)
    payload = _json_object(body)
    delivery_id = _identifier(payload, "response_id", "response_id", required=True)
    customer = CustomerRef(
        customer_id=_identifier(payload, "customer_id", "customer_id"),
        email=_text(payload, "email", "email"),
    )
    if "nps_score" not in payload or payload["nps_score"] is None:
        raise PayloadError("nps_score", "is required (an integer from 0 to 10)")
    score = _nps_score(payload["nps_score"])
    if customer.is_empty:
        raise PayloadError("customer_id", "is required (or email)")
    occurred_at = _optional_time(payload, "recorded_at", "recorded_at") or _utc(received_at)
    facts: Facts = {"nps_score": score, "response_id": delivery_id}
    if survey_id := _identifier(payload, "survey_id", "survey_id"):
        facts["survey_id"] = survey_id
    if feedback := _text(payload, "feedback", "feedback"):
        facts["feedback"] = feedback
    return CanonicalEvent(
        source="qualtrics",
        event_type=_nps_group(score),
        native_type="workflow.nps_response",
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# entry point -----------------------------------------------------------------------------------

_ADAPTERS: dict[str, Callable[[Mapping[str, str], bytes, dt.datetime], CanonicalEvent]] = {
    "procx": _adapt_procx,
    "stripe": _adapt_stripe,
    "shopify": _adapt_shopify,
    "zendesk": _adapt_zendesk,
    "qualtrics": _adapt_qualtrics,
}


def adapt(*, source: str, headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    """Read one verified delivery from `source` into a CanonicalEvent.

    Raises PayloadError (the field named) or UnknownEventType; nothing else.
    """
    adapter = _ADAPTERS.get(source)
    if adapter is None:
        raise PayloadError("source", f"{source!r} is not one of {', '.join(SOURCES)}")
    try:
        return adapter(headers, body, received_at)
    except (PayloadError, UnknownEventType):
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        # A shape no reader above expected: still the payload's fault, never a 500.
        raise PayloadError("body", f"could not be read ({type(error).__name__}: {error})") from error
