"""The 10-factor customer health score, computed for every customer at once.

Pure functions over the signals table (see customers/behaviour.py): no ORM, no request, and
no loop over customers, so a full scan of 100,000 customers takes a fraction of a second
and a test can build the input by hand. Each factor is worth a fixed number of points
(together 100); a factor we have no data for earns half its points, so missing data
neither punishes nor flatters a customer, and is flagged so staff can see it.

The two factors that compare a customer with everyone else (LTV percentile and value
against the segment average) read a `Population`, so that re-scoring one customer after
a webhook gives exactly the points a full scan would have given.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from customers.models import LoyaltyTier, Segment

ONE_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Factor:
    """One ingredient of the health score and the most points it can give."""

    name: str
    label: str
    max_points: float


FACTORS: tuple[Factor, ...] = (
    Factor("segment", "Segment", 15),
    Factor("ltv_percentile", "Lifetime value percentile", 12),
    Factor("loyalty_tier", "Loyalty tier", 10),
    Factor("segment_value", "Value against segment average", 10),
    Factor("recency", "Recency of last activity", 15),
    Factor("order_frequency", "Order frequency (90 days)", 12),
    Factor("spending_trend", "Spending trend (90 days)", 10),
    Factor("support_tickets", "Support tickets (90 days)", 8),
    Factor("nps", "Latest NPS", 5),
    Factor("tenure", "Tenure", 3),
)
FACTOR_NAMES: tuple[str, ...] = tuple(factor.name for factor in FACTORS)
_FACTORS_BY_NAME = {factor.name: factor for factor in FACTORS}

SEGMENT_POINTS: dict[str, float] = {
    Segment.VIP.value: 15,
    Segment.LOYAL.value: 12,
    Segment.REGULAR.value: 8,
    Segment.OCCASIONAL.value: 4,
}
LOYALTY_TIER_POINTS: dict[str, float] = {
    LoyaltyTier.PLATINUM.value: 10,
    LoyaltyTier.GOLD.value: 8,
    LoyaltyTier.SILVER.value: 6,
    LoyaltyTier.BRONZE.value: 4,
}
SEGMENT_VALUE_CAP = 2.0  # a customer worth more than twice their segment's average earns no more

# The signals columns this module reads; a missing one is a programming error worth naming.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "segment",
    "loyalty_tier",
    "lifetime_value",
    "signup_date",
    "last_activity_at",
    "orders_total",
    "orders_last_90",
    "spend_last_90",
    "spend_prev_90",
    "last_order_at",
    "tickets_last_90",
    "latest_nps",
)


@dataclass(frozen=True)
class _Band:
    """One band of a banded factor. `applies` is written with plain comparison operators so
    the same test serves a numpy array (the vectorised score) and one number (the reason
    text): one definition of each edge, not two that could drift apart."""

    label: str
    applies: Callable[[Any], Any]
    points: float


# First matching band wins (np.select's rule too); NaN matches none and becomes "no data".
_RECENCY_BANDS = (
    _Band("under 7 days", lambda days: days < 7, 15),
    _Band("under 30 days", lambda days: days < 30, 12),
    _Band("under 60 days", lambda days: days < 60, 8),
    _Band("under 90 days", lambda days: days < 90, 4),
    _Band("90 days or more", lambda days: days >= 90, 0),
)
_ORDER_FREQUENCY_BANDS = (
    _Band("3 or more a month", lambda per_month: per_month >= 3, 12),
    _Band("1 or more a month", lambda per_month: per_month >= 1, 9),
    _Band("0.5 or more a month", lambda per_month: per_month >= 0.5, 6),
    _Band("under 0.5 a month", lambda per_month: per_month > 0, 3),
    _Band("none", lambda per_month: per_month <= 0, 0),
)
_SPENDING_BANDS = (
    _Band("increasing", lambda change: change > 0.1, 10),
    _Band("declining", lambda change: change < -0.1, 2),
    _Band("stable", lambda change: (change >= -0.1) & (change <= 0.1), 7),
)
_SPENDING_STARTED_POINTS = 10  # nothing in the previous 90 days, something now: increasing
# Orders placed in the two windows but no money in either (payments failed, orders cancelled):
# a real, bad value, so the lowest band, never the half points of "no data" (5) above it.
_NOTHING_ARRIVED_POINTS = min(band.points for band in _SPENDING_BANDS)
SPENDING_WINDOWS_DAYS = 180  # the two 90-day windows the trend compares
_TICKET_BANDS = (
    _Band("none", lambda tickets: tickets <= 0, 8),
    _Band("1-2", lambda tickets: tickets <= 2, 6),
    _Band("3-5", lambda tickets: tickets <= 5, 3),
    _Band("6 or more", lambda tickets: tickets >= 6, 0),
)
_NPS_BANDS = (
    _Band("promoter", lambda score: score >= 9, 5),
    _Band("passive", lambda score: score >= 7, 3),
    _Band("detractor", lambda score: score < 7, 0),
)
_TENURE_BANDS = (
    _Band("2 years or more", lambda days: days >= 730, 3),
    _Band("1 year or more", lambda days: days >= 365, 2),
    _Band("90 days or more", lambda days: days >= 90, 1),
    _Band("under 90 days", lambda days: days < 90, 0),
)

# Money sums differ from the exact decimal change in the 15th digit (110.1 against 100.1
# is not exactly +10 % in binary), so the change is rounded before it meets the edges.
_CHANGE_DECIMALS = 9


@dataclass(frozen=True, eq=False)
class Population:
    """What the relative factors compare a customer with: everyone's LTV, sorted, and each
    segment's mean LTV. Computed once over all customers and passed in when re-scoring a
    few, so that one customer's points match a full scan's exactly.

    (eq=False: numpy arrays have no single truth value, so generated equality would raise.)
    """

    ltv_sorted: np.ndarray
    segment_mean_ltv: dict[str, float]

    @classmethod
    def from_signals(cls, signals: pd.DataFrame) -> Population:
        """The population of every row in `signals` (customers without an LTV are left out)."""
        ltv = signals["lifetime_value"].astype(float)
        ltv_sorted = np.sort(ltv.dropna().to_numpy(dtype=float))
        ltv_sorted.setflags(write=False)  # shared between scans: nobody may sort it in place
        means = ltv.groupby(signals["segment"], observed=True, dropna=True).mean().dropna()
        return cls(ltv_sorted=ltv_sorted, segment_mean_ltv={str(key): float(value) for key, value in means.items()})


@dataclass
class HealthBreakdown:
    """Every customer's points per factor, what decided them, and the score.

    `points`, `no_data` and `inputs` are indexed like the signals with one column per
    factor name (FACTORS order); `score` is the points' sum, 0-100, to one decimal.
    """

    points: pd.DataFrame
    no_data: pd.DataFrame
    inputs: pd.DataFrame
    score: pd.Series


def health_breakdown(
    signals: pd.DataFrame, *, as_of: pd.Timestamp, population: Population | None = None
) -> HealthBreakdown:
    """Score every row of `signals` at `as_of` (naive UTC, like the signals' times).

    `population` defaults to the rows given; pass the population of all customers when
    `signals` holds only some of them, or their relative factors would be measured
    against the wrong crowd.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in signals.columns]
    if missing:
        raise ValueError(f"signals lack the column(s) {', '.join(missing)} the health score needs")
    if population is None:
        population = Population.from_signals(signals)
    as_of = pd.Timestamp(as_of)

    points: dict[str, np.ndarray] = {}
    no_data: dict[str, np.ndarray] = {}
    inputs: dict[str, Any] = {}

    segment = signals["segment"]
    points["segment"] = _mapped(segment, SEGMENT_POINTS)
    no_data["segment"] = np.isnan(points["segment"])
    inputs["segment"] = segment.to_numpy(dtype=object)

    ltv = signals["lifetime_value"].to_numpy(dtype=float)
    population_size = len(population.ltv_sorted)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Share of the population with LTV <= this one: ties share the higher rank, the top is 1.
        at_or_below = np.searchsorted(population.ltv_sorted, ltv, side="right")
        percentile = at_or_below / population_size if population_size else np.full(len(ltv), np.nan)
    percentile = np.where(np.isnan(ltv), np.nan, percentile)
    points["ltv_percentile"] = percentile * 12
    no_data["ltv_percentile"] = np.isnan(percentile)
    inputs["ltv_percentile"] = percentile

    points["loyalty_tier"] = _mapped(signals["loyalty_tier"], LOYALTY_TIER_POINTS)
    no_data["loyalty_tier"] = np.isnan(points["loyalty_tier"])
    inputs["loyalty_tier"] = signals["loyalty_tier"].to_numpy(dtype=object)

    segment_mean = _mapped(segment, population.segment_mean_ltv)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(segment_mean > 0, ltv / segment_mean, np.nan)
    points["segment_value"] = np.clip(ratio, 0, SEGMENT_VALUE_CAP) * (10 / SEGMENT_VALUE_CAP)
    no_data["segment_value"] = np.isnan(ratio)
    inputs["segment_value"] = ratio

    days_inactive = _days_before(as_of, signals["last_activity_at"])
    points["recency"] = _banded(days_inactive, _RECENCY_BANDS)
    no_data["recency"] = np.isnan(days_inactive)
    inputs["recency"] = days_inactive

    never_ordered = _counts(signals["orders_total"]) <= 0
    per_month = _counts(signals["orders_last_90"]) / 3
    per_month = np.where(never_ordered, np.nan, per_month)
    points["order_frequency"] = _banded(per_month, _ORDER_FREQUENCY_BANDS)
    no_data["order_frequency"] = never_ordered
    inputs["order_frequency"] = per_month

    spend_last = signals["spend_last_90"].fillna(0).to_numpy(dtype=float)
    spend_prev = signals["spend_prev_90"].fillna(0).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(spend_prev > 0, np.round((spend_last - spend_prev) / spend_prev, _CHANGE_DECIMALS), np.nan)
    started = (spend_prev <= 0) & (spend_last > 0)
    no_spend = (spend_prev <= 0) & (spend_last <= 0)
    # last_order_at counts every order placed, whatever became of it.
    ordered_in_windows = _days_before(as_of, signals["last_order_at"]) < SPENDING_WINDOWS_DAYS
    nothing_arrived = ~never_ordered & ordered_in_windows & no_spend
    no_trend = never_ordered | (no_spend & ~nothing_arrived)
    change = np.where(no_trend | nothing_arrived, np.nan, change)
    banded = np.where(nothing_arrived, _NOTHING_ARRIVED_POINTS, _banded(change, _SPENDING_BANDS))
    points["spending_trend"] = np.where(started, _SPENDING_STARTED_POINTS, banded)
    no_data["spending_trend"] = no_trend
    inputs["spending_trend"] = change

    tickets = _counts(signals["tickets_last_90"])
    points["support_tickets"] = _banded(tickets, _TICKET_BANDS)
    no_data["support_tickets"] = np.zeros(len(tickets), dtype=bool)
    inputs["support_tickets"] = tickets

    latest_nps = signals["latest_nps"].to_numpy(dtype=float)
    points["nps"] = _banded(latest_nps, _NPS_BANDS)
    no_data["nps"] = np.isnan(latest_nps)
    inputs["nps"] = latest_nps

    tenure_days = _days_before(as_of, signals["signup_date"])
    points["tenure"] = _banded(tenure_days, _TENURE_BANDS)
    no_data["tenure"] = np.isnan(tenure_days)
    inputs["tenure"] = tenure_days

    for factor in FACTORS:
        points[factor.name] = np.where(no_data[factor.name], factor.max_points / 2, points[factor.name])

    index = signals.index
    points_frame = pd.DataFrame(points, index=index, columns=list(FACTOR_NAMES), dtype=float)
    no_data_frame = pd.DataFrame(no_data, index=index, columns=list(FACTOR_NAMES), dtype=bool)
    inputs_frame = pd.DataFrame(inputs, index=index, columns=list(FACTOR_NAMES))
    score = points_frame.sum(axis=1).clip(0, 100).round(1).rename("score")
    return HealthBreakdown(points=points_frame, no_data=no_data_frame, inputs=inputs_frame, score=score)


# The health bands, the one definition every page, chart, badge and description uses: (upper
# edge, name) pairs in increasing order; a score belongs to the first band whose upper edge it
# is below, so each lower edge belongs to its band (40 is "poor") and 100 is "healthy". No band
# is called "at risk": that word is kept for the scan's selection (customers.selectors).
HEALTH_BANDS: tuple[tuple[float, str], ...] = ((40, "critical"), (60, "poor"), (75, "fair"), (100, "healthy"))


def health_band(score: float) -> str:
    """The word staff see beside a score: "critical" below 40 (act now), "poor" below 60,
    "fair" below 75, "healthy" from 75 up (HEALTH_BANDS)."""
    return next((name for upper, name in HEALTH_BANDS if score < upper), HEALTH_BANDS[-1][1])


def factor_reasons(
    points: Mapping[str, float], inputs: Mapping[str, object], no_data: Mapping[str, bool]
) -> list[dict[str, Any]]:
    """One customer's factors explained in plain English, in FACTORS order.

    Takes one row of a breakdown's `points`, `inputs` and `no_data` (dicts or Series) and
    returns JSON-ready entries, so the customer page and the agents can say *why* a score
    is what it is with the real numbers behind it.
    """
    reasons = []
    for factor in FACTORS:
        earned = float(points[factor.name])
        missing = bool(no_data[factor.name])
        value = _json_value(inputs[factor.name])
        reasons.append(
            {
                "factor": factor.name,
                "label": factor.label,
                "points": earned,
                "max_points": float(factor.max_points),
                "no_data": missing,
                "input": value,
                "reason": _reason(factor, value, earned, missing, inputs),
            }
        )
    return reasons


def health_trend(
    previous_points: Mapping[str, float] | None,
    current_points: Mapping[str, float],
    previous_score: float | None,
    current_score: float,
) -> tuple[str, list[dict[str, Any]]]:
    """Which way the score went since the previous snapshot, and what moved it.

    "new" without a previous score; "steady" when it moved less than one point (noise in
    the relative factors should not read as a trend); otherwise "up" or "down". The moved
    factors are those whose points changed, biggest change first; a factor missing from
    either snapshot (an older score format) is left out rather than guessed.
    """
    if previous_score is None:
        trend = "new"
    else:
        difference = current_score - previous_score
        trend = "steady" if abs(difference) < 1.0 else ("up" if difference > 0 else "down")
    if previous_points is None:
        return trend, []
    moved: list[dict[str, Any]] = []
    for factor in FACTORS:
        if factor.name not in previous_points or factor.name not in current_points:
            continue
        before, after = float(previous_points[factor.name]), float(current_points[factor.name])
        change = round(after - before, 2)
        if change != 0:
            moved.append(
                {
                    "factor": factor.name,
                    "label": factor.label,
                    "from": round(before, 2),
                    "to": round(after, 2),
                    "change": change,
                }
            )
    moved.sort(key=lambda entry: -abs(entry["change"]))  # stable: ties keep FACTORS order
    return trend, moved


# Helpers -------------------------------------------------------------------------------


def _mapped(values: pd.Series, mapping: Mapping[str, float]) -> np.ndarray:
    """Look each value up in `mapping`; anything unknown (or missing) becomes NaN."""
    mapped: np.ndarray = np.asarray(values.astype(object).map(mapping), dtype=float)
    return mapped


def _banded(values: np.ndarray, bands: tuple[_Band, ...]) -> np.ndarray:
    return np.select([band.applies(values) for band in bands], [band.points for band in bands], default=np.nan)


def _counts(values: pd.Series) -> np.ndarray:
    counts: np.ndarray = values.fillna(0).to_numpy(dtype=np.int64)
    return counts


def _days_before(as_of: pd.Timestamp, times: pd.Series) -> np.ndarray:
    """Days from each time to `as_of` as a float (6.9 days is under a week); NaN for NaT."""
    days: np.ndarray = ((as_of - pd.to_datetime(times)) / ONE_DAY).to_numpy(dtype=float, na_value=np.nan)
    return days


def _band_of(value: float, bands: tuple[_Band, ...]) -> _Band | None:
    return next((band for band in bands if band.applies(value)), None)


def _band_found(value: float, bands: tuple[_Band, ...]) -> _Band:
    """The band of a value the score placed in one (a value in none was scored "no data")."""
    band = _band_of(value, bands)
    if band is None:
        raise ValueError(f"{value} falls in none of the bands {[band.label for band in bands]}")
    return band


def _json_value(value: object) -> object:
    """Numpy scalars and NaN as plain JSON values (NaN and infinity become None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return str(value)


def _number(value: float, decimals: int = 1) -> str:
    """`value` to at most `decimals` places, without trailing zeros: 8, 10.4, 2.5."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _shown(value: float, bands: tuple[_Band, ...], decimals: int = 0, scale: float = 1) -> str:
    """`value * scale` rounded as coarsely as possible without landing in another band, so
    a reason never reads "7 days ago (under 7 days)" for 6.99 days."""
    band = _band_of(value, bands)
    for places in range(decimals, 7):
        rounded = round(value * scale, places)
        if _band_of(rounded / scale, bands) is band:
            return _number(rounded, places)
    return _number(value * scale, 6)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _reason(factor: Factor, value: object, earned: float, missing: bool, inputs: Mapping[str, object]) -> str:
    out_of = f"{_number(earned)} of {_number(factor.max_points)}"
    if missing:
        return f"{_NO_DATA_REASONS[factor.name]}: half points ({out_of})"
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    name = factor.name
    if name in ("segment", "loyalty_tier") and isinstance(value, str):
        kind = "segment" if name == "segment" else "loyalty tier"
        return f"{value} {kind} ({out_of})"
    if name == "ltv_percentile" and number is not None:
        return f"LTV in the {_ordinal(max(1, round(number * 100)))} percentile ({out_of})"
    if name == "segment_value" and number is not None:
        segment = _json_value(inputs.get("segment"))
        average = f"the {segment} average" if isinstance(segment, str) else "the segment average"
        capped = f"capped at {_number(SEGMENT_VALUE_CAP)} times: " if number > SEGMENT_VALUE_CAP else ""
        return f"LTV {_number(number, 2)} times {average} ({capped}{out_of})"
    if name == "recency" and number is not None:
        band = _band_found(number, _RECENCY_BANDS)
        days = _shown(number, _RECENCY_BANDS)
        return f"last activity {days} {'day' if days == '1' else 'days'} ago ({band.label}: {out_of})"
    if name == "order_frequency" and number is not None:
        band = _band_found(number, _ORDER_FREQUENCY_BANDS)
        if number <= 0:
            return f"no orders in the last 90 days, leaving out cancelled ones and failed payments (none: {out_of})"
        per_month = _shown(number, _ORDER_FREQUENCY_BANDS, decimals=1)
        return f"{per_month} orders a month over the last 90 days ({band.label}: {out_of})"
    if name == "spending_trend":
        if number is None and earned == _NOTHING_ARRIVED_POINTS:
            return (
                f"orders placed in the last {SPENDING_WINDOWS_DAYS} days, but no money arrived in either "
                f"90-day window (lowest band: {out_of})"
            )
        if number is None:
            return f"spending started after nothing in the previous 90 days (increasing: {out_of})"
        band = _band_found(number, _SPENDING_BANDS)
        if number == 0:
            return f"spending unchanged against the previous 90 days ({band.label}: {out_of})"
        percent = _shown(number, _SPENDING_BANDS, decimals=1, scale=100).lstrip("-")
        direction = "up" if number > 0 else "down"
        return f"spending {direction} {percent} % against the previous 90 days ({band.label}: {out_of})"
    if name == "support_tickets" and number is not None:
        band = _band_found(number, _TICKET_BANDS)
        if number <= 0:
            return f"no tickets in the last 90 days (none: {out_of})"
        noun = "ticket" if number == 1 else "tickets"
        return f"{int(number)} {noun} in the last 90 days ({band.label}: {out_of})"
    if name == "nps" and number is not None:
        band = _band_found(number, _NPS_BANDS)
        return f"latest NPS answer {_number(number)} ({band.label}: {out_of})"
    if name == "tenure" and number is not None:
        band = _band_found(number, _TENURE_BANDS)
        days = _shown(number, _TENURE_BANDS)
        return f"customer for {days} {'day' if days == '1' else 'days'} ({band.label}: {out_of})"
    # Inputs that do not fit the factor (a caller's mistake): still say something true.
    return f"{factor.label}: {out_of}"


_NO_DATA_REASONS = {
    "segment": "segment unknown",
    "ltv_percentile": "no lifetime value on record",
    "loyalty_tier": "loyalty tier unknown",
    "segment_value": "no segment average to compare with",
    "recency": "no activity on record",
    "order_frequency": "no orders yet",
    "spending_trend": f"no orders in the last {SPENDING_WINDOWS_DAYS} days to compare spending",
    "support_tickets": "ticket count unknown",
    "nps": "no NPS answer yet",
    "tenure": "no signup date on record",
}
