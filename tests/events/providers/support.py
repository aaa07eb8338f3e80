"""What the provider tests share: the sample deliveries in fixtures/webhooks and reading them
through `adapt`; a body, a clock and secrets to sign and verify with."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from events.providers import adapt
from events.providers.procx import sign_standard_webhook
from events.providers.zendesk import sign_zendesk
from events.webhook_types import CanonicalEvent, PayloadError, SignatureError, UnknownEventType

# --- Reading -----------------------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "webhooks"
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


def _named(error: UnknownEventType) -> str:
    """The type and, when given, why it was set aside: "orders/paid (suspicious: ...)"."""
    return f"{error.native_type} ({error.why})" if error.why else error.native_type


def _set_aside(source: str, payload: Any, headers: dict[str, str] | None = None) -> UnknownEventType:
    with pytest.raises(UnknownEventType) as caught:
        _read(source, payload, headers)
    return caught.value


# --- Signing and verifying ---------------------------------------------------------------------

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
