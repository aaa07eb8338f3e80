"""Zendesk: ticket events signed in X-Zendesk-Webhook-Signature, at /api/webhooks/zendesk/.

X-Zendesk-Webhook-Signature is the base64 HMAC-SHA256 of X-Zendesk-Webhook-Signature-Timestamp's
text followed by the raw body (no separator); a timestamp more than 5 minutes off is refused.
A signed webhook signs every request it sends, from an event subscription or from a trigger.

Event subscriptions: {"type": "zen:event-type:ticket.created", "id", "time", "subject":
"zen:ticket:<id>", "detail": {the ticket's fields}, "event": {what changed}}
    ticket.created                     support.ticket.created
    ticket.status_changed              support.ticket.resolved to solved or closed;
                                       support.ticket.updated to new, open, pending or hold;
                                       support.ticket.escalated to a status named "escalated"
                                       (facts status, previous_status)
    ticket.priority_changed            support.ticket.escalated when raised to high or urgent;
                                       support.ticket.updated otherwise: lowered, or set to low
                                       or normal (facts priority, previous_priority)
    ticket.comment_added               support.ticket.commented (facts author, comment,
                                       is_public, comment_id): author "customer" when
                                       event.comment.author.id is the requester, else "agent"
                                       (none when no author is named); the text only when
                                       event.comment.is_public is true. An internal note (or a
                                       comment not marked public) is never quoted as anyone's
                                       words: it keeps no text and its author is "agent"
    ticket.tags_changed                support.ticket.escalated when "escalated" or "escalation"
                                       is added
    ticket.group_assignment_changed    support.ticket.escalated when the ticket is tagged
                                       escalated or is urgent (a hand-over to the escalation team)
    Zendesk has no "escalated" event; these are the signals teams use for one. Any other type,
    or a change that is none of these, goes to the inbox with the reason. Customer:
    detail.requester_id (the Zendesk customer id) and detail.requester_email when a payload
    carries it. Only the envelope's type and id, a ticket id (detail.id, else the subject's) and
    a requester are required; every other field may be null or absent. support.ticket.updated
    and support.ticket.commented carry only what changed beside ticket_id and subject, so their
    sentence never reports the ticket's unchanged priority as a change.

Satisfaction ratings
    Zendesk's webhook event types include no satisfaction rating (examples/zendesk/SOURCES.md),
    so a trigger sends them. In Admin Center > Objects and rules > Business rules > Triggers,
    add a trigger with the condition Ticket > Satisfaction, Changed (or Changed to Good / Bad),
    and the action Notify by > Active webhook: the signed JSON webhook whose endpoint is this
    one, with this body:
        {"type": "procx:ticket.satisfaction_rated",
         "id": "{{ticket.id}}-{{satisfaction.current_rating}}-{{ticket.updated_at_with_timestamp}}",
         "subject": "zen:ticket:{{ticket.id}}",
         "detail": {"id": "{{ticket.id}}", "subject": "{{ticket.title}}",
                    "requester_id": "{{ticket.requester.id}}",
                    "requester_email": "{{ticket.requester.email}}"},
         "event": {"rating": "{{satisfaction.current_rating}}",
                   "comment": "{{satisfaction.current_comment}}"}}
    A rating whose first word is "good" (good, "Good with comment", "Good, I'm satisfied")
    becomes satisfaction.good, "bad" satisfaction.bad (facts rating, comment); "offered" and
    "unoffered" (no rating given), an empty rating or any other text go to the inbox saying
    so. The body has no time: a trigger fires as the rating arrives, so the event is dated when
    ProCX receives it.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from events.providers.base import (
    Example,
    Facts,
    Json,
    RequestHeader,
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
# The type of the body ProCX asks a satisfaction trigger to send (the module docstring).
SATISFACTION_TYPE = "procx:ticket.satisfaction_rated"
_ESCALATION_TAGS = frozenset({"escalated", "escalation"})
_PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
_OPEN_STATUSES = frozenset({"new", "open", "pending", "hold"})
# Types whose facts are what changed (beside ticket_id and subject): the ticket's other fields
# did not change, and the sentence would report them as if they had.
_CHANGE_ONLY = frozenset(
    {"support.ticket.updated", "support.ticket.commented", "satisfaction.good", "satisfaction.bad"}
)


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


def _set_aside(native: str, why: str) -> UnknownEventType:
    """A delivery of a handled type whose change ProCX does not map, with the reason."""
    return UnknownEventType("zendesk", native, why)


def _ticket_created(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    return "support.ticket.created", {}


def _status_changed(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    current = _lower(change.get("current")) or _lower(detail.get("status"))
    facts: Facts = {"status": current} if current else {}
    if previous := _lower(change.get("previous")):
        facts["previous_status"] = previous
    if current in ("solved", "closed"):
        return "support.ticket.resolved", facts
    if current == "escalated":
        return "support.ticket.escalated", {**facts, "escalation_reason": "status set to escalated"}
    if current in _OPEN_STATUSES:
        return "support.ticket.updated", facts
    raise _set_aside(native, f"to {current or 'unknown'}")


def _priority_changed(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    current = _lower(change.get("current")) or _lower(detail.get("priority"))
    previous = _lower(change.get("previous"))
    facts: Facts = {"priority": current} if current else {}
    if previous:
        facts["previous_priority"] = previous
    if current in ("high", "urgent") and _PRIORITY_RANK[current] > _PRIORITY_RANK.get(previous, -1):
        reason = f"priority raised from {previous} to {current}" if previous else f"priority raised to {current}"
        return "support.ticket.escalated", {**facts, "escalation_reason": reason}
    return "support.ticket.updated", facts


def _comment_added(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    comment = _object(change, "comment", "event.comment")
    facts: Facts = {}
    if comment_id := _identifier(comment, "id", "event.comment.id"):
        facts["comment_id"] = comment_id
    if isinstance(comment.get("is_public"), bool):
        facts["is_public"] = comment["is_public"]
    author_id = _identifier(_object(comment, "author", "event.comment.author"), "id", "event.comment.author.id")
    if comment.get("is_public") is not True:
        # An internal note (or a comment that does not say it is public) is the agents' own:
        # staff and outreach must never quote it as what the customer said.
        if comment:
            facts["author"] = "agent"
        return "support.ticket.commented", facts
    if author_id:
        requester_id = _identifier(detail, "requester_id", "detail.requester_id")
        facts["author"] = "customer" if author_id == requester_id else "agent"
    if text := _text(comment, "body", "event.comment.body"):
        facts["comment"] = text
    return "support.ticket.commented", facts


def _first_word(text: str) -> str:
    words = re.findall(r"[a-z]+", text.lower())
    return words[0] if words else ""


def _satisfaction_rated(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    rating_text = _text(change, "rating", "event.rating")
    rating = _first_word(rating_text)
    if rating in ("good", "bad"):
        facts: Facts = {"rating": rating}
        if comment := _text(change, "comment", "event.comment"):
            facts["comment"] = comment
        return f"satisfaction.{rating}", facts
    if rating == "offered":
        raise _set_aside(native, "offered: the survey was sent and not answered yet")
    if rating == "unoffered":
        raise _set_aside(native, "unoffered: there is no rating to read")
    raise _set_aside(native, f"rating {rating_text!r} is neither good nor bad" if rating_text else "no rating given")


def _tags_changed(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    added = set(_tags(change.get("tags_added"))) & _ESCALATION_TAGS
    if not added:
        raise _set_aside(native, "no escalation tag")
    return "support.ticket.escalated", {"escalation_reason": f"tagged {sorted(added)[0]}"}


def _group_assignment_changed(native: str, detail: Json, change: Json) -> tuple[str, Facts]:
    if set(_tags(detail.get("tags"))) & _ESCALATION_TAGS or _lower(detail.get("priority")) == "urgent":
        return "support.ticket.escalated", {"escalation_reason": "handed to another team"}
    raise _set_aside(native, "not an escalation")


# By type, without Zendesk's "zen:event-type:" prefix.
_ZENDESK_READERS: dict[str, Callable[[str, Json, Json], tuple[str, Facts]]] = {
    "ticket.created": _ticket_created,
    "ticket.status_changed": _status_changed,
    "ticket.priority_changed": _priority_changed,
    "ticket.comment_added": _comment_added,
    "ticket.tags_changed": _tags_changed,
    "ticket.group_assignment_changed": _group_assignment_changed,
    SATISFACTION_TYPE: _satisfaction_rated,
}


def _ticket_facts(ticket_id: str, detail: Json, *, whole: bool) -> Facts:
    """The ticket: its id and subject, and when `whole` its state as the payload has it."""
    facts: Facts = {"ticket_id": ticket_id}
    if subject := _text(detail, "subject", "detail.subject"):
        facts["subject"] = subject
    if not whole:
        return facts
    if description := _text(detail, "description", "detail.description"):
        facts["description"] = description
    for key in ("status", "priority"):
        if value := _lower(detail.get(key)):
            facts[key] = value
    if channel := _lower(_object(detail, "via", "detail.via").get("channel")):
        facts["channel"] = channel
    if tags := _tags(detail.get("tags")):
        facts["tags"] = tags
    return facts


def _adapt_zendesk(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    payload = _json_object(body)
    native = _text(payload, "type", "type", required=True)
    delivery_id = _identifier(payload, "id", "id", required=True)
    detail = _object(payload, "detail", "detail", required=True)
    change = _object(payload, "event", "event")
    reader = _ZENDESK_READERS.get(native.removeprefix(_ZENDESK_PREFIX))
    if reader is None:
        raise UnknownEventType("zendesk", native)
    event_type, changed = reader(native, detail, change)
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
    facts = _ticket_facts(ticket_id, detail, whole=event_type not in _CHANGE_ONLY) | changed
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
    accepts=(
        "Zendesk ticket events: tickets opened, updated, commented on, resolved and escalated (by status, "
        "priority, tag or group), and satisfaction ratings that a trigger sends as "
        f'{{"type": "{SATISFACTION_TYPE}", "id", "subject": "zen:ticket:<id>", "detail": {{"id", "subject", '
        '"requester_id", "requester_email"}, "event": {"rating": "{{satisfaction.current_rating}}", '
        '"comment": "{{satisfaction.current_comment}}"}} (good or bad; anything else is kept in the inbox).'
    ),
    signing_scheme=SIGNING_SCHEME,
    headers=[
        RequestHeader(
            ZENDESK_TIMESTAMP_HEADER,
            "When Zendesk signed the request (ISO 8601, e.g. 2025-01-10T14:32:00Z); part of the signed message.",
            required=True,
        )
    ],
    examples=[
        Example("ticket.created.json", "A ticket was created (becomes support.ticket.created)"),
        Example(
            "ticket.attachment_linked_to_comment.json",
            "An attachment was linked to a comment: a type ProCX does not map, kept in the inbox",
        ),
    ],
)
class ZendeskWebhookView(WebhookView):
    """POST /api/webhooks/zendesk/: Zendesk's ticket events, signed in X-Zendesk-Webhook-Signature."""

    source = "zendesk"
    signing_scheme = SIGNING_SCHEME
