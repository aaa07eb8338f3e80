"""Plain-language "why this customer is at risk" descriptions, written from the signals table.

Pure functions, no ORM: the scan hands in one row of `customers.behaviour` (a dict or the
`pandas.Series` of `signals.loc[customer_id]`), the customer's health score and churn risk,
and gets back the statements the data supports, most important first, and one paragraph.

Every statement is made only when its condition holds for this customer and carries the real
numbers; a missing value (NaN, NaT, None, pd.NA or an absent key) never produces a statement,
so "nan", "None" or "inf" cannot reach the text.

`pattern_matches` evaluates the same conditions for a whole table at once, and
`pattern_outcomes` counts, per statement, how many labelled customers it was true of and how
many of them churned: the "similar customers churned" statement reads those counts.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from procx_site.formats import money

ONE_DAY = pd.Timedelta(days=1)
MINUS = "\N{MINUS SIGN}"

# Severity of each statement: the description lists them from the highest weight down.
# Money already failing to arrive and a customer telling us they are unhappy come first;
# a change in buying habits next; support trouble after that; going quiet and merely
# busy support last. Health is context, not a finding, and always leads; the lifetime value
# percentile (shown in the paragraph's opening) and what happened to similar customers are
# context too, and come last.
SIGNAL_WEIGHTS: dict[str, float] = {
    "health": 100.0,
    "failed_payments_last_30": 90.0,
    "payment_reliability": 85.0,
    "failed_payments_last_90": 80.0,
    "nps_drop": 70.0,
    "nps_detractor": 65.0,
    "last_purchase_unusual": 60.0,
    "no_recent_purchase": 58.0,
    "never_ordered": 55.0,
    "unresolved_tickets": 50.0,
    "orders_stopped": 45.0,
    "order_frequency_down": 40.0,
    "spending_down": 35.0,
    "low_satisfaction": 30.0,
    "negative_sentiment": 28.0,
    "inactive": 25.0,
    "many_tickets": 20.0,
    "ltv_percentile": 15.0,
    "similar_customers_churned": 10.0,
}
# Statements that describe the customer rather than a distress signal they show.
CONTEXT_KEYS = frozenset({"health", "ltv_percentile", "similar_customers_churned"})
# The distress signals: the statements `pattern_matches` and `pattern_outcomes` evaluate.
PATTERN_KEYS: tuple[str, ...] = tuple(key for key in SIGNAL_WEIGHTS if key not in CONTEXT_KEYS)

# Thresholds: each statement's condition, in one place.
DETRACTOR_MAX_NPS = 6.0  # 0-6 are detractors in the NPS definition
NPS_DROP_MIN_POINTS = 2.0  # a smaller dip is a drop only when it moves into detractor territory
UNUSUAL_GAP_RATIO = 2.0  # last purchase more than this many segment medians ago ...
UNUSUAL_GAP_MIN_DAYS = 30  # ... and at least this long ago
NO_PURCHASE_MIN_DAYS = 60
DECLINE_MIN_FRACTION = 0.25  # orders or spend down by at least a quarter
ORDER_DECLINE_MIN_PREVIOUS = 2  # fewer previous orders make a percentage meaningless
LOW_CSAT_MAX = 2.5
NEGATIVE_SENTIMENT_MAX = -0.4
INACTIVE_MIN_DAYS = 30
MANY_TICKETS_MIN = 3
LTV_TOP_MAX_PERCENT = 50  # "top 80 % by lifetime value" would describe a customer in the lower half
SIMILAR_MIN_CUSTOMERS = 30  # fewer matching labelled customers say nothing about how such customers fare

# "similar customers churned: 34 of 52 labelled customers <phrase> churned within 90 days"
PATTERN_PHRASES: dict[str, str] = {
    "failed_payments_last_30": "with a failed payment in the last 30 days",
    "payment_reliability": "with a failed payment in the last 90 days but not in the last 30",
    "failed_payments_last_90": "with a failed payment in the last 90 days but not in the last 30",
    "nps_drop": f"whose NPS fell into detractor territory or by {NPS_DROP_MIN_POINTS:g} points or more",
    "nps_detractor": f"who were detractors (latest NPS {DETRACTOR_MAX_NPS:g} or lower)",
    "last_purchase_unusual": f"whose last purchase was over {UNUSUAL_GAP_RATIO:g} times their segment's median gap ago",
    "no_recent_purchase": f"with no purchase in {NO_PURCHASE_MIN_DAYS} days or more",
    "never_ordered": "who never ordered",
    "unresolved_tickets": "with an unresolved support ticket",
    "orders_stopped": "who stopped ordering after ordering in the 3 months before",
    "order_frequency_down": "whose order frequency fell by a quarter or more",
    "spending_down": "whose spending fell by a quarter or more",
    "low_satisfaction": f"with support satisfaction of {LOW_CSAT_MAX:g}/5 or lower",
    "negative_sentiment": "whose support tickets read negative",
    "inactive": f"with no activity for {INACTIVE_MIN_DAYS} days or more",
    "many_tickets": f"with {MANY_TICKETS_MIN} or more support tickets in 90 days",
}


@dataclass(frozen=True)
class Signal:
    """One true statement about a customer: `key` names the rule (see SIGNAL_WEIGHTS),
    `weight` orders statements (higher first), `text` is the statement itself."""

    key: str
    weight: float
    text: str


def segment_order_gap_medians(signals: pd.DataFrame, *, as_of: pd.Timestamp) -> dict[str, float]:
    """Per segment, the median whole days from each customer's last order to `as_of`.

    Only customers who ordered count; a segment where nobody ordered (or a missing segment)
    is absent from the result. Days are rounded down, as the descriptions show them.
    """
    ordered = signals.loc[signals["last_order_at"].notna(), ["segment", "last_order_at"]]
    days_since_order = (as_of - ordered["last_order_at"]) // ONE_DAY
    medians = days_since_order.groupby(ordered["segment"], observed=True, dropna=True).median()
    return {str(segment): float(median) for segment, median in medians.items()}


def segment_customer_label(segment: object) -> str:
    """The label a description starts with for a customer of this segment ("VIP customer");
    "Customer" when the segment is missing. The scan may pass "High-value customer" to
    `finding_description` instead when it picked the customer for their lifetime value."""
    name = _text(segment)
    return f"{name} customer" if name else "Customer"


def finding_signals(
    *,
    signals_row: Mapping[str, object],
    health_score: float,
    health_band: str,
    churn_risk: float,
    as_of: pd.Timestamp,
    segment_medians: Mapping[str, float],
    ltv_percentile: float | None = None,
    pattern_outcomes: Mapping[str, tuple[int, int]] | None = None,
    outcome_horizon_days: int | None = None,
) -> list[Signal]:
    """Every distress signal this customer shows, health first, then by SIGNAL_WEIGHTS.

    `signals_row` holds the columns of `customers.behaviour.SIGNAL_COLUMNS`; a missing value
    or key means "no statement". `segment_medians` comes from `segment_order_gap_medians`.
    `churn_risk` (0-1) is only checked here: `finding_description` states it once, after
    the signals. A health score outside 0-100 or a churn risk outside 0-1 (NaN included)
    is a caller's bug and raises ValueError rather than being written down.

    Optional context, each stated only when given:
    - `ltv_percentile`: the share (0-1) of customers with a lifetime value at or below this
      one's, as `customers.health` computes it; gives "top 15 % by lifetime value" when the
      customer is in the upper half. NaN or None says nothing; outside 0-1 raises ValueError.
    - `pattern_outcomes` (from `pattern_outcomes`) and `outcome_horizon_days` (the horizon the
      labels were measured over): one "similar customers churned: 34 of 52 ..." statement for
      this customer's highest-weighted signal that at least SIMILAR_MIN_CUSTOMERS labelled
      customers showed; nothing when none did.
    """
    if not _is_number(health_score) or not 0 <= health_score <= 100:
        raise ValueError(f"health_score must be a number from 0 to 100, got {health_score!r}")
    if not _is_number(churn_risk) or not 0 <= churn_risk <= 1:
        raise ValueError(f"churn_risk must be a probability from 0 to 1, got {churn_risk!r}")
    percentile = None if _missing(ltv_percentile) else ltv_percentile
    if percentile is not None and (not _is_number(percentile) or not 0 <= percentile <= 1):
        raise ValueError(f"ltv_percentile must be a share from 0 to 1, got {ltv_percentile!r}")
    if outcome_horizon_days is not None and (
        not isinstance(outcome_horizon_days, numbers.Integral) or outcome_horizon_days < 1
    ):
        raise ValueError(f"outcome_horizon_days must be a whole number of days, got {outcome_horizon_days!r}")

    statements: list[tuple[str, str]] = []
    statements += _payment_statements(signals_row)
    statements += _nps_statements(signals_row)
    purchase = _purchase_statements(signals_row, as_of=as_of, segment_medians=segment_medians)
    statements += purchase
    statements += _ticket_statements(signals_row)
    orders = _order_statements(signals_row)
    statements += orders
    if not any(key == "orders_stopped" for key, _ in orders):
        statements += _spending_statements(signals_row)
    statements += _inactivity_statements(signals_row, as_of=as_of, purchase=purchase)
    if pattern_outcomes is not None:
        statements += _similar_customers_statements(
            statements, pattern_outcomes=pattern_outcomes, horizon_days=outcome_horizon_days
        )
    if percentile is not None:
        statements += _ltv_percentile_statements(float(percentile))

    band = health_band.strip()
    health_text = f"health {_whole(health_score)}/100" + (f" ({band})" if band else "")
    found = sorted(
        (Signal(key=key, weight=SIGNAL_WEIGHTS[key], text=text) for key, text in statements),
        key=lambda signal: -signal.weight,
    )
    return [Signal(key="health", weight=SIGNAL_WEIGHTS["health"], text=health_text), *found]


def finding_description(
    *,
    customer_label: str,
    lifetime_value: float,
    currency: str = "USD",
    signals: list[Signal],
    churn_risk: float,
    risk_source: str,
    segment: object = None,
    segment_mean_ltv: float | None = None,
) -> str:
    """One paragraph: who, the signals in the order given, then the churn risk and its source.

    "High-value customer (LTV $45,230.00, top 2 % by lifetime value, 2.1 times the VIP average
    of $21,500.00) showing distress signals: health 41/100 (critical); 3 failed payments in the
    last 30 days; ... Churn risk 78 % (risk source: churn model, AUC 0.78)."

    The lifetime value percentile signal, when `signals` has one, goes into the opening with
    the LTV. `segment_mean_ltv` (the mean LTV of the customer's segment, named by `segment`)
    adds how this LTV compares with it; both are in `currency` (ISO 4217). When only context
    (health, percentile) is there it adds "no single signal stands out". A missing lifetime
    value leaves the LTV and the comparison out; a churn risk outside 0-1 raises ValueError.
    """
    if not _is_number(churn_risk) or not 0 <= churn_risk <= 1:
        raise ValueError(f"churn_risk must be a probability from 0 to 1, got {churn_risk!r}")
    who = customer_label.strip() or "Customer"
    about_value = []
    if _is_number(lifetime_value):
        about_value.append(f"LTV {_money(float(lifetime_value), currency)}")
    about_value += [signal.text for signal in signals if signal.key == "ltv_percentile"]
    comparison = _segment_comparison(lifetime_value, segment_mean_ltv, segment=_text(segment), currency=currency)
    if comparison:
        about_value.append(comparison)
    if about_value:
        who += f" ({', '.join(about_value)})"
    texts = [signal.text for signal in signals if signal.key != "ltv_percentile"]
    if all(signal.key in CONTEXT_KEYS for signal in signals):
        texts.append("no single signal stands out")
    source = risk_source.strip()
    risk = f"Churn risk {_percent(churn_risk * 100)}" + (f" (risk source: {source})" if source else "")
    return f"{who} showing distress signals: {'; '.join(texts)}. {risk}."


def pattern_matches(
    signals: pd.DataFrame, *, as_of: pd.Series | pd.Timestamp, segment_medians: Mapping[str, float]
) -> pd.DataFrame:
    """For every row of `signals`, which statement of PATTERN_KEYS `finding_signals` makes:
    a boolean frame with the same index and one column per key.

    The same conditions as the statement functions below, vectorised; `as_of` is one moment
    for every row or a Series of each row's own cut-off, indexed like `signals`.
    """
    as_of_times = _aligned(as_of, signals.index, "as_of") if isinstance(as_of, pd.Series) else as_of
    column = _ColumnReader(signals)
    matches: dict[str, np.ndarray] = {}

    failed_last_30 = column.count("failed_payments_last_30")
    failed_last_90 = column.count("failed_payments_last_90")
    attempts = column.number("payments_last_90")
    with np.errstate(invalid="ignore"):
        reliability = (failed_last_90 >= 1) & ~np.isnan(attempts) & (np.trunc(attempts) >= failed_last_90)
    matches["failed_payments_last_30"] = failed_last_30 >= 1
    matches["payment_reliability"] = ~matches["failed_payments_last_30"] & reliability
    matches["failed_payments_last_90"] = (failed_last_30 < 1) & ~reliability & (failed_last_90 >= 1)

    latest, previous = column.number("latest_nps"), column.number("previous_nps")
    with np.errstate(invalid="ignore"):
        drop = ~np.isnan(latest) & ~np.isnan(previous) & _is_nps_drop(previous=previous, latest=latest)
        matches["nps_drop"] = drop
        matches["nps_detractor"] = ~drop & (latest <= DETRACTOR_MAX_NPS)

    days_since_order = column.days_since("last_order_at", as_of=as_of_times)
    ordered = ~np.isnan(days_since_order)
    median = column.per_segment(segment_medians)
    with np.errstate(invalid="ignore"):
        unusual = (days_since_order > UNUSUAL_GAP_RATIO * median) & (days_since_order >= UNUSUAL_GAP_MIN_DAYS)
        matches["last_purchase_unusual"] = unusual
        matches["no_recent_purchase"] = ~unusual & (days_since_order >= NO_PURCHASE_MIN_DAYS)
    matches["never_ordered"] = ~ordered & (column.count("orders_total") == 0)

    matches["unresolved_tickets"] = column.count("unresolved_tickets") >= 1
    with np.errstate(invalid="ignore"):
        matches["low_satisfaction"] = column.number("mean_csat") <= LOW_CSAT_MAX
        matches["negative_sentiment"] = column.number("mean_ticket_sentiment") <= NEGATIVE_SENTIMENT_MAX
    matches["many_tickets"] = column.count("tickets_last_90") >= MANY_TICKETS_MIN

    orders_known = ~column.missing("orders_last_90") & ~column.missing("orders_prev_90")
    last_orders, previous_orders = column.count("orders_last_90"), column.count("orders_prev_90")
    stopped = orders_known & (last_orders == 0) & (previous_orders >= 1)
    matches["orders_stopped"] = stopped
    matches["order_frequency_down"] = (
        orders_known
        & ~stopped
        & (previous_orders >= ORDER_DECLINE_MIN_PREVIOUS)
        & ((previous_orders - last_orders) >= DECLINE_MIN_FRACTION * previous_orders)
    )

    last_spend, previous_spend = column.number("spend_last_90"), column.number("spend_prev_90")
    with np.errstate(invalid="ignore", divide="ignore"):
        decline = (previous_spend - last_spend) / previous_spend
        matches["spending_down"] = (
            ~stopped & (previous_spend > 0) & (last_spend >= 0) & (decline >= DECLINE_MIN_FRACTION)
        )

    days_since_activity = column.days_since("last_activity_at", as_of=as_of_times)
    purchase_stated = matches["last_purchase_unusual"] | matches["no_recent_purchase"]
    with np.errstate(invalid="ignore"):
        said_as_much = purchase_stated & (days_since_activity >= days_since_order)
        matches["inactive"] = (days_since_activity >= INACTIVE_MIN_DAYS) & ~said_as_much

    return pd.DataFrame({key: matches[key] for key in PATTERN_KEYS}, index=signals.index)


def pattern_outcomes(
    signals: pd.DataFrame,
    labels: pd.Series,
    *,
    as_of: pd.Series | pd.Timestamp,
    segment_medians: Mapping[str, float],
) -> dict[str, tuple[int, int]]:
    """Per statement of PATTERN_KEYS: (labelled rows it is true of, how many of those churned).

    `signals` holds labelled customers' signals, each row measured at its own cut-off `as_of`
    (a Series indexed like `signals`, or one moment for all) before the outcome in `labels`
    (1 churned, 0 retained; a missing label leaves the row out). A statement is true of a row
    exactly when `finding_signals` would make it. `finding_signals` reads the result.
    """
    numeric_labels = pd.to_numeric(_aligned(labels, signals.index, "labels"), errors="coerce")
    label_values = numeric_labels.to_numpy(dtype=float, na_value=np.nan)
    labelled, churned = ~np.isnan(label_values), label_values == 1
    matches = pattern_matches(signals, as_of=as_of, segment_medians=segment_medians).to_numpy()
    matching_counts = (matches & labelled[:, None]).sum(axis=0)
    churned_counts = (matches & churned[:, None]).sum(axis=0)
    return {
        key: (int(matching), int(churn))
        for key, matching, churn in zip(PATTERN_KEYS, matching_counts, churned_counts, strict=True)
    }


def _aligned(values: pd.Series, index: pd.Index, name: str) -> pd.Series:
    """`values` in the order of `index`: as they are when indexed alike, else looked up."""
    if values.index.equals(index):
        return values
    if not (index.is_unique and values.index.is_unique):
        raise ValueError(f"{name} must be indexed like signals (the index repeats, so rows cannot be matched)")
    return values.reindex(index)


class _ColumnReader:
    """The signals table's columns read as the row functions read one value: `number` is a
    finite float or NaN, `count` a whole number with missing as 0, `days_since` whole days
    or NaN, all as numpy arrays; an absent column reads as missing throughout."""

    def __init__(self, signals: pd.DataFrame) -> None:
        self.signals = signals
        self.rows = len(signals)

    def missing(self, key: str) -> np.ndarray:
        if key not in self.signals:
            return np.ones(self.rows, dtype=bool)
        missing: np.ndarray = self.signals[key].isna().to_numpy(dtype=bool)
        return missing

    def number(self, key: str) -> np.ndarray:
        if key not in self.signals or pd.api.types.is_datetime64_any_dtype(self.signals[key]):
            return np.full(self.rows, np.nan)
        numbers_ = pd.to_numeric(self.signals[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isfinite(numbers_), numbers_, np.nan)

    def count(self, key: str) -> np.ndarray:
        counts: np.ndarray = np.trunc(np.nan_to_num(self.number(key), nan=0.0))
        return counts

    def days_since(self, key: str, *, as_of: pd.Series | pd.Timestamp) -> np.ndarray:
        if key not in self.signals:
            return np.full(self.rows, np.nan)
        values = self.signals[key]
        if not pd.api.types.is_datetime64_any_dtype(values):
            # only a time counts, as in _days_since: a stray number is not nanoseconds since 1970
            is_time = values.map(lambda value: isinstance(value, dt.date | np.datetime64) and not _missing(value))
            values = pd.to_datetime(values.where(is_time.astype(bool), None))
        if isinstance(as_of, pd.Series):
            as_of_values = pd.to_datetime(as_of).to_numpy()
        else:
            as_of_values = pd.Timestamp(as_of).to_datetime64()
        elapsed = pd.Series(as_of_values - values.to_numpy())
        days: np.ndarray = (elapsed // ONE_DAY).to_numpy(dtype=float, na_value=np.nan)
        return days

    def per_segment(self, values: Mapping[str, object]) -> np.ndarray:
        """Each row's segment looked up in `values` (as _purchase_statements does), NaN where
        the segment is missing or its value is not a number."""
        if "segment" not in self.signals:
            return np.full(self.rows, np.nan)
        codes, segments = pd.factorize(self.signals["segment"], use_na_sentinel=True)
        found = [values.get(_text(segment)) if _text(segment) else None for segment in segments]
        numbers_ = np.array([value if _is_number(value) else np.nan for value in found] + [np.nan], dtype=float)
        by_row: np.ndarray = numbers_[codes]  # the missing segment's code -1 picks the trailing NaN
        return by_row


# --- one function per group of statements: (key, text) pairs, only when true ---


def _payment_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    """One statement about failed payments: those of the last 30 days when there were some,
    joined by the 90-day reliability when the counts give it; otherwise the reliability alone,
    or the 90-day failure count when the attempts are unknown or inconsistent."""
    failed_last_30 = _count(row, "failed_payments_last_30")
    reliability = _payment_reliability(row)
    if failed_last_30 >= 1:
        text = f"{_plural(failed_last_30, 'failed payment')} in the last 30 days"
        return [("failed_payments_last_30", f"{text}, {reliability}" if reliability else text)]
    if reliability:
        return [("payment_reliability", reliability)]
    failed_last_90 = _count(row, "failed_payments_last_90")
    if failed_last_90 >= 1:
        return [("failed_payments_last_90", f"{_plural(failed_last_90, 'failed payment')} in the last 90 days")]
    return []


def _payment_reliability(row: Mapping[str, object]) -> str:
    """ "payment reliability 71 % over 90 days (2 of 7 payments failed)" after a failure in the
    last 90 days, "" otherwise: the share of attempts that did not fail, from the two counts.
    Not read from a payment_reliability_90 column, and not "went through": a pending payment
    has neither failed nor gone through, and the counts cannot tell it apart."""
    failed = _count(row, "failed_payments_last_90")
    attempts = _number(row, "payments_last_90")
    if failed < 1 or attempts is None or int(attempts) < failed:
        return ""
    attempts = int(attempts)
    # never "100 %" after a failure, nor "0 %" when not all failed
    shown = min(max(_whole(100 * (attempts - failed) / attempts), 1 if failed < attempts else 0), 99)
    noun = "payment" if attempts == 1 else "payments"
    return f"payment reliability {shown} % over 90 days ({failed} of {attempts} {noun} failed)"


def _nps_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    latest = _number(row, "latest_nps")
    previous = _number(row, "previous_nps")
    if latest is None:
        return []
    if previous is not None and _is_nps_drop(previous=previous, latest=latest):
        return [("nps_drop", f"NPS dropped from {_plain(previous)} to {_plain(latest)}")]
    if latest <= DETRACTOR_MAX_NPS:
        return [("nps_detractor", f"latest NPS {_plain(latest)} (detractor)")]
    return []


@overload
def _is_nps_drop(*, previous: float, latest: float) -> bool: ...
@overload
def _is_nps_drop(*, previous: np.ndarray, latest: np.ndarray) -> np.ndarray: ...
def _is_nps_drop(*, previous: float | np.ndarray, latest: float | np.ndarray) -> bool | np.ndarray:
    """A drop worth stating: NPS_DROP_MIN_POINTS or more, or from a passive or promoter answer
    into detractor territory; 8 -> 7 is noise. (Works on numbers and on numpy arrays.)"""
    into_detractor = (latest <= DETRACTOR_MAX_NPS) & (previous > DETRACTOR_MAX_NPS)
    return (latest < previous) & ((previous - latest >= NPS_DROP_MIN_POINTS) | into_detractor)


def _purchase_statements(
    row: Mapping[str, object], *, as_of: pd.Timestamp, segment_medians: Mapping[str, float]
) -> list[tuple[str, str]]:
    days = _days_since(row, "last_order_at", as_of=as_of)
    if days is None:
        # NaT with orders on record would be inconsistent data: say nothing rather than guess.
        return [("never_ordered", "never ordered")] if _count(row, "orders_total") == 0 else []
    segment = _text(row.get("segment"))
    median = segment_medians.get(segment) if segment else None
    if median is not None and _is_number(median) and days > UNUSUAL_GAP_RATIO * median and days >= UNUSUAL_GAP_MIN_DAYS:
        text = (
            f"last purchase {_plural(days, 'day')} ago, unusual for {_segment_member(segment)} "
            f"(segment median {_plain(float(median))} {'day' if median == 1 else 'days'})"
        )
        return [("last_purchase_unusual", text)]
    if days >= NO_PURCHASE_MIN_DAYS:
        return [("no_recent_purchase", f"no purchase in {days} days")]
    return []


def _ticket_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    statements = []
    unresolved = _count(row, "unresolved_tickets")
    if unresolved >= 1:
        statements.append(("unresolved_tickets", _plural(unresolved, "unresolved support ticket")))
    csat = _number(row, "mean_csat")
    if csat is not None and csat <= LOW_CSAT_MAX:
        statements.append(("low_satisfaction", f"support satisfaction {csat:.1f}/5 on average"))
    sentiment = _number(row, "mean_ticket_sentiment")
    if sentiment is not None and sentiment <= NEGATIVE_SENTIMENT_MAX:
        shown = f"{sentiment:.2f}".replace("-", MINUS)
        statements.append(("negative_sentiment", f"tickets read negative (sentiment {shown})"))
    recent_tickets = _count(row, "tickets_last_90")
    if recent_tickets >= MANY_TICKETS_MIN:
        statements.append(("many_tickets", f"{recent_tickets} support tickets in the last 90 days"))
    return statements


def _order_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    if _missing(row.get("orders_last_90")) or _missing(row.get("orders_prev_90")):
        return []
    last, previous = _count(row, "orders_last_90"), _count(row, "orders_prev_90")
    if last == 0 and previous >= 1:
        return [("orders_stopped", f"no orders in the last 3 months, after {previous} in the 3 months before")]
    # integer arithmetic: a drop of exactly 25 % is not lost to floating point
    if previous >= ORDER_DECLINE_MIN_PREVIOUS and (previous - last) >= DECLINE_MIN_FRACTION * previous:
        drop_percent = (200 * (previous - last) + previous) // (2 * previous)  # half up
        return [("order_frequency_down", f"order frequency down {drop_percent} % against the previous 3 months")]
    return []


def _spending_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    last, previous = _number(row, "spend_last_90"), _number(row, "spend_prev_90")
    if last is None or previous is None or previous <= 0 or last < 0:
        return []
    decline = (previous - last) / previous
    if decline >= DECLINE_MIN_FRACTION:
        return [("spending_down", f"spending down {_percent(decline * 100)} against the previous 3 months")]
    return []


def _inactivity_statements(
    row: Mapping[str, object], *, as_of: pd.Timestamp, purchase: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    days = _days_since(row, "last_activity_at", as_of=as_of)
    if days is None or days < INACTIVE_MIN_DAYS:
        return []
    # A purchase statement already "says as much" when the last thing the customer did was
    # that purchase: "no activity for 75 days" would repeat "last purchase 75 days ago".
    days_since_order = _days_since(row, "last_order_at", as_of=as_of)
    purchase_stated = any(key in {"last_purchase_unusual", "no_recent_purchase"} for key, _ in purchase)
    if purchase_stated and days_since_order is not None and days >= days_since_order:
        return []
    return [("inactive", f"no activity for {days} days")]


def _similar_customers_statements(
    statements: list[tuple[str, str]],
    *,
    pattern_outcomes: Mapping[str, tuple[int, int]],
    horizon_days: int | None,
) -> list[tuple[str, str]]:
    for key in sorted((key for key, _ in statements if key in PATTERN_PHRASES), key=lambda key: -SIGNAL_WEIGHTS[key]):
        matching, churned = _outcome_counts(pattern_outcomes, key)
        if matching >= SIMILAR_MIN_CUSTOMERS:
            within = f" within {_plural(horizon_days, 'day')}" if horizon_days is not None else ""
            text = (
                f"similar customers churned: {churned} of {matching} labelled customers "
                f"{PATTERN_PHRASES[key]} churned{within}"
            )
            return [("similar_customers_churned", text)]
    return []


def _outcome_counts(pattern_outcomes: Mapping[str, tuple[int, int]], key: str) -> tuple[int, int]:
    counts = pattern_outcomes.get(key)
    if counts is None:
        return 0, 0
    matching, churned = counts
    if not all(isinstance(count, numbers.Integral) for count in counts) or not 0 <= churned <= matching:
        raise ValueError(f"pattern_outcomes[{key!r}] must be (matching, churned) counts, got {counts!r}")
    return int(matching), int(churned)


def _ltv_percentile_statements(ltv_percentile: float) -> list[tuple[str, str]]:
    # the share with a higher LTV, rounded up: a customer with 14.2 % above them is in the top 15 %,
    # not the top 14 %; the very top is the top 1 %, never the top 0 %
    top_percent = max(1, math.ceil(round((1 - ltv_percentile) * 100, 9)))
    if top_percent > LTV_TOP_MAX_PERCENT:
        return []
    return [("ltv_percentile", f"top {top_percent} % by lifetime value")]


def _segment_comparison(lifetime_value: float, segment_mean_ltv: float | None, *, segment: str, currency: str) -> str:
    """ "2.1 times the VIP average of $3,790.00", "about ...", "40 % of ..."; "" without the data."""
    if segment_mean_ltv is None or not _is_number(lifetime_value) or not _is_number(segment_mean_ltv):
        return ""
    value, mean = float(lifetime_value), float(segment_mean_ltv)
    if value < 0 or mean <= 0:
        return ""
    average = f"the {segment} average" if segment else "the segment average"
    average += f" of {_money(mean, currency)}"
    tenths = _whole(value / mean * 10)
    if tenths > 10:
        return f"{_plain(tenths / 10)} times {average}"
    if tenths == 10:
        return f"about {average}"
    percent = _whole(value / mean * 100)
    if percent == 0 and value > 0:
        return f"under 1 % of {average}"  # "0 %" would say the customer is worth nothing
    return f"{percent} % of {average}"


# --- values and formatting ---


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array is not a value we read
        return True


def _is_number(value: object) -> bool:
    return not _missing(value) and isinstance(value, numbers.Real) and math.isfinite(value)


def _number(row: Mapping[str, object], key: str) -> float | None:
    value = row.get(key)
    if _missing(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _count(row: Mapping[str, object], key: str) -> int:
    """A count column as an int; missing counts as 0, which never makes a statement."""
    number = _number(row, key)
    return int(number) if number is not None else 0


def _text(value: object) -> str:
    return "" if _missing(value) else str(value).strip()


def _days_since(row: Mapping[str, object], key: str, *, as_of: pd.Timestamp) -> int | None:
    value = row.get(key)
    # only a time counts: a stray number would otherwise read as nanoseconds since 1970
    if _missing(value) or not isinstance(value, dt.date | np.datetime64):
        return None
    return int((as_of - pd.Timestamp(value)) // ONE_DAY)


def _whole(value: float) -> int:
    """Round half up (Python's round() sends 0.5 to the even neighbour); the inner round()
    drops binary noise first, so 0.285 * 100 (28.499999...) shows as 29, as a person would."""
    return math.floor(round(value, 9) + 0.5)


def _percent(value: float) -> str:
    return f"{_whole(value)} %"


def _plain(value: float) -> str:
    """9.0 -> "9", 8.5 -> "8.5": survey answers and medians are usually whole."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _money(value: float, currency: str) -> str:
    """In English (staff read these), in `currency` (ISO 4217), to the cent rounded half up."""
    return money(value, currency)


def _segment_member(segment: str) -> str:
    """ "a VIP", "a Loyal customer", "an Occasional customer"."""
    noun = segment if segment == "VIP" else f"{segment} customer"
    article = "an" if noun[0].lower() in "aeiou" else "a"
    return f"{article} {noun}"
