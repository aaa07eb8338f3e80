"""Customer events in the back office: list, search by event or customer, filters, and the
metadata and raw payload shown as read-only, escaped, pretty-printed JSON."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerEvent
from tests.factories import NOW, make_customer, make_event

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/customers/customerevent/"


def change_url(event: CustomerEvent) -> str:
    return reverse("admin:customers_customerevent_change", args=[quote(event.pk)])


def listed(response: Any, *events: CustomerEvent) -> list[bool]:
    content = response.content.decode()
    return [change_url(event) in content for event in events]


@pytest.fixture
def events() -> tuple[CustomerEvent, CustomerEvent]:
    meera = make_customer(first_name="Meera", last_name="Iyer", email="meera.iyer@example.com")
    tom = make_customer(first_name="Tom", last_name="Hughes", email="tom.hughes@example.org")
    complaint = make_event(
        meera,
        event_id="WH-1",
        event_type="ticket.created",
        source="zendesk",
        category="COMPLAINT",
        device="",
        description="Meera opened a ticket about a late parcel",
        metadata={"ticket": 42, "tags": ["late", "refund"]},
        raw_payload={"id": 42, "subject": "<script>alert(1)</script>"},
        event_time=timezone.now() - dt.timedelta(hours=2),
    )
    view = make_event(
        tom, event_id="E1000500", event_type="view", device="ios_app", event_time=NOW - dt.timedelta(days=60)
    )
    return complaint, view


def test_the_event_list_shows_the_useful_columns(admin_client, events):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    for heading in ("Event id", "Customer", "Event type", "Event time", "Source", "Category", "Device"):
        assert heading in content
    assert "Meera Iyer (" in content
    assert listed(response, *events) == [True, True]


@pytest.mark.parametrize("query", ["WH-1", "wh-1", "{customer_id}", "Iyer", "meera", "meera.iyer@example.com"])
def test_events_are_searchable_by_their_id_or_the_customer(admin_client, events, query):
    complaint, view = events
    term = query.format(customer_id=complaint.customer_id)
    response = admin_client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    assert listed(response, complaint, view) == [True, False]


def test_an_event_id_finds_just_that_event(admin_client, events):
    complaint, view = events
    make_event(view.customer, event_id="E1000501")
    assert listed(admin_client.get(CHANGELIST, {"q": "E1000500"}), complaint, view) == [False, True]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "zendesk"}, [True, False]),
        ({"source": "workbook"}, [False, True]),
        ({"category__exact": "COMPLAINT"}, [True, False]),
        ({"event_type": "view"}, [False, True]),
        ({"device": "ios_app"}, [False, True]),
    ],
)
def test_the_event_list_filters(admin_client, events, params, expected):
    response = admin_client.get(CHANGELIST, params)
    assert response.status_code == 200
    assert listed(response, *events) == expected


def test_the_event_list_filters_by_date(admin_client, events):
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    params = {
        "event_time__gte": str(midnight - dt.timedelta(days=7)),
        "event_time__lt": str(midnight + dt.timedelta(days=1)),
    }
    assert listed(admin_client.get(CHANGELIST, params), *events) == [True, False]


def test_the_event_list_offers_the_filters_without_a_date_hierarchy(admin_client, events):
    model_admin = admin.site._registry[CustomerEvent]
    assert model_admin.date_hierarchy is None
    assert model_admin.show_full_result_count is False
    assert model_admin.raw_id_fields == ("customer",)
    filters = [spec.title for spec in admin_client.get(CHANGELIST).context["cl"].filter_specs]
    assert filters == ["source", "category", "event type", "device", "event time"]


def test_the_event_page_shows_metadata_and_payload_as_escaped_pretty_json(admin_client, events):
    complaint, _ = events
    response = admin_client.get(change_url(complaint))
    assert response.status_code == 200
    raw = response.content.decode()
    assert "<script>alert(1)</script>" not in raw
    content = html.unescape(raw)
    assert '"tags": [\n    "late",\n    "refund"\n  ],\n  "ticket": 42' in content
    assert '"subject": "<script>alert(1)</script>"' in content
    form = response.context["adminform"].form
    for field in ("event_id", "metadata", "raw_payload"):
        assert field not in form.fields


def test_the_event_page_of_a_workbook_event_shows_no_json(admin_client, events):
    _, view = events
    response = admin_client.get(change_url(view))
    assert response.status_code == 200
    assert "procx-json" not in response.content.decode()


def test_an_event_can_be_edited_but_its_id_cannot(admin_client, events):
    _, view = events
    response = admin_client.post(
        change_url(view),
        {
            "customer": view.customer_id,
            "event_type": "purchase",
            "event_time_0": "2025-08-01",
            "event_time_1": "10:00:00",
            "source": "workbook",
            "category": "",
            "device": "web",
            "session_id": "",
            "product_id": "",
            "description": "",
            "event_id": "HIJACKED",
        },
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.event_type == "purchase"
    assert not CustomerEvent.objects.filter(pk="HIJACKED").exists()
