"""The Pattern stage: each named churn pattern, its evidence, and no pattern without its facts."""

from __future__ import annotations

import datetime as dt

from interventions.agents.patterns import patterns_find
from interventions.agents.types import Trigger
from tests.interventions.builders import AS_OF, context, nps, order, payment, profile, ticket


def found(ctx) -> dict[str, object]:
    return {pattern.name: pattern for pattern in patterns_find(ctx).patterns}


def test_a_healthy_story_shows_no_pattern() -> None:
    assert found(context()) == {}


def test_failed_payments_are_payment_trouble_with_ids_amounts_and_reasons() -> None:
    pattern = found(context(payments=(payment("P2", 5), payment("P1", 40))))["payment_trouble"]
    assert pattern.severity == "high"
    assert pattern.evidence[0] == "2 failed payments in the last 90 days."
    assert (
        "Payment P2 of $2,499.99 for order O300001 failed on 2025-10-04 (insufficient funds, card)." in pattern.evidence
    )
    assert {"P2", "P1", "O300001"} <= set(pattern.references)


def test_old_or_successful_payments_are_not_trouble() -> None:
    assert "payment_trouble" not in found(context(payments=(payment(days=120), payment("P2", status="success"))))


def test_a_long_silence_against_the_usual_gap_is_going_quiet() -> None:
    orders = (order("O3", 130), order("O2", 160), order("O1", 190))
    pattern = found(context(orders=orders, profile=profile(last_active_date=dt.date(2025, 7, 1))))["going_quiet"]
    assert pattern.evidence[0] == "No order for 130 days (usually every 30 days); the last was O3 on 2025-06-01."
    assert pattern.evidence[1] == "Last active 100 days ago (2025-07-01)."
    assert pattern.severity == "high"


def test_a_customer_who_buys_every_three_months_is_not_quiet_after_seventy_days() -> None:
    orders = (order("O3", 70), order("O2", 160), order("O1", 250))
    assert "going_quiet" not in found(context(orders=orders))


def test_unresolved_and_escalated_tickets_are_service_failures() -> None:
    tickets = (ticket("T2", 4, status="escalated", escalation=True, order_id="O300002"), ticket("T1", 30))
    pattern = found(context(tickets=tickets))["service_failures"]
    assert pattern.severity == "high"
    assert pattern.evidence[0] == (
        "Ticket T2 (delivery, high priority, escalated) about order O300002 has been escalated for 4 days."
    )
    assert pattern.references == ("T2", "T1")


def test_a_ticket_closed_with_low_satisfaction_is_a_service_failure() -> None:
    pattern = found(context(tickets=(ticket(status="closed", csat_score=1),)))["service_failures"]
    assert pattern.evidence == ("Ticket T700001 was closed with a satisfaction score of 1/5.",)


def test_a_detractor_answer_and_a_drop_are_falling_satisfaction() -> None:
    answers = (nps("S2", 5, 2, feedback_text="Slow delivery again"), nps("S1", 100, 9))
    pattern = found(context(nps=answers))["falling_satisfaction"]
    assert pattern.severity == "high"
    assert pattern.evidence == (
        'Latest NPS 2 (detractor) on 2025-10-04: "Slow delivery again"',
        "NPS fell from 9 to 2.",
    )


def test_a_complaint_is_falling_satisfaction_in_the_customers_words() -> None:
    complaint = Trigger(kind="demo", description="VIP complaint", category="COMPLAINT", customer_text="Third time!")
    pattern = found(context(trigger=complaint))["falling_satisfaction"]
    assert pattern.evidence[0] == 'The customer complained: "Third time!"'


def test_spending_down_by_more_than_a_quarter_is_a_spending_decline() -> None:
    orders = (order("O4", 30, total_amount=100.0), order("O2", 100, total_amount=300.0), order("O1", 150))
    pattern = found(context(orders=orders))["spending_decline"]
    assert "Spent $100.00 on 1 order in the last 90 days against $550.00 on 2 orders" in pattern.evidence[0]
    assert "(-82%)" in pattern.evidence[0]


def test_late_and_cancelled_orders_are_delivery_problems() -> None:
    late = order("O2", 20, delivery_delay_days=5.0)
    cancelled = order("O1", 40, order_status="cancelled")
    still_waiting = order("O3", 10, order_status="shipped", actual_delivery_date=None, delivery_delay_days=None)
    pattern = found(context(orders=(still_waiting, late, cancelled)))["delivery_problems"]
    assert pattern.references == ("O3", "O2", "O1")
    assert "Order O2 of $250.00 arrived 5 days late" in pattern.evidence[1]
    assert pattern.evidence[0].startswith("Order O3 of $250.00 is 5 days late")
    assert pattern.evidence[2] == "Order O1 of $250.00 was cancelled."


def test_patterns_come_most_severe_first() -> None:
    ctx = context(payments=(payment(days=60),), tickets=(ticket(status="escalated", escalation=True),))
    names = [pattern.name for pattern in patterns_find(ctx).patterns]
    assert names[0] == "service_failures"  # high beats the medium payment trouble
    assert "payment_trouble" in names


def test_nothing_after_as_of_matters_for_a_window() -> None:
    ctx = context(as_of=AS_OF, payments=(payment(days=91),))
    assert "payment_trouble" not in found(ctx)


def test_no_orders_at_all_in_the_last_quarter_is_said_plainly() -> None:
    orders = (order("O2", 100, total_amount=300.0), order("O1", 150))
    pattern = found(context(orders=orders))["spending_decline"]
    assert pattern.evidence == ("No orders in the last 90 days, against $550.00 on 2 orders in the 90 days before.",)
