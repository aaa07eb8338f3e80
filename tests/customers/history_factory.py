"""Sheet histories built by hand for the point-in-time tests: no database, exact control of
when every row happens and of what the churn labels can know."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customers.point_in_time import SheetHistory

START = pd.Timestamp("2024-01-01")
END = pd.Timestamp("2025-10-09 23:59:59")
DAY = pd.Timedelta(days=1)


def empty_history(customers: pd.DataFrame, labels: pd.DataFrame | None = None) -> SheetHistory:
    """A history with these customers (index customer_id) and no rows in any other sheet."""
    if labels is None:
        labels = pd.DataFrame(
            {"is_churn": pd.Series(dtype=float), "churn_date": pd.Series(dtype="datetime64[us]")},
            index=pd.Index([], name="customer_id"),
        )
    return SheetHistory(
        customers=customers,
        orders=_frame(["customer_id", "order_date", "total_amount", "order_status", "payment_status"]),
        payments=_frame(["customer_id", "payment_date", "status"]),
        tickets=_frame(
            ["customer_id", "created_at", "status", "resolution_time_hours", "sentiment_score", "csat_score"]
        ),
        nps=_frame(["customer_id", "date", "nps_score"]),
        events=_frame(["customer_id", "event_time", "event_type"]),
        labels=labels,
        as_of=END,
    )


def _frame(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    for column in columns:
        if column.endswith(("_date", "_at", "_time")) or column == "date":
            frame[column] = frame[column].astype("datetime64[us]")
    return frame


def customers_frame(ids: list[str], *, signup: pd.Timestamp | list[pd.Timestamp] = START) -> pd.DataFrame:
    count = len(ids)
    signups = signup if isinstance(signup, list) else [signup] * count
    return pd.DataFrame(
        {
            "segment": ["Regular"] * count,
            "loyalty_tier": ["Silver"] * count,
            "lifetime_value": [1500.0] * count,
            "signup_date": pd.to_datetime(signups).astype("datetime64[us]"),
        },
        index=pd.Index(ids, name="customer_id"),
    )


def quiet_after_churn_history(count: int, *, seed: int, churn_share: float = 0.3) -> SheetHistory:
    """A shop whose churners behave exactly like everyone else until their churn date, then go
    quiet: measured "now", quiet predicts churn perfectly; measured before the churn date,
    nothing does. A model that reads the future looks excellent here; an honest one is not used."""
    rng = np.random.default_rng(seed)
    ids = [f"C{100_000 + number}" for number in range(count)]
    signup = START + pd.to_timedelta(rng.uniform(0, 200, count), unit="D")
    churned = rng.random(count) < churn_share
    churn_day = START + pd.to_timedelta(rng.uniform(330, (END - START).days - 5, count), unit="D")
    stop = pd.Series(churn_day.normalize() + DAY, index=ids).where(churned, END).astype("datetime64[us]")
    rate = rng.lognormal(np.log(1 / 20), 0.5, count)  # orders a day

    def rows(per_day_factor: float) -> tuple[np.ndarray, pd.DatetimeIndex]:
        spans = ((END - signup) / DAY).to_numpy()
        counts = rng.poisson(rate * per_day_factor * spans)
        owner = np.repeat(np.arange(count), counts)
        times = signup[owner] + pd.to_timedelta(rng.uniform(0, 1, len(owner)) * spans[owner], unit="D")
        keep = times <= stop.to_numpy()[owner]
        return owner[keep], times[keep]

    owner, times = rows(1.0)
    orders = pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=object)[owner],
            "order_date": times.astype("datetime64[us]"),
            "total_amount": rng.gamma(2.0, 60.0, len(owner)),
            "order_status": "delivered",
            "payment_status": np.where(rng.random(len(owner)) < 0.05, "failed", "success"),
        }
    )
    payments = pd.DataFrame(
        {
            "customer_id": orders["customer_id"],
            "payment_date": orders["order_date"] + pd.Timedelta(minutes=3),
            "status": orders["payment_status"],
        }
    )
    owner, times = rows(0.3)
    tickets = pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=object)[owner],
            "created_at": times.astype("datetime64[us]"),
            "status": "resolved",
            "resolution_time_hours": rng.uniform(1, 48, len(owner)),
            "sentiment_score": rng.uniform(-1, 1, len(owner)),
            "csat_score": rng.integers(1, 6, len(owner)).astype(float),
        }
    )
    owner, times = rows(0.2)
    nps = pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=object)[owner],
            "date": times.astype("datetime64[us]"),
            "nps_score": rng.integers(0, 11, len(owner)),
        }
    )
    owner, times = rows(3.0)
    events = pd.DataFrame(
        {
            "customer_id": np.array(ids, dtype=object)[owner],
            "event_time": times.astype("datetime64[us]"),
            "event_type": rng.choice(["view", "search", "add_to_cart"], len(owner)),
        }
    )
    labels = pd.DataFrame(
        {
            "is_churn": churned.astype(float),
            "churn_date": pd.Series(churn_day.normalize(), index=ids).where(churned).astype("datetime64[us]"),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    customers = customers_frame(ids, signup=list(signup))
    return SheetHistory(
        customers=customers,
        orders=orders,
        payments=payments,
        tickets=tickets,
        nps=nps,
        events=events,
        labels=labels,
        as_of=END,
    )


def warning_signs_history(count: int, *, seed: int, churn_share: float = 0.3, horizon_days: int = 60) -> SheetHistory:
    """Like `quiet_after_churn_history`, but churners show trouble in the months before they
    leave (failed payments, tickets, detractor answers, fewer visits) while they still buy:
    a signal a point-in-time model can learn."""
    history = quiet_after_churn_history(count, seed=seed, churn_share=churn_share)
    rng = np.random.default_rng(seed + 1)
    churned = history.labels.index[history.labels["is_churn"] == 1]
    churn_date = history.labels.loc[churned, "churn_date"]
    warning_from = churn_date - pd.Timedelta(days=horizon_days + 80)
    extra_payments, extra_tickets, extra_nps = [], [], []
    for customer_id, start in warning_from.items():
        span = horizon_days + 70
        for _ in range(rng.integers(1, 4)):
            extra_payments.append((customer_id, start + pd.Timedelta(days=rng.uniform(0, span)), "failed"))
        for _ in range(rng.integers(1, 3)):
            extra_tickets.append((customer_id, start + pd.Timedelta(days=rng.uniform(0, span))))
        extra_nps.append((customer_id, start + pd.Timedelta(days=rng.uniform(0, span)), int(rng.integers(0, 5))))
    payments = pd.concat(
        [history.payments, pd.DataFrame(extra_payments, columns=["customer_id", "payment_date", "status"])],
        ignore_index=True,
    )
    tickets = pd.concat(
        [
            history.tickets,
            pd.DataFrame(
                [
                    (customer_id, when, "open", np.nan, rng.uniform(-1, -0.3), np.nan)
                    for customer_id, when in extra_tickets
                ],
                columns=list(history.tickets.columns),
            ),
        ],
        ignore_index=True,
    )
    nps = pd.concat(
        [history.nps, pd.DataFrame(extra_nps, columns=["customer_id", "date", "nps_score"])], ignore_index=True
    )
    for frame, column in ((payments, "payment_date"), (tickets, "created_at"), (nps, "date")):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return SheetHistory(
        customers=history.customers,
        orders=history.orders,
        payments=payments,
        tickets=tickets,
        nps=nps,
        events=history.events,
        labels=history.labels,
        as_of=END,
    )
