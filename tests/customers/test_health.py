"""The 10-factor health score: every band edge, no-data halves, re-scoring one customer,
the plain-English reasons and the trend. Pure: signals are built by hand, no database."""

from __future__ import annotations

import json
import math
import re
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from customers.behaviour import SIGNAL_COLUMNS
from customers.health import (
    FACTORS,
    Factor,
    Population,
    factor_reasons,
    health_band,
    health_breakdown,
    health_trend,
)

AS_OF = pd.Timestamp("2025-10-09 12:00:00")
NAMES = [factor.name for factor in FACTORS]
MAX_POINTS = {factor.name: factor.max_points for factor in FACTORS}


def days_ago(days: float) -> pd.Timestamp:
    return AS_OF - pd.Timedelta(days=days)


def _default_row() -> dict[str, Any]:
    return {
        "segment": "Regular",
        "loyalty_tier": "Silver",
        "lifetime_value": 1_000.0,
        "signup_date": days_ago(800),
        "last_active_date": days_ago(3),
        "last_activity_at": days_ago(3),
        "last_engagement_at": days_ago(3),
        "orders_total": 12,
        "orders_last_90": 3,
        "orders_prev_90": 3,
        "spend_last_90": 300.0,
        "spend_prev_90": 300.0,
        "last_order_at": days_ago(5),
        "tickets_last_90": 0,
        "unresolved_tickets": 0,
        "mean_ticket_sentiment": np.nan,
        "mean_csat": np.nan,
        "latest_nps": 8.0,
        "previous_nps": np.nan,
        "payments_last_30": 1,
        "failed_payments_last_30": 0,
        "payments_last_90": 3,
        "failed_payments_last_90": 0,
        "payment_reliability_90": 1.0,
        "events_last_30": 4,
        "leaving_signals_last_90": 0,
        "trouble_events_last_90": 0,
        "churn_label": np.nan,
    }


def make_signals(*rows: dict[str, Any], **common: Any) -> pd.DataFrame:
    """A signals table with one row per override dict (one default row when none given);
    `common` overrides apply to every row. Columns and dtypes as customer_signals makes them."""
    records = [{**_default_row(), **common, **row} for row in (rows or ({},))]
    frame = pd.DataFrame.from_records(records, columns=list(SIGNAL_COLUMNS))
    frame.index = pd.Index([f"C{100_001 + position}" for position in range(len(frame))], name="customer_id")
    for column in ("signup_date", "last_active_date", "last_activity_at", "last_engagement_at", "last_order_at"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("lifetime_value", "spend_last_90", "spend_prev_90", "latest_nps", "previous_nps"):
        frame[column] = frame[column].astype(float)
    return frame


def score_one(**overrides: Any) -> tuple[float, bool, Any]:
    """Points, no-data flag and input of the factor named `factor` for one customer."""
    factor = overrides.pop("factor")
    breakdown = health_breakdown(make_signals(overrides), as_of=AS_OF)
    row = breakdown.points.index[0]
    return breakdown.points.at[row, factor], bool(breakdown.no_data.at[row, factor]), breakdown.inputs.at[row, factor]


# The factors -----------------------------------------------------------------------------


def test_the_weights_sum_to_100_in_the_specified_order() -> None:
    assert sum(factor.max_points for factor in FACTORS) == 100
    assert NAMES == [
        "segment",
        "ltv_percentile",
        "loyalty_tier",
        "segment_value",
        "recency",
        "order_frequency",
        "spending_trend",
        "support_tickets",
        "nps",
        "tenure",
    ]
    assert all(isinstance(factor, Factor) and factor.label for factor in FACTORS)


@pytest.mark.parametrize(("segment", "expected"), [("VIP", 15), ("Loyal", 12), ("Regular", 8), ("Occasional", 4)])
def test_each_segment_earns_its_points(segment: str, expected: float) -> None:
    assert score_one(factor="segment", segment=segment) == (expected, False, segment)


@pytest.mark.parametrize(("tier", "expected"), [("Platinum", 10), ("Gold", 8), ("Silver", 6), ("Bronze", 4)])
def test_each_loyalty_tier_earns_its_points(tier: str, expected: float) -> None:
    assert score_one(factor="loyalty_tier", loyalty_tier=tier) == (expected, False, tier)


def test_ltv_percentile_gives_the_top_customer_full_points() -> None:
    signals = make_signals(*({"lifetime_value": value} for value in (100.0, 200.0, 300.0, 400.0)))
    breakdown = health_breakdown(signals, as_of=AS_OF)
    assert breakdown.points["ltv_percentile"].tolist() == pytest.approx([3, 6, 9, 12])
    assert breakdown.inputs["ltv_percentile"].tolist() == pytest.approx([0.25, 0.5, 0.75, 1.0])


def test_ltv_percentile_ties_share_the_higher_rank() -> None:
    signals = make_signals(*({"lifetime_value": value} for value in (100.0, 200.0, 200.0, 400.0)))
    breakdown = health_breakdown(signals, as_of=AS_OF)
    assert breakdown.points["ltv_percentile"].tolist() == pytest.approx([3, 9, 9, 12])


def test_ltv_percentile_is_measured_against_the_population_given() -> None:
    population = Population(ltv_sorted=np.array([100.0, 200.0, 300.0, 400.0]), segment_mean_ltv={"Regular": 250.0})
    breakdown = health_breakdown(make_signals({"lifetime_value": 250.0}), as_of=AS_OF, population=population)
    assert breakdown.points["ltv_percentile"].iloc[0] == pytest.approx(6)


@pytest.mark.parametrize(
    ("lifetime_value", "expected"),
    [
        (100.0, 5.0),  # at the average: ratio 1
        (50.0, 2.5),
        (199.9, 9.995),  # just under the cap
        (200.0, 10.0),  # at the cap
        (250.0, 10.0),  # over the cap: capped
        (0.0, 0.0),
    ],
)
def test_segment_value_scales_the_ratio_to_the_segment_average_up_to_twice(
    lifetime_value: float, expected: float
) -> None:
    population = Population(ltv_sorted=np.array([100.0]), segment_mean_ltv={"Regular": 100.0})
    breakdown = health_breakdown(make_signals({"lifetime_value": lifetime_value}), as_of=AS_OF, population=population)
    assert breakdown.points["segment_value"].iloc[0] == pytest.approx(expected)
    assert breakdown.inputs["segment_value"].iloc[0] == pytest.approx(lifetime_value / 100)
    assert not breakdown.no_data["segment_value"].iloc[0]


def test_segment_value_uses_each_segments_own_mean() -> None:
    signals = make_signals(
        {"segment": "VIP", "lifetime_value": 1_000.0},
        {"segment": "VIP", "lifetime_value": 3_000.0},
        {"segment": "Occasional", "lifetime_value": 50.0},
    )
    breakdown = health_breakdown(signals, as_of=AS_OF)
    assert breakdown.inputs["segment_value"].tolist() == pytest.approx([0.5, 1.5, 1.0])
    assert breakdown.points["segment_value"].tolist() == pytest.approx([2.5, 7.5, 5.0])


@pytest.mark.parametrize(
    "segment_mean_ltv", [{"Regular": 0.0}, {"VIP": 500.0}], ids=["zero segment mean", "segment not in population"]
)
def test_segment_value_without_a_segment_average_is_no_data(segment_mean_ltv: dict[str, float]) -> None:
    population = Population(ltv_sorted=np.array([0.0]), segment_mean_ltv=segment_mean_ltv)
    breakdown = health_breakdown(make_signals({"lifetime_value": 0.0}), as_of=AS_OF, population=population)
    assert breakdown.points["segment_value"].iloc[0] == 5
    assert breakdown.no_data["segment_value"].iloc[0]
    assert math.isnan(breakdown.inputs["segment_value"].iloc[0])


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, 15), (6.99, 15), (7.0, 12), (29.99, 12), (30, 8), (59.99, 8), (60, 4), (89.99, 4), (90, 0), (400, 0)],
)
def test_recency_bands_by_days_since_last_activity(days: float, expected: float) -> None:
    points, missing, days_inactive = score_one(factor="recency", last_activity_at=days_ago(days))
    assert (points, missing) == (expected, False)
    assert days_inactive == pytest.approx(days)


@pytest.mark.parametrize(
    ("orders_last_90", "expected"),
    [(12, 12), (9, 12), (8, 9), (3, 9), (2, 6), (1, 3), (0, 0)],
)
def test_order_frequency_bands_by_orders_a_month(orders_last_90: int, expected: float) -> None:
    points, missing, per_month = score_one(factor="order_frequency", orders_total=20, orders_last_90=orders_last_90)
    assert (points, missing) == (expected, False)
    assert per_month == pytest.approx(orders_last_90 / 3)


@pytest.mark.parametrize(
    ("spend_last_90", "spend_prev_90", "expected", "change"),
    [
        (110.0, 100.0, 7, 0.10),  # exactly +10 %: still stable
        (110.01, 100.0, 10, 0.1001),
        (110.11, 100.1, 7, 0.10),  # +10 % in money that binary floats cannot hold exactly
        (150.0, 100.0, 10, 0.5),
        (100.0, 100.0, 7, 0.0),
        (90.0, 100.0, 7, -0.10),  # exactly -10 %: still stable
        (89.99, 100.0, 2, -0.1001),
        (0.0, 100.0, 2, -1.0),
    ],
)
def test_spending_trend_bands_by_change_against_the_previous_90_days(
    spend_last_90: float, spend_prev_90: float, expected: float, change: float
) -> None:
    points, missing, measured = score_one(
        factor="spending_trend", spend_last_90=spend_last_90, spend_prev_90=spend_prev_90
    )
    assert (points, missing) == (expected, False)
    assert measured == pytest.approx(change)


def test_spending_from_nothing_counts_as_increasing_without_an_infinite_change() -> None:
    points, missing, change = score_one(factor="spending_trend", spend_last_90=50.0, spend_prev_90=0.0)
    assert (points, missing) == (10, False)
    assert math.isnan(change)


@pytest.mark.parametrize(("tickets", "expected"), [(0, 8), (1, 6), (2, 6), (3, 3), (5, 3), (6, 0), (40, 0)])
def test_support_ticket_bands_by_tickets_in_the_last_90_days(tickets: int, expected: float) -> None:
    assert score_one(factor="support_tickets", tickets_last_90=tickets) == (expected, False, tickets)


@pytest.mark.parametrize(("nps", "expected"), [(10, 5), (9, 5), (8, 3), (7, 3), (6, 0), (0, 0)])
def test_nps_bands_promoter_passive_detractor(nps: float, expected: float) -> None:
    assert score_one(factor="nps", latest_nps=float(nps)) == (expected, False, nps)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(10, 0), (89.9, 0), (90, 1), (364.9, 1), (365, 2), (729.9, 2), (730, 3), (3000, 3)],
)
def test_tenure_bands_by_days_since_signup(days: float, expected: float) -> None:
    points, missing, tenure_days = score_one(factor="tenure", signup_date=days_ago(days))
    assert (points, missing) == (expected, False)
    assert tenure_days == pytest.approx(days)


# No data ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "factors"),
    [
        ({"segment": None}, ["segment", "segment_value"]),
        ({"segment": "Platinum"}, ["segment"]),  # its own crowd still has an average
        ({"loyalty_tier": None}, ["loyalty_tier"]),
        ({"lifetime_value": np.nan}, ["ltv_percentile", "segment_value"]),
        ({"last_activity_at": pd.NaT}, ["recency"]),
        (
            {"orders_total": 0, "orders_last_90": 0, "spend_last_90": 0.0, "spend_prev_90": 0.0},
            ["order_frequency", "spending_trend"],
        ),
        (
            {
                "orders_last_90": 0,
                "orders_prev_90": 0,
                "spend_last_90": 0.0,
                "spend_prev_90": 0.0,
                "last_order_at": days_ago(200),
            },
            ["spending_trend"],
        ),
        ({"latest_nps": np.nan}, ["nps"]),
        ({"signup_date": pd.NaT}, ["tenure"]),
    ],
    ids=[
        "missing segment",
        "unknown segment",
        "missing tier",
        "missing lifetime value",
        "no activity",
        "never ordered",
        "no order in either window",
        "never answered NPS",
        "no signup date",
    ],
)
def test_a_factor_without_data_earns_half_its_points_and_is_flagged(
    overrides: dict[str, Any], factors: list[str]
) -> None:
    breakdown = health_breakdown(make_signals(overrides), as_of=AS_OF)
    points, no_data = breakdown.points.iloc[0], breakdown.no_data.iloc[0]
    assert sorted(no_data[no_data].index) == sorted(factors)
    for name in factors:
        assert points[name] == MAX_POINTS[name] / 2


def test_a_customer_with_full_data_has_no_factor_flagged() -> None:
    breakdown = health_breakdown(make_signals(), as_of=AS_OF)
    assert not breakdown.no_data.to_numpy().any()
    assert breakdown.no_data.dtypes.eq(bool).all()


def test_never_ordered_wins_over_orders_in_the_window() -> None:
    points, missing, _ = score_one(factor="order_frequency", orders_total=0, orders_last_90=3)
    assert (points, missing) == (6, True)


# A real bad value never scores above "no data" -------------------------------------------

ONLY_ORDER_FAILED = {  # one order, 20 days ago, whose payment failed: not an order or spend
    "orders_total": 1,
    "orders_last_90": 0,
    "orders_prev_90": 0,
    "spend_last_90": 0.0,
    "spend_prev_90": 0.0,
    "last_order_at": days_ago(20),
}
NEVER_ORDERED = {**ONLY_ORDER_FAILED, "orders_total": 0, "last_order_at": pd.NaT}


@pytest.mark.parametrize("last_order_days", [1, 89.9, 90, 179.9])
def test_orders_in_either_window_without_money_take_the_lowest_spending_band(last_order_days: float) -> None:
    points, missing, change = score_one(
        factor="spending_trend", **{**ONLY_ORDER_FAILED, "last_order_at": days_ago(last_order_days)}
    )
    assert (points, missing) == (2, False)
    assert points < MAX_POINTS["spending_trend"] / 2
    assert math.isnan(change)


def test_an_order_before_both_windows_leaves_the_spending_trend_without_data() -> None:
    points, missing, _ = score_one(factor="spending_trend", **{**ONLY_ORDER_FAILED, "last_order_at": days_ago(180)})
    assert (points, missing) == (5, True)


def test_a_customer_whose_only_order_failed_scores_below_one_who_never_ordered() -> None:
    breakdown = health_breakdown(make_signals(ONLY_ORDER_FAILED, NEVER_ORDERED), as_of=AS_OF)
    failed, never = breakdown.points.iloc[0], breakdown.points.iloc[1]
    assert (failed["order_frequency"], failed["spending_trend"]) == (0, 2)
    assert (never["order_frequency"], never["spending_trend"]) == (6, 5)
    assert not breakdown.no_data.iloc[0][["order_frequency", "spending_trend"]].any()
    assert breakdown.score.iloc[0] < breakdown.score.iloc[1]


def test_spending_that_falls_to_nothing_is_declining_not_missing() -> None:
    points, missing, change = score_one(
        factor="spending_trend", orders_last_90=0, spend_last_90=0.0, last_order_at=days_ago(120)
    )
    assert (points, missing, change) == (2, False, -1.0)


# The score -------------------------------------------------------------------------------


def test_the_best_possible_customer_scores_100() -> None:
    best = {
        "segment": "VIP",
        "loyalty_tier": "Platinum",
        "lifetime_value": 10_000.0,
        "last_activity_at": days_ago(1),
        "orders_last_90": 9,
        "spend_last_90": 900.0,
        "spend_prev_90": 300.0,
        "latest_nps": 10.0,
        "signup_date": days_ago(1_000),
    }
    signals = make_signals(best, {"segment": "VIP", "lifetime_value": 0.0})
    breakdown = health_breakdown(signals, as_of=AS_OF)
    assert breakdown.score.iloc[0] == 100.0
    assert breakdown.points.iloc[0].to_dict() == {factor.name: factor.max_points for factor in FACTORS}


def test_the_score_is_the_sum_of_points_to_one_decimal() -> None:
    signals = make_signals(*({"lifetime_value": value} for value in (100.0, 200.0, 300.0)))
    breakdown = health_breakdown(signals, as_of=AS_OF)
    expected = breakdown.points.sum(axis=1).round(1)
    pd.testing.assert_series_equal(breakdown.score, expected, check_names=False)
    assert breakdown.score.iloc[0] != breakdown.score.iloc[2]  # the relative factors matter


def test_scores_stay_between_0_and_100() -> None:
    signals = _random_signals(5_000, seed=7)
    breakdown = health_breakdown(signals, as_of=AS_OF)
    assert breakdown.score.between(0, 100).all()
    assert breakdown.points.notna().all().all()
    assert (breakdown.points <= pd.Series(MAX_POINTS)).all().all()
    assert (breakdown.points >= 0).all().all()


def test_the_breakdown_has_one_column_per_factor_indexed_by_customer() -> None:
    signals = make_signals({}, {})
    breakdown = health_breakdown(signals, as_of=AS_OF)
    for frame in (breakdown.points, breakdown.no_data, breakdown.inputs):
        assert list(frame.columns) == NAMES
        pd.testing.assert_index_equal(frame.index, signals.index)
    pd.testing.assert_index_equal(breakdown.score.index, signals.index)
    assert breakdown.inputs["support_tickets"].dtype == np.int64


def test_rescoring_one_customer_with_the_full_population_matches_the_full_scan() -> None:
    signals = _random_signals(2_000, seed=11)
    full = health_breakdown(signals, as_of=AS_OF)
    population = Population.from_signals(signals)
    for customer_id in signals.index[[0, 17, 1_999]]:
        one = health_breakdown(signals.loc[[customer_id]], as_of=AS_OF, population=population)
        pd.testing.assert_series_equal(one.points.loc[customer_id], full.points.loc[customer_id])
        pd.testing.assert_series_equal(one.no_data.loc[customer_id], full.no_data.loc[customer_id])
        assert one.score[customer_id] == full.score[customer_id]


def test_rescoring_one_customer_without_the_population_measures_them_against_themselves() -> None:
    signals = make_signals({"lifetime_value": 100.0}, {"lifetime_value": 900.0})
    alone = health_breakdown(signals.iloc[[0]], as_of=AS_OF)
    assert alone.points["ltv_percentile"].iloc[0] == 12  # the point of passing a population


def test_population_ignores_customers_without_a_lifetime_value() -> None:
    population = Population.from_signals(
        make_signals({"lifetime_value": 100.0}, {"lifetime_value": np.nan}, {"lifetime_value": 300.0})
    )
    assert population.ltv_sorted.tolist() == [100.0, 300.0]
    assert population.segment_mean_ltv == {"Regular": 200.0}
    with pytest.raises(ValueError, match="read-only"):
        population.ltv_sorted.sort()


def test_an_empty_signals_table_gives_an_empty_breakdown() -> None:
    breakdown = health_breakdown(make_signals().iloc[0:0], as_of=AS_OF)
    assert breakdown.points.empty
    assert breakdown.score.empty


def test_it_names_the_signals_columns_it_is_missing() -> None:
    with pytest.raises(ValueError, match="latest_nps"):
        health_breakdown(make_signals().drop(columns=["latest_nps"]), as_of=AS_OF)


def test_a_100000_customer_breakdown_takes_well_under_two_seconds() -> None:
    signals = _random_signals(100_000, seed=3)
    started = time.perf_counter()
    breakdown = health_breakdown(signals, as_of=AS_OF)
    elapsed = time.perf_counter() - started
    assert len(breakdown.score) == 100_000
    assert elapsed < 2.0, f"took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "critical"),
        (39.9, "critical"),
        (40, "poor"),
        (59.9, "poor"),
        (60, "fair"),
        (74.9, "fair"),
        (75, "healthy"),
        (100, "healthy"),
    ],
)
def test_health_band_edges(score: float, band: str) -> None:
    assert health_band(score) == band


# Reasons ---------------------------------------------------------------------------------


def reasons_for(*rows: dict[str, Any], population: Population | None = None) -> list[list[dict]]:
    breakdown = health_breakdown(make_signals(*rows), as_of=AS_OF, population=population)
    return [
        factor_reasons(
            breakdown.points.loc[customer_id].to_dict(),
            breakdown.inputs.loc[customer_id].to_dict(),
            breakdown.no_data.loc[customer_id].to_dict(),
        )
        for customer_id in breakdown.points.index
    ]


def reason(entries: list[dict], factor: str) -> str:
    return next(entry["reason"] for entry in entries if entry["factor"] == factor)


@pytest.mark.parametrize(
    ("overrides", "factor", "expected"),
    [
        ({"segment": "Loyal"}, "segment", "Loyal segment (12 of 15)"),
        ({"loyalty_tier": "Gold"}, "loyalty_tier", "Gold loyalty tier (8 of 10)"),
        ({"last_activity_at": days_ago(45)}, "recency", "last activity 45 days ago (under 60 days: 8 of 15)"),
        ({"last_activity_at": days_ago(6.99)}, "recency", "last activity 6.99 days ago (under 7 days: 15 of 15)"),
        ({"last_activity_at": days_ago(120)}, "recency", "last activity 120 days ago (90 days or more: 0 of 15)"),
        ({"latest_nps": np.nan}, "nps", "no NPS answer yet: half points (2.5 of 5)"),
        ({"latest_nps": 9.0}, "nps", "latest NPS answer 9 (promoter: 5 of 5)"),
        ({"tickets_last_90": 2}, "support_tickets", "2 tickets in the last 90 days (1-2: 6 of 8)"),
        ({"tickets_last_90": 1}, "support_tickets", "1 ticket in the last 90 days (1-2: 6 of 8)"),
        ({"tickets_last_90": 0}, "support_tickets", "no tickets in the last 90 days (none: 8 of 8)"),
        (
            {"spend_last_90": 65.0, "spend_prev_90": 100.0},
            "spending_trend",
            "spending down 35 % against the previous 90 days (declining: 2 of 10)",
        ),
        (
            {"spend_last_90": 112.5, "spend_prev_90": 100.0},
            "spending_trend",
            "spending up 12.5 % against the previous 90 days (increasing: 10 of 10)",
        ),
        (
            {"spend_last_90": 110.01, "spend_prev_90": 100.0},
            "spending_trend",
            "spending up 10.01 % against the previous 90 days (increasing: 10 of 10)",
        ),
        (
            {"spend_last_90": 50.0, "spend_prev_90": 0.0},
            "spending_trend",
            "spending started after nothing in the previous 90 days (increasing: 10 of 10)",
        ),
        (
            {"spend_last_90": 0.0, "spend_prev_90": 0.0, "last_order_at": days_ago(200)},
            "spending_trend",
            "no orders in the last 180 days to compare spending: half points (5 of 10)",
        ),
        (
            {"orders_last_90": 0, "orders_prev_90": 0, "spend_last_90": 0.0, "spend_prev_90": 0.0},
            "spending_trend",
            "orders placed in the last 180 days, but no money arrived in either 90-day window (lowest band: 2 of 10)",
        ),
        (
            {"orders_last_90": 4},
            "order_frequency",
            "1.3 orders a month over the last 90 days (1 or more a month: 9 of 12)",
        ),
        (
            {"orders_last_90": 0},
            "order_frequency",
            "no orders in the last 90 days, leaving out cancelled ones and failed payments (none: 0 of 12)",
        ),
        ({"orders_total": 0}, "order_frequency", "no orders yet: half points (6 of 12)"),
        ({"signup_date": days_ago(729.9)}, "tenure", "customer for 729.9 days (1 year or more: 2 of 3)"),
        ({"signup_date": pd.NaT}, "tenure", "no signup date on record: half points (1.5 of 3)"),
    ],
)
def test_factor_reasons_explain_the_band_with_the_real_number(
    overrides: dict[str, Any], factor: str, expected: str
) -> None:
    (entries,) = reasons_for(overrides)
    assert reason(entries, factor) == expected


def test_factor_reasons_state_the_percentile_and_the_ratio_to_the_segment_average() -> None:
    population = Population(ltv_sorted=np.arange(1.0, 101.0) * 10, segment_mean_ltv={"Regular": 400.0, "VIP": 100.0})
    entries, capped = reasons_for(
        {"lifetime_value": 870.0}, {"lifetime_value": 1_000.0, "segment": "VIP"}, population=population
    )
    assert reason(entries, "ltv_percentile") == "LTV in the 87th percentile (10.4 of 12)"
    assert reason(entries, "segment_value") == "LTV 2.17 times the Regular average (capped at 2 times: 10 of 10)"
    assert reason(capped, "segment_value") == "LTV 10 times the VIP average (capped at 2 times: 10 of 10)"
    (ordinary,) = reasons_for({"lifetime_value": 300.0}, population=population)
    assert reason(ordinary, "segment_value") == "LTV 0.75 times the Regular average (3.8 of 10)"


def test_factor_reasons_never_print_nan_or_none_and_are_json_ready() -> None:
    everything_missing = {
        "segment": None,
        "loyalty_tier": None,
        "lifetime_value": np.nan,
        "last_activity_at": pd.NaT,
        "orders_total": 0,
        "orders_last_90": 0,
        "spend_last_90": 0.0,
        "spend_prev_90": 0.0,
        "latest_nps": np.nan,
        "signup_date": pd.NaT,
    }
    for entries in reasons_for(everything_missing, {}, {"spend_prev_90": 0.0}):
        assert [entry["factor"] for entry in entries] == NAMES
        for entry in entries:
            assert "None" not in entry["reason"]
            assert not re.search(r"\bnan\b", entry["reason"], flags=re.IGNORECASE)
            assert entry["points"] <= entry["max_points"]
            assert isinstance(entry["no_data"], bool)
        json.dumps(entries, allow_nan=False)


def test_factor_reasons_mark_missing_inputs_as_none_and_no_data() -> None:
    (entries,) = reasons_for({"latest_nps": np.nan, "segment": None})
    nps = next(entry for entry in entries if entry["factor"] == "nps")
    assert nps == {
        "factor": "nps",
        "label": "Latest NPS",
        "points": 2.5,
        "max_points": 5.0,
        "no_data": True,
        "input": None,
        "reason": "no NPS answer yet: half points (2.5 of 5)",
    }
    assert reason(entries, "segment") == "segment unknown: half points (7.5 of 15)"


def test_factor_reasons_accept_one_row_of_a_breakdown_as_series() -> None:
    breakdown = health_breakdown(make_signals({"tickets_last_90": 3}), as_of=AS_OF)
    customer_id = breakdown.points.index[0]
    entries = factor_reasons(
        breakdown.points.loc[customer_id], breakdown.inputs.loc[customer_id], breakdown.no_data.loc[customer_id]
    )
    assert reason(entries, "support_tickets") == "3 tickets in the last 90 days (3-5: 3 of 8)"
    tickets = next(entry for entry in entries if entry["factor"] == "support_tickets")
    assert type(tickets["input"]) is int


# Trend -----------------------------------------------------------------------------------


def _points(**changes: float) -> dict[str, float]:
    return {**{factor.name: factor.max_points / 2 for factor in FACTORS}, **changes}


@pytest.mark.parametrize(
    ("previous_score", "current_score", "trend"),
    [(50.0, 51.0, "up"), (50.0, 49.0, "down"), (50.0, 50.9, "steady"), (50.0, 49.1, "steady"), (None, 50.0, "new")],
)
def test_health_trend_is_up_down_steady_or_new(previous_score: float | None, current_score: float, trend: str) -> None:
    previous = None if previous_score is None else _points()
    assert health_trend(previous, _points(), previous_score, current_score)[0] == trend


def test_health_trend_lists_the_moved_factors_biggest_change_first() -> None:
    previous = _points(recency=15.0, nps=3.0, support_tickets=8.0, tenure=2.0)
    current = _points(recency=8.0, nps=5.0, support_tickets=3.0, tenure=2.0)
    trend, moved = health_trend(previous, current, 60.0, 50.0)
    assert trend == "down"
    assert moved == [
        {"factor": "recency", "label": "Recency of last activity", "from": 15.0, "to": 8.0, "change": -7.0},
        {"factor": "support_tickets", "label": "Support tickets (90 days)", "from": 8.0, "to": 3.0, "change": -5.0},
        {"factor": "nps", "label": "Latest NPS", "from": 3.0, "to": 5.0, "change": 2.0},
    ]


def test_health_trend_without_a_previous_snapshot_has_nothing_moved() -> None:
    assert health_trend(None, _points(), None, 50.0) == ("new", [])


def test_health_trend_ignores_float_noise_and_factors_absent_from_an_old_snapshot() -> None:
    previous = _points(ltv_percentile=6.0000001)
    del previous["tenure"]
    trend, moved = health_trend(previous, _points(ltv_percentile=6.0, tenure=3.0), 50.0, 50.0)
    assert (trend, moved) == ("steady", [])


# Helpers ---------------------------------------------------------------------------------


def _random_signals(size: int, *, seed: int) -> pd.DataFrame:
    """A plausible, varied population built column-wise (a loop of dicts would dwarf the timing)."""
    rng = np.random.default_rng(seed)
    orders_total = rng.integers(0, 40, size)
    orders_last_90 = np.minimum(rng.integers(0, 12, size), orders_total)
    spend_last = np.where(orders_last_90 > 0, rng.gamma(2.0, 150.0, size).round(2), 0.0)
    spend_prev = np.where(rng.random(size) < 0.7, rng.gamma(2.0, 150.0, size).round(2), 0.0)
    latest_nps = np.where(rng.random(size) < 0.4, rng.integers(0, 11, size).astype(float), np.nan)
    activity = AS_OF - pd.to_timedelta(rng.uniform(0, 400, size), unit="D")
    frame = pd.DataFrame(
        {
            "segment": rng.choice(["VIP", "Loyal", "Regular", "Occasional"], size),
            "loyalty_tier": rng.choice(["Platinum", "Gold", "Silver", "Bronze"], size),
            "lifetime_value": rng.gamma(2.0, 2_000.0, size).round(2),
            "signup_date": AS_OF.normalize() - pd.to_timedelta(rng.integers(0, 2_000, size), unit="D"),
            "last_active_date": activity.normalize(),
            "last_activity_at": activity,
            "last_engagement_at": activity,
            "orders_total": orders_total,
            "orders_last_90": orders_last_90,
            "orders_prev_90": rng.integers(0, 12, size),
            "spend_last_90": spend_last,
            "spend_prev_90": spend_prev,
            "last_order_at": activity,
            "tickets_last_90": rng.poisson(1.5, size),
            "unresolved_tickets": rng.poisson(0.3, size),
            "mean_ticket_sentiment": rng.uniform(-1, 1, size),
            "mean_csat": rng.uniform(1, 5, size),
            "latest_nps": latest_nps,
            "previous_nps": np.nan,
            "payments_last_30": rng.integers(0, 4, size),
            "failed_payments_last_30": 0,
            "payments_last_90": rng.integers(0, 10, size),
            "failed_payments_last_90": 0,
            "payment_reliability_90": np.nan,
            "events_last_30": rng.integers(0, 30, size),
            "leaving_signals_last_90": rng.integers(0, 2, size),
            "trouble_events_last_90": rng.integers(0, 5, size),
            "churn_label": np.nan,
        },
        index=pd.Index([f"C{100_000 + position}" for position in range(size)], name="customer_id"),
    )
    return frame[list(SIGNAL_COLUMNS)]
