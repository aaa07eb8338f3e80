"""Stripe: event objects signed in the Stripe-Signature header, at /api/webhooks/stripe/.

`Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`: the hex HMAC-SHA256 of `{t}.{raw body}`,
keyed with the whole endpoint secret, `whsec_` included, as UTF-8 (unlike Standard Webhooks).
Any v1 may match (secret rotation); the SDKs' default tolerance, 300 seconds, applies.

The payload: {"id": "evt_...", "type", "created": <unix>, "data": {"object": {...},
"previous_attributes": {...} (updates only)}}. Only the envelope is required; every fact of
the object is optional (an amount that is null or not an integer of minor units, or a currency
that is not a three-letter code, leaves both out).
    invoice.payment_failed             payment.failed, or subscription.payment_failed when the
                                       invoice belongs to a subscription
    invoice.payment_succeeded,         payment.succeeded
    invoice.paid
    payment_intent.payment_failed,     payment.failed, payment.succeeded
    payment_intent.succeeded
    charge.failed, charge.succeeded    payment.failed, payment.succeeded
    customer.subscription.updated      subscription.cancel_scheduled when the update makes the
                                       subscription end (cancel_at_period_end true or cancel_at
                                       set) and previous_attributes shows it did not;
                                       subscription.reactivated when it withdraws that; any other
                                       update to the inbox. Without previous_attributes,
                                       cancel_at_period_end true reads as cancel_scheduled.
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
    three-decimal BHD, JOD, KWD, OMR, TND; ISK is sent with two decimals).

One payment, one event. Stripe sends several events for one payment, and a shop may subscribe
to all of them:
    - A payment intent and its charge (payment_intent.succeeded and charge.succeeded, or
      payment_intent.payment_failed and charge.failed): both are read, both carry the facts
      payment_intent_id and charge_id, and both set CanonicalEvent.content_key, so whichever
      arrives second is acknowledged as a duplicate of the first: "payment:<pi>:succeeded" (a
      payment intent succeeds once) and "payment:<pi>:<charge>:failed" (it may fail once per
      attempt, each attempt its own charge). A failure that never reached a charge has no
      charge event to pair with, and no key; nor has a charge made without a payment intent.
    - An invoice's payment: read from the invoice event, which has the attempt and the next
      retry. A charge or payment intent that names its invoice (API versions before
      2025-03-31.basil) goes to the inbox, "read from the invoice event". From basil on Stripe
      removed `invoice` from charges and payment intents and `charge` / `payment_intent` from
      invoices: nothing in the payloads ties them, so an account on basil or later that
      subscribes to invoice events and to charge.* or payment_intent.* gets two events for an
      invoice's payment.
    - invoice.payment_succeeded and invoice.paid, both sent for one payment: both set
      content_key "invoice_paid:<invoice id>".

The customer: `customer` (cus_..., or the expanded customer), an email (`customer_email`,
`billing_details.email`, `receipt_email`, a failed payment's payment method, a dispute's
evidence), `metadata.customer_id` (ours). Invoices, subscriptions and cards always name a
customer (a PayloadError otherwise). Charges and payment intents need not (a guest's payment),
and refunds and disputes never do: these carry their charge and payment intent in
CustomerRef.related, so ProCX finds the customer through an earlier Stripe event whose facts
have that charge_id or payment_intent_id. Every reader stores charge_id and payment_intent_id
where its object has them for that reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from events.descriptions import currency_exponent
from events.providers.base import (
    Example,
    Facts,
    Json,
    SigningScheme,
    WebhookView,
    _check_tolerance,
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


def _stripe_amount(minor: Any, currency: Any) -> Facts:
    """`amount` in major units and `currency`, from an integer of minor units and a three-letter
    code; {} when either is missing or not that: the event is stored without an amount."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        return {}
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
        return {}
    code = currency.strip().upper()
    return {"amount": _stripe_major(minor, code), "currency": code}


def _stripe_id(value: Any) -> str:
    """An expandable reference: the id itself, or the id of the expanded object; "" otherwise."""
    if isinstance(value, dict):
        value = value.get("id")
    return value.strip() if isinstance(value, str) else ""


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


# The facts that let a later dispute or refund, which names no customer, find the one an
# earlier event of the same charge or payment intent was for.
_PAYMENT_OBJECT_KEYS = ("charge_id", "payment_intent_id")


def _related(facts: Facts) -> tuple[tuple[str, str], ...]:
    return tuple((key, facts[key]) for key in _PAYMENT_OBJECT_KEYS if facts.get(key))


def _stripe_customer(
    obj: Json,
    *,
    email_paths: tuple[str, ...] = (),
    required: bool = True,
    related: tuple[tuple[str, str], ...] = (),
) -> CustomerRef:
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
        related=related,
    )
    if required and reference.is_empty:
        raise PayloadError("data.object.customer", "is required (or an email, or metadata.customer_id)")
    return reference


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


def _ids(**references: Any) -> Facts:
    """Facts of ids (charge_id="ch_...") from ids or expanded objects, leaving out those absent."""
    return {fact: identifier for fact, reference in references.items() if (identifier := _stripe_id(reference))}


def _payment_key(facts: Facts, *, failed: bool) -> str:
    """The content_key a payment intent's event and its charge's event share (module docstring)."""
    intent, charge = facts.get("payment_intent_id"), facts.get("charge_id")
    if not intent:
        return ""
    if not failed:
        return f"payment:{intent}:succeeded"
    return f"payment:{intent}:{charge}:failed" if charge else ""


class _Reading(NamedTuple):
    """What a reader makes of one Stripe object; the adapter adds the envelope's facts."""

    event_type: str
    facts: Facts
    customer: CustomerRef
    content_key: str = ""


def _stripe_invoice(native: str, invoice: Json, previous: Json | None) -> _Reading:
    failed = native == "invoice.payment_failed"
    customer = _stripe_customer(invoice, email_paths=("customer_email",))
    facts: Facts = {
        **_stripe_amount(invoice.get("amount_due" if failed else "amount_paid"), invoice.get("currency")),
        **_common_stripe_facts(invoice),
    }
    for key, fact in (("id", "invoice_id"), ("hosted_invoice_url", "invoice_url")):
        if value := _text(invoice, key, f"data.object.{key}"):
            facts[fact] = value
    # API versions before 2025-03-31.basil name the invoice's charge and payment intent.
    facts |= _ids(charge_id=invoice.get("charge"), payment_intent_id=invoice.get("payment_intent"))
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
    if not failed:
        # invoice.payment_succeeded and invoice.paid are sent for the same payment.
        key = f"invoice_paid:{facts['invoice_id']}" if "invoice_id" in facts else ""
        return _Reading("payment.succeeded", facts, customer, key)
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
        return _Reading("subscription.payment_failed", facts, customer)
    return _Reading("payment.failed", facts, customer)


def _invoice_payment(native: str, obj: Json) -> None:
    """A charge or payment intent made for an invoice is read from the invoice event, which has
    the attempt and the next retry (only API versions before 2025-03-31.basil say so)."""
    if _stripe_id(obj.get("invoice")):
        raise UnknownEventType("stripe", native, "an invoice payment, read from the invoice event")


def _stripe_payment_intent(native: str, intent: Json, previous: Json | None) -> _Reading:
    _invoice_payment(native, intent)
    failed = native == "payment_intent.payment_failed"
    error = _object(intent, "last_payment_error", "data.object.last_payment_error")
    received = intent.get("amount_received")
    minor = intent.get("amount") if failed or not received else received
    facts: Facts = {**_stripe_amount(minor, intent.get("currency")), **_common_stripe_facts(intent)}
    facts |= _ids(
        charge_id=intent.get("latest_charge") or (error.get("charge") if failed else None),
        payment_intent_id=intent.get("id"),
    )
    # A failure's payment method is expanded in last_payment_error; a success's only when asked.
    method = _object(error if failed else intent, "payment_method", "")
    if card := _card_text(_object(method, "card", "")):
        facts["payment_method"] = card
    if failed:
        facts |= _stripe_reason((error.get("decline_code"), error.get("message")), (error.get("code"), None))
    customer = _stripe_customer(
        intent,
        email_paths=("receipt_email", "last_payment_error.payment_method.billing_details.email"),
        required=False,
        related=_related(facts),
    )
    event_type = "payment.failed" if failed else "payment.succeeded"
    return _Reading(event_type, facts, customer, _payment_key(facts, failed=failed))


def _stripe_charge(native: str, charge: Json, previous: Json | None) -> _Reading:
    refunded = native == "charge.refunded"
    if not refunded:
        _invoice_payment(native, charge)
    facts: Facts = {
        **_stripe_amount(charge.get("amount_refunded" if refunded else "amount"), charge.get("currency")),
        **_common_stripe_facts(charge),
        **_ids(charge_id=charge.get("id"), payment_intent_id=charge.get("payment_intent")),
    }
    if invoice := _stripe_id(charge.get("invoice")):
        facts["invoice_id"] = invoice
    card = _object(_object(charge, "payment_method_details", ""), "card", "")
    if method := _card_text(card):
        facts["payment_method"] = method
    customer = _stripe_customer(
        charge, email_paths=("billing_details.email", "receipt_email"), required=False, related=_related(facts)
    )
    if refunded:
        facts["refund_status"] = "issued"
        if charge.get("refunded") is False:
            facts["partial"] = True
        refunds = _objects(_object(charge, "refunds", ""), "data")
        if refunds and (reason := _text(refunds[0], "reason", "reason")):
            facts["reason"] = reason
        return _Reading("refund.requested", facts, customer)
    if native == "charge.failed":
        return _Reading("payment.failed", facts | _charge_reason(charge), customer, _payment_key(facts, failed=True))
    return _Reading("payment.succeeded", facts, customer, _payment_key(facts, failed=False))


_STRIPE_REFUND_STATUS = {
    "succeeded": "issued",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "cancelled",
}


def _stripe_refund(native: str, refund: Json, previous: Json | None) -> _Reading:
    facts: Facts = {
        **_stripe_amount(refund.get("amount"), refund.get("currency")),
        **_common_stripe_facts(refund),
        **_ids(
            refund_id=refund.get("id"), charge_id=refund.get("charge"), payment_intent_id=refund.get("payment_intent")
        ),
    }
    if reason := _text(refund, "reason", "data.object.reason"):
        facts["reason"] = reason
    status = _STRIPE_REFUND_STATUS.get(_text(refund, "status", "data.object.status"))
    if status:
        facts["refund_status"] = status
    # A refund object names no customer: only our metadata can, or its charge's earlier event.
    customer = _stripe_customer(refund, required=False, related=_related(facts))
    return _Reading("refund.requested", facts, customer)


def _stripe_dispute(native: str, dispute: Json, previous: Json | None) -> _Reading:
    facts: Facts = {
        **_stripe_amount(dispute.get("amount"), dispute.get("currency")),
        **_common_stripe_facts(dispute),
        **_ids(
            dispute_id=dispute.get("id"),
            charge_id=dispute.get("charge"),
            payment_intent_id=dispute.get("payment_intent"),
        ),
    }
    if reason := _text(dispute, "reason", "data.object.reason"):
        facts["reason"] = reason
    due = _iso_or_none(_object(dispute, "evidence_details", "").get("due_by"))
    if due:
        facts["evidence_due_by"] = due
    # A dispute names no customer: its evidence may carry the email, or its charge's earlier event.
    customer = _stripe_customer(
        dispute, email_paths=("evidence.customer_email_address",), required=False, related=_related(facts)
    )
    return _Reading("dispute.created", facts, customer)


def _subscription_facts(subscription: Json) -> Facts:
    """The subscription's id and what it costs: plan, amount, currency, interval."""
    facts: Facts = {}
    if subscription_id := _text(subscription, "id", "data.object.id"):
        facts["subscription_id"] = subscription_id
    items = _objects(_object(subscription, "items", ""), "data")
    price = _object(items[0], "price", "") if items else {}
    plan = _object(subscription, "plan", "")
    unit_amount = _integer(price, "unit_amount", "") or _integer(plan, "amount", "")
    quantity = (_integer(items[0], "quantity", "") if items else None) or 1
    currency = price.get("currency") or plan.get("currency") or subscription.get("currency")
    if unit_amount is not None:
        facts |= _stripe_amount(unit_amount * quantity, currency)
    interval = _text(_object(price, "recurring", ""), "interval", "") or _text(plan, "interval", "")
    if interval:
        facts["interval"] = interval
    if name := _text(price, "nickname", "") or _text(plan, "nickname", ""):
        facts["plan"] = name
    return facts


def _cancellation_facts(subscription: Json) -> Facts:
    """Why the customer cancelled (the feedback they chose, else Stripe's reason) and what they wrote."""
    details = _object(subscription, "cancellation_details", "")
    facts: Facts = {}
    if reason := _text(details, "feedback", "") or _text(details, "reason", ""):
        facts["reason"] = reason
    if comment := _text(details, "comment", ""):
        facts["comment"] = comment
    return facts


def _stripe_subscription(native: str, subscription: Json, previous: Json | None) -> _Reading:
    customer = _stripe_customer(subscription)
    facts = _subscription_facts(subscription) | _cancellation_facts(subscription)
    if cancelled_at := _iso_or_none(subscription.get("canceled_at") or subscription.get("ended_at")):
        facts["cancelled_at"] = cancelled_at
    return _Reading("subscription.cancelled", facts, customer)


# A subscription is set to end when cancel_at_period_end is true or cancel_at holds a time.
_CANCELLATION_FIELDS = ("cancel_at_period_end", "cancel_at")


def _ends(state: Mapping[str, Any]) -> bool:
    return state.get("cancel_at_period_end") is True or _integer(state, "cancel_at", "") is not None


def _ends_at(subscription: Json) -> str | None:
    """When a subscription set to end ends: cancel_at, else the end of the current period (on the
    subscription before API version 2025-03-31.basil, on its items from then on)."""
    if ends_at := _iso_or_none(subscription.get("cancel_at")):
        return ends_at
    if subscription.get("cancel_at_period_end") is not True:
        return None
    items = _objects(_object(subscription, "items", ""), "data")
    period_end = subscription.get("current_period_end") or (items[0].get("current_period_end") if items else None)
    return _iso_or_none(period_end)


def _stripe_subscription_updated(native: str, subscription: Json, previous: Json | None) -> _Reading:
    if previous is None:
        # Stripe sends previous_attributes with every update; without it (a forwarded or replayed
        # update) only cancel_at_period_end says the customer asked to cancel. cancel_at alone may
        # be a fixed term set when the subscription began.
        scheduled, withdrawn = subscription.get("cancel_at_period_end") is True, False
    elif any(key in previous for key in _CANCELLATION_FIELDS):
        before = {key: previous[key] if key in previous else subscription.get(key) for key in _CANCELLATION_FIELDS}
        ended_before, ends_now = _ends(before), _ends(subscription)
        scheduled, withdrawn = ends_now and not ended_before, ended_before and not ends_now
    else:
        scheduled = withdrawn = False
    if not (scheduled or withdrawn):
        raise UnknownEventType("stripe", native, "neither schedules nor withdraws a cancellation")
    customer = _stripe_customer(subscription)
    facts = _subscription_facts(subscription)
    if withdrawn:
        return _Reading("subscription.reactivated", facts, customer)
    facts |= _cancellation_facts(subscription)
    if ends_at := _ends_at(subscription):
        facts["cancel_at"] = ends_at
    # Without previous_attributes every later update of a subscription still set to end reads the
    # same: stored once.
    key = (
        f"cancel_scheduled:{facts.get('subscription_id', '')}:{facts.get('cancel_at', '')}" if previous is None else ""
    )
    return _Reading("subscription.cancel_scheduled", facts, customer, key)


def _stripe_payment_method(native: str, obj: Json, previous: Json | None) -> _Reading:
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
    return _Reading("payment.method_expired", facts, customer)


# Each reader takes the native type, data.object and data.previous_attributes (None if absent).
_STRIPE_READERS: dict[str, Callable[[str, Json, Json | None], _Reading]] = {
    "invoice.payment_failed": _stripe_invoice,
    "invoice.payment_succeeded": _stripe_invoice,
    "invoice.paid": _stripe_invoice,
    "payment_intent.payment_failed": _stripe_payment_intent,
    "payment_intent.succeeded": _stripe_payment_intent,
    "charge.failed": _stripe_charge,
    "charge.succeeded": _stripe_charge,
    "charge.refunded": _stripe_charge,
    "charge.refund.updated": _stripe_refund,
    "refund.created": _stripe_refund,
    "charge.dispute.created": _stripe_dispute,
    "customer.subscription.updated": _stripe_subscription_updated,
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
    data = _object(payload, "data", "data", required=True)
    obj = _object(data, "object", "data.object", required=True)
    previous = data.get("previous_attributes")
    reading = reader(native, obj, previous if isinstance(previous, dict) else None)
    return CanonicalEvent(
        source="stripe",
        event_type=reading.event_type,
        native_type=native,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=reading.customer,
        data=reading.facts,
        content_key=reading.content_key,
    )


# The endpoint -------------------------------------------------------------------------------


# Stripe's published example objects in event envelopes (examples/stripe/SOURCES.md).
EXAMPLES = (
    Example("invoice.payment_failed.json", "invoice.payment_failed: an invoice's payment failed"),
    Example("invoice.payment_succeeded.json", "invoice.payment_succeeded: an invoice was paid"),
    Example("invoice.paid.json", "invoice.paid: an invoice was paid (sent beside invoice.payment_succeeded)"),
    Example("payment_intent.payment_failed.json", "payment_intent.payment_failed: a payment attempt failed"),
    Example("payment_intent.succeeded.json", "payment_intent.succeeded: a payment went through"),
    Example("charge.failed.json", "charge.failed: a charge failed"),
    Example("charge.succeeded.json", "charge.succeeded: a charge went through"),
    Example("charge.refunded.json", "charge.refunded: a charge was refunded"),
    Example("refund.created.json", "refund.created: a refund was made"),
    Example("charge.dispute.created.json", "charge.dispute.created: the cardholder disputed a charge"),
    Example(
        "customer.subscription.updated.json",
        "customer.subscription.updated: a subscription was set to end at the end of its period",
    ),
    Example("customer.subscription.deleted.json", "customer.subscription.deleted: a subscription ended"),
    Example(
        "payment_method.automatically_updated.json",
        "payment_method.automatically_updated: the card network replaced a saved card",
    ),
)


@endpoint_schema(
    source="stripe",
    summary="Stripe events",
    accepts=(
        "Stripe event objects: failed and succeeded payments (invoices, payment intents, charges), refunds, "
        "disputes, subscriptions set to end, kept or cancelled, and expiring cards."
    ),
    signing_scheme=SIGNING_SCHEME,
    examples=EXAMPLES,
)
class StripeWebhookView(WebhookView):
    """POST /api/webhooks/stripe/: Stripe's events, signed in Stripe-Signature."""

    source = "stripe"
    signing_scheme = SIGNING_SCHEME
