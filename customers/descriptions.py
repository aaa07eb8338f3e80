"""Plain-language "why this customer is at risk" descriptions, written from the signals table.

Pure functions, no ORM: the scan hands in one row of `customers.signals` (a dict or the
`pandas.Series` of `signals.loc[customer_id]`), the customer's health score and churn risk,
and gets back the statements the data supports, most important first, and one paragraph.

Every statement is made only when its condition holds for this customer and carries the real
numbers; a missing value (NaN, NaT, None, pd.NA or an absent key) never produces a statement,
so "nan", "None" or "inf" cannot reach the text.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

ONE_DAY = pd.Timedelta(days=1)
MINUS = "\N{MINUS SIGN}"

# Severity of each statement: the description lists them from the highest weight down.
# Money already failing to arrive and a customer telling us they are unhappy come first;
# a change in buying habits next; support trouble after that; going quiet and merely
# busy support last. Health is context, not a finding, and always leads.
SIGNAL_WEIGHTS: dict[str, float] = {
    "health": 100.0,
    "failed_payments_last_30": 90.0,
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
}

# Thresholds: each statement's condition, in one place.
DETRACTOR_MAX_NPS = 6.0  # 0-6 are detractors in the NPS definition
UNUSUAL_GAP_RATIO = 2.0  # last purchase more than this many segment medians ago ...
UNUSUAL_GAP_MIN_DAYS = 30  # ... and at least this long ago
NO_PURCHASE_MIN_DAYS = 60
DECLINE_MIN_FRACTION = 0.25  # orders or spend down by at least a quarter
ORDER_DECLINE_MIN_PREVIOUS = 2  # fewer previous orders make a percentage meaningless
LOW_CSAT_MAX = 2.5
NEGATIVE_SENTIMENT_MAX = -0.4
INACTIVE_MIN_DAYS = 30
MANY_TICKETS_MIN = 3


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
) -> list[Signal]:
    """Every distress signal this customer shows, health first, then by SIGNAL_WEIGHTS.

    `signals_row` holds the columns of `customers.signals.SIGNAL_COLUMNS`; a missing value
    or key means "no statement". `segment_medians` comes from `segment_order_gap_medians`.
    `churn_risk` (0-1) is only checked here: `finding_description` states it once, after
    the signals. A health score outside 0-100 or a churn risk outside 0-1 (NaN included)
    is a caller's bug and raises ValueError rather than being written down.
    """
    if not _is_number(health_score) or not 0 <= health_score <= 100:
        raise ValueError(f"health_score must be a number from 0 to 100, got {health_score!r}")
    if not _is_number(churn_risk) or not 0 <= churn_risk <= 1:
        raise ValueError(f"churn_risk must be a probability from 0 to 1, got {churn_risk!r}")

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
    currency: str = "$",
    signals: list[Signal],
    churn_risk: float,
    risk_source: str,
) -> str:
    """One paragraph: who, the signals in the order given, then the churn risk and its source.

    "High-value customer (LTV $45,230.00) showing distress signals: health 41/100 (critical);
    3 failed payments in the last 30 days; ... Churn risk 78 % (risk source: churn model, AUC 0.78)."

    When health is the only signal it adds "no single signal stands out". A missing lifetime
    value leaves the "(LTV ...)" out; a churn risk outside 0-1 raises ValueError.
    """
    if not _is_number(churn_risk) or not 0 <= churn_risk <= 1:
        raise ValueError(f"churn_risk must be a probability from 0 to 1, got {churn_risk!r}")
    who = customer_label.strip() or "Customer"
    if _is_number(lifetime_value):
        who += f" (LTV {_money(float(lifetime_value), currency)})"
    texts = [signal.text for signal in signals]
    if not any(signal.key != "health" for signal in signals):
        texts.append("no single signal stands out")
    source = risk_source.strip()
    risk = f"Churn risk {_percent(churn_risk * 100)}" + (f" (risk source: {source})" if source else "")
    return f"{who} showing distress signals: {'; '.join(texts)}. {risk}."


# --- one function per group of statements: (key, text) pairs, only when true ---


def _payment_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    failed_last_30 = _count(row, "failed_payments_last_30")
    if failed_last_30 >= 1:
        return [("failed_payments_last_30", f"{_plural(failed_last_30, 'failed payment')} in the last 30 days")]
    failed_last_90 = _count(row, "failed_payments_last_90")
    if failed_last_90 >= 1:
        return [("failed_payments_last_90", f"{_plural(failed_last_90, 'failed payment')} in the last 90 days")]
    return []


def _nps_statements(row: Mapping[str, object]) -> list[tuple[str, str]]:
    latest = _number(row, "latest_nps")
    previous = _number(row, "previous_nps")
    if latest is None:
        return []
    if previous is not None and latest < previous:
        return [("nps_drop", f"NPS dropped from {_plain(previous)} to {_plain(latest)}")]
    if latest <= DETRACTOR_MAX_NPS:
        return [("nps_detractor", f"latest NPS {_plain(latest)} (detractor)")]
    return []


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
    cents = _whole(value * 100)
    sign = MINUS if cents < 0 else ""
    return f"{sign}{currency}{abs(cents) / 100:,.2f}"


def _segment_member(segment: str) -> str:
    """ "a VIP", "a Loyal customer", "an Occasional customer"."""
    noun = segment if segment == "VIP" else f"{segment} customer"
    article = "an" if noun[0].lower() in "aeiou" else "a"
    return f"{article} {noun}"
