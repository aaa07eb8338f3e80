"""The event semantics table: it declares every event type ProCX knows, once, and nothing else
decides what an event means for the customer's signals. Then every type, applied to customers
the way webhook processing applies it: engagement never lowers health, trouble and leaving never
raise it (nor lower the risk), neutral changes nothing, and a failed payment lowers an active
buyer's health."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from customers.event_semantics import (
    EVENT_SIGNALS,
    WORKBOOK_ACTIVITY_TYPES,
    EventSignal,
    event_signal,
    event_types_with,
)
from customers.models import Customer, HealthScore, Order, Payment
from customers.scan import customer_rescore
from demo.dataset import BROWSING_EVENT_TYPES
from events.processing import event_effects_apply
from events.webhook_types import CANONICAL_TYPES
from tests.customers.webhook_events import event_metadata, store_event
from tests.factories import NOW, make_customer, make_nps_response, make_order, make_payment, make_ticket


def test_the_table_covers_exactly_every_canonical_type_and_the_workbook_activity_types() -> None:
    assert len(CANONICAL_TYPES) == 35
    assert set(EVENT_SIGNALS) == set(CANONICAL_TYPES) | set(WORKBOOK_ACTIVITY_TYPES)
    assert len(EVENT_SIGNALS) == 35 + len(WORKBOOK_ACTIVITY_TYPES)


def test_the_generated_workbook_writes_only_declared_activity_types() -> None:
    assert {*BROWSING_EVENT_TYPES, "purchase"} == set(WORKBOOK_ACTIVITY_TYPES)


@pytest.mark.parametrize("event_type", list(EVENT_SIGNALS))
def test_every_row_says_why_in_one_line(event_type: str) -> None:
    meaning = EVENT_SIGNALS[event_type]
    assert isinstance(meaning.signal, EventSignal)
    assert meaning.why.strip()
    assert "\n" not in meaning.why


def test_the_workbook_activity_types_are_engagement() -> None:
    assert all(event_signal(name) == EventSignal.ENGAGEMENT for name in WORKBOOK_ACTIVITY_TYPES)


@pytest.mark.parametrize(
    ("event_type", "signal"),
    [
        ("payment.succeeded", EventSignal.ENGAGEMENT),
        ("nps.promoter", EventSignal.ENGAGEMENT),
        ("payment.failed", EventSignal.TROUBLE),
        ("subscription.payment_failed", EventSignal.TROUBLE),
        ("support.ticket.created", EventSignal.TROUBLE),
        ("payment.method_expired", EventSignal.TROUBLE),
        ("cart.abandoned", EventSignal.TROUBLE),
        ("app.inactive", EventSignal.LEAVING),
        ("email.unsubscribe", EventSignal.LEAVING),
        ("subscription.cancelled", EventSignal.LEAVING),
        ("product.back_in_stock", EventSignal.NEUTRAL),
        # Issue 13's new types: an order placed raises recency, a scheduled cancellation is leaving.
        ("order.placed", EventSignal.ENGAGEMENT),
        ("subscription.reactivated", EventSignal.ENGAGEMENT),
        ("satisfaction.good", EventSignal.ENGAGEMENT),
        ("subscription.cancel_scheduled", EventSignal.LEAVING),
        ("shipment.failed", EventSignal.TROUBLE),
        ("satisfaction.bad", EventSignal.TROUBLE),
        ("order.shipped", EventSignal.NEUTRAL),
        ("support.ticket.updated", EventSignal.NEUTRAL),
        ("support.ticket.commented", EventSignal.NEUTRAL),
        ("email.subscribed", EventSignal.NEUTRAL),
    ],
)
def test_the_types_the_issue_names_mean_what_it_says(event_type: str, signal: EventSignal) -> None:
    assert event_signal(event_type) == signal


def test_an_undeclared_type_is_neutral() -> None:
    assert event_signal("loyalty_points_redeemed") == EventSignal.NEUTRAL
    assert "loyalty_points_redeemed" not in event_types_with(EventSignal.NEUTRAL)


def test_the_four_groups_partition_the_table() -> None:
    groups = [event_types_with(signal) for signal in EventSignal]
    assert sorted(name for group in groups for name in group) == sorted(EVENT_SIGNALS)
    assert event_types_with("trouble") == event_types_with(EventSignal.TROUBLE)


def test_the_readme_table_lists_each_type_under_its_meaning() -> None:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    for signal in EventSignal:
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| {signal.value} |")]
        listed = set(
            re.findall(
                r"[a-z_]+(?:\.[a-z_]+)+|\b(?:view|search|add_to_cart|wishlist_add|click_promo|purchase)\b",
                row.split("|")[2],
            )
        )
        assert listed == set(event_types_with(signal)), signal


def test_canonical_types_expose_their_signal() -> None:
    assert CANONICAL_TYPES["payment.failed"].signal == EventSignal.TROUBLE
    assert CANONICAL_TYPES["order.delivered"].signal == EventSignal.NEUTRAL


# Every event type, applied the way webhook processing applies it ----------------------------
#
# A customer is built, scored, sent one event (stored, written to the sheets by
# event_effects_apply, re-scored by customer_rescore, as events_process does), and scored again.
# No churn model is trained, so the risk is the health score's (1 - health/100).

AS_OF = NOW
EVENT_AT = AS_OF - dt.timedelta(hours=1)
PAYMENT_FAILURES = ("payment.failed", "subscription.payment_failed")


@dataclass
class Shopper:
    customer: Customer
    named_order: str | None  # the order the events name
    ticket_id: str | None  # the ticket escalations and resolutions name


def _days_ago(days: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=days)


def _paid_order(customer: Customer, days: float, amount: str = "100.00") -> Order:
    order = make_order(
        customer,
        order_date=_days_ago(days),
        total_amount=Decimal(amount),
        estimated_delivery_date=_days_ago(days - 4).date(),
        actual_delivery_date=_days_ago(days - 5).date(),
        delivery_delay_days=1.0,
    )
    make_payment(order)
    return order


def _active_buyer(named: str) -> Shopper:
    """A Loyal, Gold customer since 2023 who buys about once a month: three paid orders in the
    previous 90 days, two paid ones and one placed 10 days ago still waiting for its payment in
    the last 90 (spend 300 against 300: stable), two tickets (one open), a passive latest NPS.
    `named`: which order the events name: "pending", "paid" (40 days ago) or "none"."""
    customer = make_customer(
        segment="Loyal",
        loyalty_tier="Gold",
        lifetime_value=Decimal("3200.00"),
        avg_order_value=Decimal("100.00"),
        signup_date=dt.date(2023, 3, 1),
        last_active_date=_days_ago(12).date(),
    )
    for days in (100, 130, 160, 60):
        _paid_order(customer, days)
    paid = _paid_order(customer, 40)
    pending = make_order(
        customer,
        order_date=_days_ago(10),
        total_amount=Decimal("100.00"),
        payment_status="pending",
        order_status="processing",
        estimated_delivery_date=(AS_OF + dt.timedelta(days=2)).date(),
        actual_delivery_date=None,
        delivery_delay_days=None,
    )
    make_ticket(customer, created_at=_days_ago(20), status="resolved", resolution_time_hours=5.0)
    ticket = make_ticket(customer, created_at=_days_ago(5), status="open")
    make_nps_response(customer, date=_days_ago(200), nps_score=6)
    make_nps_response(customer, date=_days_ago(30), nps_score=8)
    return Shopper(customer, {"pending": pending.pk, "paid": paid.pk, "none": None}[named], ticket.pk)


def _never_ordered() -> Shopper:
    """Signed up a month ago, browsed 12 days ago, asked one question, answered the survey 8."""
    customer = make_customer(signup_date=_days_ago(30).date(), last_active_date=_days_ago(12).date())
    ticket = make_ticket(customer, created_at=_days_ago(5), status="open", category="account")
    make_nps_response(customer, date=_days_ago(10), nps_score=8)
    return Shopper(customer, None, ticket.pk)


SHOPPERS = {
    "active buyer, pending order named": lambda: _active_buyer("pending"),
    "active buyer, paid order named": lambda: _active_buyer("paid"),
    "active buyer, no order named": lambda: _active_buyer("none"),
    "never ordered": _never_ordered,
}


def _score(customer: Customer) -> HealthScore:
    snapshot = customer_rescore(customer_id=customer.pk, as_of=AS_OF)
    assert snapshot.risk_source == "health"
    return snapshot


def _apply(shopper: Shopper, event_type: str) -> tuple[HealthScore, HealthScore]:
    """The customer's score before and after one event of this type."""
    before = _score(shopper.customer)
    data = event_metadata(event_type, order_id=shopper.named_order, ticket_id=shopper.ticket_id)
    event_effects_apply(event=store_event(shopper.customer, event_type, data, at=EVENT_AT))
    return before, _score(shopper.customer)


@pytest.mark.django_db
@pytest.mark.parametrize("shopper", list(SHOPPERS))
@pytest.mark.parametrize("event_type", list(EVENT_SIGNALS))
def test_each_event_moves_health_the_way_its_meaning_says(event_type: str, shopper: str) -> None:
    before, after = _apply(SHOPPERS[shopper](), event_type)
    signal = event_signal(event_type)
    if signal == EventSignal.ENGAGEMENT:
        assert after.score >= before.score
        assert after.churn_risk <= before.churn_risk
        assert after.points["recency"] == 15  # engagement an hour ago
    elif signal in (EventSignal.TROUBLE, EventSignal.LEAVING):
        assert after.score <= before.score
        assert after.churn_risk >= before.churn_risk
        assert after.points["recency"] == before.points["recency"]  # never engagement
    else:
        assert (after.score, after.churn_risk, after.points) == (before.score, before.churn_risk, before.points)


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", PAYMENT_FAILURES)
def test_a_failed_payment_lowers_an_active_buyers_health(event_type: str) -> None:
    shopper = _active_buyer("pending")
    before, after = _apply(shopper, event_type)
    assert after.score < before.score
    assert after.churn_risk > before.churn_risk
    # 3 orders in 90 days become 2 (1 a month -> under 1), spend 300 -> 200 against 300 (declining).
    assert (before.points["order_frequency"], after.points["order_frequency"]) == (9, 6)
    assert (before.points["spending_trend"], after.points["spending_trend"]) == (7, 2)
    assert Order.objects.get(pk=shopper.named_order).payment_status == "failed"


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", PAYMENT_FAILURES)
def test_a_failed_payment_for_a_paid_order_changes_neither_the_order_nor_health_upwards(event_type: str) -> None:
    shopper = _active_buyer("paid")
    order_before = Order.objects.filter(pk=shopper.named_order).values().get()
    before, after = _apply(shopper, event_type)
    assert Order.objects.filter(pk=shopper.named_order).values().get() == order_before
    assert after.score <= before.score
    assert Payment.objects.filter(order_id=shopper.named_order, status="failed").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", PAYMENT_FAILURES)
def test_a_customer_whose_only_order_failed_scores_the_bottom_bands_not_no_data(event_type: str) -> None:
    customer = make_customer(last_active_date=_days_ago(12).date())
    order = make_order(
        customer,
        order_date=_days_ago(3),
        payment_status="pending",
        order_status="placed",
        actual_delivery_date=None,
        delivery_delay_days=None,
    )
    before, after = _apply(Shopper(customer, order.pk, None), event_type)
    assert after.score < before.score
    assert (after.points["order_frequency"], after.points["spending_trend"]) == (0, 2)
    assert not {"order_frequency", "spending_trend"} & set(after.no_data)
