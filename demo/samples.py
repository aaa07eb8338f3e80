"""Signed sample deliveries, built from fixtures/webhooks/ for real customers, for
`run_event_driven` and anyone who wants to see the endpoints work.

Each sample is the provider's own payload with the placeholder customer (fixtures/webhooks/
README.md) replaced by a real one, fresh delivery ids and times (so it is neither a duplicate
nor stale), and signed with the configured secret exactly as the provider would sign it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from events.providers.procx import sign_standard_webhook
from events.providers.qualtrics import sign_qualtrics
from events.providers.shopify import sign_shopify
from events.providers.stripe import sign_stripe
from events.providers.zendesk import sign_zendesk

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "webhooks"
PATHS = {
    "procx": "/api/webhooks/events/",
    "stripe": "/api/webhooks/stripe/",
    "shopify": "/api/webhooks/shopify/",
    "zendesk": "/api/webhooks/zendesk/",
    "qualtrics": "/api/webhooks/qualtrics/",
}
PLACEHOLDER_CUSTOMER_ID = "C100109"
PLACEHOLDER_EMAIL = "customer@example.com"
PLACEHOLDER_ORDER_ID = "O300000"


@dataclass(frozen=True)
class SampleSpec:
    name: str
    source: str
    fixture: str
    title: str


# The five the issue names: a Stripe payment failure, a Shopify abandoned checkout, a Zendesk
# escalation, a Qualtrics detractor, and ProCX's own envelope.
SAMPLES: tuple[SampleSpec, ...] = (
    SampleSpec("stripe_payment_failed", "stripe", "stripe_charge_failed", "Stripe: a card payment fails"),
    SampleSpec(
        "shopify_cart_abandoned", "shopify", "shopify_checkouts_update_abandoned", "Shopify: a checkout is abandoned"
    ),
    SampleSpec("zendesk_escalation", "zendesk", "zendesk_ticket_escalated", "Zendesk: a ticket is escalated"),
    SampleSpec("qualtrics_detractor", "qualtrics", "qualtrics_nps_detractor", "Qualtrics: a detractor answers"),
    SampleSpec("procx_payment_failed", "procx", "procx_payment_failed", "ProCX envelope: payment.failed"),
)


@dataclass(frozen=True)
class SampleDelivery:
    spec: SampleSpec
    path: str
    body: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


def secret_variable(source: str) -> str:
    """The environment variable that holds `source`'s signing secret(s)."""
    return "PROCX_WEBHOOK_SECRET" if source == "procx" else f"PROCX_{source.upper()}_WEBHOOK_SECRET"


def throwaway_secret(source: str) -> str:
    """A fresh random secret in the form `source` uses: Standard Webhooks' whsec_ + base64 of
    32 bytes for ProCX's envelope, whsec_ + text for Stripe, plain text for the others."""
    key = secrets.token_bytes(32)
    if source == "procx":
        return "whsec_" + base64.b64encode(key).decode()
    if source == "stripe":
        return "whsec_" + secrets.token_urlsafe(32)
    return secrets.token_urlsafe(32)


def _secret(source: str) -> str:
    configured = settings.PROCX_WEBHOOK_SECRETS.get(source) or []
    if not configured:
        raise ValueError(f"no secret for {source}: set {secret_variable(source)} (make run sets a demo one)")
    return configured[0]


def _fresh(spec: SampleSpec, payload: dict[str, Any], headers: dict[str, str], now: dt.datetime) -> None:
    """New delivery ids and times, in place."""
    iso = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    token = uuid.uuid4().hex
    if spec.source == "procx":
        payload["timestamp"] = iso
        headers["webhook-id"] = f"msg_{token}"
    elif spec.source == "stripe":
        payload["id"] = f"evt_{token[:24]}"
        payload["created"] = int(now.timestamp())
        obj = payload["data"]["object"]
        prefix = obj.get("id", "ch_").split("_")[0]
        obj["id"] = f"{prefix}_{token[:24]}"  # a charge or invoice is paid once
    elif spec.source == "shopify":
        # A new update of the checkout (not a resend of the last one, which ProCX would store once).
        payload["updated_at"] = iso
        headers["X-Shopify-Webhook-Id"] = str(uuid.UUID(token))
        headers["X-Shopify-Event-Id"] = str(uuid.uuid4())
        headers["X-Shopify-Triggered-At"] = iso
    elif spec.source == "zendesk":
        payload["id"] = str(uuid.UUID(token))
        payload["time"] = iso
        ticket = str(int(token[:6], 16))  # each demo run escalates its own ticket
        payload["subject"] = f"zen:ticket:{ticket}"
        payload["detail"]["id"] = ticket
    elif spec.source == "qualtrics":
        payload["response_id"] = f"R_{token[:15]}"
        payload["recorded_at"] = iso


def sample_delivery(
    spec: SampleSpec, *, customer_id: str, email: str, order_id: str, now: dt.datetime | None = None
) -> SampleDelivery:
    """The spec's fixture for this customer, fresh and signed."""
    now = now or dt.datetime.now(tz=dt.UTC)
    text = (FIXTURES / f"{spec.fixture}.json").read_text()
    text = text.replace(PLACEHOLDER_CUSTOMER_ID, customer_id).replace(PLACEHOLDER_EMAIL, email)
    if order_id:
        text = text.replace(PLACEHOLDER_ORDER_ID, order_id)
    payload = json.loads(text)
    headers_file = FIXTURES / f"{spec.fixture}.headers.json"
    headers = json.loads(headers_file.read_text()) if headers_file.exists() else {}
    _fresh(spec, payload, headers, now)
    body = json.dumps(payload, ensure_ascii=False).encode()
    secret = _secret(spec.source)
    stamp = int(now.timestamp())
    if spec.source == "procx":
        headers |= sign_standard_webhook(body=body, secret=secret, message_id=headers["webhook-id"], timestamp=stamp)
    elif spec.source == "stripe":
        headers |= sign_stripe(body=body, secret=secret, timestamp=stamp)
    elif spec.source == "shopify":
        headers |= sign_shopify(body=body, secret=secret)
    elif spec.source == "zendesk":
        headers |= sign_zendesk(body=body, secret=secret, timestamp=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    else:
        headers |= sign_qualtrics(body=body, secret=secret)
    headers["Content-Type"] = "application/json"
    return SampleDelivery(spec=spec, path=PATHS[spec.source], body=body, headers=headers)
