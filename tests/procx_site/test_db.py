"""Writing rows without the ORM's per-object work stores exactly what save() would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import CustomerEvent
from events.models import DeliveryOutcome, WebhookDelivery
from procx_site.db import instance_insert
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

FIELDS_COMPARED = (
    "customer_id",
    "event_type",
    "event_time",
    "source",
    "category",
    "description",
    "metadata",
    "raw_payload",
    "delivery_key",
    "received_at",
    "health_before",
    "processed_at",
    "processing_error",
)


def test_an_inserted_instance_reads_back_as_a_saved_one() -> None:
    customer = make_customer(customer_id="C100001")
    moment = timezone.now().replace(microsecond=123456)
    values = {
        "customer": customer,
        "event_type": "payment.failed",
        "event_time": moment - dt.timedelta(hours=1),
        "source": "stripe",
        "category": "COMPLAINT",
        "description": "Payment of $12.50 failed.",
        "metadata": {"amount": 12.5, "nested": {"ids": [1, 2]}, "text": "ক্রেডিট"},
        "raw_payload": {"id": "evt_1"},
        "received_at": moment,
    }
    saved = CustomerEvent.objects.create(event_id="EVT_SAVED", delivery_key="stripe:a", **values)
    inserted = CustomerEvent(event_id="EVT_INSERTED", delivery_key="stripe:b", **values)
    instance_insert(inserted)

    assert inserted._state.adding is False  # a natural key: it is the stored row now
    read_saved, read_inserted = (CustomerEvent.objects.get(pk=pk) for pk in ("EVT_SAVED", "EVT_INSERTED"))
    for name in FIELDS_COMPARED:
        if name != "delivery_key":
            assert getattr(read_inserted, name) == getattr(read_saved, name), name
    assert saved.pk != inserted.pk


def test_a_duplicate_is_an_integrity_error_and_an_automatic_key_is_left_to_the_database() -> None:
    customer = make_customer(customer_id="C100002")
    event = CustomerEvent(
        event_id="EVT_ONCE", customer=customer, event_type="nps.detractor", event_time=timezone.now(), delivery_key="k"
    )
    instance_insert(event)
    with pytest.raises(IntegrityError), transaction.atomic():  # a savepoint, as the test's transaction is open
        instance_insert(
            CustomerEvent(
                event_id="EVT_TWICE", customer=customer, event_type="x", event_time=timezone.now(), delivery_key="k"
            )
        )

    log = WebhookDelivery(
        source="procx",
        received_at=timezone.now(),
        outcome=DeliveryOutcome.ACCEPTED,
        status_code=200,
        headers={"webhook-id": "m1"},
    )
    instance_insert(log)
    assert log.pk is None  # nothing read the new id back
    stored = WebhookDelivery.objects.get()
    assert (stored.headers, stored.outcome) == ({"webhook-id": "m1"}, "accepted")
