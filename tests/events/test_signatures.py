"""Signature checks for the five webhook sources. Pure: no database, no requests."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest

from events.signatures import (
    QUALTRICS_SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    VERIFIERS,
    sign_qualtrics,
    sign_shopify,
    sign_standard_webhook,
    sign_stripe,
    sign_zendesk,
    verify_qualtrics,
    verify_shopify,
    verify_standard_webhook,
    verify_stripe,
    verify_zendesk,
)
from events.webhook_types import SignatureError

BODY = b'{"event_type": "payment.failed", "timestamp": "2025-01-10T14:32:00Z", "data": {"customer_id": "C100109"}}'
NOW = dt.datetime(2025, 1, 10, 14, 32, 0, tzinfo=dt.UTC)
NOW_UNIX = int(NOW.timestamp())
NOW_ISO = "2025-01-10T14:32:00Z"

# Standard Webhooks secrets are whsec_ + base64 of the key.
STANDARD_SECRET = "whsec_" + base64.b64encode(b"procx-test-key-one-32-bytes-long").decode()
STANDARD_OTHER_SECRET = "whsec_" + base64.b64encode(b"procx-test-key-two-32-bytes-long").decode()
SECRET = "whsec_stripe_style_test_secret_1"
OTHER_SECRET = "whsec_stripe_style_test_secret_2"


def standard_headers(body: bytes = BODY, secret: str = STANDARD_SECRET, timestamp: int = NOW_UNIX) -> dict[str, str]:
    return sign_standard_webhook(body=body, secret=secret, message_id="msg_2aVx", timestamp=timestamp)


def zendesk_headers(body: bytes = BODY, secret: str = SECRET, timestamp: str = NOW_ISO) -> dict[str, str]:
    return sign_zendesk(body=body, secret=secret, timestamp=timestamp)


def rejection(verify, *, body: bytes = BODY, headers: dict[str, str], secrets: list[str], now=NOW) -> str:
    with pytest.raises(SignatureError) as caught:
        verify(body=body, headers=headers, secrets=secrets, now=now)
    return str(caught.value)


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


# --- Shopify --------------------------------------------------------------------------------


def test_it_accepts_a_shopify_signature_computed_independently_with_hmac() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()
    headers = {"X-SHOPIFY-HMAC-SHA256": base64.b64encode(digest).decode()}

    verify_shopify(body=BODY, headers=headers, secrets=[SECRET], now=NOW)
    assert sign_shopify(body=BODY, secret=SECRET) == {"X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode()}


def test_it_rejects_a_tampered_shopify_body() -> None:
    headers = sign_shopify(body=BODY, secret=SECRET)

    assert rejection(verify_shopify, body=BODY[:-1], headers=headers, secrets=[SECRET]) == (
        "no signature matches any configured secret"
    )


def test_it_rejects_a_shopify_signature_made_with_the_wrong_secret() -> None:
    headers = sign_shopify(body=BODY, secret=OTHER_SECRET)

    assert "no signature matches" in rejection(verify_shopify, headers=headers, secrets=[SECRET])


def test_it_rejects_a_shopify_delivery_without_its_signature_header() -> None:
    assert rejection(verify_shopify, headers={"X-Shopify-Topic": "orders/cancelled"}, secrets=[SECRET]) == (
        "missing header X-Shopify-Hmac-Sha256"
    )


def test_it_rejects_a_shopify_signature_that_is_not_base64() -> None:
    message = rejection(verify_shopify, headers={"X-Shopify-Hmac-Sha256": "%%%"}, secrets=[SECRET])

    assert message == "header X-Shopify-Hmac-Sha256 is malformed: its signature does not decode"


def test_it_accepts_a_shopify_delivery_signed_with_the_rotated_secret() -> None:
    headers = sign_shopify(body=BODY, secret=OTHER_SECRET)

    verify_shopify(body=BODY, headers=headers, secrets=[SECRET, OTHER_SECRET], now=NOW)


# --- Zendesk --------------------------------------------------------------------------------


def test_it_accepts_a_zendesk_signature_computed_independently_with_hmac() -> None:
    # timestamp + body, no separator.
    digest = hmac.new(SECRET.encode(), NOW_ISO.encode() + BODY, hashlib.sha256).digest()
    headers = {
        "x-zendesk-webhook-signature": base64.b64encode(digest).decode(),
        "x-zendesk-webhook-signature-timestamp": NOW_ISO,
    }

    verify_zendesk(body=BODY, headers=headers, secrets=[SECRET], now=NOW)
    assert zendesk_headers() == {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": NOW_ISO,
    }


def test_it_accepts_a_zendesk_timestamp_in_unix_seconds() -> None:
    verify_zendesk(body=BODY, headers=zendesk_headers(timestamp=str(NOW_UNIX)), secrets=[SECRET], now=NOW)


def test_it_accepts_a_zendesk_timestamp_with_an_offset() -> None:
    headers = zendesk_headers(timestamp="2025-01-10T15:33:00+01:00")

    verify_zendesk(body=BODY, headers=headers, secrets=[SECRET], now=NOW)


def test_it_rejects_a_tampered_zendesk_body() -> None:
    message = rejection(verify_zendesk, body=BODY + b"\n", headers=zendesk_headers(), secrets=[SECRET])

    assert message == "no signature matches any configured secret"


def test_it_rejects_a_zendesk_timestamp_swapped_after_signing() -> None:
    headers = {**zendesk_headers(), "X-Zendesk-Webhook-Signature-Timestamp": "2025-01-10T14:32:01Z"}

    assert "no signature matches" in rejection(verify_zendesk, headers=headers, secrets=[SECRET])


def test_it_rejects_a_zendesk_signature_made_with_the_wrong_secret() -> None:
    headers = zendesk_headers(secret=OTHER_SECRET)

    assert "no signature matches" in rejection(verify_zendesk, headers=headers, secrets=[SECRET])


def test_it_rejects_a_stale_zendesk_timestamp() -> None:
    headers = zendesk_headers(timestamp="2025-01-10T14:25:08Z")

    message = rejection(verify_zendesk, headers=headers, secrets=[SECRET])

    assert message == (
        "header X-Zendesk-Webhook-Signature-Timestamp: timestamp 2025-01-10T14:25:08Z is 412 s in the past;"
        " the tolerance is 300 s"
    )


def test_it_rejects_a_zendesk_timestamp_too_far_in_the_future() -> None:
    headers = zendesk_headers(timestamp="2025-01-10T14:40:00Z")

    assert "480 s in the future" in rejection(verify_zendesk, headers=headers, secrets=[SECRET])


@pytest.mark.parametrize("header", ["X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"])
def test_it_rejects_a_zendesk_delivery_missing_a_header(header: str) -> None:
    headers = zendesk_headers()
    del headers[header]

    assert rejection(verify_zendesk, headers=headers, secrets=[SECRET]) == f"missing header {header}"


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("last tuesday", "is neither an ISO 8601 time nor unix seconds"),
        ("2025-01-10T14:32:00", "has no time zone"),
    ],
)
def test_it_rejects_a_garbled_zendesk_timestamp(timestamp: str, expected: str) -> None:
    message = rejection(verify_zendesk, headers=zendesk_headers(timestamp=timestamp), secrets=[SECRET])

    assert message.startswith("header X-Zendesk-Webhook-Signature-Timestamp ")
    assert expected in message


def test_it_accepts_a_zendesk_delivery_signed_with_the_rotated_secret() -> None:
    verify_zendesk(body=BODY, headers=zendesk_headers(secret=OTHER_SECRET), secrets=[SECRET, OTHER_SECRET], now=NOW)


# --- Qualtrics ------------------------------------------------------------------------------


def test_it_accepts_a_qualtrics_signature_computed_independently_with_hmac() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()

    verify_qualtrics(body=BODY, headers={"x-procx-signature": digest}, secrets=[SECRET], now=NOW)
    assert sign_qualtrics(body=BODY, secret=SECRET) == {QUALTRICS_SIGNATURE_HEADER: digest}


def test_it_accepts_a_qualtrics_signature_with_a_sha256_prefix() -> None:
    digest = sign_qualtrics(body=BODY, secret=SECRET)[QUALTRICS_SIGNATURE_HEADER]

    verify_qualtrics(body=BODY, headers={"X-ProCX-Signature": f"sha256={digest}"}, secrets=[SECRET], now=NOW)


def test_it_rejects_a_tampered_qualtrics_body() -> None:
    headers = sign_qualtrics(body=BODY, secret=SECRET)

    assert rejection(verify_qualtrics, body=b"{}", headers=headers, secrets=[SECRET]) == (
        "no signature matches any configured secret"
    )


def test_it_rejects_a_qualtrics_signature_made_with_the_wrong_secret() -> None:
    headers = sign_qualtrics(body=BODY, secret=OTHER_SECRET)

    assert "no signature matches" in rejection(verify_qualtrics, headers=headers, secrets=[SECRET])


def test_it_rejects_a_qualtrics_delivery_without_its_signature_header() -> None:
    assert rejection(verify_qualtrics, headers={}, secrets=[SECRET]) == "missing header X-ProCX-Signature"


def test_it_rejects_a_qualtrics_signature_that_is_not_hex() -> None:
    message = rejection(verify_qualtrics, headers={"X-ProCX-Signature": "sha256=zzzz"}, secrets=[SECRET])

    assert message == "header X-ProCX-Signature is malformed: its signature does not decode"


def test_it_accepts_a_qualtrics_delivery_signed_with_the_rotated_secret() -> None:
    headers = sign_qualtrics(body=BODY, secret=OTHER_SECRET)

    verify_qualtrics(body=BODY, headers=headers, secrets=[SECRET, OTHER_SECRET], now=NOW)


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
