"""Zendesk: its signature over timestamp and body, and every mapped ticket change read into a
canonical event."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest

from events.descriptions import event_description
from events.providers.zendesk import verify_zendesk
from events.webhook_types import CustomerRef
from tests.events.providers.support import (
    BODY,
    NOW,
    NOW_ISO,
    NOW_UNIX,
    OTHER_SECRET,
    RECEIVED,
    SECRET,
    _named,
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
        (_zendesk("ticket.status_changed", {"previous": "NEW", "current": "OPEN"}), "support.ticket.updated", None),
        (_zendesk("ticket.status_changed", {"previous": "OPEN", "current": "PENDING"}), "support.ticket.updated", None),
        (_zendesk("ticket.status_changed", {"previous": "SOLVED", "current": "HOLD"}), "support.ticket.updated", None),
        (_zendesk("ticket.status_changed", {"previous": "OPEN", "current": "NEW"}), "support.ticket.updated", None),
        (
            _zendesk("ticket.priority_changed", {"previous": "URGENT", "current": "HIGH"}),
            "support.ticket.updated",
            None,
        ),
        (
            _zendesk("ticket.priority_changed", {"previous": "HIGH", "current": "NORMAL"}),
            "support.ticket.updated",
            None,
        ),
        (_zendesk("ticket.priority_changed", {"previous": None, "current": "LOW"}), "support.ticket.updated", None),
        (_zendesk("ticket.priority_changed", {"previous": "HIGH", "current": "HIGH"}), "support.ticket.updated", None),
        (_zendesk("ticket.comment_added", {"comment": {"is_public": True}}), "support.ticket.commented", None),
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
            _zendesk("ticket.status_changed", {"previous": "CLOSED", "current": "DELETED"}),
            "zen:event-type:ticket.status_changed (to deleted)",
        ),
        (
            _zendesk("ticket.status_changed", {"previous": "OPEN", "current": None}, status=None),
            "zen:event-type:ticket.status_changed (to unknown)",
        ),
        (
            _zendesk("ticket.tags_changed", {"tags_added": ["vip"]}),
            "zen:event-type:ticket.tags_changed (no escalation tag)",
        ),
        (
            _zendesk("ticket.group_assignment_changed", {"previous": "1", "current": "2"}),
            "zen:event-type:ticket.group_assignment_changed (not an escalation)",
        ),
        (_zendesk("ticket.attachment_linked_to_comment"), "zen:event-type:ticket.attachment_linked_to_comment"),
        (_zendesk("ticket.csat_received"), "zen:event-type:ticket.csat_received"),
        (_zendesk("user.active_changed"), "zen:event-type:user.active_changed"),
    ],
)
def test_zendesk_changes_that_are_not_ours_are_set_aside(payload, native_type) -> None:
    error = _set_aside("zendesk", payload)
    assert (error.source, _named(error)) == ("zendesk", native_type)


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


# --- What an update, a comment and a rating carry ----------------------------------------------
# These payloads are ours, shaped as Zendesk's "Ticket events" reference describes the event
# object (no published example of these types could be found; examples/zendesk/SOURCES.md).

REQUESTER = "8447388090494"
AGENT = "8447388090495"


def _comment(
    author_id: str | None = REQUESTER, *, is_public: Any = True, body: str = "It still has not arrived."
) -> dict:
    comment: dict[str, Any] = {"id": "10000340386845", "body": body, "author": {"id": author_id, "is_staff": False}}
    if is_public is not None:
        comment["is_public"] = is_public
    return _zendesk("ticket.comment_added", {"comment": comment})


def _rating(rating: Any, comment: Any = "") -> dict[str, Any]:
    """The body ProCX's docstring asks a satisfaction trigger to send, placeholders filled in."""
    return {
        "type": "procx:ticket.satisfaction_rated",
        "id": f"4711-{rating}-2025-10-08T16:05:44+00:00",
        "subject": "zen:ticket:4711",
        "detail": {
            "id": "4711",
            "subject": "Refund still missing",
            "requester_id": REQUESTER,
            "requester_email": "customer@example.com",
        },
        "event": {"rating": rating, "comment": comment},
    }


def test_a_status_update_carries_only_the_status_change() -> None:
    event = _read("zendesk", _zendesk("ticket.status_changed", {"previous": "OPEN", "current": "PENDING"}))

    assert event.event_type == "support.ticket.updated"
    # Not the unchanged priority: the sentence would report it as a change.
    assert event.data == {
        "ticket_id": "4711",
        "subject": "Refund still missing",
        "status": "pending",
        "previous_status": "open",
    }


def test_a_lowered_priority_is_an_update_with_both_priorities() -> None:
    event = _read("zendesk", _zendesk("ticket.priority_changed", {"previous": "URGENT", "current": "HIGH"}))

    assert event.event_type == "support.ticket.updated"
    assert event.data == {
        "ticket_id": "4711",
        "subject": "Refund still missing",
        "priority": "high",
        "previous_priority": "urgent",
    }


def test_a_resolved_ticket_keeps_the_status_it_came_from() -> None:
    event = _read("zendesk", _zendesk("ticket.status_changed", {"previous": "PENDING", "current": "SOLVED"}))

    assert (event.data["status"], event.data["previous_status"]) == ("solved", "pending")


def test_a_public_comment_by_the_requester_is_the_customers_words() -> None:
    event = _read("zendesk", _comment(REQUESTER))

    assert event.event_type == "support.ticket.commented"
    assert event.data == {
        "ticket_id": "4711",
        "subject": "Refund still missing",
        "comment_id": "10000340386845",
        "is_public": True,
        "author": "customer",
        "comment": "It still has not arrived.",
    }
    assert event.customer == CustomerRef(provider_customer_id=REQUESTER)


def test_a_public_comment_by_someone_else_is_an_agents() -> None:
    event = _read("zendesk", _comment(AGENT, body="We have asked the courier."))

    assert (event.data["author"], event.data["comment"]) == ("agent", "We have asked the courier.")


def test_a_requester_id_sent_as_a_number_still_matches_the_comment_author() -> None:
    payload = _comment(REQUESTER)
    payload["detail"]["requester_id"] = int(REQUESTER)

    assert _read("zendesk", payload).data["author"] == "customer"


@pytest.mark.parametrize("is_public", [False, None, "true"])
def test_an_internal_note_is_never_kept_as_anyones_words(is_public) -> None:
    # Even when the requester's own id is on it: a note not marked public is the agents'.
    event = _read("zendesk", _comment(REQUESTER, is_public=is_public, body="Customer is lying about delivery."))

    assert event.data["author"] == "agent"
    assert "comment" not in event.data
    assert "lying" not in event_description(event)
    assert "lying" not in repr(event.data)


def test_a_comment_event_without_its_comment_names_no_author() -> None:
    event = _read("zendesk", _zendesk("ticket.comment_added"))

    assert event.data == {"ticket_id": "4711", "subject": "Refund still missing"}


def test_a_public_comment_without_an_author_id_names_no_author() -> None:
    event = _read("zendesk", _comment(None))

    assert "author" not in event.data
    assert event.data["comment"] == "It still has not arrived."


@pytest.mark.parametrize(
    ("rating", "event_type"),
    [
        ("good", "satisfaction.good"),
        ("Good with comment", "satisfaction.good"),
        ("Good, I'm satisfied", "satisfaction.good"),
        ("bad", "satisfaction.bad"),
        ("Bad with comment", "satisfaction.bad"),
        (" BAD, I'm unsatisfied", "satisfaction.bad"),
    ],
)
def test_a_satisfaction_rating_from_the_trigger_body_is_good_or_bad(rating, event_type) -> None:
    event = _read("zendesk", _rating(rating, "Took a week to answer."))

    assert (event.event_type, event.native_type) == (event_type, "procx:ticket.satisfaction_rated")
    assert event.data == {
        "ticket_id": "4711",
        "subject": "Refund still missing",
        "rating": event_type.removeprefix("satisfaction."),
        "comment": "Took a week to answer.",
    }
    assert event.customer == CustomerRef(email="customer@example.com", provider_customer_id=REQUESTER)
    # The body carries no time: the trigger fires as the rating arrives.
    assert event.occurred_at == RECEIVED


def test_a_rating_without_a_comment_keeps_none() -> None:
    assert "comment" not in _read("zendesk", _rating("good")).data


@pytest.mark.parametrize(
    ("rating", "why"),
    [
        ("offered", "offered: the survey was sent and not answered yet"),
        ("Unoffered", "unoffered: there is no rating to read"),
        ("", "no rating given"),
        (None, "no rating given"),
        ("Gut, ich bin zufrieden", "rating 'Gut, ich bin zufrieden' is neither good nor bad"),
    ],
)
def test_a_rating_that_is_neither_good_nor_bad_waits_in_the_inbox(rating, why) -> None:
    error = _set_aside("zendesk", _rating(rating))

    assert _named(error) == f"procx:ticket.satisfaction_rated ({why})"


def test_a_satisfaction_type_under_zendesks_prefix_is_not_read_as_ours() -> None:
    # Only the body ProCX documents is read as a rating; Zendesk's own names are its own.
    payload = {**_rating("good"), "type": "zen:event-type:ticket.satisfaction_rated"}

    assert _set_aside("zendesk", payload).native_type == "zen:event-type:ticket.satisfaction_rated"


NULLED = {"priority": None, "status": None, "tags": None, "via": None, "subject": None, "description": None}


@pytest.mark.parametrize(
    ("payload", "event_type"),
    [
        (_zendesk("ticket.created", **NULLED), "support.ticket.created"),
        (
            _zendesk("ticket.status_changed", {"previous": None, "current": "SOLVED"}, **NULLED),
            "support.ticket.resolved",
        ),
        (_zendesk("ticket.priority_changed", {"previous": None, "current": None}, **NULLED), "support.ticket.updated"),
        (_zendesk("ticket.comment_added", {"comment": None}, **NULLED), "support.ticket.commented"),
        ({**_zendesk("ticket.created"), "event": None, "time": None}, "support.ticket.created"),
    ],
)
def test_null_optional_fields_are_read_as_not_known(payload, event_type) -> None:
    event = _read("zendesk", payload)

    assert event.event_type == event_type
    assert event.data["ticket_id"] == "4711"
    assert None not in event.data.values()
    assert "None" not in event_description(event)
