"""CustomerEvent moved from the events app to customers (issue 12): a database migrated from the
schema before the move keeps every row, every link to an event, and the model's permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("customers", "0005_churn_model_point_in_time"),
    ("events", "0003_webhook_feed_index"),
    ("interventions", "0002_review_and_sending"),
]
AFTER = [
    ("customers", "0006_customer_event_moved_here"),
    ("events", "0004_customer_event_moved_to_customers"),
    ("interventions", "0003_event_points_to_customers"),
]
WHEN = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)


class Migrator:
    """Takes the test database back to a set of migrations and forward again (Django's own executor:
    going back unapplies every migration that depends on the targets, as `migrate app 000N` does)."""

    def migrate(self, targets: list[tuple[str, str]]):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        executor.loader.build_graph()
        moved = {app for app, _ in targets}
        others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in moved]
        return executor.loader.project_state([*targets, *others]).apps

    def latest(self) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def migrator(transactional_db):
    migrator = Migrator()
    yield migrator
    migrator.latest()  # the tests after this one expect today's schema


def _customer(apps, **fields):
    """A customer row through the migration state's own model (the factories use today's)."""
    return apps.get_model("customers", "Customer").objects.create(
        **{
            "signup_date": dt.date(2025, 1, 1),
            "avg_order_value": "75.00",
            "last_active_date": dt.date(2026, 10, 1),
            "opt_in_marketing": True,
            **fields,
        }
    )


def _old_data(apps) -> None:
    customer = _customer(
        apps,
        customer_id="C1",
        first_name="Asha",
        email="asha@example.com",
        segment="Regular",
        lifetime_value="1500.00",
        loyalty_tier="Gold",
        language="hi",
    )
    events = apps.get_model("events", "CustomerEvent")
    events.objects.create(event_id="E1", customer=customer, event_type="page_view", event_time=WHEN)
    webhook_event = events.objects.create(
        event_id="W1",
        customer=customer,
        event_type="payment.failed",
        event_time=WHEN,
        source="stripe",
        description="A payment of $85.00 failed",
        metadata={"amount": "85.00"},
        delivery_key="stripe:evt_1",
        received_at=WHEN,
    )
    apps.get_model("events", "WebhookDelivery").objects.create(
        source="stripe", received_at=WHEN, outcome="accepted", status_code=200, event=webhook_event
    )
    apps.get_model("interventions", "Intervention").objects.create(
        customer=customer,
        origin="event",
        event=webhook_event,
        trigger_description="payment failed",
        lifetime_value="1500.00",
        value_at_risk="900.00",
        language="hi",
        language_source="profile",
        channel="email",
        action="payment_help",
        priority="high",
        body="...",
        message_language="hi",
        empathy_score=80,
        backend="offline",
    )
    content_types = apps.get_model("contenttypes", "ContentType")
    # The test database was built from today's models; a database from before the move knew the
    # model only under events.
    content_types.objects.filter(app_label="customers", model="customerevent").delete()
    content_type = content_types.objects.get_or_create(app_label="events", model="customerevent")[0]
    apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_customerevent", defaults={"name": "Can view customer event"}
    )


def test_it_keeps_every_event_and_every_link_when_customer_event_moves_to_customers(migrator) -> None:
    _old_data(migrator.migrate(BEFORE))

    apps = migrator.migrate(AFTER)

    events = apps.get_model("customers", "CustomerEvent")
    assert events._meta.db_table == "events_customerevent"
    assert sorted(events.objects.values_list("event_id", flat=True)) == ["E1", "W1"]
    stored = events.objects.get(event_id="W1")
    assert (stored.customer_id, stored.description, stored.metadata, stored.delivery_key) == (
        "C1",
        "A payment of $85.00 failed",
        {"amount": "85.00"},
        "stripe:evt_1",
    )
    assert apps.get_model("events", "WebhookDelivery").objects.get().event_id == "W1"
    assert apps.get_model("interventions", "Intervention").objects.get().event_id == "W1"
    # The permission follows the model: the content type now names customers, and no second one exists.
    content_types = apps.get_model("contenttypes", "ContentType")
    assert not content_types.objects.filter(app_label="events", model="customerevent").exists()
    moved = content_types.objects.get(app_label="customers", model="customerevent")
    assert apps.get_model("auth", "Permission").objects.get(codename="view_customerevent").content_type_id == moved.pk


def test_it_can_move_customer_event_back_without_losing_a_row(migrator) -> None:
    apps = migrator.migrate(AFTER)
    customer = _customer(
        apps,
        customer_id="C2",
        first_name="Omar",
        email="omar@example.com",
        segment="VIP",
        lifetime_value="5000.00",
        avg_order_value="250.00",
        loyalty_tier="Platinum",
        opt_in_marketing=False,
        language="ar",
    )
    apps.get_model("customers", "CustomerEvent").objects.create(
        event_id="E2", customer=customer, event_type="purchase", event_time=WHEN
    )

    apps = migrator.migrate(BEFORE)

    assert list(apps.get_model("events", "CustomerEvent").objects.values_list("event_id", "customer_id")) == [
        ("E2", "C2")
    ]
