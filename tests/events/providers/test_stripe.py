"""Stripe: its Stripe-Signature header, and every mapped event type read into a canonical event,
money in major units."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest

from events.providers.stripe import sign_stripe, verify_stripe
from events.webhook_types import CustomerRef
from tests.events.providers.support import (
    BODY,
    NOW,
    NOW_UNIX,
    OTHER_SECRET,
    SECRET,
    _named,
    _read,
    _refused,
    _set_aside,
    rejection,
)

# --- Stripe ---------------------------------------------------------------------------------


def test_it_accepts_a_stripe_signature_computed_independently_with_hmac() -> None:
    # Stripe keys the HMAC with the whole secret, whsec_ included, as UTF-8.
    signed = f"{NOW_UNIX}.".encode() + BODY
    digest = hmac.new(SECRET.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    headers = {"stripe-signature": f"t={NOW_UNIX},v1={digest}"}

    verify_stripe(body=BODY, headers=headers, secrets=[SECRET], now=NOW)


def test_it_signs_stripe_deliveries_as_stripe_does() -> None:
    digest = hmac.new(SECRET.encode(), f"{NOW_UNIX}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert sign_stripe(body=BODY, secret=SECRET, timestamp=NOW_UNIX) == {
        "Stripe-Signature": f"t={NOW_UNIX},v1={digest}"
    }


def test_it_rejects_a_stripe_signature_keyed_the_standard_webhooks_way() -> None:
    # Decoding the part after whsec_ is the Standard Webhooks rule, not Stripe's.
    secret = "whsec_" + base64.b64encode(b"stripe-key").decode()
    digest = hmac.new(b"stripe-key", f"{NOW_UNIX}.".encode() + BODY, hashlib.sha256).hexdigest()
    headers = {"Stripe-Signature": f"t={NOW_UNIX},v1={digest}"}

    assert "no signature matches" in rejection(verify_stripe, headers=headers, secrets=[secret])


def test_it_rejects_a_tampered_stripe_body() -> None:
    headers = sign_stripe(body=BODY, secret=SECRET, timestamp=NOW_UNIX)

    message = rejection(verify_stripe, body=BODY.replace(b"C100109", b"C100110"), headers=headers, secrets=[SECRET])

    assert message == "no signature matches any configured secret"


def test_it_rejects_a_stripe_signature_made_with_the_wrong_secret() -> None:
    headers = sign_stripe(body=BODY, secret=OTHER_SECRET, timestamp=NOW_UNIX)

    assert "no signature matches" in rejection(verify_stripe, headers=headers, secrets=[SECRET])


def test_it_rejects_a_stale_stripe_timestamp() -> None:
    headers = sign_stripe(body=BODY, secret=SECRET, timestamp=NOW_UNIX - 412)

    message = rejection(verify_stripe, headers=headers, secrets=[SECRET])

    assert message == (
        "header Stripe-Signature: timestamp 2025-01-10T14:25:08Z is 412 s in the past; the tolerance is 300 s"
    )


def test_it_rejects_a_stripe_timestamp_too_far_in_the_future() -> None:
    headers = sign_stripe(body=BODY, secret=SECRET, timestamp=NOW_UNIX + 600)

    assert "600 s in the future" in rejection(verify_stripe, headers=headers, secrets=[SECRET])


def test_it_rejects_a_stripe_delivery_without_its_signature_header() -> None:
    assert rejection(verify_stripe, headers={}, secrets=[SECRET]) == "missing header Stripe-Signature"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("v1=abcd", "header Stripe-Signature must carry exactly one t=<unix seconds>"),
        (f"t={NOW_UNIX},t={NOW_UNIX},v1=abcd", "header Stripe-Signature must carry exactly one t=<unix seconds>"),
        ("t=soon,v1=abcd", "header Stripe-Signature has a timestamp that is not unix seconds"),
        (f"t={NOW_UNIX},v0=abcd", "header Stripe-Signature has no v1=<hex> signature"),
        (f"t={NOW_UNIX},v1=not-hex", "header Stripe-Signature is malformed: its signature does not decode"),
        ("garbage", "header Stripe-Signature must carry exactly one t=<unix seconds>"),
    ],
)
def test_it_rejects_a_malformed_stripe_signature_header(header: str, expected: str) -> None:
    assert rejection(verify_stripe, headers={"Stripe-Signature": header}, secrets=[SECRET]) == expected


def test_it_accepts_a_stripe_delivery_signed_with_the_rotated_secret() -> None:
    headers = sign_stripe(body=BODY, secret=OTHER_SECRET, timestamp=NOW_UNIX)

    verify_stripe(body=BODY, headers=headers, secrets=[SECRET, OTHER_SECRET], now=NOW)


def test_it_accepts_a_stripe_header_where_one_of_several_v1_signatures_matches() -> None:
    good = sign_stripe(body=BODY, secret=SECRET, timestamp=NOW_UNIX)["Stripe-Signature"].split("v1=")[1]
    wrong = sign_stripe(body=BODY, secret=OTHER_SECRET, timestamp=NOW_UNIX)["Stripe-Signature"].split("v1=")[1]
    headers = {"Stripe-Signature": f"t={NOW_UNIX},v1={wrong},v0=ignored,v1={good}"}

    verify_stripe(body=BODY, headers=headers, secrets=[SECRET], now=NOW)


def test_it_ignores_a_matching_stripe_v0_signature() -> None:
    good = sign_stripe(body=BODY, secret=SECRET, timestamp=NOW_UNIX)["Stripe-Signature"].split("v1=")[1]
    wrong = sign_stripe(body=BODY, secret=OTHER_SECRET, timestamp=NOW_UNIX)["Stripe-Signature"].split("v1=")[1]
    headers = {"Stripe-Signature": f"t={NOW_UNIX},v0={good},v1={wrong}"}

    assert "no signature matches" in rejection(verify_stripe, headers=headers, secrets=[SECRET])


# --- stripe ----------------------------------------------------------------------------------


def _stripe(event_type: str, obj: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    return {
        "id": "evt_1",
        "object": "event",
        "type": event_type,
        "created": 1759933920,
        "data": {"object": obj},
        **envelope,
    }


INVOICE = {
    "id": "in_1",
    "object": "invoice",
    "customer": "cus_1",
    "customer_email": "customer@example.com",
    "amount_due": 249999,
    "amount_paid": 0,
    "currency": "usd",
    "attempt_count": 2,
    "next_payment_attempt": 1760193120,
    "subscription": None,
    "metadata": {"order_id": "O300000"},
}
CHARGE = {
    "id": "ch_1",
    "object": "charge",
    "amount": 249999,
    "amount_refunded": 0,
    "currency": "usd",
    "customer": "cus_1",
    "billing_details": {"email": "customer@example.com"},
    "invoice": None,
    "failure_code": "card_declined",
    "failure_message": "Your card has insufficient funds.",
    "outcome": {"reason": "insufficient_funds", "seller_message": "The bank declined the payment."},
    "payment_method_details": {"card": {"brand": "visa", "last4": "4242"}, "type": "card"},
    "metadata": {"order_id": "O300000"},
}
SUBSCRIPTION = {
    "id": "sub_1",
    "object": "subscription",
    "customer": "cus_1",
    "status": "canceled",
    "canceled_at": 1759933900,
    "cancellation_details": {"reason": "cancellation_requested", "feedback": "too_expensive", "comment": "Too much"},
    "items": {
        "data": [
            {
                "quantity": 2,
                "price": {
                    "unit_amount": 2450,
                    "currency": "usd",
                    "nickname": "Pro",
                    "recurring": {"interval": "month"},
                },
            }
        ]
    },
}
DISPUTE = {
    "id": "dp_1",
    "object": "dispute",
    "amount": 8000,
    "currency": "gbp",
    "charge": "ch_1",
    "reason": "product_not_received",
    "status": "needs_response",
    "evidence": {"customer_email_address": "customer@example.com"},
    "evidence_details": {"due_by": 1761350399},
    "metadata": {},
}
REFUND = {
    "id": "re_1",
    "object": "refund",
    "amount": 1500,
    "currency": "usd",
    "charge": "ch_1",
    "reason": "requested_by_customer",
    "status": "succeeded",
    "metadata": {"customer_id": "C100109"},
}
CARD = {
    "id": "card_1",
    "object": "card",
    "brand": "Visa",
    "last4": "4242",
    "exp_month": 10,
    "exp_year": 2025,
    "customer": "cus_1",
}
PAYMENT_METHOD = {
    "id": "pm_1",
    "object": "payment_method",
    "customer": "cus_1",
    "billing_details": {"email": "customer@example.com"},
    "card": {"brand": "mastercard", "last4": "4444", "exp_month": 8, "exp_year": 2029},
}
FAILED_INTENT = {
    "id": "pi_1",
    "object": "payment_intent",
    "amount": 249999,
    "amount_received": 0,
    "currency": "usd",
    "customer": "cus_1",
    "latest_charge": "ch_1",
    "status": "requires_payment_method",
    "metadata": {"order_id": "O300000"},
    "last_payment_error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "charge": "ch_1",
        "payment_method": {
            "id": "pm_1",
            "object": "payment_method",
            "billing_details": {"email": "customer@example.com"},
            "card": {"brand": "visa", "last4": "4242"},
        },
    },
}
SUCCEEDED_INTENT = FAILED_INTENT | {
    "amount_received": 249999,
    "status": "succeeded",
    "last_payment_error": None,
    "payment_method": "pm_1",
}


@pytest.mark.parametrize(
    ("native", "obj", "event_type"),
    [
        ("invoice.payment_failed", INVOICE, "payment.failed"),
        ("invoice.payment_failed", INVOICE | {"subscription": "sub_1"}, "subscription.payment_failed"),
        (
            "invoice.payment_failed",
            INVOICE | {"parent": {"subscription_details": {"subscription": "sub_1"}}},
            "subscription.payment_failed",
        ),
        ("invoice.payment_succeeded", INVOICE | {"amount_paid": 249999}, "payment.succeeded"),
        ("invoice.paid", INVOICE | {"amount_paid": 249999}, "payment.succeeded"),
        ("payment_intent.payment_failed", FAILED_INTENT, "payment.failed"),
        ("payment_intent.succeeded", SUCCEEDED_INTENT, "payment.succeeded"),
        ("charge.failed", CHARGE, "payment.failed"),
        ("charge.succeeded", CHARGE | {"failure_code": None, "failure_message": None}, "payment.succeeded"),
        ("charge.refunded", CHARGE | {"amount_refunded": 249999, "refunded": True}, "refund.requested"),
        ("refund.created", REFUND, "refund.requested"),
        ("charge.refund.updated", REFUND, "refund.requested"),
        ("charge.dispute.created", DISPUTE, "dispute.created"),
        (
            "customer.subscription.updated",
            SUBSCRIPTION | {"status": "active", "cancel_at_period_end": True},
            "subscription.cancel_scheduled",
        ),
        ("customer.subscription.deleted", SUBSCRIPTION, "subscription.cancelled"),
        ("customer.source.expiring", CARD, "payment.method_expired"),
        ("payment_method.automatically_updated", PAYMENT_METHOD, "payment.method_expired"),
        ("payment_method.card_automatically_updated", PAYMENT_METHOD, "payment.method_expired"),
    ],
)
def test_each_stripe_type_maps_to_its_canonical_type(native, obj, event_type) -> None:
    event = _read("stripe", _stripe(native, obj))
    assert (event.event_type, event.native_type, event.delivery_id) == (event_type, native, "evt_1")
    assert event.occurred_at == dt.datetime(2025, 10, 8, 14, 32, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("minor", "currency", "major"),
    [
        (249999, "usd", "2499.99"),
        (5, "usd", "0.05"),
        (5000, "jpy", "5000"),
        (120000, "krw", "120000"),
        (1250, "kwd", "1.250"),
        (12345, "bhd", "12.345"),
        (10000, "isk", "100"),  # Stripe sends ISK with two decimals
        (499900, "inr", "4999.00"),
    ],
)
def test_stripe_minor_units_become_major_units_with_the_currency_exponent(minor, currency, major) -> None:
    data = _read("stripe", _stripe("charge.failed", CHARGE | {"amount": minor, "currency": currency})).data
    assert (data["amount"], data["currency"]) == (major, currency.upper())


def test_a_failed_invoice_keeps_attempt_retry_order_and_invoice() -> None:
    data = _read("stripe", _stripe("invoice.payment_failed", INVOICE)).data
    assert data == {
        "amount": "2499.99",
        "currency": "USD",
        "order_id": "O300000",
        "invoice_id": "in_1",
        "attempt": 2,
        "next_attempt_at": "2025-10-11T14:32:00Z",
    }


def test_a_failed_invoice_takes_its_reason_from_an_expanded_payment_intent() -> None:
    intent = {"id": "pi_1", "last_payment_error": {"code": "card_declined", "decline_code": "do_not_honor"}}
    data = _read("stripe", _stripe("invoice.payment_failed", INVOICE | {"payment_intent": intent})).data
    assert data["reason"] == "do_not_honor"


def test_a_failed_charge_keeps_the_decline_code_card_and_provider_message() -> None:
    data = _read("stripe", _stripe("charge.failed", CHARGE)).data
    assert (data["reason"], data["reason_message"], data["payment_method"], data["charge_id"]) == (
        "insufficient_funds",
        "Your card has insufficient funds.",
        "Visa ending 4242",
        "ch_1",
    )


def test_a_specific_failure_code_is_kept_over_the_outcome() -> None:
    data = _read("stripe", _stripe("charge.failed", CHARGE | {"failure_code": "expired_card"})).data
    assert data["reason"] == "expired_card"


def test_a_charge_for_an_invoice_is_set_aside_for_the_invoice_event() -> None:
    error = _set_aside("stripe", _stripe("charge.failed", CHARGE | {"invoice": "in_1"}))
    assert _named(error).startswith("charge.failed (an invoice payment")


def test_a_partial_refund_is_marked_partial_and_issued() -> None:
    charge = CHARGE | {"amount_refunded": 5000, "refunded": False, "refunds": {"data": [{"reason": "duplicate"}]}}
    data = _read("stripe", _stripe("charge.refunded", charge)).data
    assert (data["amount"], data["partial"], data["refund_status"], data["reason"]) == (
        "50.00",
        True,
        "issued",
        "duplicate",
    )


def test_a_refund_object_names_our_customer_only_through_metadata_or_its_charge() -> None:
    event = _read("stripe", _stripe("refund.created", REFUND))
    assert event.customer == CustomerRef(customer_id="C100109", related=(("charge_id", "ch_1"),))
    assert event.data["refund_status"] == "issued"
    bare = _read("stripe", _stripe("charge.refund.updated", REFUND | {"metadata": {}, "status": "failed"}))
    # The service finds the customer through an earlier event of the charge, or keeps it in the inbox.
    assert bare.customer == CustomerRef(related=(("charge_id", "ch_1"),))
    assert (bare.data["charge_id"], bare.data["refund_status"]) == ("ch_1", "failed")


def test_a_refund_of_a_payment_intent_names_the_intent_too() -> None:
    event = _read("stripe", _stripe("refund.created", REFUND | {"payment_intent": "pi_1", "metadata": {}}))
    assert event.customer == CustomerRef(related=(("charge_id", "ch_1"), ("payment_intent_id", "pi_1")))
    assert (event.data["refund_id"], event.data["payment_intent_id"]) == ("re_1", "pi_1")


def test_a_dispute_finds_the_customer_by_its_evidence_email_and_keeps_the_deadline() -> None:
    event = _read("stripe", _stripe("charge.dispute.created", DISPUTE))
    assert event.customer == CustomerRef(email="customer@example.com", related=(("charge_id", "ch_1"),))
    assert (event.data["amount"], event.data["currency"], event.data["reason"]) == (
        "80.00",
        "GBP",
        "product_not_received",
    )
    assert event.data["evidence_due_by"] == "2025-10-24T23:59:59Z"


def test_a_cancelled_subscription_keeps_plan_price_interval_and_feedback() -> None:
    data = _read("stripe", _stripe("customer.subscription.deleted", SUBSCRIPTION)).data
    assert data == {
        "subscription_id": "sub_1",
        "amount": "49.00",
        "currency": "USD",
        "interval": "month",
        "plan": "Pro",
        "reason": "too_expensive",
        "comment": "Too much",
        "cancelled_at": "2025-10-08T14:31:40Z",
    }


def test_an_expiring_card_keeps_brand_last4_and_expiry() -> None:
    data = _read("stripe", _stripe("customer.source.expiring", CARD)).data
    assert data == {"payment_method": "Visa ending 4242", "exp_month": 10, "exp_year": 2025}


def test_an_automatically_updated_card_says_so() -> None:
    data = _read("stripe", _stripe("payment_method.automatically_updated", PAYMENT_METHOD)).data
    assert data == {
        "payment_method": "Mastercard ending 4444",
        "exp_month": 8,
        "exp_year": 2029,
        "automatically_updated": True,
    }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            CHARGE | {"customer": {"id": "cus_9", "email": "x@example.com"}},
            CustomerRef("", "x@example.com", "cus_9", related=(("charge_id", "ch_1"),)),
        ),
        (
            CHARGE | {"customer": None, "billing_details": {}, "receipt_email": "r@example.com"},
            CustomerRef(email="r@example.com", related=(("charge_id", "ch_1"),)),
        ),
        (
            CHARGE | {"customer": None, "billing_details": {}, "metadata": {"customer_id": "C100109"}},
            CustomerRef(customer_id="C100109", related=(("charge_id", "ch_1"),)),
        ),
    ],
)
def test_the_stripe_customer_is_read_from_any_field_that_names_one(obj, expected) -> None:
    assert _read("stripe", _stripe("charge.failed", obj)).customer == expected


def test_a_guest_payment_naming_no_customer_is_read_with_its_charge_and_payment_intent() -> None:
    # A guest's charge names nobody: the service finds them through an earlier event of the same
    # charge or payment intent, or keeps the delivery in the inbox saying which charge.
    charge = CHARGE | {"customer": None, "billing_details": {}, "metadata": {}, "payment_intent": "pi_1"}
    event = _read("stripe", _stripe("charge.failed", charge))
    assert event.customer == CustomerRef(related=(("charge_id", "ch_1"), ("payment_intent_id", "pi_1")))
    assert event.event_type == "payment.failed"


@pytest.mark.parametrize(
    ("native", "obj", "field"),
    [
        (
            "invoice.payment_failed",
            {k: v for k, v in INVOICE.items() if k != "customer" and k != "customer_email"},
            "data.object.customer",
        ),
        ("customer.subscription.deleted", SUBSCRIPTION | {"customer": None}, "data.object.customer"),
        ("customer.source.expiring", CARD | {"customer": None}, "data.object.customer"),
    ],
)
def test_an_object_stripe_always_sends_with_a_customer_is_refused_without_one(native, obj, field) -> None:
    assert _refused("stripe", _stripe(native, obj)).field_name == field


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in _stripe("invoice.payment_failed", INVOICE).items() if k != "id"}, "id"),
        ({k: v for k, v in _stripe("invoice.payment_failed", INVOICE).items() if k != "type"}, "type"),
        (_stripe("invoice.payment_failed", INVOICE, created="2025-10-08"), "created"),
        (_stripe("invoice.payment_failed", INVOICE, data={}), "data.object"),
        (_stripe("invoice.payment_failed", INVOICE, data=[]), "data"),
        (_stripe("invoice.payment_failed", INVOICE, data={"object": "in_1"}), "data.object"),
    ],
)
def test_only_the_stripe_envelope_is_required_and_its_errors_name_the_field(payload, field) -> None:
    assert _refused("stripe", payload).field_name == field


@pytest.mark.parametrize(
    ("native", "obj"),
    [
        ("invoice.payment_failed", {k: v for k, v in INVOICE.items() if k != "amount_due"}),
        ("invoice.payment_failed", INVOICE | {"amount_due": "2499.99"}),
        ("invoice.payment_succeeded", INVOICE | {"amount_paid": None}),
        ("invoice.payment_failed", INVOICE | {"currency": None}),
        ("charge.failed", CHARGE | {"amount": 12.5}),
        ("charge.failed", CHARGE | {"amount": True}),
        ("charge.dispute.created", DISPUTE | {"currency": "pounds"}),
        ("refund.created", REFUND | {"amount": None, "currency": None}),
        ("payment_intent.payment_failed", {"id": "pi_1", "customer": "cus_1", "amount": None, "currency": "usd"}),
        ("customer.subscription.deleted", SUBSCRIPTION | {"items": None}),
    ],
)
def test_a_stripe_object_without_a_readable_amount_is_read_without_one(native, obj) -> None:
    data = _read("stripe", _stripe(native, obj)).data
    assert "amount" not in data
    assert "currency" not in data


def test_a_stripe_type_ProCX_does_not_map_is_set_aside_with_its_name() -> None:
    error = _set_aside("stripe", _stripe("customer.created", {"id": "cus_1"}))
    assert (error.source, error.native_type) == ("stripe", "customer.created")


# --- payment intents, and one payment read once --------------------------------------------


def test_a_failed_payment_intent_keeps_amount_reason_card_order_and_its_charge() -> None:
    event = _read("stripe", _stripe("payment_intent.payment_failed", FAILED_INTENT))
    assert event.event_type == "payment.failed"
    assert event.data == {
        "amount": "2499.99",
        "currency": "USD",
        "order_id": "O300000",
        "charge_id": "ch_1",
        "payment_intent_id": "pi_1",
        "payment_method": "Visa ending 4242",
        "reason": "insufficient_funds",
        "reason_message": "Your card has insufficient funds.",
    }
    assert event.customer == CustomerRef(
        email="customer@example.com",
        provider_customer_id="cus_1",
        related=(("charge_id", "ch_1"), ("payment_intent_id", "pi_1")),
    )


def test_a_failed_payment_intent_without_a_decline_code_gives_the_error_code() -> None:
    error = FAILED_INTENT["last_payment_error"] | {"decline_code": None, "code": "expired_card", "message": None}
    data = _read("stripe", _stripe("payment_intent.payment_failed", FAILED_INTENT | {"last_payment_error": error})).data
    assert data["reason"] == "expired_card"
    assert "reason_message" not in data


def test_a_failed_payment_intent_takes_its_charge_from_the_error_when_latest_charge_is_missing() -> None:
    data = _read("stripe", _stripe("payment_intent.payment_failed", FAILED_INTENT | {"latest_charge": None})).data
    assert data["charge_id"] == "ch_1"


@pytest.mark.parametrize(
    ("received", "amount"),
    [(249999, "2499.99"), (100000, "1000.00"), (0, "2499.99"), (None, "2499.99")],
)
def test_a_succeeded_payment_intent_counts_what_was_received_else_its_amount(received, amount) -> None:
    event = _read("stripe", _stripe("payment_intent.succeeded", SUCCEEDED_INTENT | {"amount_received": received}))
    assert (event.event_type, event.data["amount"]) == ("payment.succeeded", amount)
    assert (event.data["payment_intent_id"], event.data["charge_id"]) == ("pi_1", "ch_1")
    assert "reason" not in event.data


def test_a_payment_intent_with_nothing_but_its_id_is_read() -> None:
    event = _read("stripe", _stripe("payment_intent.payment_failed", {"id": "pi_1", "last_payment_error": None}))
    assert event.data == {"payment_intent_id": "pi_1"}
    assert event.customer == CustomerRef(related=(("payment_intent_id", "pi_1"),))


@pytest.mark.parametrize("native", ["payment_intent.payment_failed", "payment_intent.succeeded"])
def test_a_payment_intent_for_an_invoice_is_set_aside_for_the_invoice_event(native) -> None:
    error = _set_aside("stripe", _stripe(native, FAILED_INTENT | {"invoice": "in_1"}))
    assert _named(error) == f"{native} (an invoice payment, read from the invoice event)"


@pytest.mark.parametrize(
    ("intent_type", "intent", "charge_type", "charge", "key"),
    [
        (
            "payment_intent.succeeded",
            SUCCEEDED_INTENT,
            "charge.succeeded",
            CHARGE | {"payment_intent": "pi_1", "failure_code": None, "failure_message": None},
            "payment:pi_1:succeeded",
        ),
        (
            "payment_intent.payment_failed",
            FAILED_INTENT,
            "charge.failed",
            CHARGE | {"payment_intent": "pi_1"},
            "payment:pi_1:ch_1:failed",
        ),
    ],
)
def test_a_payment_intent_and_its_charge_are_one_payment(intent_type, intent, charge_type, charge, key) -> None:
    by_intent = _read("stripe", _stripe(intent_type, intent))
    by_charge = _read("stripe", _stripe(charge_type, charge, id="evt_2"))
    assert by_intent.content_key == by_charge.content_key == key
    assert by_intent.event_type == by_charge.event_type
    for fact in ("payment_intent_id", "charge_id", "amount", "currency"):
        assert by_intent.data[fact] == by_charge.data[fact]


def test_each_failed_attempt_of_a_payment_intent_is_its_own_payment() -> None:
    first = _read("stripe", _stripe("payment_intent.payment_failed", FAILED_INTENT))
    second = _read("stripe", _stripe("payment_intent.payment_failed", FAILED_INTENT | {"latest_charge": "ch_2"}))
    assert first.content_key != second.content_key


@pytest.mark.parametrize(
    ("native", "obj"),
    [
        # Never reached a charge: no charge event to pair with.
        (
            "payment_intent.payment_failed",
            FAILED_INTENT
            | {"latest_charge": None, "last_payment_error": {"code": "payment_intent_authentication_failure"}},
        ),
        # A charge made without a payment intent (the legacy Charges API).
        ("charge.failed", CHARGE),
        ("charge.succeeded", CHARGE),
        # A refund is not a payment; each refund event is its own delivery.
        ("charge.refunded", CHARGE | {"payment_intent": "pi_1", "amount_refunded": 100}),
        # Each failed attempt at an invoice is its own event.
        ("invoice.payment_failed", INVOICE),
    ],
)
def test_a_payment_nothing_else_reports_has_no_content_key(native, obj) -> None:
    assert _read("stripe", _stripe(native, obj)).content_key == ""


@pytest.mark.parametrize("native", ["invoice.payment_succeeded", "invoice.paid"])
def test_an_invoice_paid_is_one_payment_whichever_event_says_so(native) -> None:
    event = _read("stripe", _stripe(native, INVOICE | {"amount_paid": 249999}))
    assert (event.event_type, event.content_key) == ("payment.succeeded", "invoice_paid:in_1")
    assert event.data["amount"] == "2499.99"


def test_an_invoice_keeps_its_charge_and_payment_intent_for_a_later_dispute() -> None:
    invoice = INVOICE | {"charge": "ch_1", "payment_intent": {"id": "pi_1", "last_payment_error": None}}
    data = _read("stripe", _stripe("invoice.payment_failed", invoice)).data
    assert (data["charge_id"], data["payment_intent_id"]) == ("ch_1", "pi_1")


def test_a_charge_keeps_its_payment_intent_expanded_or_not() -> None:
    for intent in ("pi_1", {"id": "pi_1", "object": "payment_intent"}):
        data = _read("stripe", _stripe("charge.succeeded", CHARGE | {"payment_intent": intent})).data
        assert (data["charge_id"], data["payment_intent_id"]) == ("ch_1", "pi_1")


# --- disputes --------------------------------------------------------------------------------


def test_a_dispute_names_its_charge_and_payment_intent_for_the_service_to_find_the_customer() -> None:
    dispute = DISPUTE | {"evidence": {"customer_email_address": None}, "payment_intent": "pi_1"}
    event = _read("stripe", _stripe("charge.dispute.created", dispute))
    assert event.customer == CustomerRef(related=(("charge_id", "ch_1"), ("payment_intent_id", "pi_1")))
    assert (event.data["dispute_id"], event.data["charge_id"], event.data["payment_intent_id"]) == (
        "dp_1",
        "ch_1",
        "pi_1",
    )


def test_a_dispute_of_an_expanded_charge_names_the_charge_id() -> None:
    dispute = DISPUTE | {"evidence": None, "charge": {"id": "ch_1", "object": "charge"}}
    assert _read("stripe", _stripe("charge.dispute.created", dispute)).customer == CustomerRef(
        related=(("charge_id", "ch_1"),)
    )


def test_a_dispute_with_every_optional_field_null_is_read() -> None:
    nulls = dict.fromkeys(("amount", "currency", "charge", "payment_intent", "reason", "evidence", "evidence_details"))
    event = _read("stripe", _stripe("charge.dispute.created", {"id": "dp_1", "object": "dispute", **nulls}))
    assert (event.event_type, event.data, event.customer.is_empty) == ("dispute.created", {"dispute_id": "dp_1"}, True)


# --- subscriptions set to end, and kept --------------------------------------------------------

# Ours: a subscription as Stripe sends it in customer.subscription.updated (before API version
# 2025-03-31.basil the period end is on the subscription; from then on on its items).
ACTIVE_SUBSCRIPTION = SUBSCRIPTION | {
    "status": "active",
    "canceled_at": None,
    "cancel_at": None,
    "cancel_at_period_end": False,
    "current_period_end": 1762612320,
    "cancellation_details": {"reason": None, "feedback": None, "comment": None},
}
ENDING_SUBSCRIPTION = ACTIVE_SUBSCRIPTION | {
    "cancel_at": 1762612320,
    "cancel_at_period_end": True,
    "canceled_at": 1759933900,
    "cancellation_details": {"reason": "cancellation_requested", "feedback": "too_expensive", "comment": "Too much"},
}


def _updated(obj: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    return _stripe("customer.subscription.updated", obj, data=data)


def test_a_subscription_set_to_end_at_the_period_end_is_a_scheduled_cancellation() -> None:
    previous = {"cancel_at": None, "cancel_at_period_end": False, "canceled_at": None}
    event = _read("stripe", _updated(ENDING_SUBSCRIPTION, previous))
    assert event.event_type == "subscription.cancel_scheduled"
    assert event.data == {
        "subscription_id": "sub_1",
        "amount": "49.00",
        "currency": "USD",
        "interval": "month",
        "plan": "Pro",
        "reason": "too_expensive",
        "comment": "Too much",
        "cancel_at": "2025-11-08T14:32:00Z",
    }
    assert event.customer == CustomerRef(provider_customer_id="cus_1")
    assert event.content_key == ""  # another schedule after a withdrawal is another event


@pytest.mark.parametrize(
    ("now", "previous"),
    [
        # cancel_at set to a date, without cancel_at_period_end (API versions that send only cancel_at change)
        (ACTIVE_SUBSCRIPTION | {"cancel_at": 1762612320}, {"cancel_at": None}),
        # only cancel_at_period_end in previous_attributes
        (ENDING_SUBSCRIPTION | {"cancel_at": None}, {"cancel_at_period_end": False}),
    ],
)
def test_either_field_schedules_a_cancellation(now, previous) -> None:
    event = _read("stripe", _updated(now, previous))
    assert (event.event_type, event.data["cancel_at"]) == ("subscription.cancel_scheduled", "2025-11-08T14:32:00Z")


def test_the_period_end_is_read_from_the_items_in_newer_api_versions() -> None:
    items = {"data": [SUBSCRIPTION["items"]["data"][0] | {"current_period_end": 1762612320}]}
    subscription = ENDING_SUBSCRIPTION | {"cancel_at": None, "current_period_end": None, "items": items}
    event = _read("stripe", _updated(subscription, {"cancel_at_period_end": False}))
    assert event.data["cancel_at"] == "2025-11-08T14:32:00Z"


@pytest.mark.parametrize(
    ("now", "previous"),
    [
        (ACTIVE_SUBSCRIPTION, {"cancel_at": 1762612320, "cancel_at_period_end": True, "canceled_at": 1759933900}),
        (ACTIVE_SUBSCRIPTION, {"cancel_at": 1762612320}),
        (ACTIVE_SUBSCRIPTION, {"cancel_at_period_end": True}),
    ],
)
def test_a_withdrawn_cancellation_is_a_kept_subscription(now, previous) -> None:
    event = _read("stripe", _updated(now, previous))
    assert event.event_type == "subscription.reactivated"
    assert event.data == {
        "subscription_id": "sub_1",
        "amount": "49.00",
        "currency": "USD",
        "interval": "month",
        "plan": "Pro",
    }


@pytest.mark.parametrize(
    ("now", "previous"),
    [
        (ACTIVE_SUBSCRIPTION, {"items": {"data": []}, "quantity": 1}),  # a plan change
        (ENDING_SUBSCRIPTION, {"metadata": {}}),  # still ending, something else changed
        (ENDING_SUBSCRIPTION, {"cancel_at": 1762000000}),  # moved to another date: still ending
        (ACTIVE_SUBSCRIPTION | {"cancel_at": 1790000000}, {"cancel_at_period_end": True}),  # ends either way
        (ACTIVE_SUBSCRIPTION, {}),
        (ACTIVE_SUBSCRIPTION, None),  # no previous_attributes and not ending at the period end
        (ACTIVE_SUBSCRIPTION | {"cancel_at": 1790000000}, None),  # cancel_at alone may be a fixed term
    ],
)
def test_any_other_subscription_update_is_set_aside_saying_why(now, previous) -> None:
    error = _set_aside("stripe", _updated(now, previous))
    assert _named(error) == "customer.subscription.updated (neither schedules nor withdraws a cancellation)"
    assert "neither schedules nor withdraws a cancellation" in str(error)


def test_without_previous_attributes_a_subscription_ending_at_the_period_end_is_stored_once() -> None:
    first = _read("stripe", _updated(ENDING_SUBSCRIPTION, None))
    again = _read("stripe", _updated(ENDING_SUBSCRIPTION | {"metadata": {"note": "changed"}}, None))
    assert first.event_type == again.event_type == "subscription.cancel_scheduled"
    assert first.content_key == again.content_key == "cancel_scheduled:sub_1:2025-11-08T14:32:00Z"


def test_a_scheduled_cancellation_of_a_subscription_naming_no_customer_is_refused_naming_the_field() -> None:
    error = _refused(
        "stripe", _updated(ENDING_SUBSCRIPTION | {"customer": None}, {"cancel_at": None, "cancel_at_period_end": False})
    )
    assert error.field_name == "data.object.customer"
