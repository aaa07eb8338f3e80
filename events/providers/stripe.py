"""Stripe: event objects signed in the Stripe-Signature header, at /api/webhooks/stripe/.

`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`: the hex HMAC-SHA256 of `{t}.{raw body}`,
keyed with the whole endpoint secret, `whsec_` included, as UTF-8 (unlike Standard Webhooks).
Any v1 may match (secret rotation); the SDKs' default tolerance, 300 seconds, applies.

The payload: {"id": "evt_...", "type", "created": <unix>, "data": {"object": {...}}}
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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from events.descriptions import currency_exponent
from events.providers.base import (
    Facts,
    Json,
    SigningScheme,
    WebhookView,
    _check_tolerance,
    _currency,
    _decoded_signatures,
    _hex_bytes,
    _hmac_sha256,
    _identifier,
    _integer,
    _iso_or_none,
    _json_object,
    _major,
    _object,
    _objects,
    _require_header,
    _require_match,
    _require_secrets,
    _text,
    _unix,
    _unix_seconds,
    _utf8_key,
    endpoint_schema,
)
from events.webhook_types import CanonicalEvent, CustomerRef, PayloadError, SignatureError, UnknownEventType

STRIPE_SIGNATURE_HEADER = "Stripe-Signature"
HEADERS = (STRIPE_SIGNATURE_HEADER,)
TOLERANCE_SECONDS = 300

SIGNING_SCHEME = SigningScheme(
    name="StripeSignature",
    header=STRIPE_SIGNATURE_HEADER,
    description=(
        "Stripe-Signature: `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, the hex HMAC-SHA256 of `{t}.{raw body}` "
        "keyed with the whole endpoint secret, whsec_ included, as UTF-8; any v1 may match. Timestamps more "
        f"than {TOLERANCE_SECONDS} s off are refused. Secret: PROCX_STRIPE_WEBHOOK_SECRET (comma-separated to "
        "rotate)."
    ),
)


# Verifying and signing ----------------------------------------------------------------------


def verify_stripe(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`, keyed with the whole secret."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "stripe"))]
    header = _require_header(headers, STRIPE_SIGNATURE_HEADER)
    pairs = [item.strip().partition("=") for item in header.split(",")]
    timestamps = [value.strip() for name, _, value in pairs if name.strip() == "t"]
    if len(timestamps) != 1:
        raise SignatureError(f"header {STRIPE_SIGNATURE_HEADER} must carry exactly one t=<unix seconds>")
    timestamp = _unix_seconds(timestamps[0], STRIPE_SIGNATURE_HEADER)
    # Only v1 is HMAC-SHA256; v0 and any future scheme are ignored, as Stripe's own libraries do.
    encoded = [value.strip() for name, _, value in pairs if name.strip() == "v1"]
    if not encoded:
        raise SignatureError(f"header {STRIPE_SIGNATURE_HEADER} has no v1=<hex> signature")
    signatures = _decoded_signatures(encoded, _hex_bytes, STRIPE_SIGNATURE_HEADER)
    _check_tolerance(timestamp, now=now, tolerance=TOLERANCE_SECONDS, header=STRIPE_SIGNATURE_HEADER)
    signed = f"{timestamps[0]}.".encode() + body
    _require_match(signed, keys=keys, signatures=signatures)


def sign_stripe(*, body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    """Headers for a valid delivery (tests, the demo command and the benchmark build them)."""
    signature = _hmac_sha256(_utf8_key(secret, 0), f"{timestamp}.".encode() + body)
    return {STRIPE_SIGNATURE_HEADER: f"t={timestamp},v1={signature.hex()}"}


# Reading the payload ------------------------------------------------------------------------


# Stripe minor units differ from ISO 4217 in two places: Stripe takes ISK with two decimals
# (for backwards compatibility) and MGA with none.
_STRIPE_EXPONENT_EXCEPTIONS = {"ISK": 2, "MGA": 0}


def _stripe_major(minor: int, currency: str) -> str:
    exponent = _STRIPE_EXPONENT_EXCEPTIONS.get(currency, currency_exponent(currency))
    return _major(Decimal(minor).scaleb(-exponent), currency)


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


# The endpoint -------------------------------------------------------------------------------


@endpoint_schema(
    source="stripe",
    summary="Stripe events",
    accepts=(
        "Stripe event objects: failed and succeeded payments, refunds, disputes, cancelled subscriptions "
        "and expiring cards."
    ),
    signing_scheme=SIGNING_SCHEME,
)
class StripeWebhookView(WebhookView):
    """POST /api/webhooks/stripe/: Stripe's events, signed in Stripe-Signature."""

    source = "stripe"
    signing_scheme = SIGNING_SCHEME
