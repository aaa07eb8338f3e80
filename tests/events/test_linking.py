"""Linking a provider's customer from the inbox: a verified delivery whose customer ProCX cannot
match waits for the provider's customer id it named; staff link that id to a customer, and this
delivery and every other one waiting for the same id are stored as that customer's events.

The deliveries are Zendesk-style ticket events naming only detail.requester_id, signed with
sign_zendesk and posted through the real endpoint (payloads built here, not published ones)."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
from django.contrib.auth.models import User

from customers.models import Customer, CustomerEvent
from events import services as event_services
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.providers.zendesk import sign_zendesk
from events.services import (
    LinkRefused,
    deliveries_waiting_for,
    delivery_reprocess,
    delivery_waiting_for,
    provider_customer_link,
)
from tests.events.test_webhooks import SECRETS, post, stored
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

REQUESTER = "8447388090494"
OTHER_REQUESTER = "9112233445566"


def use_webhook_secrets(settings) -> None:
    """The test secrets the builders sign with (the endpoint tests' own)."""
    settings.PROCX_WEBHOOK_SECRETS = {source: [secret] for source, secret in SECRETS.items()}
    settings.PROCX_WEBHOOKS_ALLOW_UNSIGNED = False


@pytest.fixture(autouse=True)
def _webhook_settings(settings) -> None:
    use_webhook_secrets(settings)
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


def zendesk_ticket(
    requester_id: str = REQUESTER,
    *,
    email: str = "",
    ticket_id: str = "",
    native_type: str = "ticket.created",
    subject: str = "Where is my order?",
) -> tuple[bytes, dict[str, str]]:
    """A signed Zendesk ticket event (ours, shaped like Zendesk's) naming only the requester's
    Zendesk id (and an email when given)."""
    ticket_id = ticket_id or str(uuid.uuid4().int % 10**6)
    detail = {"id": ticket_id, "subject": subject, "priority": "HIGH", "status": "OPEN", "requester_id": requester_id}
    if email:
        detail["requester_email"] = email
    body = json.dumps(
        {
            "type": f"zen:event-type:{native_type}",
            "account_id": 22129848,
            "id": str(uuid.uuid4()),
            "time": "2025-10-08T14:32:00Z",
            "zendesk_event_version": "2022-11-06",
            "subject": f"zen:ticket:{ticket_id}",
            "detail": detail,
            "event": {},
        }
    ).encode()
    stamp = dt.datetime.fromtimestamp(int(time.time()), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return body, sign_zendesk(body=body, secret=SECRETS["zendesk"], timestamp=stamp)


def zendesk_waiting(requester_id: str = REQUESTER, **ticket: str) -> WebhookDelivery:
    """Post a Zendesk ticket event for a requester nobody knows: it waits in the inbox."""
    response = post("zendesk", *zendesk_ticket(requester_id, **ticket))
    assert response.status_code == 202, response.json()
    return WebhookDelivery.objects.latest("pk")


@pytest.fixture
def anna() -> Customer:
    return make_customer(customer_id="C100109", first_name="Anna", last_name="Lee", email="anna@example.com")


@pytest.fixture
def staff_user() -> User:
    return User.objects.create_user("rita", is_staff=True)


# --- What an inbox delivery waits for --------------------------------------------------------------


def test_a_delivery_for_an_unknown_requester_records_the_id_and_email_it_waits_for() -> None:
    only_id = zendesk_waiting()
    assert only_id.outcome == DeliveryOutcome.INBOX
    assert only_id.error == f"no customer matches zendesk customer '{REQUESTER}'"
    assert (only_id.provider_customer_id, only_id.customer_email) == (REQUESTER, "")
    with_email = zendesk_waiting(OTHER_REQUESTER, email="stranger@example.com")
    assert (with_email.provider_customer_id, with_email.customer_email) == (OTHER_REQUESTER, "stranger@example.com")
    assert delivery_waiting_for(with_email).label == f"Zendesk requester {OTHER_REQUESTER}"


def test_a_delivery_waiting_for_something_else_waits_for_no_provider_customer(anna) -> None:
    body, headers = zendesk_ticket(native_type="ticket.agent_assignment_changed")
    assert post("zendesk", body, headers).status_code == 202
    unknown_type = WebhookDelivery.objects.get()
    assert unknown_type.provider_customer_id == ""
    assert delivery_waiting_for(unknown_type) is None


def test_an_entry_logged_before_the_id_was_recorded_is_read_again_from_its_body() -> None:
    old = zendesk_waiting()
    WebhookDelivery.objects.filter(pk=old.pk).update(provider_customer_id="", customer_email="")
    old.refresh_from_db()
    waiting = delivery_waiting_for(old)
    assert waiting is not None
    assert (waiting.source, waiting.provider_customer_id) == ("zendesk", REQUESTER)
    assert [delivery.pk for delivery in deliveries_waiting_for(source="zendesk", provider_customer_id=REQUESTER)] == [
        old.pk
    ]
    # Re-processing it (still no customer) records the id it waits for.
    delivery_reprocess(delivery=old)
    assert WebhookDelivery.objects.get(pk=old.pk).provider_customer_id == REQUESTER


def test_an_old_entry_is_found_by_its_reason_with_the_ids_case_kept() -> None:
    WebhookDelivery.objects.create(
        source="stripe",
        received_at=dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
        outcome=DeliveryOutcome.INBOX,
        status_code=202,
        error="no customer matches stripe customer 'cus_PQ1'",
    )
    assert deliveries_waiting_for(source="stripe", provider_customer_id="cus_pq1") == []
    assert len(deliveries_waiting_for(source="stripe", provider_customer_id="cus_PQ1")) == 1
    assert deliveries_waiting_for(source="zendesk", provider_customer_id="cus_PQ1") == []


# --- Linking ----------------------------------------------------------------------------------------


def test_linking_stores_the_entry_and_every_other_waiting_for_that_requester_and_nothing_else(anna, staff_user) -> None:
    first = zendesk_waiting(subject="First")
    second = zendesk_waiting(subject="Second")
    third = zendesk_waiting(subject="Third")
    other = zendesk_waiting(OTHER_REQUESTER)
    # The same id from another provider is another person.
    WebhookDelivery.objects.create(
        source="stripe",
        received_at=first.received_at,
        outcome=DeliveryOutcome.INBOX,
        status_code=202,
        provider_customer_id=REQUESTER,
        error=f"no customer matches stripe customer '{REQUESTER}'",
    )

    linked = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user
    )

    assert linked.changed
    assert linked.customer == anna
    assert [delivery.pk for delivery in linked.stored] == [first.pk, second.pk, third.pk]  # oldest first
    assert linked.waiting == []
    events = CustomerEvent.objects.filter(customer=anna, source="zendesk").order_by("received_at")
    assert [event.metadata["subject"] for event in events] == ["First", "Second", "Third"]
    for delivery in (first, second, third):
        delivery.refresh_from_db()
        assert delivery.outcome == DeliveryOutcome.REPROCESSED
        assert delivery.event.customer_id == "C100109"
    assert WebhookDelivery.objects.get(pk=other.pk).outcome == DeliveryOutcome.INBOX
    assert WebhookDelivery.objects.get(source="stripe").outcome == DeliveryOutcome.INBOX
    mapping = ProviderCustomer.objects.get(source="zendesk", provider_customer_id=REQUESTER)
    assert (mapping.customer_id, mapping.linked_by) == ("C100109", staff_user)
    assert mapping.created_at is not None


def test_a_later_delivery_naming_only_that_requester_is_matched_at_once(anna, staff_user) -> None:
    zendesk_waiting()
    provider_customer_link(source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user)
    response = post("zendesk", *zendesk_ticket(subject="Again"))
    assert response.status_code == 200, response.json()
    assert CustomerEvent.objects.get(pk=response.json()["event_id"]).customer_id == "C100109"


def test_a_learnt_mapping_has_no_linker() -> None:
    make_customer(customer_id="C100300", email="known@example.com")
    response = post("zendesk", *zendesk_ticket(email="known@example.com"))
    assert response.status_code == 200
    assert ProviderCustomer.objects.get().linked_by is None


def test_an_unknown_customer_is_refused_and_nothing_is_linked(staff_user) -> None:
    waiting = zendesk_waiting()
    with pytest.raises(LinkRefused, match="No ProCX customer has the id 'C999999'"):
        provider_customer_link(source="zendesk", provider_customer_id=REQUESTER, customer_id="C999999", user=staff_user)
    with pytest.raises(LinkRefused, match="Choose a customer"):
        provider_customer_link(source="zendesk", provider_customer_id=REQUESTER, customer_id=" ", user=staff_user)
    with pytest.raises(LinkRefused, match="not a webhook source"):
        provider_customer_link(source="mailchimp", provider_customer_id=REQUESTER, customer_id="C1", user=staff_user)
    with pytest.raises(LinkRefused, match="id is empty"):
        provider_customer_link(source="zendesk", provider_customer_id="", customer_id="C1", user=staff_user)
    assert not ProviderCustomer.objects.exists()
    assert WebhookDelivery.objects.get(pk=waiting.pk).outcome == DeliveryOutcome.INBOX


def test_an_id_linked_to_another_customer_is_refused_naming_them_unless_replaced(anna, staff_user) -> None:
    waiting = zendesk_waiting()
    ben = make_customer(customer_id="C100200", first_name="Ben", last_name="Okafor")
    ProviderCustomer.objects.create(source="zendesk", provider_customer_id=REQUESTER, customer=ben)

    with pytest.raises(LinkRefused) as refused:
        provider_customer_link(source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user)
    assert str(refused.value).startswith(f"Zendesk requester {REQUESTER} is already linked to Ben Okafor (C100200).")
    assert refused.value.linked_to == ben
    assert ProviderCustomer.objects.get().customer_id == "C100200"
    assert WebhookDelivery.objects.get(pk=waiting.pk).outcome == DeliveryOutcome.INBOX

    moved = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user, replace=True
    )
    assert (moved.changed, moved.previous_customer_id) == (True, "C100200")
    mapping = ProviderCustomer.objects.get()
    assert (mapping.customer_id, mapping.linked_by) == ("C100109", staff_user)
    assert [delivery.pk for delivery in moved.stored] == [waiting.pk]
    assert moved.stored[0].event.customer_id == "C100109"


def test_the_same_link_twice_is_a_no_op_success(anna, staff_user) -> None:
    zendesk_waiting()
    first = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user
    )
    colleague = User.objects.create_user("sam", is_staff=True)
    again = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=colleague
    )
    assert (first.changed, len(first.stored)) == (True, 1)
    assert (again.changed, again.stored, again.waiting) == (False, [], [])
    assert ProviderCustomer.objects.get().linked_by == staff_user  # nothing changed
    assert stored() == 1


def test_linking_an_already_learnt_mapping_releases_the_deliveries_that_waited_before(anna, staff_user) -> None:
    waiting = zendesk_waiting()
    # A later delivery names both the requester and Anna's email: the id is learnt.
    assert post("zendesk", *zendesk_ticket(email="anna@example.com")).status_code == 200
    assert ProviderCustomer.objects.get().linked_by is None
    linked = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user
    )
    assert not linked.changed
    assert [delivery.pk for delivery in linked.stored] == [waiting.pk]


def test_a_delivery_still_unreadable_after_linking_is_reported_waiting_with_its_reason(anna, staff_user) -> None:
    waiting = zendesk_waiting()
    WebhookDelivery.objects.filter(pk=waiting.pk).update(body=waiting.body.replace("ticket.created", "ticket.merged"))
    linked = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user
    )
    assert linked.stored == []
    assert [delivery.pk for delivery in linked.waiting] == [waiting.pk]
    assert "ticket.merged" in linked.waiting[0].error
    assert ProviderCustomer.objects.get().customer_id == "C100109"  # the link itself stands


# --- Twice, or at once ------------------------------------------------------------------------------


def test_a_double_link_stores_each_delivery_once(anna, staff_user) -> None:
    """The second click read the inbox before the first had re-processed it: its stale rows
    are found already done, not stored again."""
    zendesk_waiting(subject="First")
    zendesk_waiting(subject="Second")
    stale = deliveries_waiting_for(source="zendesk", provider_customer_id=REQUESTER)
    provider_customer_link(source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user)
    assert stored() == 2
    done_at = dict(WebhookDelivery.objects.values_list("pk", "reprocessed_at"))
    for delivery in stale:
        assert delivery.outcome == DeliveryOutcome.INBOX  # as the second request last saw it
        again = delivery_reprocess(delivery=delivery)
        assert again.outcome == DeliveryOutcome.REPROCESSED
        assert again.reprocessed_at == done_at[delivery.pk]  # found done, left as it was
    assert stored() == 2
    assert {delivery.event_id for delivery in stale} == set(
        CustomerEvent.objects.filter(customer=anna).values_list("pk", flat=True)
    )


def test_the_same_delivery_received_twice_while_waiting_becomes_one_event(anna, staff_user) -> None:
    body, headers = zendesk_ticket()
    assert post("zendesk", body, headers).status_code == 202
    assert post("zendesk", body, headers).status_code == 202
    linked = provider_customer_link(
        source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user
    )
    assert len(linked.stored) == 2
    assert stored() == 1
    assert linked.stored[0].event_id == linked.stored[1].event_id


def test_a_reprocess_that_loses_the_race_to_insert_takes_the_event_stored_meanwhile(anna, monkeypatch) -> None:
    """Two copies re-processed at once: both looked for a stored twin before either inserted.
    The loser's insert hits the unique key; it takes the winner's event, and stores nothing."""
    body, headers = zendesk_ticket()
    post("zendesk", body, headers)
    post("zendesk", body, headers)
    winner, loser = WebhookDelivery.objects.order_by("pk")
    ProviderCustomer.objects.create(source="zendesk", provider_customer_id=REQUESTER, customer=anna)
    delivery_reprocess(delivery=winner)

    real_twin = event_services._stored_twin
    looks: list[str] = []

    def not_yet_committed(event: CustomerEvent) -> CustomerEvent | None:
        looks.append(event.delivery_key or "")
        return None if len(looks) == 1 else real_twin(event)

    monkeypatch.setattr(event_services, "_stored_twin", not_yet_committed)
    done = delivery_reprocess(delivery=loser)
    assert len(looks) == 2  # looked, inserted (IntegrityError), looked again
    assert done.outcome == DeliveryOutcome.REPROCESSED
    assert done.event_id == WebhookDelivery.objects.get(pk=winner.pk).event_id
    assert stored() == 1


# --- The back office ---------------------------------------------------------------------------------


def test_the_admin_filters_the_inbox_by_the_provider_customer_it_waits_for(admin_client) -> None:
    waiting = [zendesk_waiting(), zendesk_waiting()]
    other = zendesk_waiting(OTHER_REQUESTER)
    url = "/admin/events/webhookdelivery/"
    listing = admin_client.get(url).content.decode()
    assert f"Zendesk requester {REQUESTER} (2)" in listing
    assert f"Zendesk requester {OTHER_REQUESTER} (1)" in listing
    response = admin_client.get(url, {"waiting_for": f"zendesk:{REQUESTER}"})
    assert response.status_code == 200
    shown = {delivery.pk for delivery in response.context["cl"].result_list}
    assert shown == {delivery.pk for delivery in waiting}
    assert other.pk not in shown
    searched = admin_client.get(url, {"q": OTHER_REQUESTER}).context["cl"].result_list
    assert [delivery.pk for delivery in searched] == [other.pk]


def test_the_admin_shows_who_linked_a_provider_id_and_when(admin_client, anna, staff_user) -> None:
    provider_customer_link(source="zendesk", provider_customer_id=REQUESTER, customer_id="C100109", user=staff_user)
    make_customer(customer_id="C100300", email="known@example.com")
    post("zendesk", *zendesk_ticket(OTHER_REQUESTER, email="known@example.com"))  # learnt, no linker
    url = "/admin/events/providercustomer/"
    listing = admin_client.get(url).content.decode()
    assert "rita" in listing
    linked = admin_client.get(url, {"linked_by__isempty": "0"}).context["cl"].result_list
    assert [mapping.provider_customer_id for mapping in linked] == [REQUESTER]
    learnt = admin_client.get(url, {"linked_by__isempty": "1"}).context["cl"].result_list
    assert [mapping.provider_customer_id for mapping in learnt] == [OTHER_REQUESTER]


def test_a_mapping_set_by_hand_in_the_admin_is_the_admins(admin_client, anna) -> None:
    response = admin_client.post(
        "/admin/events/providercustomer/add/",
        {"source": "stripe", "provider_customer_id": "cus_Pq1", "customer": "C100109"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = ProviderCustomer.objects.get()
    assert mapping.linked_by == User.objects.get(is_superuser=True)
