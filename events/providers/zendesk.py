"""Zendesk: ticket events signed in X-Zendesk-Webhook-Signature, at /api/webhooks/zendesk/.

X-Zendesk-Webhook-Signature is the base64 HMAC-SHA256 of X-Zendesk-Webhook-Signature-Timestamp's
text followed by the raw body (no separator); a timestamp more than 5 minutes off is refused.

The payload: {"type": "zen:event-type:ticket.created", "id", "time", "subject": "zen:ticket:<id>",
"detail": {ticket fields}, "event": {previous/current values}}
    ticket.created                     support.ticket.created
    ticket.status_changed              support.ticket.resolved to solved or closed;
                                       support.ticket.escalated to a status named "escalated"
    ticket.priority_changed            support.ticket.escalated when raised to high or urgent
    ticket.tags_changed                support.ticket.escalated when "escalated" or "escalation"
                                       is added
    ticket.group_assignment_changed    support.ticket.escalated when the ticket is tagged
                                       escalated or is urgent (a hand-over to the escalation team)
    Zendesk has no "escalated" event; these are the signals teams use for one. Any other
    change goes to the inbox. Customer: detail.requester_id (and detail.requester_email when a
    trigger adds it).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from events.providers.base import (
    Facts,
    Json,
    SigningScheme,
    WebhookView,
    _base64_bytes,
    _check_tolerance,
    _decoded_signatures,
    _hmac_sha256,
    _identifier,
    _json_object,
    _object,
    _optional_time,
    _require_header,
    _require_match,
    _require_secrets,
    _text,
    _utc,
    _utf8_key,
    endpoint_schema,
)
from events.webhook_types import CanonicalEvent, CustomerRef, PayloadError, SignatureError, UnknownEventType

ZENDESK_SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
ZENDESK_TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
HEADERS = (ZENDESK_SIGNATURE_HEADER, ZENDESK_TIMESTAMP_HEADER)
TOLERANCE_SECONDS = 300

SIGNING_SCHEME = SigningScheme(
    name="ZendeskSignature",
    header=ZENDESK_SIGNATURE_HEADER,
    description=(
        "X-Zendesk-Webhook-Signature: the base64 HMAC-SHA256 of X-Zendesk-Webhook-Signature-Timestamp's text "
        "(ISO 8601 or unix seconds) followed by the raw body, no separator. Timestamps more than "
        f"{TOLERANCE_SECONDS} s off are refused. Secret: PROCX_ZENDESK_WEBHOOK_SECRET (comma-separated to rotate)."
    ),
)


# Verifying and signing ----------------------------------------------------------------------


def verify_zendesk(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """Zendesk: base64 HMAC-SHA256 of the timestamp header's text followed by the raw body."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "zendesk"))]
    encoded = _require_header(headers, ZENDESK_SIGNATURE_HEADER)
    timestamp_text = _require_header(headers, ZENDESK_TIMESTAMP_HEADER)
    timestamp = _zendesk_timestamp(timestamp_text)
    signatures = _decoded_signatures([encoded], _base64_bytes, ZENDESK_SIGNATURE_HEADER)
    _check_tolerance(timestamp, now=now, tolerance=TOLERANCE_SECONDS, header=ZENDESK_TIMESTAMP_HEADER)
    _require_match(timestamp_text.encode() + body, keys=keys, signatures=signatures)


def sign_zendesk(*, body: bytes, secret: str, timestamp: str) -> dict[str, str]:
    """Headers for a valid delivery (tests, the demo command and the benchmark build them)."""
    signature = _hmac_sha256(_utf8_key(secret, 0), timestamp.encode() + body)
    return {ZENDESK_SIGNATURE_HEADER: base64.b64encode(signature).decode(), ZENDESK_TIMESTAMP_HEADER: timestamp}


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


# Reading the payload ------------------------------------------------------------------------


_ZENDESK_PREFIX = "zen:event-type:"
_ESCALATION_TAGS = frozenset({"escalated", "escalation"})
_PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


def _lower(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split()
    return (
        [tag.strip().lower() for tag in value if isinstance(tag, str) and tag.strip()]
        if isinstance(value, list)
        else []
    )


def _zendesk_mapping(short: str, detail: Json, change: Json) -> tuple[str, str] | str:
    """(canonical type, escalation reason) for a mapped change, or the inbox label for another."""
    current, previous = _lower(change.get("current")), _lower(change.get("previous"))
    if short == "ticket.created":
        return "support.ticket.created", ""
    if short == "ticket.status_changed":
        current = current or _lower(detail.get("status"))
        if current in ("solved", "closed"):
            return "support.ticket.resolved", ""
        if current == "escalated":
            return "support.ticket.escalated", "status set to escalated"
        return f"ticket.status_changed (to {current or 'unknown'})"
    if short == "ticket.priority_changed":
        current = current or _lower(detail.get("priority"))
        raised = _PRIORITY_RANK.get(current, -1) > _PRIORITY_RANK.get(previous, -1)
        if current in ("high", "urgent") and raised:
            reason = f"priority raised from {previous} to {current}" if previous else f"priority raised to {current}"
            return "support.ticket.escalated", reason
        return f"ticket.priority_changed (to {current or 'unknown'})"
    if short == "ticket.tags_changed":
        added = set(_tags(change.get("tags_added")))
        if added & _ESCALATION_TAGS:
            return "support.ticket.escalated", f"tagged {sorted(added & _ESCALATION_TAGS)[0]}"
        return "ticket.tags_changed (no escalation tag)"
    if short == "ticket.group_assignment_changed":
        if set(_tags(detail.get("tags"))) & _ESCALATION_TAGS or _lower(detail.get("priority")) == "urgent":
            return "support.ticket.escalated", "handed to another team"
        return "ticket.group_assignment_changed (not an escalation)"
    return short


def _adapt_zendesk(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    payload = _json_object(body)
    native = _text(payload, "type", "type", required=True)
    delivery_id = _identifier(payload, "id", "id", required=True)
    detail = _object(payload, "detail", "detail", required=True)
    change = _object(payload, "event", "event")
    short = native.removeprefix(_ZENDESK_PREFIX)
    mapped = _zendesk_mapping(short, detail, change)
    if isinstance(mapped, str):
        raise UnknownEventType(
            "zendesk", f"{_ZENDESK_PREFIX}{mapped}" if native.startswith(_ZENDESK_PREFIX) else mapped
        )
    event_type, escalation_reason = mapped
    occurred_at = _optional_time(payload, "time", "time") or _utc(received_at)

    subject = _text(payload, "subject", "subject")
    ticket_id = _identifier(detail, "id", "detail.id")
    if not ticket_id and subject.startswith("zen:ticket:"):
        ticket_id = subject.removeprefix("zen:ticket:")
    if not ticket_id:
        raise PayloadError("detail.id", "is required (the ticket id)")
    customer = CustomerRef(
        email=_text(detail, "requester_email", "detail.requester_email"),
        provider_customer_id=_identifier(detail, "requester_id", "detail.requester_id"),
    )
    if customer.is_empty:
        raise PayloadError("detail.requester_id", "is required (or detail.requester_email)")

    facts: Facts = {"ticket_id": ticket_id}
    for key in ("subject", "description"):
        if value := _text(detail, key, f"detail.{key}"):
            facts[key] = value
    for key in ("status", "priority"):
        if value := _lower(detail.get(key)):
            facts[key] = value
    if short == "ticket.priority_changed" and (previous := _lower(change.get("previous"))):
        facts["previous_priority"] = previous
    if short == "ticket.status_changed" and (current := _lower(change.get("current"))):
        facts["status"] = current
    if channel := _lower(_object(detail, "via", "detail.via").get("channel")):
        facts["channel"] = channel
    if tags := _tags(detail.get("tags")):
        facts["tags"] = tags
    if escalation_reason:
        facts["escalation_reason"] = escalation_reason
    return CanonicalEvent(
        source="zendesk",
        event_type=event_type,
        native_type=native,
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# The endpoint -------------------------------------------------------------------------------


@endpoint_schema(
    source="zendesk",
    summary="Zendesk ticket events",
    accepts=("Zendesk ticket events: tickets opened, resolved and escalated (by status, priority, tag or group)."),
    signing_scheme=SIGNING_SCHEME,
)
class ZendeskWebhookView(WebhookView):
    """POST /api/webhooks/zendesk/: Zendesk's ticket events, signed in X-Zendesk-Webhook-Signature."""

    source = "zendesk"
    signing_scheme = SIGNING_SCHEME
