"""Signals measured at a past cut-off see nothing after it, and the churn model learns only from
what was known before each outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customers.behaviour import SIGNAL_COLUMNS
from customers.churn import churn_features, churn_model_evaluate, time_folds
from customers.point_in_time import (
    MIN_DAYS_OBSERVED,
    SheetHistory,
    aligned_to,
    signals_at,
    training_cutoffs,
    training_set,
)
from tests.customers.history_factory import (
    END,
    customers_frame,
    empty_history,
    quiet_after_churn_history,
    warning_signs_history,
)

CUTOFF = pd.Timestamp("2025-06-01 12:00:00")
SECOND = pd.Timedelta(seconds=1)
DAY = pd.Timedelta(days=1)

# One row per sheet, dated `when`, that changes the customer's signals if the cut-off sees it.
ROWS = {
    "orders": lambda when: {
        "customer_id": "C1",
        "order_date": when,
        "total_amount": 80.0,
        "order_status": "delivered",
        "payment_status": "success",
    },
    "payments": lambda when: {"customer_id": "C1", "payment_date": when, "status": "failed"},
    "tickets": lambda when: {
        "customer_id": "C1",
        "created_at": when,
        "status": "open",
        "resolution_time_hours": np.nan,
        "sentiment_score": -0.8,
        "csat_score": 1.0,
    },
    "nps": lambda when: {"customer_id": "C1", "date": when, "nps_score": 2},
    "events": lambda when: {"customer_id": "C1", "event_time": when, "event_type": "view"},
    "leaving events": lambda when: {"customer_id": "C1", "event_time": when, "event_type": "email.unsubscribe"},
}


def history_with(sheet: str, when: pd.Timestamp) -> SheetHistory:
    base = busy_history()
    frame_name = "events" if sheet == "leaving events" else sheet
    frame = getattr(base, frame_name)
    added = pd.concat([frame, pd.DataFrame([ROWS[sheet](when)])], ignore_index=True)
    for column in added.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            added[column] = pd.to_datetime(added[column]).astype("datetime64[us]")
    return SheetHistory(**{**base.__dict__, frame_name: added})


def busy_history() -> SheetHistory:
    """One customer with a little of everything in the year before CUTOFF."""
    history = empty_history(customers_frame(["C1"], signup=pd.Timestamp("2024-01-01")))
    rows = {name: [ROWS[name](CUTOFF - days * DAY) for days in (200, 100, 40, 5)] for name in ROWS}
    frames = {}
    for name, frame in (
        ("orders", history.orders),
        ("payments", history.payments),
        ("tickets", history.tickets),
        ("nps", history.nps),
    ):
        frames[name] = pd.DataFrame(rows[name], columns=frame.columns)
    frames["events"] = pd.DataFrame(rows["events"] + rows["leaving events"][:1], columns=history.events.columns)
    frames["payments"].loc[0, "status"] = "success"
    frames["tickets"]["status"] = "resolved"
    frames["tickets"]["resolution_time_hours"] = 2.0
    frames["nps"]["nps_score"] = [9, 8, 9, 9]
    for frame in frames.values():
        for column in frame.columns:
            if column.endswith(("_date", "_at", "_time")) or column == "date":
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    return SheetHistory(**{**history.__dict__, **frames})


def measured(history: SheetHistory) -> pd.DataFrame:
    return signals_at(history, pd.Series([CUTOFF], index=pd.Index(["C1"], name="customer_id")))


@pytest.mark.parametrize("sheet", list(ROWS))
def test_a_row_after_the_cut_off_changes_nothing(sheet: str) -> None:
    before = measured(busy_history())
    after = measured(history_with(sheet, CUTOFF + SECOND))
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("sheet", list(ROWS))
def test_the_same_row_at_the_cut_off_is_seen(sheet: str) -> None:
    # The counterpart of the test above, so that one cannot pass by seeing nothing at all.
    before = measured(busy_history())
    at_cut_off = measured(history_with(sheet, CUTOFF))
    assert not before.equals(at_cut_off)


def test_signals_at_a_cut_off_hold_every_signal_column() -> None:
    assert list(measured(busy_history()).columns) == list(SIGNAL_COLUMNS)


def test_the_customers_sheets_last_active_date_is_never_read_at_a_past_cut_off() -> None:
    signals = measured(busy_history())
    assert signals["last_active_date"].isna().all()
    # Recency comes from the rows: the view 5 days before the cut-off.
    assert signals.loc["C1", "last_engagement_at"] == CUTOFF - 5 * DAY


def test_a_ticket_resolved_after_the_cut_off_was_still_open_at_it() -> None:
    history = busy_history()
    tickets = history.tickets.copy()
    tickets.loc[3, ["status", "resolution_time_hours"]] = ["resolved", 24 * 10]  # created 5 days before
    signals = measured(SheetHistory(**{**history.__dict__, "tickets": tickets}))
    assert signals.loc["C1", "unresolved_tickets"] == 1
    tickets.loc[3, "resolution_time_hours"] = 24 * 2
    signals = measured(SheetHistory(**{**history.__dict__, "tickets": tickets}))
    assert signals.loc["C1", "unresolved_tickets"] == 0


def test_windows_count_back_from_each_customers_own_cut_off() -> None:
    history = busy_history()
    signals = measured(history)
    assert signals.loc["C1", "orders_total"] == 4
    assert signals.loc["C1", "orders_last_90"] == 2  # 40 and 5 days before
    assert signals.loc["C1", "orders_prev_90"] == 1  # 100 days before
    assert signals.loc["C1", "payments_last_30"] == 1
    assert signals.loc["C1", "failed_payments_last_90"] == 2
    assert signals.loc["C1", "tickets_last_90"] == 2
    assert signals.loc["C1", "latest_nps"] == 9
    assert signals.loc["C1", "previous_nps"] == 9
    assert signals.loc["C1", "leaving_signals_last_90"] == 0  # the unsubscribe was 200 days before


def test_aligned_signals_measure_each_row_from_its_own_cut_off() -> None:
    history = busy_history()
    cutoffs = pd.Series([CUTOFF], index=pd.Index(["C1"], name="customer_id"))
    anchor = pd.Timestamp("2025-10-09 23:59:59")
    features = churn_features(aligned_to(signals_at(history, cutoffs), cutoffs, anchor), as_of=anchor)
    assert features.loc["C1", "days_since_last_activity"] == pytest.approx(5)
    assert features.loc["C1", "days_since_last_order"] == pytest.approx(5)
    assert features.loc["C1", "tenure_days"] == pytest.approx((CUTOFF - pd.Timestamp("2024-01-01")) / DAY)


# --- choosing the cut-offs -------------------------------------------------------------------------


def labelled_history() -> SheetHistory:
    ids = [f"C{number}" for number in range(8)]
    signups = [pd.Timestamp("2024-01-01")] * 6 + [END - 40 * DAY, END - 100 * DAY]
    labels = pd.DataFrame(
        {
            "is_churn": [1, 1, 1, 1, 0, 0, 0, 1],
            "churn_date": pd.to_datetime(
                ["2025-03-01", "2025-05-01", "2025-07-01", None, None, None, None, str((END - 90 * DAY).date())]
            ).astype("datetime64[us]"),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    return empty_history(customers_frame(ids, signup=signups), labels)


def test_a_churner_is_measured_a_horizon_before_the_end_of_their_churn_day() -> None:
    examples = training_cutoffs(labelled_history(), horizon_days=60, as_of=END)
    assert examples.cutoffs["C0"] == pd.Timestamp("2025-03-01 23:59:59") - 60 * DAY
    assert examples.labels["C0"] == 1


def test_retained_customers_are_measured_at_the_churners_moments_within_what_is_known() -> None:
    history = labelled_history()
    examples = training_cutoffs(history, horizon_days=60, as_of=END, seed=3)
    churner_moments = set(examples.cutoffs[examples.labels == 1])
    for customer_id in ("C4", "C5"):
        assert examples.cutoffs[customer_id] in churner_moments
        assert examples.cutoffs[customer_id] <= END - 60 * DAY
        assert examples.labels[customer_id] == 0


def test_customers_that_cannot_be_measured_are_left_out_and_counted() -> None:
    examples = training_cutoffs(labelled_history(), horizon_days=60, as_of=END)
    assert "C3" not in examples.cutoffs.index  # churned, no date
    assert "C6" not in examples.cutoffs.index  # retained, joined 40 days ago
    assert "C7" not in examples.cutoffs.index  # churned 10 days after joining
    assert examples.skipped == {
        "churned without a churn date": 1,
        "churned within the horizon of joining": 1,
        "retained but too new to observe": 1,
    }
    signup = labelled_history().customers["signup_date"]
    assert (examples.cutoffs >= signup.reindex(examples.cutoffs.index) + MIN_DAYS_OBSERVED * DAY).all()


# --- folds and the future --------------------------------------------------------------------------


@pytest.mark.parametrize("horizon_days", [1, 30, 90])
def test_no_fold_trains_on_an_outcome_that_comes_after_its_first_scored_moment(horizon_days: int) -> None:
    rng = np.random.default_rng(horizon_days)
    cutoffs = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 600, 500), unit="D"))
    folds = time_folds(cutoffs, horizon_days=horizon_days)
    assert len(folds) == 4
    scored = np.concatenate([test for _, test in folds])
    assert len(np.unique(scored)) == len(scored)  # each example scored once at most
    for train, test in folds:
        assert len(train) > 0
        assert not set(train) & set(test)
        assert cutoffs.iloc[train].max() + pd.Timedelta(days=horizon_days) <= cutoffs.iloc[test].min()


def evaluate(history: SheetHistory, *, horizon_days: int = 60):
    training = training_set(history, horizon_days=horizon_days, as_of=END)
    return training, churn_model_evaluate(
        training.features,
        training.labels,
        cutoffs=training.cutoffs,
        baseline_risk=training.baseline_risk,
        horizon_days=horizon_days,
        capacity_share=0.01,
    )


def test_when_churners_only_go_quiet_after_their_churn_date_the_model_is_not_used() -> None:
    history = quiet_after_churn_history(700, seed=4)
    # Measured "now", going quiet gives churn away: the leak the model must not learn from.
    now = churn_features(signals_at(history, pd.Series(END, index=history.labels.index)), as_of=END)
    from sklearn.metrics import roc_auc_score

    leaked_auc = roc_auc_score(history.labels["is_churn"], now["days_since_last_activity"].fillna(10_000))
    assert leaked_auc > 0.9

    _, evaluation = evaluate(history)
    assert evaluation.usable is False
    assert evaluation.metrics["roc_auc"] < 0.6
    assert "no usable signal before the churn dates" in evaluation.reason


def test_trouble_before_the_churn_date_makes_a_usable_model_that_beats_the_health_score() -> None:
    training, evaluation = evaluate(warning_signs_history(700, seed=4))
    assert evaluation.usable is True, evaluation.reason
    assert evaluation.metrics["roc_auc"] > evaluation.baseline["roc_auc"] + 0.01
    assert evaluation.family in evaluation.families
    assert set(evaluation.families) == {"logistic_regression", "gradient_boosting"}
    # Figures are over the held-out examples only, never the whole training set.
    assert evaluation.held_out == evaluation.metrics["labelled"] < len(training.labels)
    assert evaluation.reliability
    assert sum(point["count"] for point in evaluation.reliability) == evaluation.held_out


def test_a_shop_without_one_sheet_drops_its_features_quietly_and_names_them() -> None:
    history = warning_signs_history(300, seed=5)
    no_nps = SheetHistory(**{**history.__dict__, "nps": history.nps.iloc[0:0]})
    training = training_set(no_nps, horizon_days=60, as_of=END)
    assert training.dropped_features == ["latest_nps", "nps_change"]
    assert "latest_nps" not in training.features.columns


# --- one definition: the rows' mirror agrees with the database's aggregates ----------------------


@pytest.mark.django_db
@pytest.mark.parametrize("days_before_end", [0, 45, 200])
def test_signals_at_one_moment_for_everyone_match_the_scans_signals(tmp_path, days_before_end: int) -> None:
    """The scan reads `customer_signals` (SQL aggregates); training reads `signals_at` (pandas over
    rows). At one shared moment they must agree on every column the model and the health score
    read, or a model would be served features it was not trained on."""
    import datetime as dt

    from customers.selectors import customer_history, customer_signals
    from customers.services import workbook_import
    from customers.workbook_files import workbook_write
    from demo.dataset import dataset_generate

    path = tmp_path / "shop.xlsx"
    workbook_write(dataset_generate(customers=150, seed=9, as_of=dt.date(2025, 10, 9)), path)
    workbook_import(path=path)
    moment = dt.datetime(2025, 10, 9, 23, 59, 59, tzinfo=dt.UTC) - dt.timedelta(days=days_before_end)

    from_database = customer_signals(as_of=moment).sort_index()
    cutoff = pd.Timestamp(moment.replace(tzinfo=None))
    from_rows = signals_at(customer_history(as_of=moment), pd.Series(cutoff, index=from_database.index)).sort_index()

    # By design: a past cut-off cannot know the customers sheet's snapshot of last activity.
    for column in ("last_active_date", "last_activity_at", "churn_label"):
        from_database = from_database.drop(columns=column)
        from_rows = from_rows.drop(columns=column)
    # unresolved_tickets: the database counts today's status; at a past moment a ticket resolved
    # later was still open, which only the rows can tell.
    if days_before_end:
        from_database = from_database.drop(columns="unresolved_tickets")
        from_rows = from_rows.drop(columns="unresolved_tickets")
    pd.testing.assert_frame_equal(from_rows, from_database, check_dtype=False, check_index_type=False)


def test_trained_as_of_a_past_moment_a_later_churn_is_not_known_yet() -> None:
    history = labelled_history()  # churn dates 2025-03-01, 2025-05-01, 2025-07-01
    examples = training_cutoffs(history, horizon_days=60, as_of=pd.Timestamp("2025-06-15 23:59:59"))
    assert "C0" in examples.cutoffs.index  # churned 2025-03-01: known by then
    assert "C1" in examples.cutoffs.index  # churned 2025-05-01: known by then
    assert "C2" not in examples.cutoffs.index  # churned 2025-07-01: after the moment
    assert examples.skipped["churned after the moment trained at"] == 1
    assert examples.skipped["churned within the horizon of joining"] == 1  # C7, counted once
    assert (examples.cutoffs <= pd.Timestamp("2025-06-15 23:59:59") - 60 * DAY).all()
