"""Provider payloads read into canonical events: the samples in fixtures/webhooks, every mapped
native type, money in major units, and every way a payload can be refused or set aside."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from events import adapters
from events.adapters import adapt
from events.webhook_types import SOURCES, CanonicalEvent, CustomerRef, PayloadError, UnknownEventType

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "webhooks"
RECEIVED = dt.datetime(2025, 10, 8, 18, 0, tzinfo=dt.UTC)


def _sample(name: str) -> tuple[dict[str, Any], dict[str, str]]:
    headers_file = FIXTURES / f"{name}.headers.json"
    headers = json.loads(headers_file.read_text()) if headers_file.exists() else {}
    return json.loads((FIXTURES / f"{name}.json").read_text()), headers


def _read(source: str, payload: Any, headers: dict[str, str] | None = None) -> CanonicalEvent:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return adapt(source=source, headers=headers or {}, body=body, received_at=RECEIVED)


def _refused(source: str, payload: Any, headers: dict[str, str] | None = None) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        _read(source, payload, headers)
    return caught.value


def _set_aside(source: str, payload: Any, headers: dict[str, str] | None = None) -> UnknownEventType:
    with pytest.raises(UnknownEventType) as caught:
        _read(source, payload, headers)
    return caught.value


# --- The samples -------------------------------------------------------------------------------

SAMPLES = [
    (
        "procx_payment_failed",
        "payment.failed",
        "msg_2Xk9PqR7tLm4VbN8cZ1wYs3Hd0",
        dt.datetime(2025, 10, 8, 14, 32, tzinfo=dt.UTC),
        CustomerRef(customer_id="C100109"),
    ),
    (
        "stripe_invoice_payment_failed",
        "subscription.payment_failed",
        "evt_1QGh7sLkdIwHu7ixq2Vb9TnR",
        dt.datetime(2025, 10, 8, 14, 32, tzinfo=dt.UTC),
        CustomerRef("C100109", "customer@example.com", "cus_R8mTq3vXw2LpZa"),
    ),
    (
        "stripe_charge_failed",
        "payment.failed",
        "evt_3QGi2aLkdIwHu7ix1c8Zk4Pw",
        dt.datetime(2025, 10, 8, 14, 32, tzinfo=dt.UTC),
        CustomerRef("C100109", "customer@example.com", "cus_R8mTq3vXw2LpZa"),
    ),
    (
        "shopify_checkouts_update_abandoned",
        "cart.abandoned",
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        dt.datetime(2025, 10, 8, 14, 2, 47, 911236, tzinfo=dt.UTC),
        CustomerRef("C100109", "customer@example.com", "7520143982629"),
    ),
    (
        "shopify_orders_cancelled",
        "order.cancelled",
        "0f3e6a51-6d2c-4a7e-9b0f-1c2d3e4f5a6b",
        dt.datetime(2025, 10, 8, 15, 15, 9, 118470, tzinfo=dt.UTC),
        CustomerRef("C100109", "customer@example.com", "7520143982629"),
    ),
    (
        "zendesk_ticket_escalated",
        "support.ticket.escalated",
        "cbe4028c-7239-495d-b020-f22348516046",
        dt.datetime(2025, 10, 8, 16, 5, 44, tzinfo=dt.UTC),
        CustomerRef(email="customer@example.com", provider_customer_id="8447388090494"),
    ),
    (
        "qualtrics_nps_detractor",
        "nps.detractor",
        "R_3kVbQ8mZp2LtX7a",
        dt.datetime(2025, 10, 8, 17, 48, 21, tzinfo=dt.UTC),
        CustomerRef(customer_id="C100109", email="customer@example.com"),
    ),
]


@pytest.mark.parametrize(("name", "event_type", "delivery_id", "occurred_at", "customer"), SAMPLES)
def test_each_sample_reads_as_its_canonical_event(name, event_type, delivery_id, occurred_at, customer) -> None:
    payload, headers = _sample(name)
    event = _read(name.split("_")[0], payload, headers)
    assert (event.event_type, event.delivery_id, event.occurred_at, event.customer) == (
        event_type,
        delivery_id,
        occurred_at,
        customer,
    )
    assert event.occurred_at.tzinfo == dt.UTC
    json.dumps(event.data)  # JSON-ready


def test_every_source_has_a_sample_and_every_sample_file_is_tested() -> None:
    names = {path.name.removesuffix(".json") for path in FIXTURES.glob("*.json")}
    bodies = {name for name in names if not name.endswith(".headers")}
    assert bodies == {sample[0] for sample in SAMPLES}
    assert {name.split("_")[0] for name in bodies} == set(SOURCES)
    assert {name.removesuffix(".headers") for name in names - bodies} <= bodies


def test_the_samples_carry_the_facts_the_descriptions_need() -> None:
    facts = {name: _read(name.split("_")[0], *_sample(name)).data for name, *_ in SAMPLES}
    assert facts["stripe_invoice_payment_failed"] | {"invoice_url": ""} == {
        "amount": "49.00",
        "currency": "USD",
        "invoice_id": "in_1QGh6rLkdIwHu7ixYp3cRz0A",
        "invoice_url": "",
        "charge_id": "ch_3QGh6sLkdIwHu7ix0pM2aQ7e",
        "attempt": 2,
        "next_attempt_at": "2025-10-11T14:32:00Z",
        "subscription_id": "sub_1PxT4vLkdIwHu7ixd9QmF2Lc",
    }
    charge = facts["stripe_charge_failed"]
    assert (charge["amount"], charge["reason"], charge["payment_method"], charge["order_id"]) == (
        "2499.99",
        "insufficient_funds",
        "Visa ending 9995",
        "O300000",
    )
    cart = facts["shopify_checkouts_update_abandoned"]
    assert (cart["amount"], cart["item_count"], cart["items"]) == (
        "151.17",
        3,
        ["Trail Runner 2 Shoes", "Insulated Water Bottle"],
    )
    assert cart["checkout_url"].startswith("https://procx-demo.myshopify.com/")
    assert cart["shop_domain"] == "procx-demo.myshopify.com"
    cancelled = facts["shopify_orders_cancelled"]
    assert (cancelled["order_name"], cancelled["reason"], cancelled["amount"]) == ("#1001", "inventory", "129.50")
    ticket = facts["zendesk_ticket_escalated"]
    assert (ticket["ticket_id"], ticket["priority"], ticket["escalation_reason"]) == (
        "4711",
        "urgent",
        "priority raised from normal to urgent",
    )
    assert facts["qualtrics_nps_detractor"]["nps_score"] == 3


# --- Everything that is not a payload ------------------------------------------------------


def _valid(source: str) -> tuple[dict[str, Any], dict[str, str]]:
    name = next(sample[0] for sample in SAMPLES if sample[0].startswith(f"{source}_"))
    return _sample(name)


@pytest.mark.parametrize("source", SOURCES)
def test_malformed_json_is_refused_naming_the_body(source) -> None:
    _, headers = _valid(source)
    error = _refused(source, b'{"id": "evt_1", ', headers)
    assert error.field_name == "body"
    assert "JSON" in str(error)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_a_body_that_is_not_a_json_object_is_refused(source, body) -> None:
    _, headers = _valid(source)
    assert _refused(source, body, headers).field_name == "body"


def test_bytes_that_are_not_utf8_are_refused_naming_the_body() -> None:
    assert _refused("stripe", b"\xff\xfe{").field_name == "body"


def test_an_unknown_source_is_refused() -> None:
    assert _refused("paypal", {}).field_name == "source"


def test_a_reading_error_no_reader_expected_is_still_a_payload_error(monkeypatch) -> None:
    def broken(headers, body, received_at):
        return {}["missing"]

    monkeypatch.setitem(adapters._ADAPTERS, "stripe", broken)
    error = _refused("stripe", {})
    assert error.field_name == "body"
    assert "KeyError" in str(error)


WRONG_VALUES = [None, "", "x", -1, 1.5, True, [], {}, [{}], {"a": None}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@pytest.mark.parametrize("name", [sample[0] for sample in SAMPLES])
def test_a_wrong_value_anywhere_is_refused_or_set_aside_never_a_crash(name) -> None:
    """Every field of every sample replaced by values of every other shape: the readers
    themselves (without adapt's safety net) raise only PayloadError or UnknownEventType."""
    payload, headers = _sample(name)
    source = name.split("_")[0]
    reader = adapters._ADAPTERS[source]
    for path in _paths(payload):
        for wrong in WRONG_VALUES:
            mutated = copy.deepcopy(payload)
            container = mutated
            for step in path[:-1]:
                container = container[step]
            container[path[-1]] = wrong
            try:
                event = reader(headers, json.dumps(mutated).encode(), RECEIVED)
            except (PayloadError, UnknownEventType):
                continue
            except Exception as error:  # pragma: no cover - the failure this test exists to show
                pytest.fail(f"{name}: {'.'.join(map(str, path))} = {wrong!r} raised {error!r}")
            assert isinstance(event, CanonicalEvent)
            json.dumps(event.data)


# --- procx -----------------------------------------------------------------------------------


def _procx(**changes: Any) -> dict[str, Any]:
    payload, _ = _sample("procx_payment_failed")
    payload["data"] |= changes
    return payload


PROCX_HEADERS = {"webhook-id": "msg_1"}


def test_procx_headers_are_read_whatever_their_case() -> None:
    assert _read("procx", _procx(), {"Webhook-Id": "msg_Case"}).delivery_id == "msg_Case"


def test_procx_without_a_webhook_id_is_refused_naming_it() -> None:
    assert _refused("procx", _procx(), {}).field_name == "webhook-id"


@pytest.mark.parametrize(
    ("changes", "amount", "currency"),
    [
        ({"amount": 2499.99, "currency": "usd"}, "2499.99", "USD"),
        ({"amount": 100, "currency": "USD"}, "100.00", "USD"),
        ({"amount": "42.5", "currency": "EUR"}, "42.50", "EUR"),
        ({"amount": 5000, "currency": "JPY"}, "5000", "JPY"),
        ({"amount": 1.25, "currency": "KWD"}, "1.250", "KWD"),
        ({"amount": 10.555, "currency": "USD"}, "10.555", "USD"),
    ],
)
def test_procx_amounts_become_major_unit_strings(changes, amount, currency) -> None:
    data = _read("procx", _procx(**changes), PROCX_HEADERS).data
    assert (data["amount"], data["currency"]) == (amount, currency)


def test_procx_money_without_a_currency_is_in_dollars() -> None:
    payload = _procx(amount=12)
    del payload["data"]["currency"]
    assert _read("procx", payload, PROCX_HEADERS).data["currency"] == "USD"


def test_procx_types_without_money_get_no_currency() -> None:
    payload = {"event_type": "app.inactive", "data": {"email": "customer@example.com", "days_inactive": 30}}
    event = _read("procx", payload, PROCX_HEADERS)
    assert "currency" not in event.data
    assert event.customer == CustomerRef(email="customer@example.com")
    assert event.occurred_at == RECEIVED  # no timestamp: when it arrived


def test_procx_keeps_the_other_facts_and_the_originating_system() -> None:
    data = _read("procx", _procx(), PROCX_HEADERS).data
    assert data["order_id"] == "O300000"
    assert data["reason"] == "insufficient_funds"
    assert data["attempt"] == 2
    assert data["origin"] == "stripe"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2025-01-10T14:32:00Z", dt.datetime(2025, 1, 10, 14, 32, tzinfo=dt.UTC)),
        ("2025-01-10T20:02:00+05:30", dt.datetime(2025, 1, 10, 14, 32, tzinfo=dt.UTC)),
        ("2025-01-10T14:32:00", dt.datetime(2025, 1, 10, 14, 32, tzinfo=dt.UTC)),
    ],
)
def test_procx_timestamps_become_utc(timestamp, expected) -> None:
    payload = _procx()
    payload["timestamp"] = timestamp
    occurred_at = _read("procx", payload, PROCX_HEADERS).occurred_at
    assert occurred_at == expected
    assert occurred_at.utcoffset() == dt.timedelta(0)


def test_procx_of_a_type_ProCX_does_not_know_is_set_aside() -> None:
    payload = _procx()
    payload["event_type"] = "loyalty.points_expired"
    error = _set_aside("procx", payload, PROCX_HEADERS)
    assert (error.source, error.native_type) == ("procx", "loyalty.points_expired")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda payload: payload.pop("event_type"), "event_type"),
        (lambda payload: payload.update(event_type=7), "event_type"),
        (lambda payload: payload.pop("data"), "data"),
        (lambda payload: payload.update(data=["C100109"]), "data"),
        (lambda payload: payload["data"].pop("customer_id"), "data.customer_id"),
        (lambda payload: payload["data"].update(amount="lots"), "data.amount"),
        (lambda payload: payload["data"].update(amount=True), "data.amount"),
        (lambda payload: payload["data"].update(currency="dollars"), "data.currency"),
        (lambda payload: payload.update(timestamp="yesterday"), "timestamp"),
    ],
)
def test_procx_payload_errors_name_the_field(mutate, field) -> None:
    payload = _procx()
    mutate(payload)
    assert _refused("procx", payload, PROCX_HEADERS).field_name == field


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


# --- zendesk ---------------------------------------------------------------------------------


def _zendesk(kind: str, event: dict[str, Any] | None = None, **detail: Any) -> dict[str, Any]:
    return {
        "type": f"zen:event-type:{kind}",
        "account_id": 22129848,
        "id": "zd_1",
        "time": "2025-10-08T16:05:44Z",
        "subject": "zen:ticket:4711",
        "detail": {
            "id": "4711",
            "subject": "Refund still missing",
            "priority": "NORMAL",
            "status": "OPEN",
            "requester_id": "8447388090494",
            "tags": ["refund"],
            **detail,
        },
        "event": event or {},
    }


@pytest.mark.parametrize(
    ("payload", "event_type", "escalation_reason"),
    [
        (_zendesk("ticket.created"), "support.ticket.created", None),
        (
            _zendesk("ticket.priority_changed", {"previous": "NORMAL", "current": "HIGH"}, priority="HIGH"),
            "support.ticket.escalated",
            "priority raised from normal to high",
        ),
        (
            _zendesk("ticket.priority_changed", {"previous": "LOW", "current": "URGENT"}),
            "support.ticket.escalated",
            "priority raised from low to urgent",
        ),
        (
            _zendesk("ticket.status_changed", {"previous": "OPEN", "current": "SOLVED"}),
            "support.ticket.resolved",
            None,
        ),
        (
            _zendesk("ticket.status_changed", {"previous": "SOLVED", "current": "CLOSED"}),
            "support.ticket.resolved",
            None,
        ),
        (
            _zendesk("ticket.status_changed", {"previous": "OPEN", "current": "escalated"}),
            "support.ticket.escalated",
            "status set to escalated",
        ),
        (
            _zendesk("ticket.tags_changed", {"tags_added": ["escalated"], "tags_removed": []}),
            "support.ticket.escalated",
            "tagged escalated",
        ),
        (
            _zendesk("ticket.group_assignment_changed", {"previous": "1", "current": "2"}, tags=["escalation"]),
            "support.ticket.escalated",
            "handed to another team",
        ),
        (
            _zendesk("ticket.group_assignment_changed", {"previous": "1", "current": "2"}, priority="URGENT"),
            "support.ticket.escalated",
            "handed to another team",
        ),
    ],
)
def test_each_zendesk_change_maps_to_its_canonical_type(payload, event_type, escalation_reason) -> None:
    event = _read("zendesk", payload)
    assert (event.event_type, event.native_type, event.delivery_id) == (event_type, payload["type"], "zd_1")
    assert event.data.get("escalation_reason") == escalation_reason
    assert event.customer == CustomerRef(provider_customer_id="8447388090494")


def test_a_zendesk_ticket_keeps_its_fields_in_lower_case() -> None:
    payload = _zendesk(
        "ticket.created", priority="HIGH", via={"channel": "web"}, requester_email="customer@example.com"
    )
    event = _read("zendesk", payload)
    assert event.data == {
        "ticket_id": "4711",
        "subject": "Refund still missing",
        "status": "open",
        "priority": "high",
        "channel": "web",
        "tags": ["refund"],
    }
    assert event.customer.email == "customer@example.com"
    assert event.occurred_at == dt.datetime(2025, 10, 8, 16, 5, 44, tzinfo=dt.UTC)


def test_the_ticket_id_comes_from_the_subject_when_the_detail_lacks_it() -> None:
    payload = _zendesk("ticket.created")
    del payload["detail"]["id"]
    assert _read("zendesk", payload).data["ticket_id"] == "4711"


@pytest.mark.parametrize(
    ("payload", "native_type"),
    [
        (
            _zendesk("ticket.priority_changed", {"previous": "URGENT", "current": "HIGH"}),
            "zen:event-type:ticket.priority_changed (to high)",
        ),
        (
            _zendesk("ticket.priority_changed", {"previous": "HIGH", "current": "NORMAL"}),
            "zen:event-type:ticket.priority_changed (to normal)",
        ),
        (
            _zendesk("ticket.status_changed", {"previous": "OPEN", "current": "PENDING"}),
            "zen:event-type:ticket.status_changed (to pending)",
        ),
        (
            _zendesk("ticket.tags_changed", {"tags_added": ["vip"]}),
            "zen:event-type:ticket.tags_changed (no escalation tag)",
        ),
        (
            _zendesk("ticket.group_assignment_changed", {"previous": "1", "current": "2"}),
            "zen:event-type:ticket.group_assignment_changed (not an escalation)",
        ),
        (_zendesk("ticket.comment_added"), "zen:event-type:ticket.comment_added"),
        (_zendesk("user.active_changed"), "zen:event-type:user.active_changed"),
    ],
)
def test_zendesk_changes_that_are_not_ours_are_set_aside(payload, native_type) -> None:
    error = _set_aside("zendesk", payload)
    assert (error.source, error.native_type) == ("zendesk", native_type)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda payload: payload.pop("type"), "type"),
        (lambda payload: payload.pop("id"), "id"),
        (lambda payload: payload.pop("detail"), "detail"),
        (lambda payload: payload.update(detail="ticket"), "detail"),
        (lambda payload: payload["detail"].pop("requester_id"), "detail.requester_id"),
        (lambda payload: (payload["detail"].pop("id"), payload.pop("subject")), "detail.id"),
        (lambda payload: payload.update(time="Tuesday"), "time"),
    ],
)
def test_zendesk_payload_errors_name_the_field(mutate, field) -> None:
    payload = _zendesk("ticket.created")
    mutate(payload)
    assert _refused("zendesk", payload).field_name == field


# --- qualtrics -------------------------------------------------------------------------------


def _answer(**changes: Any) -> dict[str, Any]:
    payload, _ = _sample("qualtrics_nps_detractor")
    return payload | changes


@pytest.mark.parametrize(
    ("score", "event_type"),
    [
        (0, "nps.detractor"),
        (6, "nps.detractor"),
        (7, "nps.passive"),
        (8, "nps.passive"),
        (9, "nps.promoter"),
        (10, "nps.promoter"),
        ("9", "nps.promoter"),
        (8.0, "nps.passive"),
    ],
)
def test_an_nps_score_picks_its_group(score, event_type) -> None:
    event = _read("qualtrics", _answer(nps_score=score))
    assert event.event_type == event_type
    assert event.data["nps_score"] == int(score)


def test_an_nps_answer_keeps_feedback_and_survey_and_is_keyed_by_response() -> None:
    event = _read("qualtrics", _answer())
    assert event.delivery_id == "R_3kVbQ8mZp2LtX7a"
    assert event.data == {
        "nps_score": 3,
        "response_id": "R_3kVbQ8mZp2LtX7a",
        "survey_id": "SV_6xQzN1yT8rLk2pE",
        "feedback": "Delivery took two weeks and nobody answered my emails.",
    }


def test_an_nps_answer_by_email_alone_names_the_customer() -> None:
    payload = _answer()
    del payload["customer_id"]
    assert _read("qualtrics", payload).customer == CustomerRef(email="customer@example.com")


@pytest.mark.parametrize("score", [-1, 11, 7.5, "seven", "", True, None, [9], {"value": 9}])
def test_a_score_that_is_not_an_integer_from_0_to_10_is_refused(score) -> None:
    assert _refused("qualtrics", _answer(nps_score=score)).field_name == "nps_score"


def test_an_answer_without_a_score_is_refused_naming_it() -> None:
    payload = _answer()
    del payload["nps_score"]
    assert _refused("qualtrics", payload).field_name == "nps_score"


@pytest.mark.parametrize(
    ("drop", "field"),
    [(("response_id",), "response_id"), (("customer_id", "email"), "customer_id")],
)
def test_qualtrics_payload_errors_name_the_field(drop, field) -> None:
    payload = {key: value for key, value in _answer().items() if key not in drop}
    assert _refused("qualtrics", payload).field_name == field


def test_a_bad_recorded_at_is_refused_naming_it() -> None:
    assert _refused("qualtrics", _answer(recorded_at="last week")).field_name == "recorded_at"


def test_the_form_encoded_event_subscription_is_set_aside_for_lack_of_a_score() -> None:
    body = (
        b"Topic=surveyengine.completedResponse.SV_6xQzN1yT8rLk2pE&Status=Complete&SurveyID=SV_6xQzN1yT8rLk2pE"
        b"&ResponseID=R_3kVbQ8mZp2LtX7a&CompletedDate=2025-10-08+17%3A48%3A21&BrandID=procx"
    )
    error = _set_aside("qualtrics", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert (error.source, error.native_type) == (
        "qualtrics",
        "surveyengine.completedResponse (no score: forward the answer from a workflow)",
    )


def test_a_body_that_is_neither_json_nor_the_subscription_form_is_refused() -> None:
    assert _refused("qualtrics", b"score=9&who=me").field_name == "body"
