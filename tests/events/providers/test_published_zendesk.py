"""Zendesk's published example payloads, and ProCX's own payloads for the types Zendesk publishes
none of that could be found, posted signed through /api/webhooks/zendesk/: each is stored (200,
with its canonical type) or kept in the inbox (202, with a reason a person understands), never
refused (400) and never a crash (500)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from customers.models import Customer, CustomerEvent
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.providers.base import EXAMPLES_DIR
from events.providers.zendesk import SATISFACTION_TYPE, sign_zendesk
from tests.events.test_webhooks import (  # noqa: F401  (the fixtures are used by name)
    SECRETS,
    _tasks_run_inline,
    _webhook_settings,
    post,
)
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

PUBLISHED = EXAMPLES_DIR / "zendesk"


def _signed(body: bytes) -> dict[str, str]:
    """Signed as Zendesk signs: with the time of sending, so the tolerance check passes."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return sign_zendesk(body=body, secret=SECRETS["zendesk"], timestamp=stamp)


def _post(body: bytes) -> Any:
    response = post("zendesk", body, _signed(body))
    assert response.status_code in (200, 202), response.json()
    return response


def _requester(body: bytes) -> str:
    return str(json.loads(body)["detail"]["requester_id"])


def _known(zendesk_id: str) -> Customer:
    """A customer ProCX already knows as this Zendesk user (learnt from an earlier delivery)."""
    customer = make_customer(customer_id="C100109", email="priya@example.com")
    ProviderCustomer.objects.create(source="zendesk", provider_customer_id=zendesk_id, customer=customer)
    return customer


def _stored_for(response: Any, customer: Customer) -> CustomerEvent:
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert event.customer_id == customer.customer_id
    assert event.description == response.json()["detail"]
    assert "None" not in event.description
    return event


def _inbox_reason(response: Any) -> str:
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "inbox"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.status_code) == (DeliveryOutcome.INBOX, 202)
    return delivery.error


# --- Zendesk's own examples (events/providers/examples/zendesk, SOURCES.md) -------------------


def test_the_schema_shows_every_published_example_as_published() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/webhooks/zendesk/"]["post"]["requestBody"]["content"]["application/json"]
    shown = sorted((example["value"] for example in body["examples"].values()), key=json.dumps)
    published = sorted((json.loads(path.read_bytes()) for path in PUBLISHED.glob("*.json")), key=json.dumps)

    assert len(published) == 2
    assert shown == published


def test_the_published_ticket_created_from_an_unknown_requester_waits_in_the_inbox() -> None:
    body = (PUBLISHED / "ticket.created.json").read_bytes()

    reason = _inbox_reason(_post(body))

    assert reason == f"no customer matches zendesk customer '{_requester(body)}'"
    assert CustomerEvent.objects.count() == 0


def test_the_published_ticket_created_is_stored_for_the_customer_zendesk_names() -> None:
    body = (PUBLISHED / "ticket.created.json").read_bytes()
    customer = _known(_requester(body))

    event = _stored_for(_post(body), customer)

    assert (event.event_type, event.metadata["native_type"]) == (
        "support.ticket.created",
        "zen:event-type:ticket.created",
    )
    assert (event.metadata["ticket_id"], event.metadata["priority"], event.metadata["status"]) == (
        "5158",
        "low",
        "open",
    )


@pytest.mark.parametrize("customer_known", [False, True])
def test_the_published_attachment_event_waits_in_the_inbox_as_a_type_procx_does_not_map(customer_known) -> None:
    body = (PUBLISHED / "ticket.attachment_linked_to_comment.json").read_bytes()
    if customer_known:
        _known(_requester(body))

    reason = _inbox_reason(_post(body))

    assert reason == "zendesk event type 'zen:event-type:ticket.attachment_linked_to_comment' is not one ProCX handles"


# --- Ours: the types Zendesk publishes no example of that could be found ----------------------
# Built by ProCX, shaped as the "Ticket events" reference describes (examples/zendesk/SOURCES.md).

REQUESTER = "8447388090494"


def _ours(kind: str, event: dict[str, Any], **detail: Any) -> bytes:
    return json.dumps(
        {
            "account_id": 22129848,
            "detail": {
                "id": "5158",
                "subject": "Order O300789 never arrived",
                "priority": "HIGH",
                "status": "OPEN",
                "requester_id": REQUESTER,
                "tags": ["delivery"],
                "via": {"channel": "web"},
                **detail,
            },
            "event": event,
            "id": f"ours-{kind}-{json.dumps(event, sort_keys=True)}",
            "subject": "zen:ticket:5158",
            "time": "2025-10-08T16:05:44.672717030Z",
            "type": f"zen:event-type:{kind}",
            "zendesk_event_version": "2022-11-06",
        }
    ).encode()


def _satisfaction(rating: str, comment: str = "") -> bytes:
    return json.dumps(
        {
            "type": SATISFACTION_TYPE,
            "id": f"5158-{rating}-2025-10-08T16:05:44+00:00",
            "subject": "zen:ticket:5158",
            "detail": {"id": "5158", "subject": "Order O300789 never arrived", "requester_id": REQUESTER},
            "event": {"rating": rating, "comment": comment},
        }
    ).encode()


@pytest.mark.parametrize(
    ("body", "event_type", "sentence"),
    [
        (
            _ours("ticket.status_changed", {"current": "PENDING", "previous": "OPEN"}),
            "support.ticket.updated",
            'Support ticket #5158 "Order O300789 never arrived" is now waiting on the customer.',
        ),
        (
            _ours("ticket.priority_changed", {"current": "NORMAL", "previous": "HIGH"}, priority="NORMAL"),
            "support.ticket.updated",
            'Support ticket #5158 "Order O300789 never arrived" priority changed from high to normal.',
        ),
        (
            _ours("ticket.priority_changed", {"current": "URGENT", "previous": "NORMAL"}, priority="URGENT"),
            "support.ticket.escalated",
            "escalated - priority raised from normal to urgent",
        ),
        (
            _ours("ticket.status_changed", {"current": "SOLVED", "previous": "OPEN"}, status="SOLVED"),
            "support.ticket.resolved",
            "was solved",
        ),
        (
            _ours(
                "ticket.comment_added",
                {"comment": {"id": "1", "body": "Still nothing.", "is_public": True, "author": {"id": REQUESTER}}},
            ),
            "support.ticket.commented",
            'The customer wrote on Support ticket #5158 "Order O300789 never arrived": "Still nothing."',
        ),
        (_ours("ticket.created", {}, priority=None, tags=None, via=None), "support.ticket.created", "was opened"),
        (_satisfaction("good", "Sorted in a day"), "satisfaction.good", 'wrote: "Sorted in a day."'),
        (_satisfaction("Bad with comment", "Nobody called back"), "satisfaction.bad", "as bad"),
    ],
)
def test_our_payloads_of_each_mapped_type_are_stored(body, event_type, sentence) -> None:
    customer = _known(REQUESTER)

    event = _stored_for(_post(body), customer)

    assert event.event_type == event_type
    assert sentence in event.description


def test_an_internal_note_is_stored_without_its_text() -> None:
    customer = _known(REQUESTER)
    note = {"comment": {"id": "2", "body": "Requester is abusive.", "is_public": False, "author": {"id": REQUESTER}}}

    event = _stored_for(_post(_ours("ticket.comment_added", note)), customer)

    assert event.description == 'An agent wrote on Support ticket #5158 "Order O300789 never arrived".'
    assert "abusive" not in json.dumps(event.metadata)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            _satisfaction("offered"),
            "zendesk procx:ticket.satisfaction_rated: offered: the survey was sent and not answered yet",
        ),
        (
            _ours("ticket.status_changed", {"current": "DELETED", "previous": "CLOSED"}),
            "zendesk zen:event-type:ticket.status_changed: to deleted",
        ),
        (
            _ours("ticket.created", {}, requester_id=None),
            "could not be read: detail.requester_id: is required (or detail.requester_email)",
        ),
    ],
)
def test_what_procx_cannot_map_waits_in_the_inbox_with_the_reason(body, reason) -> None:
    _known(REQUESTER)

    assert _inbox_reason(_post(body)) == reason
