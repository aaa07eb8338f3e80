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
        ("charge.failed", CHARGE, "payment.failed"),
        ("charge.succeeded", CHARGE | {"failure_code": None, "failure_message": None}, "payment.succeeded"),
        ("charge.refunded", CHARGE | {"amount_refunded": 249999, "refunded": True}, "refund.requested"),
        ("refund.created", REFUND, "refund.requested"),
        ("charge.refund.updated", REFUND, "refund.requested"),
        ("charge.dispute.created", DISPUTE, "dispute.created"),
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
    assert error.native_type.startswith("charge.failed (invoice payment")


def test_a_partial_refund_is_marked_partial_and_issued() -> None:
    charge = CHARGE | {"amount_refunded": 5000, "refunded": False, "refunds": {"data": [{"reason": "duplicate"}]}}
    data = _read("stripe", _stripe("charge.refunded", charge)).data
    assert (data["amount"], data["partial"], data["refund_status"], data["reason"]) == (
        "50.00",
        True,
        "issued",
        "duplicate",
    )


def test_a_refund_object_names_our_customer_only_through_metadata() -> None:
    event = _read("stripe", _stripe("refund.created", REFUND))
    assert event.customer == CustomerRef(customer_id="C100109")
    assert event.data["refund_status"] == "issued"
    bare = _read("stripe", _stripe("charge.refund.updated", REFUND | {"metadata": {}, "status": "failed"}))
    assert bare.customer.is_empty  # kept in the inbox by the service, not refused
    assert (bare.data["charge_id"], bare.data["refund_status"]) == ("ch_1", "failed")


def test_a_dispute_finds_the_customer_by_its_evidence_email_and_keeps_the_deadline() -> None:
    event = _read("stripe", _stripe("charge.dispute.created", DISPUTE))
    assert event.customer == CustomerRef(email="customer@example.com")
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
        (CHARGE | {"customer": {"id": "cus_9", "email": "x@example.com"}}, CustomerRef("", "x@example.com", "cus_9")),
        (
            CHARGE | {"customer": None, "billing_details": {}, "receipt_email": "r@example.com"},
            CustomerRef(email="r@example.com"),
        ),
        (
            CHARGE | {"customer": None, "billing_details": {}, "metadata": {"customer_id": "C100109"}},
            CustomerRef(customer_id="C100109"),
        ),
    ],
)
def test_the_stripe_customer_is_read_from_any_field_that_names_one(obj, expected) -> None:
    assert _read("stripe", _stripe("charge.failed", obj)).customer == expected


def test_a_stripe_payment_naming_no_customer_is_refused_naming_the_field() -> None:
    charge = CHARGE | {"customer": None, "billing_details": {}, "metadata": {}}
    assert _refused("stripe", _stripe("charge.failed", charge)).field_name == "data.object.customer"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({k: v for k, v in _stripe("invoice.payment_failed", INVOICE).items() if k != "id"}, "id"),
        ({k: v for k, v in _stripe("invoice.payment_failed", INVOICE).items() if k != "type"}, "type"),
        (_stripe("invoice.payment_failed", INVOICE, created="2025-10-08"), "created"),
        (_stripe("invoice.payment_failed", INVOICE, data={}), "data.object"),
        (_stripe("invoice.payment_failed", INVOICE, data=[]), "data"),
        (
            _stripe("invoice.payment_failed", {k: v for k, v in INVOICE.items() if k != "amount_due"}),
            "data.object.amount_due",
        ),
        (_stripe("invoice.payment_failed", INVOICE | {"amount_due": "2499.99"}), "data.object.amount_due"),
        (_stripe("invoice.payment_succeeded", INVOICE | {"amount_paid": None}), "data.object.amount_paid"),
        (_stripe("invoice.payment_failed", INVOICE | {"currency": None}), "data.object.currency"),
        (_stripe("charge.failed", CHARGE | {"amount": 12.5}), "data.object.amount"),
        (_stripe("charge.dispute.created", DISPUTE | {"currency": "pounds"}), "data.object.currency"),
    ],
)
def test_stripe_payload_errors_name_the_field(payload, field) -> None:
    assert _refused("stripe", payload).field_name == field


def test_a_stripe_type_ProCX_does_not_map_is_set_aside_with_its_name() -> None:
    error = _set_aside("stripe", _stripe("customer.created", {"id": "cus_1"}))
    assert (error.source, error.native_type) == ("stripe", "customer.created")
