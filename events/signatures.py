"""Verify (and, for tests and demo senders, sign) the five webhook sources' deliveries.

Pure functions: the raw body as bytes, the headers as any mapping (looked up
case-insensitively), the accepted secrets (any may match, so a secret can be rotated without
dropping deliveries) and `now`. A delivery that does not verify raises SignatureError with a
message a person can act on; no message ever contains a secret or an expected signature.
A configured secret that cannot be a key at all raises ValueError: that is a configuration
problem, not a bad delivery. The providers' schemes are in /work/shared/WEBHOOKS.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence

from events.webhook_types import SignatureError

# Shopify and Qualtrics carry no signed timestamp, so they have no tolerance.
TOLERANCE_SECONDS = {"procx": 300, "stripe": 300, "zendesk": 300}

STANDARD_WEBHOOK_ID_HEADER = "webhook-id"
STANDARD_WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_WEBHOOK_SIGNATURE_HEADER = "webhook-signature"
STRIPE_SIGNATURE_HEADER = "Stripe-Signature"
SHOPIFY_SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
ZENDESK_SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
# The header ProCX documents for Qualtrics workflows: hex HMAC-SHA256 of the raw body.
QUALTRICS_SIGNATURE_HEADER = "X-ProCX-Signature"

_STANDARD_WEBHOOK_SECRET_PREFIX = "whsec_"


# --- Verification ------------------------------------------------------------------------


def verify_standard_webhook(
    *, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime
) -> None:
    """ProCX's own envelope, signed the Standard Webhooks way (standardwebhooks.com)."""
    keys = [_standard_webhook_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "procx"))]
    message_id = _require_header(headers, STANDARD_WEBHOOK_ID_HEADER)
    timestamp = _unix_seconds(
        _require_header(headers, STANDARD_WEBHOOK_TIMESTAMP_HEADER), STANDARD_WEBHOOK_TIMESTAMP_HEADER
    )
    signature_header = _require_header(headers, STANDARD_WEBHOOK_SIGNATURE_HEADER)
    versioned = [entry.partition(",") for entry in signature_header.split()]
    # Other versions (v1a is the asymmetric scheme) are not ours to check.
    encoded = [signature for version, _, signature in versioned if version == "v1"]
    if not encoded:
        raise SignatureError(f"header {STANDARD_WEBHOOK_SIGNATURE_HEADER} has no v1,<base64> signature")
    signatures = _decoded_signatures(encoded, _base64_bytes, STANDARD_WEBHOOK_SIGNATURE_HEADER)
    _check_tolerance(timestamp, now=now, source="procx", header=STANDARD_WEBHOOK_TIMESTAMP_HEADER)
    signed = f"{message_id}.{timestamp}.".encode() + body
    _require_match(signed, keys=keys, signatures=signatures)


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
    _check_tolerance(timestamp, now=now, source="stripe", header=STRIPE_SIGNATURE_HEADER)
    signed = f"{timestamps[0]}.".encode() + body
    _require_match(signed, keys=keys, signatures=signatures)


def verify_shopify(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """Shopify: base64 HMAC-SHA256 of the raw body. No signed timestamp, so `now` is unused."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "shopify"))]
    encoded = _require_header(headers, SHOPIFY_SIGNATURE_HEADER)
    signatures = _decoded_signatures([encoded], _base64_bytes, SHOPIFY_SIGNATURE_HEADER)
    _require_match(body, keys=keys, signatures=signatures)


def verify_zendesk(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """Zendesk: base64 HMAC-SHA256 of the timestamp header's text followed by the raw body."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "zendesk"))]
    encoded = _require_header(headers, ZENDESK_SIGNATURE_HEADER)
    timestamp_text = _require_header(headers, ZENDESK_TIMESTAMP_HEADER)
    timestamp = _zendesk_timestamp(timestamp_text)
    signatures = _decoded_signatures([encoded], _base64_bytes, ZENDESK_SIGNATURE_HEADER)
    _check_tolerance(timestamp, now=now, source="zendesk", header=ZENDESK_TIMESTAMP_HEADER)
    _require_match(timestamp_text.encode() + body, keys=keys, signatures=signatures)


def verify_qualtrics(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """A Qualtrics workflow's JSON, signed with the shared secret: hex HMAC-SHA256 of the raw body,
    optionally written `sha256=<hex>`. No signed timestamp, so `now` is unused."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "qualtrics"))]
    encoded = _require_header(headers, QUALTRICS_SIGNATURE_HEADER)
    encoded = encoded.removeprefix("sha256=")
    signatures = _decoded_signatures([encoded], _hex_bytes, QUALTRICS_SIGNATURE_HEADER)
    _require_match(body, keys=keys, signatures=signatures)


VERIFIERS: dict[str, Callable[..., None]] = {
    "procx": verify_standard_webhook,
    "stripe": verify_stripe,
    "shopify": verify_shopify,
    "zendesk": verify_zendesk,
    "qualtrics": verify_qualtrics,
}


# --- Signing (tests, the demo command and the benchmark build valid deliveries with these) ----


def sign_standard_webhook(*, body: bytes, secret: str, message_id: str, timestamp: int) -> dict[str, str]:
    key = _standard_webhook_key(secret, 0)
    signature = _hmac_sha256(key, f"{message_id}.{timestamp}.".encode() + body)
    return {
        STANDARD_WEBHOOK_ID_HEADER: message_id,
        STANDARD_WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        STANDARD_WEBHOOK_SIGNATURE_HEADER: "v1," + base64.b64encode(signature).decode(),
    }


def sign_stripe(*, body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    signature = _hmac_sha256(_utf8_key(secret, 0), f"{timestamp}.".encode() + body)
    return {STRIPE_SIGNATURE_HEADER: f"t={timestamp},v1={signature.hex()}"}


def sign_shopify(*, body: bytes, secret: str) -> dict[str, str]:
    signature = _hmac_sha256(_utf8_key(secret, 0), body)
    return {SHOPIFY_SIGNATURE_HEADER: base64.b64encode(signature).decode()}


def sign_zendesk(*, body: bytes, secret: str, timestamp: str) -> dict[str, str]:
    signature = _hmac_sha256(_utf8_key(secret, 0), timestamp.encode() + body)
    return {ZENDESK_SIGNATURE_HEADER: base64.b64encode(signature).decode(), ZENDESK_TIMESTAMP_HEADER: timestamp}


def sign_qualtrics(*, body: bytes, secret: str) -> dict[str, str]:
    return {QUALTRICS_SIGNATURE_HEADER: _hmac_sha256(_utf8_key(secret, 0), body).hex()}


# --- Helpers ---------------------------------------------------------------------------------


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """HTTP header names are case-insensitive; a plain dict is not."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _require_header(headers: Mapping[str, str], name: str) -> str:
    value = (_header(headers, name) or "").strip()
    if not value:
        raise SignatureError(f"missing header {name}")
    return value


def _require_secrets(secrets: Sequence[str], source: str) -> Sequence[str]:
    if not secrets:
        raise SignatureError(f"no secret configured for {source}")
    return secrets


def _utf8_key(secret: str, index: int) -> bytes:
    if not secret:
        # An empty key is one anyone can sign with.
        raise ValueError(f"webhook secret #{index + 1} is empty")
    return secret.encode()


def _standard_webhook_key(secret: str, index: int) -> bytes:
    """The key is the base64 after `whsec_`; a secret without the prefix is read as base64 too."""
    encoded = secret.removeprefix(_STANDARD_WEBHOOK_SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            f"webhook secret #{index + 1} is not a Standard Webhooks secret: expected whsec_ followed by base64"
        ) from None
    if not key:
        raise ValueError(f"webhook secret #{index + 1} is empty")
    return key


def _unix_seconds(text: str, header: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise SignatureError(f"header {header} has a timestamp that is not unix seconds")
    return int(text)


def _zendesk_timestamp(text: str) -> float:
    """Zendesk sends ISO 8601 (`2025-01-10T14:32:00Z`); unix seconds are accepted too."""
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SignatureError(
            f"header {ZENDESK_TIMESTAMP_HEADER} is neither an ISO 8601 time nor unix seconds"
        ) from None
    if moment.tzinfo is None:
        raise SignatureError(f"header {ZENDESK_TIMESTAMP_HEADER} has no time zone (expected e.g. 2025-01-10T14:32:00Z)")
    return moment.timestamp()


def _check_tolerance(timestamp: float, *, now: dt.datetime, source: str, header: str) -> None:
    tolerance = TOLERANCE_SECONDS[source]
    offset = now.timestamp() - timestamp
    if abs(offset) <= tolerance:
        return
    direction = "in the past" if offset > 0 else "in the future"
    raise SignatureError(
        f"header {header}: timestamp {_shown(timestamp)} is {abs(offset):.0f} s {direction}; the tolerance is {tolerance} s"
    )


def _shown(timestamp: float) -> str:
    try:
        return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:.0f}"


def _base64_bytes(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text)


def _decoded_signatures(encoded: Sequence[str], decode: Callable[[str], bytes], header: str) -> list[bytes]:
    """Signatures as bytes, so compare_digest never meets a non-ASCII string. A garbled entry is
    skipped when another one reads; the header is malformed when none does."""
    signatures = []
    for text in encoded:
        try:
            signatures.append(decode(text))
        except (binascii.Error, ValueError):
            continue
    if not signatures:
        raise SignatureError(f"header {header} is malformed: its signature does not decode")
    return signatures


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _require_match(message: bytes, *, keys: Sequence[bytes], signatures: Sequence[bytes]) -> None:
    for key in keys:
        expected = _hmac_sha256(key, message)
        if any(hmac.compare_digest(expected, signature) for signature in signatures):
            return
    raise SignatureError("no signature matches any configured secret")
