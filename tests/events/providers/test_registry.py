"""Every provider through the registry keyed by source (events/providers/__init__.py): the
samples in fixtures/webhooks read by `adapt`, everything that is not a payload refused or set
aside and never a crash, and each source's delivery verified by `VERIFIERS` and `verify`."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from events import providers
from events.providers import TOLERANCE_SECONDS, VERIFIERS
from events.providers.qualtrics import sign_qualtrics
from events.providers.shopify import sign_shopify
from events.providers.stripe import sign_stripe
from events.webhook_types import SOURCES, CanonicalEvent, CustomerRef, PayloadError, SignatureError, UnknownEventType
from tests.events.providers.support import (
    BODY,
    FIXTURES,
    NOW,
    NOW_UNIX,
    OTHER_SECRET,
    RECEIVED,
    SECRET,
    STANDARD_OTHER_SECRET,
    STANDARD_SECRET,
    _read,
    _refused,
    _sample,
    rejection,
    standard_headers,
    zendesk_headers,
)

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
        CustomerRef(
            "C100109",
            "customer@example.com",
            "cus_R8mTq3vXw2LpZa",
            related=(
                ("charge_id", "ch_3QGi2aLkdIwHu7ix0n4Bq8Ys"),
                ("payment_intent_id", "pi_3QGi2aLkdIwHu7ix0B2wLm9c"),
            ),
        ),
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
        "payment_intent_id": "pi_3QGh6sLkdIwHu7ix1XvB8mKq",
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

    monkeypatch.setitem(providers._ADAPTERS, "stripe", broken)
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
    reader = providers._ADAPTERS[source]
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


# --- Every source -----------------------------------------------------------------------------

VALID_DELIVERIES = {
    "procx": (STANDARD_SECRET, STANDARD_OTHER_SECRET, lambda secret: standard_headers(secret=secret)),
    "stripe": (SECRET, OTHER_SECRET, lambda secret: sign_stripe(body=BODY, secret=secret, timestamp=NOW_UNIX)),
    "shopify": (SECRET, OTHER_SECRET, lambda secret: sign_shopify(body=BODY, secret=secret)),
    "zendesk": (SECRET, OTHER_SECRET, lambda secret: zendesk_headers(secret=secret)),
    "qualtrics": (SECRET, OTHER_SECRET, lambda secret: sign_qualtrics(body=BODY, secret=secret)),
}


def test_every_source_has_a_verifier_and_the_timestamped_ones_a_tolerance() -> None:
    assert set(VERIFIERS) == {"procx", "stripe", "shopify", "zendesk", "qualtrics"}
    assert TOLERANCE_SECONDS == {"procx": 300, "stripe": 300, "zendesk": 300}


@pytest.mark.parametrize("source", sorted(VALID_DELIVERIES))
def test_it_accepts_each_sources_valid_delivery_through_the_verifiers_table(source: str) -> None:
    secret, _, sign = VALID_DELIVERIES[source]

    VERIFIERS[source](body=BODY, headers=sign(secret), secrets=[secret], now=NOW)


@pytest.mark.parametrize("source", sorted(VALID_DELIVERIES))
def test_it_rejects_every_delivery_when_no_secret_is_configured(source: str) -> None:
    secret, _, sign = VALID_DELIVERIES[source]

    assert rejection(VERIFIERS[source], headers=sign(secret), secrets=[]) == f"no secret configured for {source}"


@pytest.mark.parametrize("source", sorted(VALID_DELIVERIES))
def test_its_rejections_never_contain_a_secret(source: str) -> None:
    secret, other_secret, sign = VALID_DELIVERIES[source]
    secrets = [secret, other_secret]
    headers = sign(secret)
    bodies_and_headers = [
        (BODY + b"tampered", headers),
        (BODY, {name: value + "0" for name, value in headers.items()}),
        (BODY, {}),
    ]
    messages = []
    for body, delivery_headers in bodies_and_headers:
        with pytest.raises(SignatureError) as caught:
            VERIFIERS[source](body=body, headers=delivery_headers, secrets=secrets, now=NOW)
        messages.append(str(caught.value))

    for message in messages:
        for configured in secrets:
            assert configured not in message
            assert configured.removeprefix("whsec_") not in message


@pytest.mark.parametrize("source", ["stripe", "shopify", "zendesk", "qualtrics"])
def test_it_raises_a_configuration_error_for_an_empty_secret(source: str) -> None:
    secret, _, sign = VALID_DELIVERIES[source]

    with pytest.raises(ValueError, match=r"webhook secret #1 is empty"):
        VERIFIERS[source](body=BODY, headers=sign(secret), secrets=[""], now=NOW)


# --- The registry ------------------------------------------------------------------------------


def test_every_source_has_a_provider_module() -> None:
    assert set(providers.PROVIDERS) == set(SOURCES)
    assert {module.__name__.rsplit(".", 1)[1] for module in providers.PROVIDERS.values()} == set(SOURCES)


@pytest.mark.parametrize("source", sorted(VALID_DELIVERIES))
def test_verify_checks_a_delivery_the_way_its_source_signs(source: str) -> None:
    secret, _, sign = VALID_DELIVERIES[source]
    other_secret, _, other_sign = next(delivery for other, delivery in VALID_DELIVERIES.items() if other != source)
    signed_another_way = other_sign(other_secret)

    providers.verify(source=source, body=BODY, headers=sign(secret), secrets=[secret], now=NOW)
    with pytest.raises(SignatureError):
        providers.verify(source=source, body=BODY, headers=signed_another_way, secrets=[secret], now=NOW)


def test_the_delivery_log_keeps_every_header_a_provider_reads() -> None:
    from events.services import LOGGED_HEADERS

    read = {header.lower() for module in providers.PROVIDERS.values() for header in module.HEADERS}
    assert read <= set(LOGGED_HEADERS)
