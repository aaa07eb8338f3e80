"""ProCX's own envelope: its Standard Webhooks signature, and reading it into a canonical event."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest

from events.providers.procx import verify_standard_webhook
from events.webhook_types import CustomerRef, SignatureError
from tests.events.providers.support import (
    BODY,
    NOW,
    NOW_UNIX,
    RECEIVED,
    STANDARD_OTHER_SECRET,
    STANDARD_SECRET,
    _read,
    _refused,
    _sample,
    _set_aside,
    rejection,
    standard_headers,
)

# --- Standard Webhooks (ProCX's own envelope) ---------------------------------------------------


def test_it_accepts_the_published_standard_webhooks_vector() -> None:
    # The example from standardwebhooks.com / Svix's documentation, checked byte for byte.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    now = dt.datetime.fromtimestamp(1614265330, dt.UTC)

    verify_standard_webhook(body=body, headers=headers, secrets=[secret], now=now)


def test_it_accepts_a_standard_webhook_signed_independently_with_hmac() -> None:
    key = b"an-independent-key"
    secret = "whsec_" + base64.b64encode(key).decode()
    digest = hmac.new(key, b"msg_1." + str(NOW_UNIX).encode() + b"." + BODY, hashlib.sha256).digest()
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(NOW_UNIX),
        "Webhook-Signature": "v1," + base64.b64encode(digest).decode(),
    }

    verify_standard_webhook(body=BODY, headers=headers, secrets=[secret], now=NOW)


def test_it_signs_standard_webhooks_as_the_scheme_says() -> None:
    headers = standard_headers()

    key = base64.b64decode(STANDARD_SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"msg_2aVx.{NOW_UNIX}.".encode() + BODY, hashlib.sha256).digest()
    assert headers == {
        "webhook-id": "msg_2aVx",
        "webhook-timestamp": str(NOW_UNIX),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def test_it_accepts_a_standard_webhook_secret_without_the_whsec_prefix() -> None:
    bare_secret = STANDARD_SECRET.removeprefix("whsec_")

    verify_standard_webhook(body=BODY, headers=standard_headers(), secrets=[bare_secret], now=NOW)


def test_it_rejects_a_tampered_standard_webhook_body() -> None:
    message = rejection(
        verify_standard_webhook, body=BODY + b" ", headers=standard_headers(), secrets=[STANDARD_SECRET]
    )

    assert message == "no signature matches any configured secret"


def test_it_rejects_a_tampered_standard_webhook_id() -> None:
    headers = {**standard_headers(), "webhook-id": "msg_other"}

    assert "no signature matches" in rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])


def test_it_rejects_a_standard_webhook_signed_with_the_wrong_secret() -> None:
    headers = standard_headers(secret=STANDARD_OTHER_SECRET)

    assert "no signature matches" in rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])


def test_it_rejects_a_stale_standard_webhook_timestamp() -> None:
    headers = standard_headers(timestamp=NOW_UNIX - 301)

    message = rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])

    assert message == (
        "header webhook-timestamp: timestamp 2025-01-10T14:26:59Z is 301 s in the past; the tolerance is 300 s"
    )


def test_it_rejects_a_standard_webhook_timestamp_too_far_in_the_future() -> None:
    headers = standard_headers(timestamp=NOW_UNIX + 301)

    message = rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])

    assert "301 s in the future" in message


def test_it_accepts_a_standard_webhook_timestamp_at_the_edge_of_the_tolerance() -> None:
    for offset in (-300, 300):
        headers = standard_headers(timestamp=NOW_UNIX + offset)

        verify_standard_webhook(body=BODY, headers=headers, secrets=[STANDARD_SECRET], now=NOW)


@pytest.mark.parametrize("header", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_it_rejects_a_standard_webhook_missing_a_header(header: str) -> None:
    headers = standard_headers()
    del headers[header]

    assert rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET]) == f"missing header {header}"


def test_it_rejects_a_garbled_standard_webhook_timestamp() -> None:
    headers = {**standard_headers(), "webhook-timestamp": "yesterday"}

    message = rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])

    assert message == "header webhook-timestamp has a timestamp that is not unix seconds"


def test_it_rejects_a_standard_webhook_signature_without_a_v1_entry() -> None:
    headers = {**standard_headers(), "webhook-signature": "v1a,c29tZXRoaW5n"}

    message = rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])

    assert message == "header webhook-signature has no v1,<base64> signature"


def test_it_rejects_a_standard_webhook_signature_that_is_not_base64() -> None:
    headers = {**standard_headers(), "webhook-signature": "v1,not*base64!"}

    message = rejection(verify_standard_webhook, headers=headers, secrets=[STANDARD_SECRET])

    assert message == "header webhook-signature is malformed: its signature does not decode"


def test_it_accepts_a_standard_webhook_signed_with_the_rotated_secret() -> None:
    headers = standard_headers(secret=STANDARD_OTHER_SECRET)

    verify_standard_webhook(body=BODY, headers=headers, secrets=[STANDARD_SECRET, STANDARD_OTHER_SECRET], now=NOW)


def test_it_accepts_a_standard_webhook_when_one_of_several_signatures_matches() -> None:
    good = standard_headers()["webhook-signature"]
    wrong = standard_headers(secret=STANDARD_OTHER_SECRET)["webhook-signature"]
    headers = {**standard_headers(), "webhook-signature": f"{wrong} v1a,ignored v1,garbled* {good}"}

    verify_standard_webhook(body=BODY, headers=headers, secrets=[STANDARD_SECRET], now=NOW)


def test_it_raises_a_configuration_error_naming_an_undecodable_standard_webhook_secret() -> None:
    unreadable = "whsec_not base64 at all!"

    with pytest.raises(ValueError, match=r"webhook secret #2 is not a Standard Webhooks secret") as caught:
        verify_standard_webhook(body=BODY, headers=standard_headers(), secrets=[STANDARD_SECRET, unreadable], now=NOW)

    assert not isinstance(caught.value, SignatureError)
    assert "not base64 at all" not in str(caught.value)


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
