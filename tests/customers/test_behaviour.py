"""customer_signals: the columns the event semantics and the payments decide (customers/behaviour.py
says what each column means; these tests hold the selector to it)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pandas as pd
import pytest

from customers.behaviour import SIGNAL_COLUMNS
from customers.event_semantics import EVENT_SIGNALS, EventSignal, event_signal
from customers.selectors import customer_signals
from tests.factories import NOW, make_customer, make_event, make_order, make_payment

pytestmark = pytest.mark.django_db


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def naive(moment: dt.datetime) -> pd.Timestamp:
    return pd.Timestamp(moment.astimezone(dt.UTC).replace(tzinfo=None))


def signals_of(customer_id: str) -> pd.Series:
    signals = customer_signals(as_of=NOW, customer_ids=[customer_id])
    assert list(signals.columns) == list(SIGNAL_COLUMNS)
    return signals.loc[customer_id]


@pytest.mark.parametrize("source", ["procx", "workbook"], ids=["webhook", "re-imported export"])
@pytest.mark.parametrize("event_type", list(EVENT_SIGNALS))
def test_an_event_counts_as_its_type_says_whatever_its_source(event_type: str, source: str) -> None:
    customer = make_customer(last_active_date=days_ago(200).date())
    make_event(customer, event_type=event_type, event_time=days_ago(5), source=source, category="")
    row = signals_of(customer.pk)
    signal = event_signal(event_type)
    engaged = signal == EventSignal.ENGAGEMENT
    assert row["events_last_30"] == int(engaged)
    assert row["leaving_signals_last_90"] == int(signal == EventSignal.LEAVING)
    assert row["trouble_events_last_90"] == int(signal == EventSignal.TROUBLE)
    if engaged:
        assert row["last_engagement_at"] == naive(days_ago(5))
    else:
        assert pd.isna(row["last_engagement_at"])
    # last_active_date (200 days ago) is a date: midnight of that day.
    assert row["last_activity_at"] == (naive(days_ago(5)) if engaged else pd.Timestamp(days_ago(200).date()))


def test_an_undeclared_event_type_counts_nowhere() -> None:
    customer = make_customer()
    make_event(customer, event_type="loyalty_points_redeemed", event_time=days_ago(1))
    row = signals_of(customer.pk)
    assert (row["events_last_30"], row["leaving_signals_last_90"], row["trouble_events_last_90"]) == (0, 0, 0)
    assert pd.isna(row["last_engagement_at"])


def test_event_windows_count_back_from_as_of() -> None:
    customer = make_customer()
    make_event(customer, event_type="view", event_time=days_ago(40))
    make_event(customer, event_type="app.inactive", event_time=days_ago(89))
    make_event(customer, event_type="email.unsubscribe", event_time=days_ago(91))
    make_event(customer, event_type="order.delayed", event_time=days_ago(100))
    make_event(customer, event_type="view", event_time=NOW + dt.timedelta(hours=1))  # after as_of: unseen
    row = signals_of(customer.pk)
    assert (row["events_last_30"], row["leaving_signals_last_90"], row["trouble_events_last_90"]) == (0, 1, 0)
    assert row["last_engagement_at"] == naive(days_ago(40))


def test_payment_reliability_is_the_share_of_the_last_90_days_attempts_that_succeeded() -> None:
    customer = make_customer()
    order = make_order(customer, order_date=days_ago(100))
    for status, days in [("success", 10), ("success", 30), ("success", 80), ("failed", 20), ("pending", 5)]:
        make_payment(order, status=status, payment_date=days_ago(days))
    make_payment(order, status="failed", payment_date=days_ago(120))  # outside the window
    row = signals_of(customer.pk)
    assert (row["payments_last_90"], row["failed_payments_last_90"]) == (5, 1)
    assert row["payment_reliability_90"] == pytest.approx(3 / 5)


def test_payment_reliability_without_attempts_is_unknown() -> None:
    customer = make_customer()
    make_payment(make_order(customer, order_date=days_ago(200)), payment_date=days_ago(200))
    assert math.isnan(signals_of(customer.pk)["payment_reliability_90"])


def test_a_failed_or_cancelled_order_is_placed_but_is_neither_an_order_nor_spend_in_a_window() -> None:
    customer = make_customer()
    make_order(customer, order_date=days_ago(10), total_amount=Decimal("100"))  # paid
    make_order(customer, order_date=days_ago(20), total_amount=Decimal("40"), payment_status="pending")
    make_order(customer, order_date=days_ago(3), total_amount=Decimal("900"), payment_status="failed")
    make_order(customer, order_date=days_ago(30), total_amount=Decimal("500"), order_status="cancelled")
    make_order(customer, order_date=days_ago(120), total_amount=Decimal("70"))
    make_order(customer, order_date=days_ago(150), total_amount=Decimal("80"), payment_status="failed")
    row = signals_of(customer.pk)
    assert row["orders_total"] == 6
    assert (row["orders_last_90"], row["orders_prev_90"]) == (2, 1)
    assert (row["spend_last_90"], row["spend_prev_90"]) == (140.0, 70.0)
    assert row["last_order_at"] == naive(days_ago(3))  # placing an order is engagement, whatever became of it
    assert row["last_engagement_at"] == naive(days_ago(3))
