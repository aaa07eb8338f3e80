"""The signals table as it was at a moment in the past, a different moment for each customer.

The churn model must learn only from what was known before the outcome it predicts: a churner's
features are measured at a horizon before their churn date, a retained customer's at a matching
moment (`training_cutoffs`). `signals_at` computes the same columns as
`customers.selectors.customer_signals` from the sheets' rows (a `SheetHistory`), each customer at
their own cut-off, ignoring every row dated after it. Pure pandas, no ORM: the selector
`customer_history` loads the rows, a test builds them by hand.

What a cut-off cannot see, and so is left out or blanked:
- rows dated after it (orders, payments, tickets, NPS answers, events);
- `last_active_date`, a snapshot of the customers sheet taken "now": its value (and whether it is
  before the cut-off) tells whether the customer was active after the cut-off, which is the future;
- a ticket resolved after the cut-off is still unresolved at the cut-off (created + resolution time).
What it does see as of now (documented, since no history of them exists): segment, loyalty tier,
lifetime value and signup date. The churn model uses the first two and tenure, not lifetime value.
Order and payment statuses are the current ones (an order cancelled after the cut-off reads
cancelled); the sheets keep no history of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from customers.behaviour import COUNT_COLUMNS, SIGNAL_COLUMNS
from customers.churn import churn_features, empty_features, health_risk
from customers.event_semantics import EventSignal, event_types_with
from customers.health import Population, health_breakdown

DAY = pd.Timedelta(days=1)
UNRESOLVED_STATUSES = ("open", "in_progress", "escalated")


@dataclass(frozen=True)
class SheetHistory:
    """The rows `signals_at` reads, one frame per sheet (times naive UTC `datetime64`).

    customers: customer_id (index), segment, loyalty_tier, lifetime_value, signup_date
    orders: customer_id, order_date, total_amount, order_status, payment_status
    payments: customer_id, payment_date, status
    tickets: customer_id, created_at, status, resolution_time_hours, sentiment_score, csat_score
    nps: customer_id, date, nps_score
    events: customer_id, event_time, event_type
    labels: customer_id (index), is_churn, churn_date
    as_of: the moment the rows were read at (naive UTC): "now" for the statuses
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    payments: pd.DataFrame
    tickets: pd.DataFrame
    nps: pd.DataFrame
    events: pd.DataFrame
    labels: pd.DataFrame
    as_of: pd.Timestamp


def signals_at(history: SheetHistory, cutoffs: pd.Series) -> pd.DataFrame:
    """The signals table (customers.behaviour.SIGNAL_COLUMNS) of each customer in `cutoffs`
    (index customer_id, values naive UTC timestamps), measured at that customer's cut-off.

    Windows count back from each cut-off: "last 90 days" is (cut-off - 90 days, cut-off].
    `last_active_date` is blank (unknown at a past cut-off), so `last_activity_at` is the
    latest engagement in the rows. `churn_label` is the label as given (what is predicted).
    """
    cutoffs = pd.to_datetime(cutoffs).astype("datetime64[us]").rename("cutoff")
    cutoffs.index.name = "customer_id"
    customers = history.customers.reindex(cutoffs.index)
    signals = pd.DataFrame(index=cutoffs.index)
    signals["segment"] = customers["segment"]
    signals["loyalty_tier"] = customers["loyalty_tier"]
    signals["lifetime_value"] = customers["lifetime_value"].astype(float)
    signals["signup_date"] = pd.to_datetime(customers["signup_date"])
    signals["last_active_date"] = pd.Series(pd.NaT, index=cutoffs.index, dtype="datetime64[us]")

    def before(frame: pd.DataFrame, time_column: str) -> pd.DataFrame:
        """The rows of customers in `cutoffs` dated at or before their cut-off, with `age` in days."""
        joined = frame.merge(cutoffs.reset_index(), on="customer_id", how="inner")
        joined = joined[joined[time_column] <= joined["cutoff"]]
        return joined.assign(age=(joined["cutoff"] - joined[time_column]) / DAY)

    def per_customer(values: pd.Series, how: str) -> pd.Series:
        return values.groupby(level=0).agg(how) if len(values) else pd.Series(dtype=float)

    # Orders: an order cancelled, or whose payment failed, is not an order or spend in a window.
    orders = before(history.orders, "order_date").set_index("customer_id")
    kept = (orders["order_status"] != "cancelled") & (orders["payment_status"] != "failed")
    last_90 = orders["age"] < 90
    prev_90 = (orders["age"] >= 90) & (orders["age"] < 180)
    amount = orders["total_amount"].astype(float)
    signals["orders_total"] = per_customer(orders["age"], "size")
    signals["orders_last_90"] = per_customer(last_90 & kept, "sum")
    signals["orders_prev_90"] = per_customer(prev_90 & kept, "sum")
    signals["spend_last_90"] = per_customer(amount.where(last_90 & kept, 0.0), "sum")
    signals["spend_prev_90"] = per_customer(amount.where(prev_90 & kept, 0.0), "sum")
    signals["last_order_at"] = per_customer(orders["order_date"], "max")

    payments = before(history.payments, "payment_date").set_index("customer_id")
    failed = payments["status"] == "failed"
    in_30, in_90 = payments["age"] < 30, payments["age"] < 90
    signals["payments_last_30"] = per_customer(in_30, "sum")
    signals["failed_payments_last_30"] = per_customer(in_30 & failed, "sum")
    signals["payments_last_90"] = per_customer(in_90, "sum")
    signals["failed_payments_last_90"] = per_customer(in_90 & failed, "sum")
    succeeded = payments["status"] == "success"
    last_payment_at = per_customer(payments["payment_date"].where(succeeded), "max")

    tickets = before(history.tickets, "created_at").set_index("customer_id")
    # A resolved ticket's recorded resolution time may run past the moment the rows were read;
    # it was resolved by then all the same.
    resolved_at = (tickets["created_at"] + pd.to_timedelta(tickets["resolution_time_hours"], unit="h")).clip(
        upper=history.as_of
    )
    open_now = tickets["status"].isin(UNRESOLVED_STATUSES)
    open_then = open_now | (resolved_at > tickets["cutoff"])
    signals["tickets_last_90"] = per_customer(tickets["age"] < 90, "sum")
    signals["unresolved_tickets"] = per_customer(open_then, "sum")
    signals["mean_ticket_sentiment"] = per_customer(tickets["sentiment_score"].astype(float), "mean")
    signals["mean_csat"] = per_customer(tickets["csat_score"].astype(float), "mean")

    answers = before(history.nps, "date").sort_values(["customer_id", "date"], kind="stable")
    signals["latest_nps"] = _nth_from_end(answers, 1)
    signals["previous_nps"] = _nth_from_end(answers, 2)

    events = before(history.events, "event_time").set_index("customer_id")
    engagement = events["event_type"].isin(event_types_with(EventSignal.ENGAGEMENT))
    leaving = events["event_type"].isin(event_types_with(EventSignal.LEAVING))
    trouble = events["event_type"].isin(event_types_with(EventSignal.TROUBLE))
    signals["events_last_30"] = per_customer(engagement & (events["age"] < 30), "sum")
    signals["leaving_signals_last_90"] = per_customer(leaving & (events["age"] < 90), "sum")
    signals["trouble_events_last_90"] = per_customer(trouble & (events["age"] < 90), "sum")
    last_event_at = per_customer(events["event_time"].where(engagement), "max")

    engagement_times = pd.concat(
        [signals["last_order_at"].rename(0), last_payment_at.rename(1), last_event_at.rename(2)], axis=1
    ).reindex(cutoffs.index)
    signals["last_engagement_at"] = engagement_times.max(axis=1)
    signals["last_activity_at"] = signals["last_engagement_at"]  # no last_active_date at a past cut-off

    for column in COUNT_COLUMNS:
        signals[column] = signals[column].reindex(cutoffs.index).fillna(0).astype(int)
    for column in ("spend_last_90", "spend_prev_90"):
        signals[column] = signals[column].reindex(cutoffs.index).astype(float).fillna(0.0)
    attempts = signals["payments_last_90"]
    succeeded_90 = per_customer(in_90 & succeeded, "sum").reindex(cutoffs.index).fillna(0)
    signals["payment_reliability_90"] = (succeeded_90 / attempts.where(attempts > 0)).astype(float)
    for column in ("last_order_at", "last_activity_at", "last_engagement_at"):
        signals[column] = pd.to_datetime(signals[column]).astype("datetime64[us]")
    labels = history.labels.reindex(cutoffs.index)
    signals["churn_label"] = pd.to_numeric(labels["is_churn"], errors="coerce").astype(float)
    return signals[list(SIGNAL_COLUMNS)]


def _nth_from_end(answers: pd.DataFrame, position: int) -> pd.Series:
    """Each customer's NPS score `position` answers from the latest (1: the latest)."""
    if answers.empty:
        return pd.Series(dtype=float)
    ranked = answers.assign(from_end=answers.groupby("customer_id").cumcount(ascending=False) + 1)
    chosen = ranked[ranked["from_end"] == position]
    return chosen.set_index("customer_id")["nps_score"].astype(float)


def aligned_to(signals: pd.DataFrame, cutoffs: pd.Series, anchor: pd.Timestamp) -> pd.DataFrame:
    """The signals with every time moved by (anchor - own cut-off), so that pure functions that
    take one `as_of` (the health score, the churn features) measure each row from its own
    cut-off when given `as_of=anchor`. Windowed counts are already relative and stay as they are."""
    shift = pd.Timestamp(anchor) - pd.to_datetime(cutoffs.reindex(signals.index))
    moved = signals.copy()
    for column in ("signup_date", "last_active_date", "last_activity_at", "last_engagement_at", "last_order_at"):
        moved[column] = pd.to_datetime(moved[column]) + shift
    return moved


@dataclass(frozen=True)
class TrainingExamples:
    """One example per usable labelled customer: when its features are measured and its label.

    `cutoffs` (index customer_id): churners at `horizon_days` before their churn date,
    retained customers at a moment drawn from the churners' cut-offs (so both classes are
    measured at the same points in the shop's history), never before signup and never later
    than `horizon_days` before the data's end (so "did not churn within the horizon" is known).
    `skipped` says how many labelled customers could not be used, and why.
    """

    cutoffs: pd.Series
    labels: pd.Series
    horizon_days: int
    skipped: dict[str, int]


MIN_DAYS_OBSERVED = 30  # a customer must have been with the shop this long at the cut-off


def training_cutoffs(
    history: SheetHistory, *, horizon_days: int, as_of: pd.Timestamp, seed: int = 0
) -> TrainingExamples:
    """Choose each labelled customer's cut-off (see TrainingExamples)."""
    as_of = pd.Timestamp(as_of)
    horizon = pd.Timedelta(days=horizon_days)
    labels = history.labels.copy()
    labels["is_churn"] = pd.to_numeric(labels["is_churn"], errors="coerce")
    labels = labels[labels["is_churn"].isin((0, 1))]
    signup = pd.to_datetime(history.customers["signup_date"]).reindex(labels.index)
    earliest = signup + pd.Timedelta(days=MIN_DAYS_OBSERVED)
    skipped: dict[str, int] = {}

    churned = labels["is_churn"] == 1
    churn_date = pd.to_datetime(labels["churn_date"])
    # A churn date is a day: the customer was gone by its end.
    churner_cutoffs = (churn_date + pd.Timedelta(hours=23, minutes=59, seconds=59) - horizon)[churned]
    latest = as_of - horizon
    no_date = churner_cutoffs.isna()
    too_early = churner_cutoffs < earliest[churned]
    # Trained as of a past moment, a churn that came after it was not yet known then.
    too_late = churner_cutoffs > latest
    skipped["churned without a churn date"] = int(no_date.sum())
    skipped["churned within the horizon of joining"] = int((too_early & ~no_date).sum())
    skipped["churned after the moment trained at"] = int((too_late & ~no_date & ~too_early).sum())
    churner_cutoffs = churner_cutoffs[~no_date & ~too_early & ~too_late]

    retained = labels.index[~churned]
    rng = np.random.default_rng(seed)
    pool = np.sort(churner_cutoffs.to_numpy(dtype="datetime64[us]"))
    low = earliest.reindex(retained).to_numpy(dtype="datetime64[us]")
    if len(pool):
        # A draw from the churners' cut-offs that fall in each retained customer's observable span.
        start = np.searchsorted(pool, low, side="left")
        stop = np.full(len(retained), np.searchsorted(pool, np.datetime64(latest.to_datetime64(), "us"), side="right"))
        feasible = stop > start
        picks = start + np.floor(rng.random(len(retained)) * np.maximum(stop - start, 1)).astype(np.int64)
        chosen = np.where(feasible, pool[np.minimum(picks, len(pool) - 1)], np.datetime64("NaT"))
    else:
        # Nobody churned with a usable date: measure everyone at one horizon before the end.
        feasible = low <= np.datetime64(latest.to_datetime64(), "us")
        chosen = np.where(feasible, np.datetime64(latest.to_datetime64(), "us"), np.datetime64("NaT"))
    skipped["retained but too new to observe"] = int((~feasible).sum())
    retained_cutoffs = pd.Series(chosen, index=retained)[feasible]

    cutoffs = pd.concat([churner_cutoffs, retained_cutoffs]).astype("datetime64[us]").sort_index()
    cutoffs.index.name = "customer_id"
    return TrainingExamples(
        cutoffs=cutoffs.rename("cutoff"),
        labels=labels["is_churn"].reindex(cutoffs.index).astype(int).rename("churn_label"),
        horizon_days=horizon_days,
        skipped={reason: count for reason, count in skipped.items() if count},
    )


@dataclass(frozen=True)
class TrainingSet:
    """What the churn model learns and is measured from: each example's features, label, cut-off
    and the health score's risk, all at that example's cut-off (index customer_id)."""

    features: pd.DataFrame
    labels: pd.Series
    cutoffs: pd.Series
    baseline_risk: pd.Series
    signals: pd.DataFrame  # aligned to the anchor (see `aligned_to`)
    dropped_features: list[str]
    skipped: dict[str, int]
    horizon_days: int


def training_set(history: SheetHistory, *, horizon_days: int, as_of: pd.Timestamp, seed: int = 0) -> TrainingSet:
    """Every usable labelled customer measured at their cut-off (`training_cutoffs`): the churn
    features, the health score's risk, and the features no example has a value for (left out)."""
    anchor = pd.Timestamp(as_of)
    examples = training_cutoffs(history, horizon_days=horizon_days, as_of=anchor, seed=seed)
    signals = aligned_to(signals_at(history, examples.cutoffs), examples.cutoffs, anchor)
    # The relative factors compare with everyone's lifetime value, as the scan does.
    health = health_breakdown(signals, as_of=anchor, population=Population.from_signals(history.customers)).score
    features = churn_features(signals, as_of=anchor)
    dropped = empty_features(features)
    return TrainingSet(
        features=features.drop(columns=dropped),
        labels=examples.labels,
        cutoffs=examples.cutoffs,
        baseline_risk=health_risk(health),
        signals=signals,
        dropped_features=dropped,
        skipped=examples.skipped,
        horizon_days=horizon_days,
    )
