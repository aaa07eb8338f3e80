"""Finding descriptions: each statement is made exactly when the data supports it, with the real numbers."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest

from customers.behaviour import SIGNAL_COLUMNS
from customers.descriptions import (
    CONTEXT_KEYS,
    PATTERN_KEYS,
    PATTERN_PHRASES,
    SIGNAL_WEIGHTS,
    SIMILAR_MIN_CUSTOMERS,
    Signal,
    finding_description,
    finding_signals,
    pattern_matches,
    pattern_outcomes,
    segment_customer_label,
    segment_order_gap_medians,
)

AS_OF = pd.Timestamp("2025-10-09 12:00:00")
MEDIANS = {"VIP": 12.0, "Loyal": 20.0, "Regular": 30.0, "Occasional": 45.0}
ABSENT = object()  # marks a key to leave out of the row altogether
MISSING_VALUES = [math.nan, None, pd.NaT, pd.NA, ABSENT]
UNTRUE_TEXT = re.compile(r"\bnan\b|\bNone\b|\bNaT\b|\binf\b|<NA>|[-\N{MINUS SIGN}]0 %", re.IGNORECASE)


def days_ago(days: float) -> pd.Timestamp:
    return AS_OF - pd.Timedelta(days=days)


def signals_row(**overrides: object) -> dict[str, object]:
    """A healthy, active VIP: on its own it makes no statement but health."""
    row: dict[str, object] = {
        "segment": "VIP",
        "loyalty_tier": "Gold",
        "lifetime_value": 45_230.0,
        "signup_date": days_ago(900),
        "last_active_date": days_ago(2),
        "last_activity_at": days_ago(2),
        "last_engagement_at": days_ago(2),
        "orders_total": 40,
        "orders_last_90": 6,
        "orders_prev_90": 6,
        "spend_last_90": 1_200.0,
        "spend_prev_90": 1_200.0,
        "last_order_at": days_ago(10),
        "tickets_last_90": 1,
        "unresolved_tickets": 0,
        "mean_ticket_sentiment": 0.3,
        "mean_csat": 4.5,
        "latest_nps": 9.0,
        "previous_nps": 9.0,
        "payments_last_30": 2,
        "failed_payments_last_30": 0,
        "payments_last_90": 6,
        "failed_payments_last_90": 0,
        "payment_reliability_90": 1.0,
        "events_last_30": 12,
        "leaving_signals_last_90": 0,
        "trouble_events_last_90": 0,
        "churn_label": math.nan,
    }
    row.update(overrides)
    return {key: value for key, value in row.items() if value is not ABSENT}


def signals_for(row: Mapping[str, object], *, medians: Mapping[str, float] = MEDIANS, **context: Any) -> list[Signal]:
    """finding_signals for `row` at AS_OF; `context` passes the optional arguments."""
    return finding_signals(
        signals_row=row,
        health_score=41.0,
        health_band="critical",
        churn_risk=0.78,
        as_of=AS_OF,
        segment_medians=medians,
        **context,
    )


def statements(row: Mapping[str, object], *, medians: Mapping[str, float] = MEDIANS, **context: Any) -> dict[str, str]:
    """key -> text of every statement but health."""
    found = signals_for(row, medians=medians, **context)
    return {signal.key: signal.text for signal in found if signal.key != "health"}


def describe(row: dict[str, object], *, churn_risk: float = 0.78, **context: Any) -> str:
    return finding_description(
        customer_label="High-value customer",
        lifetime_value=row.get("lifetime_value"),  # type: ignore[arg-type]  # missing on purpose in some tests
        signals=signals_for(row, **context),
        churn_risk=churn_risk,
        risk_source="churn model, AUC 0.78",
    )


def assert_statement(found: dict[str, str], keys: tuple[str, ...], key: str, text: str | None) -> None:
    """`key` says `text` when text is given, is absent otherwise; the group's other keys are absent."""
    if text is None:
        assert not set(keys) & found.keys(), found
    else:
        assert found.get(key) == text, found
        assert not (set(keys) - {key}) & found.keys(), found


def test_the_healthy_row_states_only_its_health() -> None:
    assert [signal.text for signal in signals_for(signals_row())] == ["health 41/100 (critical)"]


def test_the_row_helper_covers_every_signals_column() -> None:
    assert set(SIGNAL_COLUMNS) <= set(signals_row())


PAYMENT_KEYS = ("failed_payments_last_30", "payment_reliability", "failed_payments_last_90")


# Without the number of attempts there is no reliability to give: the failure counts alone.
@pytest.mark.parametrize(
    ("failed_last_30", "failed_last_90", "key", "text"),
    [
        (0, 0, "", None),
        (math.nan, math.nan, "", None),
        (1, 1, "failed_payments_last_30", "1 failed payment in the last 30 days"),
        (3, 3, "failed_payments_last_30", "3 failed payments in the last 30 days"),
        (2, 5, "failed_payments_last_30", "2 failed payments in the last 30 days"),
        (0, 1, "failed_payments_last_90", "1 failed payment in the last 90 days"),
        (0, 4, "failed_payments_last_90", "4 failed payments in the last 90 days"),
        (math.nan, 2, "failed_payments_last_90", "2 failed payments in the last 90 days"),
    ],
)
def test_failed_payments_are_stated_exactly_when_there_were_some(
    failed_last_30: float, failed_last_90: float, key: str, text: str | None
) -> None:
    row = signals_row(
        failed_payments_last_30=failed_last_30, failed_payments_last_90=failed_last_90, payments_last_90=math.nan
    )
    assert_statement(statements(row), PAYMENT_KEYS, key, text)


@pytest.mark.parametrize(
    ("attempts", "failed_last_90", "failed_last_30", "key", "text"),
    [
        (7, 2, 0, "payment_reliability", "payment reliability 71 % over 90 days (2 of 7 payments failed)"),
        (6, 1, math.nan, "payment_reliability", "payment reliability 83 % over 90 days (1 of 6 payments failed)"),
        (3, 2, 0, "payment_reliability", "payment reliability 33 % over 90 days (2 of 3 payments failed)"),
        (200, 1, 0, "payment_reliability", "payment reliability 99 % over 90 days (1 of 200 payments failed)"),
        (300, 299, 0, "payment_reliability", "payment reliability 1 % over 90 days (299 of 300 payments failed)"),
        (3, 3, 0, "payment_reliability", "payment reliability 0 % over 90 days (3 of 3 payments failed)"),
        (1, 1, 0, "payment_reliability", "payment reliability 0 % over 90 days (1 of 1 payment failed)"),
        # failures in the last 30 days lead, the reliability joins them as one statement
        (
            7,
            2,
            1,
            "failed_payments_last_30",
            "1 failed payment in the last 30 days, payment reliability 71 % over 90 days (2 of 7 payments failed)",
        ),
        # fewer attempts than failures, or none known: no reliability, the counts as before
        (2, 3, 0, "failed_payments_last_90", "3 failed payments in the last 90 days"),
        (0, 1, 0, "failed_payments_last_90", "1 failed payment in the last 90 days"),
        (math.nan, 2, 0, "failed_payments_last_90", "2 failed payments in the last 90 days"),
        (2, 3, 1, "failed_payments_last_30", "1 failed payment in the last 30 days"),
        # no failure in 90 days: reliability is not a distress signal
        (7, 0, 0, "", None),
        (7, math.nan, 0, "", None),
        (math.nan, math.nan, 0, "", None),
    ],
)
def test_payment_reliability_is_stated_after_a_failure_from_the_counts(
    attempts: float, failed_last_90: float, failed_last_30: float, key: str, text: str | None
) -> None:
    row = signals_row(
        payments_last_90=attempts,
        failed_payments_last_90=failed_last_90,
        failed_payments_last_30=failed_last_30,
        payment_reliability_90=0.5,  # read from the counts, never from this column
    )
    assert_statement(statements(row), PAYMENT_KEYS, key, text)


NPS_KEYS = ("nps_drop", "nps_detractor")


@pytest.mark.parametrize(
    ("previous", "latest", "key", "text"),
    [
        (9.0, 9.0, "", None),  # equal
        (4.0, 9.0, "", None),  # up
        (9.0, 4.0, "nps_drop", "NPS dropped from 9 to 4"),  # down into detractor: the drop says it
        (9.0, 8.0, "", None),  # a one-point dip among promoters and passives is noise
        (8.0, 7.0, "", None),
        (8.5, 7.0, "", None),
        (10.0, 8.0, "nps_drop", "NPS dropped from 10 to 8"),  # two points
        (9.0, 7.0, "nps_drop", "NPS dropped from 9 to 7"),
        (8.5, 6.5, "nps_drop", "NPS dropped from 8.5 to 6.5"),
        (7.0, 6.0, "nps_drop", "NPS dropped from 7 to 6"),  # one point, but into detractor territory
        (6.5, 6.0, "nps_drop", "NPS dropped from 6.5 to 6"),
        (6.0, 5.0, "nps_detractor", "latest NPS 5 (detractor)"),  # already a detractor: not a drop into it
        (6.0, 4.0, "nps_drop", "NPS dropped from 6 to 4"),
        (math.nan, 6.0, "nps_detractor", "latest NPS 6 (detractor)"),
        (math.nan, 7.0, "", None),
        (3.0, 3.0, "nps_detractor", "latest NPS 3 (detractor)"),
        (1.0, 3.0, "nps_detractor", "latest NPS 3 (detractor)"),
        (9.0, math.nan, "", None),
        (math.nan, math.nan, "", None),
    ],
)
def test_nps_statements_follow_the_answers(previous: float, latest: float, key: str, text: str | None) -> None:
    row = signals_row(previous_nps=previous, latest_nps=latest)
    assert_statement(statements(row), NPS_KEYS, key, text)


PURCHASE_KEYS = ("last_purchase_unusual", "no_recent_purchase", "never_ordered")


@pytest.mark.parametrize(
    ("segment", "last_order_at", "orders_total", "key", "text"),
    [
        ("Loyal", days_ago(40), 9, "", None),  # exactly twice the median of 20: not more
        (
            "Loyal",
            days_ago(41),
            9,
            "last_purchase_unusual",
            "last purchase 41 days ago, unusual for a Loyal customer (segment median 20 days)",
        ),
        ("VIP", days_ago(29), 9, "", None),  # over twice the median of 12, but under 30 days
        (
            "VIP",
            days_ago(30),
            9,
            "last_purchase_unusual",
            "last purchase 30 days ago, unusual for a VIP (segment median 12 days)",
        ),
        (
            "VIP",
            days_ago(45.9),  # days are rounded down
            9,
            "last_purchase_unusual",
            "last purchase 45 days ago, unusual for a VIP (segment median 12 days)",
        ),
        ("Occasional", days_ago(59), 9, "", None),
        ("Occasional", days_ago(60), 9, "no_recent_purchase", "no purchase in 60 days"),
        (
            "Occasional",
            days_ago(91),
            9,
            "last_purchase_unusual",
            "last purchase 91 days ago, unusual for an Occasional customer (segment median 45 days)",
        ),
        (math.nan, days_ago(59), 9, "", None),
        (math.nan, days_ago(120), 9, "no_recent_purchase", "no purchase in 120 days"),
        ("Platinum", days_ago(75), 9, "no_recent_purchase", "no purchase in 75 days"),  # no median for it
        ("VIP", pd.NaT, 0, "never_ordered", "never ordered"),
        ("VIP", pd.NaT, math.nan, "never_ordered", "never ordered"),
        ("VIP", pd.NaT, 3, "", None),  # inconsistent data: say nothing rather than guess
    ],
)
def test_purchase_statements_compare_with_the_segment_median(
    segment: object, last_order_at: object, orders_total: float, key: str, text: str | None
) -> None:
    row = signals_row(segment=segment, last_order_at=last_order_at, orders_total=orders_total)
    assert_statement(statements(row), PURCHASE_KEYS, key, text)


def test_a_fractional_segment_median_is_shown_as_it_is() -> None:
    row = signals_row(last_order_at=days_ago(40))
    found = statements(row, medians={"VIP": 12.5})
    assert found["last_purchase_unusual"] == "last purchase 40 days ago, unusual for a VIP (segment median 12.5 days)"


@pytest.mark.parametrize(
    ("unresolved", "text"),
    [
        (0, None),
        (math.nan, None),
        (1, "1 unresolved support ticket"),
        (2, "2 unresolved support tickets"),
    ],
)
def test_unresolved_tickets_are_counted_with_the_right_plural(unresolved: float, text: str | None) -> None:
    assert_statement(
        statements(signals_row(unresolved_tickets=unresolved)), ("unresolved_tickets",), "unresolved_tickets", text
    )


ORDER_KEYS = ("order_frequency_down", "orders_stopped")


@pytest.mark.parametrize(
    ("previous", "last", "key", "text"),
    [
        (4, 3, "order_frequency_down", "order frequency down 25 % against the previous 3 months"),
        (25, 19, "", None),  # 24 %
        (5, 2, "order_frequency_down", "order frequency down 60 % against the previous 3 months"),
        (8, 5, "order_frequency_down", "order frequency down 38 % against the previous 3 months"),  # 37.5 half up
        (3, 2, "order_frequency_down", "order frequency down 33 % against the previous 3 months"),
        (2, 1, "order_frequency_down", "order frequency down 50 % against the previous 3 months"),
        (1, 1, "", None),
        (3, 5, "", None),
        (0, 0, "", None),
        (1, 0, "orders_stopped", "no orders in the last 3 months, after 1 in the 3 months before"),
        (4, 0, "orders_stopped", "no orders in the last 3 months, after 4 in the 3 months before"),
        (4, math.nan, "", None),
        (math.nan, 0, "", None),
    ],
)
def test_order_frequency_is_compared_with_the_previous_three_months(
    previous: float, last: float, key: str, text: str | None
) -> None:
    row = signals_row(orders_prev_90=previous, orders_last_90=last)
    assert_statement(statements(row), ORDER_KEYS, key, text)


@pytest.mark.parametrize(
    ("previous", "last", "text"),
    [
        (1_000.0, 750.0, "spending down 25 % against the previous 3 months"),
        (1_000.0, 760.0, None),
        (1_000.0, 550.0, "spending down 45 % against the previous 3 months"),
        (1_000.0, 1_500.0, None),
        (0.0, 0.0, None),
        (0.0, 300.0, None),
        (math.nan, 100.0, None),
        (1_000.0, math.nan, None),
    ],
)
def test_spending_decline_is_stated_from_a_quarter_down(previous: float, last: float, text: str | None) -> None:
    row = signals_row(spend_prev_90=previous, spend_last_90=last)
    assert_statement(statements(row), ("spending_down",), "spending_down", text)


def test_spending_is_not_repeated_when_orders_stopped_altogether() -> None:
    row = signals_row(orders_prev_90=4, orders_last_90=0, spend_prev_90=800.0, spend_last_90=0.0)
    found = statements(row)
    assert "orders_stopped" in found
    assert "spending_down" not in found


def test_spending_down_all_the_way_is_stated_when_orders_did_not_stop() -> None:
    # orders placed but all cancelled: spend (which excludes cancelled orders) fell to nothing
    row = signals_row(orders_prev_90=4, orders_last_90=1, spend_prev_90=800.0, spend_last_90=0.0)
    found = statements(row)
    assert found["spending_down"] == "spending down 100 % against the previous 3 months"
    assert found["order_frequency_down"] == "order frequency down 75 % against the previous 3 months"


@pytest.mark.parametrize(
    ("overrides", "key", "text"),
    [
        ({"mean_csat": 2.6}, "low_satisfaction", None),
        ({"mean_csat": 2.5}, "low_satisfaction", "support satisfaction 2.5/5 on average"),
        ({"mean_csat": 1.8}, "low_satisfaction", "support satisfaction 1.8/5 on average"),
        ({"mean_csat": math.nan}, "low_satisfaction", None),
        ({"mean_ticket_sentiment": -0.39}, "negative_sentiment", None),
        ({"mean_ticket_sentiment": -0.4}, "negative_sentiment", "tickets read negative (sentiment \N{MINUS SIGN}0.40)"),
        (
            {"mean_ticket_sentiment": -0.62},
            "negative_sentiment",
            "tickets read negative (sentiment \N{MINUS SIGN}0.62)",
        ),
        ({"mean_ticket_sentiment": math.nan}, "negative_sentiment", None),
        ({"tickets_last_90": 2}, "many_tickets", None),
        ({"tickets_last_90": 3}, "many_tickets", "3 support tickets in the last 90 days"),
        ({"tickets_last_90": 6}, "many_tickets", "6 support tickets in the last 90 days"),
    ],
)
def test_support_statements_need_their_threshold(overrides: dict[str, object], key: str, text: str | None) -> None:
    assert_statement(statements(signals_row(**overrides)), (key,), key, text)


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"last_activity_at": days_ago(29)}, None),
        # Occasional median 45: a purchase 30 days ago is not unusual, so nothing said it yet
        (
            {"segment": "Occasional", "last_order_at": days_ago(30), "last_activity_at": days_ago(30)},
            "no activity for 30 days",
        ),
        # the last thing the customer did was the purchase the description already names
        ({"last_order_at": days_ago(75), "last_activity_at": days_ago(75)}, None),
        # active after that purchase, but not for 40 days: both are news
        ({"last_order_at": days_ago(75), "last_activity_at": days_ago(40)}, "no activity for 40 days"),
        ({"last_order_at": pd.NaT, "orders_total": 0, "last_activity_at": days_ago(75)}, "no activity for 75 days"),
        ({"last_activity_at": pd.NaT}, None),
    ],
)
def test_going_quiet_is_stated_unless_a_purchase_statement_said_as_much(
    overrides: dict[str, object], text: str | None
) -> None:
    assert_statement(statements(signals_row(**overrides)), ("inactive",), "inactive", text)


def distressed_row(**overrides: object) -> dict[str, object]:
    """Every statement a customer can show at once (one of each exclusive pair)."""
    distress: dict[str, object] = {
        "failed_payments_last_30": 3,
        "failed_payments_last_90": 4,
        "previous_nps": 9.0,
        "latest_nps": 4.0,
        "last_order_at": days_ago(75),
        "last_activity_at": days_ago(40),
        "unresolved_tickets": 2,
        "orders_prev_90": 5,
        "orders_last_90": 2,
        "spend_prev_90": 1_000.0,
        "spend_last_90": 300.0,
        "mean_csat": 1.8,
        "mean_ticket_sentiment": -0.62,
        "tickets_last_90": 6,
    }
    return signals_row(**(distress | overrides))


def test_statements_come_health_first_then_by_weight() -> None:
    keys = [signal.key for signal in signals_for(distressed_row())]
    assert keys == [
        "health",
        "failed_payments_last_30",
        "nps_drop",
        "last_purchase_unusual",
        "unresolved_tickets",
        "order_frequency_down",
        "spending_down",
        "low_satisfaction",
        "negative_sentiment",
        "inactive",
        "many_tickets",
    ]
    weights = [signal.weight for signal in signals_for(distressed_row())]
    assert weights == sorted(weights, reverse=True)
    assert weights == [SIGNAL_WEIGHTS[key] for key in keys]


def the_issue_customer() -> dict[str, object]:
    return signals_row(
        failed_payments_last_30=3,
        failed_payments_last_90=3,
        previous_nps=9.0,
        latest_nps=4.0,
        last_order_at=days_ago(45),
        last_activity_at=days_ago(5),
        unresolved_tickets=2,
        orders_prev_90=5,
        orders_last_90=2,
    )


def test_the_issue_customer_is_described_in_order_of_importance() -> None:
    description = describe(the_issue_customer())
    expected_in_order = [
        "health 41/100 (critical)",
        "3 failed payments in the last 30 days",
        "NPS dropped from 9 to 4",
        "last purchase 45 days ago, unusual for a VIP (segment median 12 days)",
        "2 unresolved support tickets",
        "order frequency down 60 % against the previous 3 months",
    ]
    positions = [description.index(text) for text in expected_in_order]
    assert positions == sorted(positions)
    assert description == (
        "High-value customer (LTV $45,230.00) showing distress signals: health 41/100 (critical); "
        "3 failed payments in the last 30 days, payment reliability 50 % over 90 days "
        "(3 of 6 payments failed); NPS dropped from 9 to 4; "
        "last purchase 45 days ago, unusual for a VIP (segment median 12 days); "
        "2 unresolved support tickets; order frequency down 60 % against the previous 3 months. "
        "Churn risk 78 % (risk source: churn model, AUC 0.78)."
    )


def test_a_row_from_the_signals_frame_reads_like_a_dict() -> None:
    frame = pd.DataFrame(
        [the_issue_customer(), signals_row()], index=pd.Index(["C100001", "C100002"], name="customer_id")
    )
    from_frame = signals_for(frame.loc["C100001"])  # type: ignore[arg-type]
    assert from_frame == signals_for(the_issue_customer())


def test_a_customer_without_failed_payments_is_never_said_to_have_them() -> None:
    other_distress = [{}, {"last_order_at": days_ago(75)}, {"unresolved_tickets": 3}, {"latest_nps": 2.0}]
    for no_failures, payments, other in itertools.product(
        [0, math.nan, None, ABSENT], [0, 5, math.nan, ABSENT], other_distress
    ):
        row = distressed_row(
            failed_payments_last_30=no_failures,
            failed_payments_last_90=no_failures,
            payments_last_30=payments,
            payments_last_90=payments,
            **other,
        )
        description = describe(row)
        assert "failed payment" not in description, row
        assert not {"failed_payments_last_30", "failed_payments_last_90"} & statements(row).keys()


def test_missing_values_never_reach_the_text() -> None:
    columns = [column for column in SIGNAL_COLUMNS if column != "churn_label"]
    rows = [distressed_row(), signals_row()]
    for column, missing in itertools.product(columns, MISSING_VALUES):
        rows += [distressed_row(**{column: missing}), signals_row(**{column: missing})]
    for first, second in itertools.combinations(columns, 2):
        rows.append(distressed_row(**{first: math.nan, second: ABSENT}))
    for missing in MISSING_VALUES:
        rows.append({column: missing for column in columns if missing is not ABSENT})
    rows.append({column: math.inf for column in columns if column not in {"segment", "loyalty_tier"}})
    context = {
        "ltv_percentile": 0.9,
        "pattern_outcomes": dict.fromkeys(PATTERN_KEYS, (100, 40)),
        "outcome_horizon_days": 90,
    }
    for row in rows:
        for description in [describe(row), describe(row, **context)]:
            assert not UNTRUE_TEXT.search(description), (row, description)
            assert description.endswith("Churn risk 78 % (risk source: churn model, AUC 0.78).")


def test_health_alone_says_no_single_signal_stands_out() -> None:
    signals = finding_signals(
        signals_row=signals_row(),
        health_score=52.4,
        health_band="poor",
        churn_risk=0.31,
        as_of=AS_OF,
        segment_medians=MEDIANS,
    )
    description = finding_description(
        customer_label="VIP customer",
        lifetime_value=1_234_567.891,
        signals=signals,
        churn_risk=0.31,
        risk_source="health score",
    )
    assert description == (
        "VIP customer (LTV $1,234,567.89) showing distress signals: health 52/100 (poor); "
        "no single signal stands out. Churn risk 31 % (risk source: health score)."
    )


@pytest.mark.parametrize(
    ("ltv_percentile", "text"),
    [
        (0.85, "top 15 % by lifetime value"),
        (0.851, "top 15 % by lifetime value"),  # 14.9 % have more: within the top 15 %, not the top 14 %
        (0.86, "top 14 % by lifetime value"),
        (0.5, "top 50 % by lifetime value"),
        (0.999, "top 1 % by lifetime value"),
        (1.0, "top 1 % by lifetime value"),  # nobody has more: the top 1 %, never "top 0 %"
        (0.49, None),  # the lower half: "top 51 %" would flatter
        (0.0, None),
        (math.nan, None),
        (None, None),
        (pd.NA, None),
    ],
)
def test_the_lifetime_value_percentile_is_stated_for_the_upper_half(
    ltv_percentile: float | None, text: str | None
) -> None:
    found = statements(signals_row(), ltv_percentile=ltv_percentile)
    assert_statement(found, ("ltv_percentile",), "ltv_percentile", text)


@pytest.mark.parametrize("ltv_percentile", [-0.01, 1.01, math.inf, "high"])
def test_it_rejects_a_lifetime_value_percentile_out_of_range(ltv_percentile: object) -> None:
    with pytest.raises(ValueError, match="ltv_percentile"):
        signals_for(signals_row(), ltv_percentile=ltv_percentile)


def test_the_lifetime_value_percentile_opens_the_paragraph_with_the_ltv() -> None:
    description = describe(the_issue_customer(), ltv_percentile=0.98)
    assert description.startswith(
        "High-value customer (LTV $45,230.00, top 2 % by lifetime value) showing distress signals: "
        "health 41/100 (critical); 3 failed payments"
    )
    assert description.count("top 2 %") == 1


def test_the_lifetime_value_percentile_is_not_a_distress_signal() -> None:
    description = describe(signals_row(), ltv_percentile=0.9)
    assert description == (
        "High-value customer (LTV $45,230.00, top 10 % by lifetime value) showing distress signals: "
        "health 41/100 (critical); no single signal stands out. Churn risk 78 % (risk source: churn model, AUC 0.78)."
    )


@pytest.mark.parametrize(
    ("lifetime_value", "segment", "segment_mean_ltv", "opening"),
    [
        (7_963.87, "VIP", 3_790.0, "VIP customer (LTV $7,963.87, 2.1 times the VIP average of $3,790.00)"),
        (7_580.0, "VIP", 3_790.0, "VIP customer (LTV $7,580.00, 2 times the VIP average of $3,790.00)"),
        (3_979.5, "VIP", 3_790.0, "VIP customer (LTV $3,979.50, 1.1 times the VIP average of $3,790.00)"),  # 1.05
        (3_900.0, "VIP", 3_790.0, "VIP customer (LTV $3,900.00, about the VIP average of $3,790.00)"),
        (3_600.5, "VIP", 3_790.0, "VIP customer (LTV $3,600.50, about the VIP average of $3,790.00)"),  # 0.95
        (1_895.0, "VIP", 3_790.0, "VIP customer (LTV $1,895.00, 50 % of the VIP average of $3,790.00)"),
        (1.0, "VIP", 3_790.0, "VIP customer (LTV $1.00, under 1 % of the VIP average of $3,790.00)"),
        (0.0, "VIP", 3_790.0, "VIP customer (LTV $0.00, 0 % of the VIP average of $3,790.00)"),
        (7_963.87, None, 3_790.0, "VIP customer (LTV $7,963.87, 2.1 times the segment average of $3,790.00)"),
        (7_963.87, math.nan, 3_790.0, "VIP customer (LTV $7,963.87, 2.1 times the segment average of $3,790.00)"),
        # no comparison without the data, or against a mean or value that cannot be compared
        (7_963.87, "VIP", None, "VIP customer (LTV $7,963.87)"),
        (7_963.87, "VIP", math.nan, "VIP customer (LTV $7,963.87)"),
        (7_963.87, "VIP", 0.0, "VIP customer (LTV $7,963.87)"),
        (7_963.87, "VIP", -10.0, "VIP customer (LTV $7,963.87)"),
        (-50.0, "VIP", 3_790.0, "VIP customer (LTV \N{MINUS SIGN}$50.00)"),
        (math.nan, "VIP", 3_790.0, "VIP customer"),
    ],
)
def test_the_opening_compares_the_ltv_with_the_segment_average(
    lifetime_value: float, segment: object, segment_mean_ltv: float | None, opening: str
) -> None:
    description = finding_description(
        customer_label="VIP customer",
        lifetime_value=lifetime_value,
        signals=signals_for(signals_row()),
        churn_risk=0.5,
        risk_source="churn model",
        segment=segment,
        segment_mean_ltv=segment_mean_ltv,
    )
    assert description.startswith(f"{opening} showing distress signals: health 41/100 (critical);"), description


def order_decline_row(**overrides: object) -> dict[str, object]:
    """Order frequency down 60 % and an unresolved ticket, nothing else."""
    return signals_row(**({"orders_prev_90": 5, "orders_last_90": 2, "unresolved_tickets": 1} | overrides))


SIMILAR_ORDER_DECLINE = (
    "similar customers churned: 34 of 52 labelled customers whose order frequency fell by a quarter or more "
    "churned within 90 days"
)


@pytest.mark.parametrize(
    ("outcomes", "horizon_days", "text"),
    [
        # the highest-weighted signal with enough labelled customers: unresolved tickets have too few
        ({"unresolved_tickets": (29, 25), "order_frequency_down": (52, 34)}, 90, SIMILAR_ORDER_DECLINE),
        (
            {"unresolved_tickets": (30, 3), "order_frequency_down": (52, 34)},
            90,
            "similar customers churned: 3 of 30 labelled customers with an unresolved support ticket "
            "churned within 90 days",
        ),
        (
            {"order_frequency_down": (52, 0)},
            30,
            "similar customers churned: 0 of 52 labelled customers whose order frequency fell by a quarter or more "
            "churned within 30 days",
        ),
        (
            {"order_frequency_down": (52, 34)},
            None,
            "similar customers churned: 34 of 52 labelled customers whose order frequency fell by a quarter or more "
            "churned",
        ),
        (
            {"order_frequency_down": (52, 34)},
            1,
            "similar customers churned: 34 of 52 labelled customers whose order frequency fell by a quarter or more "
            "churned within 1 day",
        ),
        # a pattern this customer does not show says nothing about them
        ({"nps_drop": (500, 400), "order_frequency_down": (29, 20)}, 90, None),
        ({}, 90, None),
        (None, 90, None),
    ],
)
def test_similar_customers_are_counted_for_the_strongest_signal_with_enough_of_them(
    outcomes: dict[str, tuple[int, int]] | None, horizon_days: int | None, text: str | None
) -> None:
    found = signals_for(order_decline_row(), pattern_outcomes=outcomes, outcome_horizon_days=horizon_days)
    similar = [signal.text for signal in found if signal.key == "similar_customers_churned"]
    assert similar == ([text] if text else [])
    if text:
        assert found[-1].key == "similar_customers_churned"  # context, after the signals


def test_a_healthy_customer_has_no_similar_customers() -> None:
    outcomes = dict.fromkeys(PATTERN_KEYS, (1_000, 600))
    found = statements(signals_row(), pattern_outcomes=outcomes, outcome_horizon_days=90)
    assert found == {}


def test_the_similar_customers_statement_closes_the_paragraph() -> None:
    description = describe(
        order_decline_row(), pattern_outcomes={"order_frequency_down": (52, 34)}, outcome_horizon_days=90
    )
    assert description.endswith(
        f"1 unresolved support ticket; order frequency down 60 % against the previous 3 months; "
        f"{SIMILAR_ORDER_DECLINE}. Churn risk 78 % (risk source: churn model, AUC 0.78)."
    )


@pytest.mark.parametrize(
    ("outcomes", "horizon_days", "message"),
    [
        ({"order_frequency_down": (30, 31)}, 90, "pattern_outcomes"),
        ({"order_frequency_down": (52, -1)}, 90, "pattern_outcomes"),
        ({"order_frequency_down": (52.0, 34.0)}, 90, "pattern_outcomes"),
        ({"order_frequency_down": (52, 34)}, 0, "outcome_horizon_days"),
        ({"order_frequency_down": (52, 34)}, 90.5, "outcome_horizon_days"),
    ],
)
def test_it_rejects_outcome_counts_or_a_horizon_that_cannot_be(
    outcomes: dict[str, tuple[int, int]], horizon_days: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        signals_for(order_decline_row(), pattern_outcomes=outcomes, outcome_horizon_days=horizon_days)


def test_every_distress_signal_has_a_phrase_for_similar_customers() -> None:
    assert set(PATTERN_PHRASES) == set(PATTERN_KEYS)
    assert set(PATTERN_KEYS) | CONTEXT_KEYS == set(SIGNAL_WEIGHTS)
    assert min(SIGNAL_WEIGHTS[key] for key in PATTERN_KEYS) > SIGNAL_WEIGHTS["similar_customers_churned"]


@pytest.mark.parametrize(
    ("lifetime_value", "currency", "shown"),
    [
        (45_230.0, "USD", "(LTV $45,230.00)"),
        (0.125, "USD", "(LTV $0.13)"),
        (1.005, "USD", "(LTV $1.01)"),  # 100.49999... cents in binary
        (-0.001, "USD", "(LTV $0.00)"),
        (-1_500.5, "EUR", "(LTV \N{MINUS SIGN}\N{EURO SIGN}1,500.50)"),
    ],
)
def test_money_has_separators_and_two_decimals(lifetime_value: float, currency: str, shown: str) -> None:
    description = finding_description(
        customer_label="Customer",
        lifetime_value=lifetime_value,
        currency=currency,
        signals=signals_for(signals_row()),
        churn_risk=0.5,
        risk_source="churn model",
    )
    assert shown in description


def test_a_missing_lifetime_value_is_left_out() -> None:
    description = finding_description(
        customer_label="Customer", lifetime_value=math.nan, signals=[], churn_risk=0.5, risk_source="churn model"
    )
    assert description == (
        "Customer showing distress signals: no single signal stands out. Churn risk 50 % (risk source: churn model)."
    )


@pytest.mark.parametrize(
    ("churn_risk", "shown"), [(0.0, "0 %"), (0.004, "0 %"), (0.285, "29 %"), (0.995, "100 %"), (1.0, "100 %")]
)
def test_churn_risk_is_a_whole_percentage(churn_risk: float, shown: str) -> None:
    description = finding_description(
        customer_label="Customer", lifetime_value=10.0, signals=[], churn_risk=churn_risk, risk_source="churn model"
    )
    assert f"Churn risk {shown} (risk source: churn model)." in description


@pytest.mark.parametrize(
    ("health_score", "churn_risk"),
    [(math.nan, 0.5), (-1.0, 0.5), (100.5, 0.5), (50.0, math.nan), (50.0, -0.01), (50.0, 1.01), (50.0, math.inf)],
)
def test_it_rejects_a_health_score_or_churn_risk_out_of_range(health_score: float, churn_risk: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        finding_signals(
            signals_row=signals_row(),
            health_score=health_score,
            health_band="critical",
            churn_risk=churn_risk,
            as_of=AS_OF,
            segment_medians=MEDIANS,
        )


@pytest.mark.parametrize("churn_risk", [math.nan, -0.5, 1.5])
def test_the_description_rejects_a_churn_risk_out_of_range(churn_risk: float) -> None:
    with pytest.raises(ValueError, match="churn_risk"):
        finding_description(
            customer_label="Customer", lifetime_value=10.0, signals=[], churn_risk=churn_risk, risk_source="churn model"
        )


@pytest.mark.parametrize(
    ("segment", "label"),
    [("VIP", "VIP customer"), ("Occasional", "Occasional customer"), (math.nan, "Customer"), (None, "Customer")],
)
def test_segment_customer_label(segment: object, label: str) -> None:
    assert segment_customer_label(segment) == label


def test_segment_order_gap_medians_count_only_customers_who_ordered() -> None:
    frame = pd.DataFrame(
        {
            "segment": pd.Categorical(
                ["VIP", "VIP", "Loyal", "Loyal", "Loyal", "Occasional", None],
                categories=["VIP", "Loyal", "Regular", "Occasional"],
            ),
            "last_order_at": [
                days_ago(10.9),  # rounded down to 10
                days_ago(14),
                days_ago(20),
                days_ago(30),
                pd.NaT,  # never ordered: not a zero-day gap, not counted
                pd.NaT,
                days_ago(5),  # no segment
            ],
        }
    )
    assert segment_order_gap_medians(frame, as_of=AS_OF) == {"VIP": 12.0, "Loyal": 25.0}


def test_segment_order_gap_medians_of_an_empty_table() -> None:
    frame = pd.DataFrame(
        {"segment": pd.Series([], dtype=object), "last_order_at": pd.Series([], dtype="datetime64[ns]")}
    )
    assert segment_order_gap_medians(frame, as_of=AS_OF) == {}


# --- pattern_matches and pattern_outcomes: the statements, for a whole table at once ---


def random_signals(rows: int, *, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """`rows` random customers' signals, many on a threshold or missing, each with its own cut-off."""
    rng = np.random.default_rng(seed)

    def pick(*choices: object) -> list[object]:
        return [choices[index] for index in rng.integers(0, len(choices), rows)]

    def count(high: int, missing_share: float = 0.1) -> np.ndarray:
        values = rng.integers(0, high + 1, rows).astype(float)
        values += np.where(rng.random(rows) < 0.05, 0.5, 0.0)  # a stray fraction: counts are whole
        return np.where(rng.random(rows) < missing_share, np.nan, values)

    cutoffs = AS_OF - pd.to_timedelta(rng.integers(0, 400, rows), unit="D")
    cutoffs += pd.to_timedelta(rng.integers(0, 24, rows), unit="h")

    def days_before_cutoff() -> pd.Series:
        # on and beside each threshold: 2 x the medians 12, 20 and 45.5, 30, 60
        whole_days = rng.choice([0, 5, 23, 24, 25, 29, 30, 31, 40, 41, 59, 60, 61, 90, 91, 92, 120], rows)
        days = pd.to_timedelta(whole_days, unit="D") + pd.to_timedelta(rng.random(rows), unit="D")
        times = pd.Series(cutoffs - days)
        return times.mask(rng.random(rows) < 0.1).astype("datetime64[us]")

    spend_prev = rng.choice([0.0, 400.0, 1_000.0, 1_000.0, 1_000.0], rows)
    index = pd.Index([f"C{number:06d}" for number in range(rows)], name="customer_id")
    signals = pd.DataFrame(
        {
            "segment": pd.Categorical(pick("VIP", "Loyal", "Regular", "Occasional", "Platinum", None)),
            "lifetime_value": rng.gamma(2.0, 1_000.0, rows),
            "last_order_at": days_before_cutoff().to_numpy(),
            "last_activity_at": days_before_cutoff().to_numpy(),
            "orders_total": count(3, missing_share=0.05),
            "orders_last_90": count(6),
            "orders_prev_90": count(6),
            "spend_last_90": spend_prev * rng.choice([0.0, 0.5, 0.75, 0.76, 1.0, 1.3], rows),
            "spend_prev_90": np.where(rng.random(rows) < 0.1, np.nan, spend_prev),
            "tickets_last_90": count(5),
            "unresolved_tickets": count(2),
            "mean_ticket_sentiment": np.array(pick(-0.8, -0.4, -0.39, 0.2, np.nan), dtype=float),
            "mean_csat": np.array(pick(1.5, 2.5, 2.6, 4.5, np.nan), dtype=float),
            "latest_nps": count(10, missing_share=0.2),
            "previous_nps": count(10, missing_share=0.3),
            "payments_last_30": count(3),
            "failed_payments_last_30": count(1),
            "payments_last_90": count(8),
            "failed_payments_last_90": count(3),
        },
        index=index,
    )
    return signals, pd.Series(cutoffs, index=index)


# "Regular" has a median that is not a number (ignored), "Platinum" none at all
PATTERN_MEDIANS: dict[str, object] = {"VIP": 12.0, "Loyal": 20, "Occasional": 45.5, "Regular": "30"}


@pytest.mark.parametrize("as_objects", [False, True])
def test_pattern_matches_agree_with_finding_signals_row_by_row(as_objects: bool) -> None:
    signals, cutoffs = random_signals(400, seed=11)
    if as_objects:  # values as a workbook might hand them over: no column types
        signals = signals.astype(object).where(signals.notna(), None)
    matches = pattern_matches(signals, as_of=cutoffs, segment_medians=PATTERN_MEDIANS)  # type: ignore[arg-type]
    assert list(matches.columns) == list(PATTERN_KEYS)
    assert matches.index.equals(signals.index)
    for customer_id, row in signals.iterrows():
        said = finding_signals(
            signals_row=row,
            health_score=50.0,
            health_band="poor",
            churn_risk=0.5,
            as_of=cutoffs[customer_id],
            segment_medians=PATTERN_MEDIANS,  # type: ignore[arg-type]
        )
        stated = {signal.key for signal in said} - CONTEXT_KEYS
        assert stated == set(matches.columns[matches.loc[customer_id].to_numpy()]), (customer_id, row.to_dict())
    # every statement comes up, so the comparison covered each rule
    assert matches.any().all(), matches.sum()


def test_pattern_outcomes_count_the_labelled_rows_and_the_churned_among_them() -> None:
    signals, cutoffs = random_signals(300, seed=5)
    rng = np.random.default_rng(5)
    labels = pd.Series(rng.choice([0.0, 1.0, np.nan], len(signals)), index=signals.index)
    outcomes = pattern_outcomes(signals, labels, as_of=cutoffs, segment_medians=PATTERN_MEDIANS)  # type: ignore[arg-type]
    expected = dict.fromkeys(PATTERN_KEYS, (0, 0))
    for customer_id, row in signals.iterrows():
        if pd.isna(labels[customer_id]):
            continue
        said = finding_signals(
            signals_row=row,
            health_score=50.0,
            health_band="poor",
            churn_risk=0.5,
            as_of=cutoffs[customer_id],
            segment_medians=PATTERN_MEDIANS,  # type: ignore[arg-type]
        )
        for key in {signal.key for signal in said} - CONTEXT_KEYS:
            matching, churned = expected[key]
            expected[key] = (matching + 1, churned + int(labels[customer_id] == 1))
    assert outcomes == expected
    assert all(isinstance(count, int) for counts in outcomes.values() for count in counts)


def pattern_table() -> tuple[pd.DataFrame, pd.Series]:
    """Four customers: two whose orders fell by a quarter or more (one churned), one whose did not
    (churned), one the same as the first but unlabelled."""
    rows = [
        order_decline_row(),
        order_decline_row(orders_prev_90=4, orders_last_90=3),
        order_decline_row(orders_prev_90=4, orders_last_90=4),
        order_decline_row(),
    ]
    signals = pd.DataFrame(rows, index=pd.Index(["C1", "C2", "C3", "C4"], name="customer_id"))
    labels = pd.Series([1.0, 0.0, 1.0, np.nan], index=signals.index)
    return signals, labels


def test_pattern_outcomes_with_one_cut_off_for_all() -> None:
    signals, labels = pattern_table()
    outcomes = pattern_outcomes(signals, labels, as_of=AS_OF, segment_medians=MEDIANS)
    assert outcomes["order_frequency_down"] == (2, 1)
    assert outcomes["unresolved_tickets"] == (3, 2)
    assert outcomes["nps_drop"] == (0, 0)
    assert set(outcomes) == set(PATTERN_KEYS)


def test_pattern_outcomes_look_labels_and_cut_offs_up_by_customer() -> None:
    signals, labels = pattern_table()
    shuffled_labels = labels.iloc[::-1]  # same customers, another order, and one more
    shuffled_labels["C9"] = 1.0
    cutoffs = pd.Series(AS_OF, index=signals.index).iloc[::-1]
    outcomes = pattern_outcomes(signals, shuffled_labels, as_of=cutoffs, segment_medians=MEDIANS)
    assert outcomes == pattern_outcomes(signals, labels, as_of=AS_OF, segment_medians=MEDIANS)


def test_pattern_outcomes_take_repeated_customers_when_indexed_alike() -> None:
    # one customer measured at two cut-offs: rows, not customers, are counted
    signals, labels = pattern_table()
    signals.index = labels.index = pd.Index(["C1", "C1", "C3", "C4"], name="customer_id")
    outcomes = pattern_outcomes(signals, labels, as_of=pd.Series(AS_OF, index=signals.index), segment_medians=MEDIANS)
    assert outcomes["order_frequency_down"] == (2, 1)


def test_pattern_outcomes_reject_labels_that_cannot_be_matched_to_rows() -> None:
    signals, labels = pattern_table()
    signals.index = pd.Index(["C1", "C1", "C3", "C4"], name="customer_id")
    with pytest.raises(ValueError, match="labels must be indexed like signals"):
        pattern_outcomes(signals, labels, as_of=AS_OF, segment_medians=MEDIANS)


def test_pattern_outcomes_of_an_empty_table() -> None:
    signals, labels = pattern_table()
    outcomes = pattern_outcomes(signals.iloc[:0], labels.iloc[:0], as_of=AS_OF, segment_medians=MEDIANS)
    assert outcomes == dict.fromkeys(PATTERN_KEYS, (0, 0))


def test_pattern_outcomes_feed_the_similar_customers_statement() -> None:
    signals, cutoffs = random_signals(2_000, seed=3)
    labels = pd.Series((np.arange(len(signals)) % 3 == 0).astype(float), index=signals.index)
    outcomes = pattern_outcomes(signals, labels, as_of=cutoffs, segment_medians=MEDIANS)
    found = statements(order_decline_row(), pattern_outcomes=outcomes, outcome_horizon_days=90)
    # of the customer's two signals the higher-weighted has enough labelled customers: it is the one
    matching, churned = outcomes["unresolved_tickets"]
    assert matching >= SIMILAR_MIN_CUSTOMERS
    assert found["similar_customers_churned"] == (
        f"similar customers churned: {churned} of {matching} labelled customers with an unresolved support ticket "
        "churned within 90 days"
    )
