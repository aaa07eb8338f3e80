"""The event semantics table: it declares every event type ProCX knows, once, and nothing else
decides what an event means for the customer's signals."""

from __future__ import annotations

import pytest

from customers.dataset import BROWSING_EVENT_TYPES
from customers.event_semantics import (
    EVENT_SIGNALS,
    WORKBOOK_ACTIVITY_TYPES,
    EventSignal,
    event_signal,
    event_types_with,
)
from events.webhook_types import CANONICAL_TYPES


def test_the_table_covers_exactly_every_canonical_type_and_the_workbook_activity_types() -> None:
    assert len(CANONICAL_TYPES) == 25
    assert set(EVENT_SIGNALS) == set(CANONICAL_TYPES) | set(WORKBOOK_ACTIVITY_TYPES)
    assert len(EVENT_SIGNALS) == 25 + len(WORKBOOK_ACTIVITY_TYPES)


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


def test_canonical_types_expose_their_signal() -> None:
    assert CANONICAL_TYPES["payment.failed"].signal == EventSignal.TROUBLE
    assert CANONICAL_TYPES["order.delivered"].signal == EventSignal.NEUTRAL
