"""Zendesk: its signature over timestamp and body, and every mapped ticket change read into a
canonical event."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest

from events.providers.zendesk import verify_zendesk
from events.webhook_types import CustomerRef
from tests.events.providers.support import (
    BODY,
    NOW,
    NOW_ISO,
    NOW_UNIX,
    OTHER_SECRET,
    SECRET,
    _read,
    _refused,
    _set_aside,
    rejection,
    zendesk_headers,
)

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
