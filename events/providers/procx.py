"""ProCX's own envelope (the seed's format), signed the Standard Webhooks way: the
/api/webhooks/events/ endpoint.

Headers (standardwebhooks.com): `webhook-id` (the delivery id), `webhook-timestamp` (unix
seconds) and `webhook-signature`: space-separated `v1,<base64>` entries, each HMAC-SHA256 over
`{webhook-id}.{webhook-timestamp}.{raw body}`, keyed with the base64-decoded part of the secret
after `whsec_`. Any listed signature may match; a timestamp more than 5 minutes off is refused.

The payload
    {"event_type": "payment.failed", "timestamp": "2025-01-10T14:32:00Z", "source": "stripe",
     "data": {"customer_id": "C100109" (or "email"), "amount": 2499.99, "currency": "USD", ...}}
    event_type is already canonical (any of CANONICAL_TYPES); delivery id = header `webhook-id`.
    `data` is kept as sent, except: `amount` becomes a major-unit string, `currency` upper
    case, "USD" when a money type (MONEY_TYPES) has none; the envelope's `source` is kept as
    `origin`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping, Sequence

from events.providers.base import (
    Example,
    Facts,
    RequestHeader,
    SigningScheme,
    WebhookView,
    _base64_bytes,
    _check_tolerance,
    _currency,
    _decimal,
    _decoded_signatures,
    _header,
    _hmac_sha256,
    _identifier,
    _json_object,
    _major,
    _object,
    _optional_time,
    _require_header,
    _require_match,
    _require_secrets,
    _text,
    _unix_seconds,
    _utc,
    endpoint_schema,
)
from events.webhook_types import (
    CANONICAL_TYPES,
    CanonicalEvent,
    CustomerRef,
    PayloadError,
    SignatureError,
    UnknownEventType,
)

STANDARD_WEBHOOK_ID_HEADER = "webhook-id"
STANDARD_WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_WEBHOOK_SIGNATURE_HEADER = "webhook-signature"
HEADERS = (STANDARD_WEBHOOK_ID_HEADER, STANDARD_WEBHOOK_TIMESTAMP_HEADER, STANDARD_WEBHOOK_SIGNATURE_HEADER)
TOLERANCE_SECONDS = 300

_STANDARD_WEBHOOK_SECRET_PREFIX = "whsec_"

SIGNING_SCHEME = SigningScheme(
    name="StandardWebhooksSignature",
    header=STANDARD_WEBHOOK_SIGNATURE_HEADER,
    description=(
        "Standard Webhooks (standardwebhooks.com). Headers webhook-id (the delivery id), webhook-timestamp "
        "(unix seconds) and webhook-signature: space-separated `v1,<base64>` entries, each the HMAC-SHA256 of "
        "`{webhook-id}.{webhook-timestamp}.{raw body}` keyed with the bytes the secret's base64 after `whsec_` "
        f"decodes to; any entry may match. Timestamps more than {TOLERANCE_SECONDS} s off are refused. "
        "Secret: PROCX_WEBHOOK_SECRET (whsec_..., comma-separated to rotate)."
    ),
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


# Verifying and signing ----------------------------------------------------------------------


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
    _check_tolerance(timestamp, now=now, tolerance=TOLERANCE_SECONDS, header=STANDARD_WEBHOOK_TIMESTAMP_HEADER)
    signed = f"{message_id}.{timestamp}.".encode() + body
    _require_match(signed, keys=keys, signatures=signatures)


def sign_standard_webhook(*, body: bytes, secret: str, message_id: str, timestamp: int) -> dict[str, str]:
    """Headers for a valid delivery (tests, the demo command and the benchmark build them)."""
    key = _standard_webhook_key(secret, 0)
    signature = _hmac_sha256(key, f"{message_id}.{timestamp}.".encode() + body)
    return {
        STANDARD_WEBHOOK_ID_HEADER: message_id,
        STANDARD_WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        STANDARD_WEBHOOK_SIGNATURE_HEADER: "v1," + base64.b64encode(signature).decode(),
    }


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


# Reading the payload ------------------------------------------------------------------------


def _adapt_procx(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    delivery_id = _header(headers, STANDARD_WEBHOOK_ID_HEADER, required=True)
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


# The endpoint -------------------------------------------------------------------------------


@endpoint_schema(
    source="procx",
    summary="ProCX's own event envelope",
    accepts=("ProCX's own envelope: a canonical event_type, its timestamp and the customer's data."),
    signing_scheme=SIGNING_SCHEME,
    headers=(
        RequestHeader(
            STANDARD_WEBHOOK_ID_HEADER, "the message id: the idempotency key (the same id twice is stored once)", True
        ),
        RequestHeader(
            STANDARD_WEBHOOK_TIMESTAMP_HEADER, "unix seconds, signed; more than 5 minutes off is refused", True
        ),
    ),
    examples=(Example("payment_failed.json", "A payment failure in the seed's envelope"),),
)
class ProcxWebhookView(WebhookView):
    """POST /api/webhooks/events/: ProCX's own envelope, Standard Webhooks signing."""

    source = "procx"
    signing_scheme = SIGNING_SCHEME
