"""What issue 13's new event types write to the sheets, and a customer who comes back leaving the
at-risk list at once: an order placed by webhook is an Order (its delivery estimate blank, never
guessed), raises recency, and re-scores the customer out of the latest scan's selection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from customers.models import Customer, CustomerEvent, Order, Payment, ScanFinding, ScanRun, SupportTicket
from customers.scan import customer_rescore
from customers.selectors import at_risk_customer_ids, at_risk_findings, customer_signals, latest_finished_scan
from events.processing import event_effects_apply, events_process
from events.webhook_types import CANONICAL_TYPES
from tests.customers.webhook_events import event_metadata, store_event
from tests.factories import NOW, make_customer, make_nps_response, make_order, make_ticket

pytestmark = pytest.mark.django_db

AT = NOW - dt.timedelta(hours=1)

PLACED: dict[str, Any] = {
    "order_id": "820982911946154508",
    "order_name": "#9999",
    "amount": "398.00",
    "currency": "USD",
    "item_count": 2,
    "items": ["IPod Nano - 8GB", "IPod Nano - 8GB"],
    "product_ids": ["632910392", "632910392"],
    "financial_status": "paid",
    "payment_gateway": "shopify_payments",
    "promo_code": "SUMMER10",
    "order_created_at": "2025-10-08T13:00:00Z",
}


def apply(customer: Customer, event_type: str, source: str = "shopify", **data: Any) -> list[str]:
    return event_effects_apply(event=store_event(customer, event_type, data, at=AT, source=source))


@pytest.fixture
def customer() -> Customer:
    return make_customer()


# Orders placed and paid ------------------------------------------------------------------------


def test_an_order_placed_is_recorded_with_what_the_shop_said_and_no_guessed_estimate(customer) -> None:
    assert apply(customer, "order.placed", **PLACED) == ["order 820982911946154508 (#9999) recorded: 2 item(s), placed"]
    order = Order.objects.get()
    assert (order.customer_id, order.order_date, order.items_count, order.total_amount) == (
        customer.pk,
        AT,
        2,
        Decimal("398.00"),
    )
    assert (order.product_ids, order.payment_method, order.payment_status, order.order_status) == (
        "632910392,632910392",
        "card",
        "success",
        "placed",
    )
    assert (order.estimated_delivery_date, order.actual_delivery_date, order.delivery_delay_days) == (None, None, None)
    assert order.promo_code == "SUMMER10"


def test_the_same_order_placed_twice_is_one_order(customer) -> None:
    apply(customer, "order.placed", **PLACED)
    assert apply(customer, "order.placed", **PLACED) == ["order 820982911946154508 already recorded"]
    assert Order.objects.count() == 1


def test_an_order_id_of_another_customer_is_never_taken_over(customer) -> None:
    other = make_customer()
    theirs = make_order(other, order_id=PLACED["order_id"])
    assert apply(customer, "order.placed", **PLACED) == [
        f"no order recorded: order {theirs.pk} already belongs to customer {other.pk}"
    ]
    assert Order.objects.get().customer_id == other.pk


@pytest.mark.parametrize(
    ("facts", "status"),
    [({"financial_status": "paid"}, "success"), ({"financial_status": "pending"}, "pending"), ({}, "pending")],
)
def test_an_order_is_paid_only_when_the_shop_says_so(customer, facts, status) -> None:
    apply(customer, "order.placed", **{**PLACED, "financial_status": None, **facts})
    assert Order.objects.get().payment_status == status


def test_an_order_placed_without_facts_still_records_what_it_can(customer) -> None:
    apply(customer, "order.placed", order_id="1001")
    order = Order.objects.get()
    assert (order.items_count, order.total_amount, order.product_ids, order.payment_status) == (
        1,
        Decimal(0),
        "",
        "pending",
    )


def test_an_order_paid_whose_placing_was_missed_records_the_order_then_the_payment(customer) -> None:
    effects = apply(customer, "payment.succeeded", **PLACED)
    assert Order.objects.get().payment_status == "success"
    payment = Payment.objects.get()
    assert (payment.order_id, payment.status, payment.amount) == (PLACED["order_id"], "success", Decimal("398.00"))
    assert effects[0].startswith("order 820982911946154508 (#9999) recorded")


def test_an_order_paid_after_it_was_placed_adds_only_the_payment(customer) -> None:
    apply(customer, "order.placed", **{**PLACED, "financial_status": "pending"})
    apply(customer, "payment.succeeded", **PLACED)
    assert Order.objects.count() == 1
    assert Order.objects.get().payment_status == "success"
    assert Payment.objects.count() == 1


# Shipping ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "after", "effect"),
    [
        ("placed", "shipped", "shipped"),
        ("processing", "shipped", "shipped"),
        ("shipped", "shipped", "already shipped"),
        ("cancelled", "cancelled", "not changed: it was cancelled"),
    ],
)
def test_an_order_shipped_moves_it_forward_only(customer, status, after, effect) -> None:
    order = make_order(customer, order_status=status, actual_delivery_date=None, delivery_delay_days=None)
    effects = apply(customer, "order.shipped", order_id=order.pk)
    assert Order.objects.get(pk=order.pk).order_status == after
    assert effects == [f"order {order.pk} {effect}"]


def test_a_delivered_order_is_not_sent_back_to_shipped(customer) -> None:
    order = make_order(customer)  # delivered
    apply(customer, "order.shipped", order_id=order.pk)
    assert Order.objects.get(pk=order.pk).order_status == "delivered"


def test_a_delivery_of_an_order_without_an_estimate_records_no_delay(customer) -> None:
    apply(customer, "order.placed", **PLACED)
    apply(customer, "order.delivered", order_id=PLACED["order_id"])
    order = Order.objects.get()
    assert (order.order_status, order.actual_delivery_date, order.delivery_delay_days) == (
        "delivered",
        AT.date(),
        None,
    )


# Tickets, ratings, consent -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "zendesk_status", "after"),
    [
        ("open", "pending", "in_progress"),
        ("open", "hold", "in_progress"),
        ("in_progress", "open", "open"),
        ("resolved", "open", "open"),  # reopened: the problem is back
    ],
)
def test_a_ticket_update_sets_its_status_in_the_sheets_words(customer, before, zendesk_status, after) -> None:
    ticket = make_ticket(customer, status=before, resolution_time_hours=3.0 if before == "resolved" else None)
    apply(customer, "support.ticket.updated", source="zendesk", ticket_id=ticket.pk, status=zendesk_status)
    ticket.refresh_from_db()
    assert ticket.status == after
    if before == "resolved":
        assert ticket.resolution_time_hours is None


def test_a_priority_change_is_recorded(customer) -> None:
    ticket = make_ticket(customer, priority="high")
    apply(customer, "support.ticket.updated", source="zendesk", ticket_id=ticket.pk, priority="low")
    assert SupportTicket.objects.get(pk=ticket.pk).priority == "low"


@pytest.mark.parametrize("event_type", ["support.ticket.updated", "support.ticket.commented"])
def test_an_update_or_comment_on_a_ticket_never_seen_does_not_open_one(customer, event_type) -> None:
    apply(customer, event_type, source="zendesk", ticket_id="35436", status="open")
    assert not SupportTicket.objects.exists()


@pytest.mark.parametrize(("event_type", "csat"), [("satisfaction.good", 5), ("satisfaction.bad", 1)])
def test_a_satisfaction_rating_is_the_tickets_csat(customer, event_type, csat) -> None:
    ticket = make_ticket(customer, csat_score=None)
    assert apply(customer, event_type, source="zendesk", ticket_id=ticket.pk) == [f"ticket {ticket.pk} rated {csat}/5"]
    assert SupportTicket.objects.get(pk=ticket.pk).csat_score == csat


def test_a_rating_of_another_customers_ticket_changes_nothing(customer) -> None:
    theirs = make_ticket(make_customer(), csat_score=4)
    apply(customer, "satisfaction.bad", source="zendesk", ticket_id=theirs.pk)
    assert SupportTicket.objects.get(pk=theirs.pk).csat_score == 4


@pytest.mark.parametrize(
    ("before", "event_type", "after"),
    [
        (True, "email.unsubscribe", False),
        (False, "email.unsubscribe", False),
        (False, "email.subscribed", True),
        (True, "email.subscribed", True),
    ],
)
def test_marketing_consent_follows_what_the_customer_last_set(customer, before, event_type, after) -> None:
    Customer.objects.filter(pk=customer.pk).update(opt_in_marketing=before)
    apply(customer, event_type)
    assert Customer.objects.get(pk=customer.pk).opt_in_marketing is after


# Coming back -------------------------------------------------------------------------------------------


def _selected(customer: Customer) -> ScanFinding:
    """The customer re-scored and selected by a finished scan, as the scan would with that risk."""
    snapshot = customer_rescore(customer_id=customer.pk)
    assert snapshot.churn_risk > 0.6, "the test's customer must really be at risk"
    scan = ScanRun.objects.create(
        as_of=timezone.now(),
        status=ScanRun.Status.FINISHED,
        finished_at=timezone.now(),
        parameters={"min_risk": 0.6, "min_ltv": 1000},
    )
    return ScanFinding.objects.create(
        scan=scan,
        customer=customer,
        rank=1,
        health_score=snapshot.score,
        churn_risk=snapshot.churn_risk,
        lifetime_value=customer.lifetime_value,
        value_at_risk=customer.lifetime_value * Decimal(str(snapshot.churn_risk)),
        description="Quiet for months.",
    )


@pytest.fixture
def lapsed(settings) -> Customer:
    """An occasional customer worth $1,500 who last ordered 200 days ago and gave a 4 out of 10:
    health about 31, so (with no churn model: risk is 1 - health/100) a risk about 69 %."""
    settings.PROCX_CHURN_MIN_TRAINING_LABELS = 10**9
    now = timezone.now()
    customer = make_customer(
        lifetime_value=Decimal("1500"),
        segment="Occasional",
        loyalty_tier="Bronze",
        last_active_date=(now - dt.timedelta(days=200)).date(),
    )
    for months in range(3):
        make_order(customer, order_date=now - dt.timedelta(days=200 + 30 * months))
    for _ in range(4):
        make_customer(lifetime_value=Decimal("9000"))
    make_nps_response(customer, nps_score=4, date=now - dt.timedelta(days=200))
    return customer


def test_an_order_placed_by_webhook_raises_recency(lapsed) -> None:
    customer_rescore(customer_id=lapsed.pk)
    before = customer_signals(as_of=timezone.now(), customer_ids=[lapsed.pk]).iloc[0]
    stored = store_event(lapsed, "order.placed", dict(PLACED), at=timezone.now() - dt.timedelta(minutes=1))
    events_process(event_ids=[stored.pk])
    after = customer_signals(as_of=timezone.now(), customer_ids=[lapsed.pk]).iloc[0]
    assert after["orders_total"] == before["orders_total"] + 1
    assert after["events_last_30"] == before["events_last_30"] + 1
    assert after["last_engagement_at"] > before["last_engagement_at"]
    event = CustomerEvent.objects.get(pk=stored.pk)
    assert event.health_after > event.health_before


def test_a_customer_who_comes_back_leaves_the_at_risk_list_at_once(lapsed) -> None:
    finding = _selected(lapsed)
    scan = latest_finished_scan()
    assert set(at_risk_customer_ids(scan)) == {lapsed.pk}

    stored = store_event(lapsed, "order.placed", dict(PLACED), at=timezone.now() - dt.timedelta(minutes=1))
    result = events_process(event_ids=[stored.pk])

    assert not result.failed
    event = CustomerEvent.objects.get(pk=stored.pk)
    assert event.risk_before > 0.6 >= event.risk_after
    finding.refresh_from_db()
    assert finding.left_at is not None
    assert finding.left_because == (
        f"Order placed on {event.event_time:%d %b %Y} ({stored.pk}): churn risk "
        f"{event.risk_before * 100:.0f} % at the scan, {event.risk_after * 100:.0f} % now, not over the rule's 60 %"
    )
    assert list(at_risk_customer_ids(scan)) == []
    assert at_risk_findings(scan) == []
    assert any(effect.startswith("left the at-risk list") for effect in event.metadata["effects"])


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("payment.failed", {"amount": "10", "currency": "USD", "reason": "card_declined"}),
        ("nps.detractor", {"nps_score": 1}),
        ("email.unsubscribe", {}),
        ("order.shipped", {}),
    ],
)
def test_trouble_or_news_that_does_not_lower_the_risk_never_takes_anyone_off(lapsed, event_type, data) -> None:
    finding = _selected(lapsed)
    stored = store_event(lapsed, event_type, data, at=timezone.now() - dt.timedelta(minutes=1))
    events_process(event_ids=[stored.pk])
    finding.refresh_from_db()
    assert finding.left_at is None
    assert CustomerEvent.objects.get(pk=stored.pk).risk_after > 0.6


@pytest.mark.parametrize("event_type", list(CANONICAL_TYPES))
def test_every_event_type_takes_a_customer_off_the_list_exactly_when_it_rescores_them_out(lapsed, event_type) -> None:
    finding = _selected(lapsed)
    order_id = Order.objects.filter(customer=lapsed).values_list("pk", flat=True).first()
    data = event_metadata(event_type, order_id=order_id, ticket_id=None)
    if event_type == "order.placed":
        data = dict(PLACED)
    stored = store_event(lapsed, event_type, data, at=timezone.now() - dt.timedelta(minutes=1))
    assert not events_process(event_ids=[stored.pk]).failed
    risk_after = CustomerEvent.objects.get(pk=stored.pk).risk_after
    finding.refresh_from_db()
    assert (finding.left_at is not None) is (risk_after <= 0.6), (event_type, risk_after)
    assert set(at_risk_customer_ids(finding.scan)) == (set() if risk_after <= 0.6 else {lapsed.pk})
