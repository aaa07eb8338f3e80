"""What a webhook event writes to the sheets never rewrites history: a failure for a paid order
is a new failed Payment, not an unpaid order; a finished Payment is never overwritten; a
delivered order keeps its measured delay and a cancelled one is not revived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from customers.event_semantics import EVENT_SIGNALS
from customers.models import Customer, Order, Payment, SupportTicket
from events.processing import event_effects_apply
from tests.customers.webhook_events import event_metadata, store_event
from tests.factories import NOW, make_customer, make_nps_response, make_order, make_payment, make_ticket

pytestmark = pytest.mark.django_db

AT = NOW - dt.timedelta(hours=1)


def apply(customer: Customer, event_type: str, **data: Any) -> list[str]:
    return event_effects_apply(event=store_event(customer, event_type, data, at=AT))


def order_row(order: Order) -> dict[str, Any]:
    return Order.objects.filter(pk=order.pk).values().get()


@pytest.fixture
def customer() -> Customer:
    return make_customer()


@pytest.fixture
def paid_order(customer: Customer) -> Order:
    """Paid and delivered 20 days ago, with its successful payment PM-PAID."""
    order = make_order(customer, order_date=NOW - dt.timedelta(days=20), payment_status="success")
    make_payment(order, payment_id="PM-PAID", payment_date=order.order_date)
    return order


@pytest.fixture
def pending_order(customer: Customer) -> Order:
    """Placed 2 days ago, its payment still pending, not shipped yet."""
    return make_order(
        customer,
        order_date=NOW - dt.timedelta(days=2),
        payment_status="pending",
        order_status="processing",
        estimated_delivery_date=(NOW + dt.timedelta(days=3)).date(),
        actual_delivery_date=None,
        delivery_delay_days=None,
    )


# Payments --------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ["payment.failed", "subscription.payment_failed"])
def test_a_failure_for_a_paid_order_records_a_new_failed_payment_and_leaves_the_order_alone(
    customer, paid_order, event_type
) -> None:
    before = order_row(paid_order)
    effects = apply(customer, event_type, order_id=paid_order.pk, amount="250.00", reason="card_declined")
    assert order_row(paid_order) == before
    paid = Payment.objects.get(pk="PM-PAID")
    assert (paid.status, paid.payment_date) == ("success", paid_order.order_date)
    failed = Payment.objects.get(order=paid_order, status="failed")
    assert (failed.payment_date, failed.amount, failed.failure_reason) == (AT, Decimal("250.00"), "card_declined")
    assert effects[-1] == f"order {paid_order.pk} already paid: its payment status stays success"


def test_a_failure_for_a_pending_order_marks_it_failed_and_a_later_success_marks_it_paid(
    customer, pending_order
) -> None:
    effects = apply(customer, "payment.failed", order_id=pending_order.pk, invoice_id="in_1Abc", reason="expired_card")
    assert Order.objects.get(pk=pending_order.pk).payment_status == "failed"
    assert Payment.objects.get(pk="in_1Abc").status == "failed"
    assert effects == [
        f"payment in_1Abc recorded as failed for order {pending_order.pk}",
        f"order {pending_order.pk} payment status failed",
    ]

    # The invoice is paid on the retry: the failure stays on record beside the success.
    apply(customer, "payment.succeeded", order_id=pending_order.pk, invoice_id="in_1Abc")
    assert Order.objects.get(pk=pending_order.pk).payment_status == "success"
    statuses = dict(Payment.objects.filter(order=pending_order).values_list("pk", "status"))
    assert statuses["in_1Abc"] == "failed"
    assert sorted(statuses.values()) == ["failed", "success"]


def test_a_reused_id_of_a_successful_payment_never_turns_it_into_a_failure(customer, paid_order) -> None:
    effects = apply(customer, "payment.failed", order_id=paid_order.pk, payment_id="PM-PAID")
    assert Payment.objects.get(pk="PM-PAID").status == "success"
    failed = Payment.objects.get(order=paid_order, status="failed")
    assert failed.pk.startswith("PM-PAID-")
    assert len(failed.pk) <= 32
    assert effects[0] == f"payment {failed.pk} recorded as failed for order {paid_order.pk}"


def test_each_failed_attempt_under_one_invoice_is_its_own_payment(customer, pending_order) -> None:
    apply(customer, "payment.failed", order_id=pending_order.pk, invoice_id="in_1Retry")
    apply(customer, "payment.failed", order_id=pending_order.pk, invoice_id="in_1Retry")
    assert Payment.objects.filter(order=pending_order, status="failed").count() == 2


def test_the_outcome_of_a_pending_payment_completes_that_payment(customer, pending_order) -> None:
    make_payment(pending_order, payment_id="ch_3Pending", status="pending", payment_date=pending_order.order_date)
    effects = apply(customer, "payment.succeeded", order_id=pending_order.pk, charge_id="ch_3Pending")
    assert list(Payment.objects.filter(order=pending_order).values_list("pk", "status")) == [("ch_3Pending", "success")]
    assert effects[0] == f"payment ch_3Pending updated as success for order {pending_order.pk}"


def test_the_same_success_twice_is_one_payment(customer, pending_order) -> None:
    apply(customer, "payment.succeeded", order_id=pending_order.pk, charge_id="ch_3Twice")
    effects = apply(customer, "payment.succeeded", order_id=pending_order.pk, charge_id="ch_3Twice")
    assert Payment.objects.filter(order=pending_order).count() == 1
    assert effects == ["payment ch_3Twice already recorded as success"]


def test_a_payment_id_of_another_customer_is_refused(customer, paid_order) -> None:
    other = make_customer()
    effects = apply(other, "payment.failed", order_id=make_order(other).pk, payment_id="PM-PAID")
    assert effects == [f"no payment recorded: payment PM-PAID already belongs to customer {customer.pk}"]
    assert Payment.objects.get(pk="PM-PAID").status == "success"


@pytest.mark.parametrize("order_id", [None, "O999999"], ids=["no order named", "not their order"])
def test_a_payment_event_without_one_of_their_orders_records_nothing(customer, paid_order, order_id) -> None:
    data = {"order_id": order_id} if order_id else {}
    effects = apply(customer, "payment.failed", **data)
    assert Payment.objects.count() == 1
    assert effects == (
        ["no order named"]
        if order_id is None
        else [f"no payment recorded: order {order_id} is not one of this customer's"]
    )


# Orders and tickets ------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", list(EVENT_SIGNALS))
def test_no_event_changes_a_paid_delivered_order_except_a_cancellation(customer, paid_order, event_type) -> None:
    before = order_row(paid_order)
    store = store_event(customer, event_type, event_metadata(event_type, order_id=paid_order.pk, ticket_id=None), at=AT)
    event_effects_apply(event=store)
    after = order_row(paid_order)
    if event_type == "order.cancelled":  # what the event says, and nothing else
        assert after == {**before, "order_status": "cancelled"}
    else:
        assert after == before


@pytest.mark.parametrize("event_type", ["order.delivered", "order.delayed", "shipment.delayed"])
def test_a_cancelled_order_is_not_revived_or_delayed(customer, pending_order, event_type) -> None:
    Order.objects.filter(pk=pending_order.pk).update(order_status="cancelled")
    before = order_row(pending_order)
    effects = apply(customer, event_type, order_id=pending_order.pk, delay_days=4)
    assert order_row(pending_order) == before
    assert effects == [f"order {pending_order.pk} not changed: it was cancelled"]


def test_a_delivery_records_the_actual_delay_early_deliveries_negative(customer, pending_order) -> None:
    apply(customer, "order.delivered", order_id=pending_order.pk)
    order = Order.objects.get(pk=pending_order.pk)
    assert (order.order_status, order.actual_delivery_date) == ("delivered", AT.date())
    assert order.delivery_delay_days == (AT.date() - pending_order.estimated_delivery_date).days == -3


def test_a_delay_is_recorded_for_an_order_on_its_way(customer, pending_order) -> None:
    assert apply(customer, "shipment.delayed", order_id=pending_order.pk, delay_days="2.5") == [
        f"order {pending_order.pk} delayed by 2.5 days"
    ]
    assert Order.objects.get(pk=pending_order.pk).delivery_delay_days == 2.5


def test_a_resolution_of_a_ticket_never_seen_does_not_open_one(customer) -> None:
    effects = apply(customer, "support.ticket.resolved", ticket_id="ZD-4711")
    assert not SupportTicket.objects.exists()
    assert effects == ["no ticket changed: ticket ZD-4711 was resolved but never recorded here"]


def test_a_resolution_of_a_known_ticket_closes_it(customer) -> None:
    ticket = make_ticket(customer, created_at=AT - dt.timedelta(hours=10))
    apply(customer, "support.ticket.resolved", ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_time_hours) == ("resolved", 10.0)


def test_an_nps_answer_never_takes_over_another_customers_answer(customer) -> None:
    other = make_customer()
    answer = make_nps_response(other, survey_id="R_5xQ", nps_score=9)
    effects = apply(customer, "nps.detractor", nps_score=2, response_id="R_5xQ")
    answer.refresh_from_db()
    assert (answer.customer_id, answer.nps_score) == (other.pk, 9)
    assert effects == [f"no NPS answer recorded: answer R_5xQ belongs to customer {other.pk}"]
