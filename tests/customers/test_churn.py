"""The churn model is measured on held-out customers and used only when it beats the health score."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from customers import churn
from customers.behaviour import SIGNAL_COLUMNS
from customers.churn import (
    CATEGORICAL_FEATURES,
    FEATURE_COLUMNS,
    FEATURE_DIRECTIONS,
    GRADIENT_BOOSTING,
    LOGISTIC_REGRESSION,
    METRIC_KEYS,
    MIN_USABLE_AUC,
    MODEL_FAMILIES,
    NUMERIC_FEATURES,
    churn_features,
    churn_model_dump,
    churn_model_evaluate,
    churn_model_fit,
    churn_model_load,
    churn_model_predict,
    empty_features,
    health_risk,
    risk_source_text,
)

AS_OF = pd.Timestamp("2025-10-09 23:59:59")
DAY = pd.Timedelta(days=1)
HORIZON = 60


def make_signals(count: int, *, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """A signals table (as `point_in_time.aligned_to` gives, every row measured from AS_OF) whose
    churn labels follow failed payments and inactivity (plus noise); a health score that knows
    only a little of that; and each row's cut-off, spread over two years."""
    rng = np.random.default_rng(seed)
    ids = [f"C{100_000 + number}" for number in range(count)]
    payments_90 = rng.poisson(2.0, count)
    failed_90 = rng.binomial(payments_90, rng.beta(1, 6, count))
    payments_30 = rng.binomial(payments_90, 0.35)
    failed_30 = np.minimum(failed_90, payments_30)
    idle_days = rng.gamma(2.0, 25.0, count)
    orders_total = rng.poisson(4.0, count)
    orders_last_90 = rng.poisson(1.0, count)
    orders_prev_90 = rng.poisson(1.0, count)
    tickets = rng.poisson(0.8, count)
    has_tickets = tickets > 0
    nps_answers = rng.integers(0, 3, count)
    latest_nps = np.where(nps_answers >= 1, rng.integers(0, 11, count), np.nan)
    previous_nps = np.where(nps_answers >= 2, rng.integers(0, 11, count), np.nan)
    last_order_days = np.where(orders_total > 0, idle_days + rng.uniform(0, 60, count), np.nan)

    failed_share = failed_90 / np.maximum(payments_90, 1)
    logit = -1.5 + 4.0 * failed_share + 0.025 * (idle_days - 50) + rng.normal(0, 0.7, count)
    churned = rng.random(count) < 1 / (1 + np.exp(-logit))
    last_engagement = AS_OF - pd.to_timedelta(idle_days, unit="D")

    signals = pd.DataFrame(
        {
            "segment": rng.choice(["VIP", "Loyal", "Regular", "Occasional"], count),
            "loyalty_tier": rng.choice(["Platinum", "Gold", "Silver", "Bronze"], count),
            "lifetime_value": rng.gamma(2.0, 300.0, count),
            "signup_date": AS_OF - pd.to_timedelta(rng.uniform(60, 1000, count), unit="D"),
            "last_active_date": pd.NaT,
            "last_activity_at": last_engagement,
            "last_engagement_at": last_engagement,
            "orders_total": orders_total,
            "orders_last_90": orders_last_90,
            "orders_prev_90": orders_prev_90,
            "spend_last_90": orders_last_90 * rng.gamma(2.0, 40.0, count),
            "spend_prev_90": orders_prev_90 * rng.gamma(2.0, 40.0, count),
            "last_order_at": AS_OF - pd.to_timedelta(last_order_days, unit="D"),
            "tickets_last_90": tickets,
            "unresolved_tickets": rng.binomial(tickets, 0.3),
            "mean_ticket_sentiment": np.where(has_tickets, rng.uniform(-1, 1, count), np.nan),
            "mean_csat": np.where(has_tickets, rng.uniform(1, 5, count), np.nan),
            "latest_nps": latest_nps,
            "previous_nps": previous_nps,
            "payments_last_30": payments_30,
            "failed_payments_last_30": failed_30,
            "payments_last_90": payments_90,
            "failed_payments_last_90": failed_90,
            "payment_reliability_90": np.where(payments_90 > 0, 1 - failed_share, np.nan),
            "events_last_30": rng.poisson(3.0, count),
            "leaving_signals_last_90": rng.poisson(0.1, count),
            "trouble_events_last_90": rng.poisson(0.3, count),
            "churn_label": churned.astype(float),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    signals = signals[[column for column in SIGNAL_COLUMNS if column in signals.columns]]
    # The health score sees inactivity only faintly, through a lot of noise.
    health = pd.Series(np.clip(70 - 0.1 * idle_days + rng.normal(0, 15, count), 0, 100), index=signals.index)
    cutoffs = pd.Series(
        AS_OF - HORIZON * DAY - pd.to_timedelta(rng.uniform(0, 700, count), unit="D"), index=signals.index
    )
    return signals, health, cutoffs


def features_and_labels(count: int, *, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    signals, _, _ = make_signals(count, seed=seed)
    return churn_features(signals, as_of=AS_OF), signals["churn_label"]


def evaluated(
    features: pd.DataFrame,
    labels: pd.Series,
    *,
    seed: int = 0,
    health: pd.Series | None = None,
    cutoffs: pd.Series | None = None,
):
    _signals, made_health, made_cutoffs = make_signals(len(features), seed=seed)
    made_health.index = made_cutoffs.index = features.index
    return churn_model_evaluate(
        features,
        labels,
        cutoffs=made_cutoffs if cutoffs is None else cutoffs,
        baseline_risk=health_risk(made_health if health is None else health),
        horizon_days=HORIZON,
        capacity_share=0.01,
    )


def shuffled(labels: pd.Series, *, seed: int = 1) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).permutation(labels.to_numpy()), index=labels.index)


# --- features ----------------------------------------------------------------------------------


def test_features_leave_out_the_label_and_hold_no_infinities() -> None:
    signals, _, _ = make_signals(300)
    features = churn_features(signals, as_of=AS_OF)

    assert list(features.columns) == list(FEATURE_COLUMNS)
    assert "churn_label" not in features.columns
    assert features.index.equals(signals.index)
    assert features.index.name == "customer_id"
    numeric = features.drop(columns=list(CATEGORICAL_FEATURES)).to_numpy(dtype=float)
    assert not np.isinf(numeric).any()


def test_no_feature_reads_what_a_past_cut_off_cannot_know() -> None:
    # The customers sheet's last_active_date and lifetime value are snapshots of "now"; the
    # health score includes the first. Changing them must not move a single feature.
    signals, _, _ = make_signals(50)
    changed = signals.copy()
    changed["last_active_date"] = AS_OF
    changed["last_activity_at"] = AS_OF
    changed["lifetime_value"] = 1e6
    pd.testing.assert_frame_equal(churn_features(signals, as_of=AS_OF), churn_features(changed, as_of=AS_OF))


def test_features_give_missing_answers_their_natural_value_or_nan() -> None:
    signals, _, _ = make_signals(3)
    never_ordered, no_history, steady = signals.index
    signals.loc[never_ordered, ["orders_total", "orders_last_90", "orders_prev_90"]] = 0
    signals.loc[never_ordered, ["spend_last_90", "spend_prev_90"]] = 0.0
    signals.loc[never_ordered, "last_order_at"] = pd.NaT
    signals.loc[no_history, ["payments_last_30", "failed_payments_last_30"]] = 0
    signals.loc[no_history, ["payments_last_90", "failed_payments_last_90"]] = 0
    signals.loc[no_history, ["latest_nps", "previous_nps"]] = [7.0, np.nan]
    signals.loc[no_history, "segment"] = None
    signals.loc[steady, ["payments_last_90", "failed_payments_last_90"]] = [4, 1]
    signals.loc[steady, ["latest_nps", "previous_nps"]] = [6.0, 9.0]
    signals.loc[steady, "last_order_at"] = AS_OF - 10 * DAY
    signals.loc[steady, "signup_date"] = AS_OF - 400 * DAY

    features = churn_features(signals, as_of=AS_OF)

    assert features.loc[never_ordered, "never_ordered"] == 1
    assert np.isnan(features.loc[never_ordered, "days_since_last_order"])
    assert features.loc[no_history, "failed_payment_share_90"] == 0
    assert features.loc[no_history, "failed_payment_share_30"] == 0
    assert np.isnan(features.loc[no_history, "nps_change"])
    assert features.loc[no_history, "segment"] == "unknown"
    assert features.loc[steady, "never_ordered"] == 0
    assert features.loc[steady, "failed_payment_share_90"] == pytest.approx(0.25)
    assert features.loc[steady, "nps_change"] == -3
    assert features.loc[steady, "days_since_last_order"] == pytest.approx(10)
    assert features.loc[steady, "tenure_days"] == pytest.approx(400)


def test_features_of_an_aware_as_of_match_the_naive_utc_ones() -> None:
    signals, _, _ = make_signals(20)
    naive = churn_features(signals, as_of=AS_OF)
    aware = churn_features(signals, as_of=AS_OF.tz_localize("UTC").tz_convert("Asia/Kolkata"))
    pd.testing.assert_frame_equal(naive, aware)


def test_empty_features_are_named() -> None:
    features, _ = features_and_labels(30)
    features["latest_nps"] = np.nan
    features["nps_change"] = np.nan
    assert empty_features(features) == ["latest_nps", "nps_change"]


def test_health_risk_is_the_complement_of_the_score_within_zero_and_one() -> None:
    risk = health_risk(pd.Series([100.0, 75.0, 0.0, 120.0, -5.0]))
    assert risk.tolist() == [0.0, 0.25, 1.0, 0.0, 1.0]


# --- evaluation --------------------------------------------------------------------------------


def test_real_signal_makes_a_usable_model_that_beats_the_health_score() -> None:
    features, labels = features_and_labels(1500)

    evaluation = evaluated(features, labels)

    assert evaluation.usable, evaluation.reason
    assert evaluation.folds == 4
    assert evaluation.metrics["roc_auc"] > evaluation.baseline["roc_auc"] + 0.05
    assert evaluation.metrics["roc_auc"] >= MIN_USABLE_AUC
    assert " beats the health score: AUC " in evaluation.reason
    assert evaluation.metrics == evaluation.families[evaluation.family]
    held_out = evaluation.held_out
    assert 0 < held_out < 1500
    for figures in (evaluation.metrics, evaluation.baseline, *evaluation.families.values()):
        assert set(figures) == set(METRIC_KEYS)
        for key in ("roc_auc", "pr_auc", "brier", "precision_at_10", "precision_at_capacity", "base_rate"):
            assert 0 <= figures[key] <= 1, key
        assert figures["labelled"] == held_out
        assert figures["lift_at_10"] == pytest.approx(figures["precision_at_10"] / figures["base_rate"])
        assert figures["lift_at_capacity"] == pytest.approx(figures["precision_at_capacity"] / figures["base_rate"])
        assert figures["capacity_count"] == max(1, round(0.01 * held_out))
    assert evaluation.metrics["lift_at_10"] > 1.5
    assert evaluation.risk_source.startswith("risk source: churn model (AUC ")


def test_shuffled_labels_fall_back_to_the_health_score_and_say_so() -> None:
    features, labels = features_and_labels(1500)

    evaluation = evaluated(features, shuffled(labels))

    auc = evaluation.metrics["roc_auc"]
    assert not evaluation.usable
    assert auc < MIN_USABLE_AUC
    assert "the churn labels carry no usable signal before the churn dates" in evaluation.reason
    assert evaluation.reason.endswith("risk comes from the health score")
    assert (
        evaluation.risk_source == f"risk source: health score; the churn labels carry no usable signal, AUC {auc:.2f}"
    )


def test_a_model_that_only_matches_the_health_score_is_not_used() -> None:
    # A health score that already ranks every churner first leaves nothing to beat.
    features, labels = features_and_labels(300)

    evaluation = evaluated(features, labels, health=100 * (1 - labels))

    assert evaluation.baseline["roc_auc"] == 1.0
    assert not evaluation.usable
    assert "does not beat the health score: AUC " in evaluation.reason
    assert evaluation.reason.endswith("against 1.00; risk comes from the health score")


def test_model_choice_and_metrics_come_from_held_out_folds_only(monkeypatch: pytest.MonkeyPatch) -> None:
    features, labels = features_and_labels(600)
    _, _, cutoffs = make_signals(600)
    cutoffs.index = features.index
    seen: list[tuple[set, set]] = []  # per prediction: what its model trained on, what it scored
    real_estimator = churn._estimator

    class Recorded:
        def __init__(self, family: str, numeric: list[str], seed: int) -> None:
            self.real = real_estimator(family, numeric, seed)

        def fit(self, X: pd.DataFrame, y: np.ndarray) -> Recorded:
            self.trained = set(X.index)
            self.real.fit(X, y)
            return self

        def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
            seen.append((self.trained, set(X.index)))
            return self.real.predict_proba(X)

    monkeypatch.setattr(churn, "_estimator", Recorded)

    evaluation = evaluated(features, labels, cutoffs=cutoffs)

    assert len(seen) == len(MODEL_FAMILIES) * evaluation.folds  # every family, every fold, nothing else
    scored_customers: set = set()
    for trained, scored in seen:
        assert not trained & scored
        # Every outcome a fold learnt from was known before the first moment it scores.
        assert cutoffs[list(trained)].max() + HORIZON * DAY <= cutoffs[list(scored)].min()
        scored_customers |= scored
    assert len(scored_customers) == evaluation.held_out


def test_memorising_noise_does_not_look_good_held_out() -> None:
    # Pure noise in every column: a model can memorise it, but cannot predict moments it has
    # not seen. Scored on its own training data it looks good; evaluated, it must not.
    rng = np.random.default_rng(3)
    count = 400
    features, _ = features_and_labels(count)
    numeric = list(NUMERIC_FEATURES)
    features[numeric] = rng.normal(size=(count, len(numeric)))
    labels = pd.Series(rng.permutation(np.arange(count) % 2).astype(float), index=features.index)

    evaluation = evaluated(features, labels)
    memorised = churn_model_fit(features, labels, family=GRADIENT_BOOSTING)
    in_sample_auc = roc_auc_score(labels, churn_model_predict(memorised, features))

    assert abs(evaluation.metrics["roc_auc"] - 0.5) < 0.1
    assert in_sample_auc > evaluation.metrics["roc_auc"] + 0.15
    assert not evaluation.usable


def test_one_class_of_labels_is_not_usable_and_says_why() -> None:
    features, labels = features_and_labels(60)

    evaluation = evaluated(features, pd.Series(0.0, index=labels.index))

    assert not evaluation.usable
    assert evaluation.folds == 0
    assert evaluation.reason == (
        "all 60 labelled customers are retained, so there is nothing to tell apart; risk comes from the health score"
    )
    assert evaluation.metrics["roc_auc"] is None
    assert evaluation.metrics["labelled"] == 60
    assert evaluation.risk_source == (
        "risk source: health score; too few churn labels of each kind to learn from (60 labelled)"
    )


def test_too_few_labels_are_not_usable_and_say_why() -> None:
    features, labels = features_and_labels(60)
    few = labels.copy()
    few.iloc[12:] = np.nan

    evaluation = evaluated(features, few)

    assert not evaluation.usable
    assert evaluation.reason.startswith("only 12 customers are labelled (at least 20 needed)")


def test_too_few_churners_are_not_usable_and_say_why() -> None:
    features, _ = features_and_labels(60)
    labels = pd.Series(0.0, index=features.index)
    labels.iloc[:3] = 1.0

    evaluation = evaluated(features, labels)

    assert not evaluation.usable
    assert evaluation.reason.startswith("only 3 labelled customers are churned (at least 5 needed)")
    with pytest.raises(ValueError, match="cannot fit a churn model: only 3 labelled customers are churned"):
        churn_model_fit(features, labels, family=LOGISTIC_REGRESSION)


def test_when_no_fold_has_enough_history_before_it_nothing_is_claimed() -> None:
    # Every cut-off on one day: no example's outcome is known before any other's moment.
    features, labels = features_and_labels(200)
    same_day = pd.Series(AS_OF - 100 * DAY, index=features.index)

    evaluation = evaluated(features, labels, cutoffs=same_day)

    assert not evaluation.usable
    assert evaluation.folds == 0
    assert evaluation.reason.startswith("no forward-in-time fold has enough labelled customers")


def test_labels_other_than_zero_and_one_are_refused() -> None:
    features, labels = features_and_labels(40)
    labels.iloc[0] = 2.0
    with pytest.raises(ValueError, match="churn labels must be 0"):
        evaluated(features, labels)


def test_a_constant_health_score_has_no_lift_at_the_top() -> None:
    # Every customer ties: the top 10 % is as good as a random tenth, whatever the row order.
    features, labels = features_and_labels(500)

    evaluation = evaluated(features, labels, health=pd.Series(50.0, index=features.index))

    assert evaluation.baseline["roc_auc"] == 0.5
    assert evaluation.baseline["lift_at_10"] == pytest.approx(1.0)
    assert evaluation.baseline["lift_at_capacity"] == pytest.approx(1.0)


# --- direction: trouble never lowers risk ---------------------------------------------------------


DIRECTED = [(name, direction) for name, direction in FEATURE_DIRECTIONS.items() if direction]


@pytest.mark.parametrize("family", list(MODEL_FAMILIES))
def test_every_directed_feature_moves_risk_only_its_way_even_when_the_sample_says_otherwise(family: str) -> None:
    # Labels drawn against every direction (more tickets, less churn): an unconstrained model
    # would learn that trouble is good news. The constrained one must not.
    rng = np.random.default_rng(11)
    features, _ = features_and_labels(800)
    against = sum(
        -direction * (features[name] - features[name].mean()) / (features[name].std() or 1)
        for name, direction in DIRECTED
    ).fillna(0)
    labels = pd.Series((against + rng.normal(0, 1, len(features)) > 0).astype(float), index=features.index)
    model = churn_model_fit(features, labels, family=family)

    base = features.iloc[:40].copy()
    for name, direction in DIRECTED:
        spread = float(np.nanstd(features[name])) or 1.0
        more = base.copy()
        more[name] = base[name].fillna(features[name].median()) + 2 * spread
        less = more.copy()
        less[name] = more[name] - 2 * spread
        risk_more, risk_less = churn_model_predict(model, more), churn_model_predict(model, less)
        if direction > 0:
            assert (risk_more >= risk_less - 1e-12).all(), name
        else:
            assert (risk_more <= risk_less + 1e-12).all(), name


# --- the fitted model --------------------------------------------------------------------------


@pytest.mark.parametrize("family", list(MODEL_FAMILIES))
def test_a_dumped_model_loads_and_predicts_identically(family: str) -> None:
    features, labels = features_and_labels(300)
    model = churn_model_fit(features, labels, family=family)

    data = churn_model_dump(model)
    loaded = churn_model_load(memoryview(data))  # a BinaryField may hand back a memoryview

    assert isinstance(data, bytes)
    before, after = churn_model_predict(model, features), churn_model_predict(loaded, features)
    pd.testing.assert_series_equal(before, after)
    assert before.index.equals(features.index)
    assert before.between(0, 1).all()


def test_fitting_one_class_is_refused() -> None:
    features, labels = features_and_labels(40)
    with pytest.raises(ValueError, match="all 40 labelled customers are churned"):
        churn_model_fit(features, pd.Series(1.0, index=labels.index), family=LOGISTIC_REGRESSION)


def test_an_unknown_family_is_refused() -> None:
    features, labels = features_and_labels(40)
    with pytest.raises(ValueError, match="unknown model family 'forest'"):
        churn_model_fit(features, labels, family="forest")


def test_twenty_thousand_customers_evaluate_and_fit_quickly() -> None:
    features, labels = features_and_labels(20_000)

    started = time.perf_counter()
    evaluation = evaluated(features, labels)
    churn_model_fit(features, labels, family=evaluation.family)
    seconds = time.perf_counter() - started

    assert evaluation.usable
    assert seconds < 60, f"evaluate + fit took {seconds:.1f} s"


# --- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ({"usable": None}, "risk source: health score; no churn model trained yet"),
        (
            {"usable": True, "auc": 0.7812, "labelled": 1000},
            "risk source: churn model (AUC 0.78, trained on 1,000 labelled customers)",
        ),
        (
            {"usable": True, "auc": 0.7812, "labelled": 1000, "horizon_days": 60},
            "risk source: churn model (AUC 0.78, trained on 1,000 labelled customers, churn within 60 days)",
        ),
        (
            {"usable": False, "auc": 0.514, "labelled": 1000},
            "risk source: health score; the churn labels carry no usable signal, AUC 0.51",
        ),
        (
            {"usable": False, "auc": 0.66, "labelled": 1000},
            "risk source: health score; the churn model does not beat it, AUC 0.66",
        ),
        (
            {"usable": False, "auc": None, "labelled": 12},
            "risk source: health score; too few churn labels of each kind to learn from (12 labelled)",
        ),
    ],
)
def test_risk_source_text_says_where_risk_comes_from(values: dict, text: str) -> None:
    assert risk_source_text(**values) == text
