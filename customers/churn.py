"""The churn model: learned from churn_labels point in time, measured honestly, used only when it earns it.

Pure functions, no ORM: the caller hands in features measured at each labelled customer's own
cut-off (`customers.point_in_time`), the cut-offs themselves and the health score's risk at the
same cut-offs, and stores what comes out (`churn_model_dump` bytes, the evaluation's figures).

Why the caution:
- **The future.** A churner's behaviour after their churn date says nothing useful: they are
  gone. Features measured "now" teach a model that quiet customers churned, which is true and
  useless. So features are measured `horizon_days` before each churn date (and at matching
  moments for retained customers), and validation is forward in time: each fold trains only on
  examples whose outcome was known before the fold's first cut-off (`time_folds`).
- **Noise.** The reference workbook's labels are close to random. A model fitted to noise still
  produces confident-looking probabilities, so every figure comes from held-out folds, sits
  beside the same figure for the health score alone, and the model is used only when it beats
  that baseline; otherwise risk comes from the health score and every place says so.
- **Direction.** A feature with a direction (more failed payments, more risk) is constrained to
  it in both model families, so trouble can never lower a customer's risk because of a quirk of
  the training sample (`FEATURE_DIRECTIONS`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import joblib
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

# Under this held-out ROC-AUC a ranking is too close to a coin toss to act on.
MIN_USABLE_AUC = 0.6
# The model must beat the health score's AUC by more than this: a smaller gain is within the
# wobble of validation on a few hundred customers, and the health score is explainable factor
# by factor.
MIN_AUC_GAIN = 0.01
# Fewer labelled customers than this, or fewer than MIN_PER_CLASS in either class, and there is
# nothing to learn from (and nothing to measure with).
MIN_LABELLED = 20
MIN_PER_CLASS = 5
TOP_SHARE = 0.10  # "the top 10 %" of precision and lift
# Forward validation: the earliest share of examples only trains; the rest is cut into blocks,
# each scored by a model trained on what came before it.
INITIAL_TRAIN_SHARE = 0.4
TEST_BLOCKS = 4
RELIABILITY_BINS = 10
LOGISTIC_C = 0.05  # inverse L2 strength of the logistic regression (see `_estimator`)

LOGISTIC_REGRESSION = "logistic_regression"
GRADIENT_BOOSTING = "gradient_boosting"
MODEL_FAMILIES: dict[str, str] = {
    LOGISTIC_REGRESSION: "logistic regression",
    GRADIENT_BOOSTING: "histogram gradient boosting",
}

# Every numeric feature and its direction: +1 more of it may only raise risk, -1 may only lower
# it, 0 either way. Events move only directed features (see customers.event_semantics).
FEATURE_DIRECTIONS: dict[str, int] = {
    "days_since_last_activity": 1,
    "days_since_last_order": 1,
    "never_ordered": 0,
    "orders_total": -1,
    "orders_last_90": -1,
    "orders_prev_90": -1,
    "spend_last_90": -1,
    "spend_prev_90": -1,
    "tickets_last_90": 1,
    "unresolved_tickets": 1,
    "mean_ticket_sentiment": -1,
    "mean_csat": -1,
    "latest_nps": -1,
    "nps_change": -1,
    "failed_payment_share_30": 1,
    "failed_payment_share_90": 1,
    "events_last_30": -1,
    "leaving_signals_last_90": 1,
    "trouble_events_last_90": 1,
    "tenure_days": 0,
}
NUMERIC_FEATURES: tuple[str, ...] = tuple(FEATURE_DIRECTIONS)
CATEGORICAL_FEATURES: tuple[str, ...] = ("segment", "loyalty_tier")
FEATURE_COLUMNS: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES
METRIC_KEYS: tuple[str, ...] = (
    "roc_auc",
    "pr_auc",
    "brier",
    "precision_at_10",
    "lift_at_10",
    "precision_at_capacity",
    "lift_at_capacity",
    "capacity_count",
    "base_rate",
    "labelled",
    "positives",
)

# The held-out figures people read, in order: key, label, format (the command and the scans page).
METRIC_DISPLAY: tuple[tuple[str, str, str], ...] = (
    ("roc_auc", "ROC-AUC", "{:.3f}"),
    ("pr_auc", "PR-AUC", "{:.3f}"),
    ("brier", "Brier score (lower is better)", "{:.3f}"),
    ("precision_at_capacity", "precision at the outreach capacity", "{:.0%}"),
    ("lift_at_capacity", "lift at the outreach capacity", "{:.1f}\N{MULTIPLICATION SIGN}"),
    ("precision_at_10", "precision, riskiest 10 %", "{:.0%}"),
    ("lift_at_10", "lift, riskiest 10 %", "{:.1f}\N{MULTIPLICATION SIGN}"),
    ("base_rate", "churn rate", "{:.0%}"),
)


# --- features ----------------------------------------------------------------------------------


def churn_features(signals: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """The model's inputs, one row per customer (index customer_id), in `FEATURE_COLUMNS` order.

    Read from the signals table at `as_of` (for training, `point_in_time.aligned_to` moves each
    customer's cut-off to `as_of`). Recency is the latest engagement in the rows
    (`last_engagement_at`), never the customers sheet's `last_active_date`, which a past
    cut-off cannot know. Missing answers stay NaN for the imputer, except where the absence
    has a natural value (no payment attempts: no failed share). `churn_label` is never an input.
    """
    as_of = pd.Timestamp(as_of)
    if as_of.tzinfo is not None:  # the signals' times are naive UTC
        as_of = as_of.tz_convert("UTC").tz_localize(None)

    def days_since(column: str) -> pd.Series:
        return (as_of - pd.to_datetime(signals[column])).dt.total_seconds() / 86_400

    def number(column: str) -> pd.Series:
        return pd.to_numeric(signals[column], errors="coerce").astype(float)

    def share(part: str, whole: str) -> pd.Series:
        attempts = number(whole)
        return (number(part) / attempts.where(attempts > 0)).fillna(0.0)

    def category(column: str) -> pd.Series:
        # Text, not pandas' categorical dtype: a missing value is a value of its own.
        return signals[column].astype(object).where(signals[column].notna(), "unknown").astype(str)

    features = pd.DataFrame(
        {
            "days_since_last_activity": days_since("last_engagement_at"),
            "days_since_last_order": days_since("last_order_at"),
            "never_ordered": (number("orders_total") <= 0).astype(float),
            "orders_total": number("orders_total"),
            "orders_last_90": number("orders_last_90"),
            "orders_prev_90": number("orders_prev_90"),
            "spend_last_90": number("spend_last_90"),
            "spend_prev_90": number("spend_prev_90"),
            "tickets_last_90": number("tickets_last_90"),
            "unresolved_tickets": number("unresolved_tickets"),
            "mean_ticket_sentiment": number("mean_ticket_sentiment"),
            "mean_csat": number("mean_csat"),
            "latest_nps": number("latest_nps"),
            "nps_change": number("latest_nps") - number("previous_nps"),
            "failed_payment_share_30": share("failed_payments_last_30", "payments_last_30"),
            "failed_payment_share_90": share("failed_payments_last_90", "payments_last_90"),
            "events_last_30": number("events_last_30"),
            "leaving_signals_last_90": number("leaving_signals_last_90"),
            "trouble_events_last_90": number("trouble_events_last_90"),
            "tenure_days": days_since("signup_date"),
            "segment": category("segment"),
            "loyalty_tier": category("loyalty_tier"),
        },
        index=signals.index,
    )
    numeric = list(NUMERIC_FEATURES)
    features[numeric] = features[numeric].replace([np.inf, -np.inf], np.nan)
    features.index.name = "customer_id"
    return features[list(FEATURE_COLUMNS)]


def empty_features(features: pd.DataFrame) -> list[str]:
    """The numeric features with no value for anyone (a sheet the shop does not fill): they
    teach nothing and are left out of the model, named once by the caller."""
    return [name for name in NUMERIC_FEATURES if name in features.columns and features[name].isna().all()]


def health_risk(health_score: pd.Series) -> pd.Series:
    """Risk from the health score alone (1 - score/100, within [0, 1]): the baseline and the fallback."""
    return (1 - pd.to_numeric(health_score, errors="coerce").astype(float) / 100).clip(0.0, 1.0)


# --- the two model families -----------------------------------------------------------------------


# scikit-learn ships no type information, so its base classes are Any to the type checker.
class SignConstrainedLogistic(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression whose coefficients keep the sign their feature's direction allows.

    `directions` gives one entry per leading input column (+1, -1 or 0, the rest are free).
    A coefficient that comes out with the wrong sign is set to zero by refitting without its
    column, until none does: the same as a fit constrained to the allowed signs where the
    unconstrained optimum breaks one (at most once per directed column).
    """

    def __init__(self, directions: tuple[int, ...] = (), C: float = 1.0, random_state: int = 0) -> None:
        self.directions = directions
        self.C = C
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> SignConstrainedLogistic:
        X = np.asarray(X, dtype=float)
        self.classes_ = np.unique(y)
        signs = np.zeros(X.shape[1])
        signs[: len(self.directions)] = self.directions
        kept = np.ones(X.shape[1], dtype=bool)
        for _ in range(int((signs != 0).sum()) + 1):
            regression = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
            regression.fit(X[:, kept], y)
            coefficients = np.zeros(X.shape[1])
            coefficients[kept] = regression.coef_[0]
            wrong = kept & (coefficients * signs < 0)
            if not wrong.any():
                break
            kept &= ~wrong
        self.coef_ = coefficients.reshape(1, -1)
        self.intercept_ = regression.intercept_
        self.kept_ = kept
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        scores: np.ndarray = np.asarray(X, dtype=float) @ self.coef_[0] + self.intercept_[0]
        return scores

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        positive = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - positive, positive])

    def predict(self, X: np.ndarray) -> np.ndarray:
        predicted: np.ndarray = self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
        return predicted


def _estimator(family: str, numeric: list[str], seed: int) -> Pipeline:
    """A fresh, unfitted model of `family` over these numeric features and the categorical ones.

    No class weights and no separate calibration: both families minimise log loss, so their
    probabilities are calibrated on the training mix as they come (the reliability curve of
    the held-out folds shows how well), and the folds stay cheap enough for 100,000 customers.
    """
    categorical = list(CATEGORICAL_FEATURES)
    # A directed feature's missing value is filled with its median and gets no "missing" flag of
    # its own: a flag's weight is free, so a customer's first detractor answer (NPS from missing
    # to 3) could otherwise lower their risk through the flag it switches off.
    directed = [name for name in numeric if FEATURE_DIRECTIONS[name]]
    free = [name for name in numeric if not FEATURE_DIRECTIONS[name]]
    if family == LOGISTIC_REGRESSION:
        # keep_empty_features: a feature empty in one fold keeps its column (as 0), so the
        # directions still line up with the columns.
        preprocess = ColumnTransformer(
            [
                (
                    "directed",
                    make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()),
                    directed,
                ),
                (
                    "free",
                    make_pipeline(
                        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                        StandardScaler(),
                    ),
                    free,
                ),
                ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
            ]
        )
        directions = tuple(FEATURE_DIRECTIONS[name] for name in directed)
        # Strong L2 regularisation: the signals before an outcome are sparse, and on the demo data
        # the default C=1 put its riskiest tenth at 89 % where 53 % churned (held out); at 0.05 they
        # read 77 % for the same ranking (AUC 0.78 either way) and the Brier score is lower.
        classifier = SignConstrainedLogistic(directions=directions, C=LOGISTIC_C, random_state=seed)
        return Pipeline([("preprocess", preprocess), ("classify", classifier)])
    if family == GRADIENT_BOOSTING:
        preprocess = ColumnTransformer(
            [
                ("directed", SimpleImputer(strategy="median", keep_empty_features=True), directed),
                ("free", "passthrough", free),
                (
                    "categorical",
                    OrdinalEncoder(
                        handle_unknown="use_encoded_value",
                        unknown_value=np.nan,
                        encoded_missing_value=np.nan,
                    ),
                    categorical,
                ),
            ],
            verbose_feature_names_out=False,
        ).set_output(transform="pandas")
        classifier = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=300,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=20,
            categorical_features=categorical,
            monotonic_cst={name: FEATURE_DIRECTIONS[name] for name in directed},
            random_state=seed,
        )
        return Pipeline([("preprocess", preprocess), ("classify", classifier)])
    raise ValueError(f"unknown model family {family!r}; one of {', '.join(MODEL_FAMILIES)}")


def _one_thread() -> threadpool_limits:
    """Gradient boosting's OpenMP threads busy-wait for each other between splits: on a shared
    2-core machine under load a fit took 5-10 times longer with two threads than with one.
    One thread is predictable, and the scan around it is single-threaded anyway."""
    return threadpool_limits(limits=1, user_api="openmp")


def _labelled(features: pd.DataFrame, labels: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """The labelled customers' features and 0/1 labels; unlabelled (NaN) customers are left out."""
    aligned = pd.to_numeric(labels.reindex(features.index), errors="coerce")
    known = aligned.notna()
    values = aligned[known].to_numpy()
    if not np.isin(values, (0, 1)).all():
        raise ValueError("churn labels must be 0 (retained), 1 (churned) or missing")
    return features.loc[known], values.astype(int)


def _too_little_to_learn(labelled: int, positives: int) -> str:
    """Why these labels cannot train or measure a model, or "" when they can."""
    if labelled < MIN_LABELLED:
        return f"only {labelled:,} customers are labelled (at least {MIN_LABELLED} needed)"
    if positives == 0 or positives == labelled:
        kind = "retained" if positives == 0 else "churned"
        return f"all {labelled:,} labelled customers are {kind}, so there is nothing to tell apart"
    minority = min(positives, labelled - positives)
    if minority < MIN_PER_CLASS:
        kind = "churned" if positives == minority else "retained"
        return f"only {minority} labelled customers are {kind} (at least {MIN_PER_CLASS} needed)"
    return ""


def _numeric_in(features: pd.DataFrame) -> list[str]:
    return [name for name in NUMERIC_FEATURES if name in features.columns]


def churn_model_fit(features: pd.DataFrame, labels: pd.Series, *, family: str, seed: int = 0) -> Pipeline:
    """A `family` model fitted on every labelled customer (store it with `churn_model_dump`).

    Fit after `churn_model_evaluate` chose the family: its figures are this estimator's
    expected quality on moments it has not seen. Raises ValueError when the labels are too
    few or one-sided. `features` may lack numeric features (empty ones are dropped).
    """
    X, y = _labelled(features, labels)
    problem = _too_little_to_learn(len(y), int(y.sum()))
    if problem:
        raise ValueError(f"cannot fit a churn model: {problem}")
    with _one_thread():
        return _estimator(family, _numeric_in(X), seed).fit(X, y)


def churn_model_predict(model: Pipeline, features: pd.DataFrame) -> pd.Series:
    """Each customer's probability of churning within the model's horizon, in [0, 1]."""
    with _one_thread():
        probabilities = model.predict_proba(features)[:, 1]
    return pd.Series(np.clip(probabilities, 0.0, 1.0), index=features.index, name="churn_risk")


def churn_model_dump(model: Pipeline) -> bytes:
    """The fitted model as bytes for a BinaryField (joblib; load only bytes this project wrote)."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def churn_model_load(data: bytes) -> Pipeline:
    """The model `churn_model_dump` wrote. Unpickling runs code: never feed it untrusted bytes."""
    return joblib.load(io.BytesIO(bytes(data)))


# --- honest measurement ------------------------------------------------------------------------


def time_folds(cutoffs: pd.Series, *, horizon_days: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Forward-in-time folds over examples measured at `cutoffs`: (train positions, test positions).

    Examples are ordered by cut-off; the first INITIAL_TRAIN_SHARE only ever trains, the rest
    is cut into TEST_BLOCKS blocks. A block is scored by a model trained on the examples whose
    outcome was known before the block's first cut-off (cut-off + horizon at or before it), so
    no fold learns from anything that happened after the moments it is scored at.
    """
    times = pd.to_datetime(cutoffs).to_numpy(dtype="datetime64[us]")
    order = np.argsort(times, kind="stable")
    count = len(order)
    first_test = math.ceil(count * INITIAL_TRAIN_SHARE)
    horizon = np.timedelta64(horizon_days, "D")
    folds = []
    for block in np.array_split(order[first_test:], TEST_BLOCKS):
        if len(block) == 0:
            continue
        block_start = times[block].min()
        train = np.flatnonzero(times + horizon <= block_start)
        folds.append((train, block))
    return folds


@dataclass
class ChurnEvaluation:
    """Held-out quality of each model family beside the health score's, the family chosen, and
    whether to use it. Figures that cannot be computed (one class, too few labels) are None, so
    the dicts store as JSON as they are."""

    metrics: dict[str, float | None]
    baseline: dict[str, float | None]
    usable: bool
    reason: str
    folds: int
    family: str = ""
    families: dict[str, dict[str, float | None]] = field(default_factory=dict)
    reliability: list[dict[str, float]] = field(default_factory=list)
    baseline_reliability: list[dict[str, float]] = field(default_factory=list)
    held_out: int = 0

    @property
    def risk_source(self) -> str:
        """The line shown wherever risk is shown (see `risk_source_text`)."""
        return risk_source_text(
            usable=self.usable, auc=self.metrics.get("roc_auc"), labelled=self.metrics.get("labelled")
        )


def churn_model_evaluate(
    features: pd.DataFrame,
    labels: pd.Series,
    *,
    cutoffs: pd.Series,
    baseline_risk: pd.Series,
    horizon_days: int,
    capacity_share: float,
    seed: int = 0,
) -> ChurnEvaluation:
    """Forward-in-time validation of every model family against the health score.

    `features`, `labels`, `cutoffs` and `baseline_risk` (the health score's risk) are all
    measured at each example's own cut-off. Every held-out probability comes from a model
    trained only on examples whose outcome was known before that example's block began
    (`time_folds`); the family with the best held-out ROC-AUC is chosen (logistic regression
    on a tie), and it is `usable` only if it reaches MIN_USABLE_AUC and beats the health score
    on the same held-out examples by more than MIN_AUC_GAIN. `capacity_share` is the share of
    all customers the pipeline drafts for per scan: precision and lift "at capacity" take the
    same share of the held-out examples.
    """
    X, y = _labelled(features, labels)
    labelled, positives = len(y), int(y.sum())
    baseline_all = baseline_risk.reindex(X.index).fillna(0.5).to_numpy(dtype=float)
    problem = _too_little_to_learn(labelled, positives)
    if problem:
        return ChurnEvaluation(
            metrics=_scores(y, None, capacity_share),
            baseline=_scores(y, baseline_all, capacity_share),
            usable=False,
            reason=f"{problem}; risk comes from the health score",
            folds=0,
        )

    folds = []
    for train, test in time_folds(cutoffs.reindex(X.index), horizon_days=horizon_days):
        trained_positives = int(y[train].sum())
        if _too_little_to_learn(len(train), trained_positives):
            continue
        folds.append((train, test))
    if not folds:
        return ChurnEvaluation(
            metrics=_scores(y, None, capacity_share),
            baseline=_scores(y, baseline_all, capacity_share),
            usable=False,
            reason=(
                "no forward-in-time fold has enough labelled customers of each kind before it "
                "to train on; risk comes from the health score"
            ),
            folds=0,
        )

    held_out = np.concatenate([test for _, test in folds])
    y_held = y[held_out]
    baseline = _scores(y_held, baseline_all[held_out], capacity_share)
    numeric = _numeric_in(X)
    families: dict[str, dict[str, float | None]] = {}
    predictions: dict[str, np.ndarray] = {}
    for family in MODEL_FAMILIES:
        predicted = np.empty(len(y))
        for train, test in folds:
            with _one_thread():
                model = _estimator(family, numeric, seed).fit(X.iloc[train], y[train])
                predicted[test] = model.predict_proba(X.iloc[test])[:, 1]
        predictions[family] = predicted[held_out]
        families[family] = _scores(y_held, predictions[family], capacity_share)

    def auc_of(family: str) -> float:
        value = families[family]["roc_auc"]
        return -1.0 if value is None else value

    family = max(MODEL_FAMILIES, key=lambda name: (round(auc_of(name), 4), name == LOGISTIC_REGRESSION))
    metrics = families[family]
    auc, baseline_auc = metrics["roc_auc"], baseline["roc_auc"]
    name = MODEL_FAMILIES[family]
    shown_baseline = "n/a" if baseline_auc is None else f"{baseline_auc:.2f}"
    if auc is None or len(np.unique(y_held)) < 2:
        usable = False
        reason = "the held-out folds hold one kind of customer only; risk comes from the health score"
    elif auc < MIN_USABLE_AUC:
        usable = False
        reason = (
            f"the churn labels carry no usable signal before the churn dates: {name} AUC {auc:.2f} "
            f"(health score {shown_baseline}); risk comes from the health score"
        )
    elif baseline_auc is not None and auc <= baseline_auc + MIN_AUC_GAIN:
        usable = False
        reason = f"{name} does not beat the health score: AUC {auc:.2f} against {shown_baseline}; risk comes from the health score"
    else:
        usable = True
        reason = f"{name} beats the health score: AUC {auc:.2f} against {shown_baseline}"
    return ChurnEvaluation(
        metrics=metrics,
        baseline=baseline,
        usable=usable,
        reason=reason,
        folds=len(folds),
        family=family,
        families=families,
        reliability=reliability_curve(y_held, predictions[family]),
        baseline_reliability=reliability_curve(y_held, baseline_all[held_out]),
        held_out=len(held_out),
    )


def reliability_curve(y: np.ndarray, risk: np.ndarray) -> list[dict[str, float]]:
    """Predicted risk against the churn rate actually seen, in up to RELIABILITY_BINS bins of
    equal size (quantiles of the risk, as scikit-learn's calibration_curve(strategy="quantile")
    cuts them, with each bin's count): a calibrated model's points lie on the diagonal."""
    if len(np.unique(y)) < 2 or len(y) < RELIABILITY_BINS:
        return []
    risk = np.clip(np.asarray(risk, dtype=float), 0.0, 1.0)
    edges = np.unique(np.quantile(risk, np.linspace(0, 1, RELIABILITY_BINS + 1)))
    bins = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, max(len(edges) - 2, 0))
    points = []
    for index in np.unique(bins):
        members = bins == index
        points.append(
            {
                "predicted": float(risk[members].mean()),
                "observed": float(y[members].mean()),
                "count": int(members.sum()),
            }
        )
    return points


def _scores(y: np.ndarray, risk: np.ndarray | None, capacity_share: float) -> dict[str, float | None]:
    """The METRIC_KEYS figures of a risk ranking; None where undefined (one class, or no risk)."""
    labelled, positives = len(y), int(y.sum())
    base_rate = positives / labelled if labelled else None
    scores: dict[str, float | None] = dict.fromkeys(METRIC_KEYS)
    scores.update(base_rate=base_rate, labelled=labelled, positives=positives)
    if risk is None or not 0 < positives < labelled:
        return scores
    assert base_rate is not None  # 0 < positives < labelled
    risk = np.asarray(risk, dtype=float)
    precision = _precision_at_top(y, risk, max(1, math.ceil(TOP_SHARE * len(y))))
    capacity_count = max(1, round(capacity_share * len(y)))
    at_capacity = _precision_at_top(y, risk, capacity_count)
    scores.update(
        roc_auc=float(roc_auc_score(y, risk)),
        pr_auc=float(average_precision_score(y, risk)),
        brier=float(brier_score_loss(y, np.clip(risk, 0.0, 1.0))),
        precision_at_10=precision,
        lift_at_10=precision / base_rate,
        precision_at_capacity=at_capacity,
        lift_at_capacity=at_capacity / base_rate,
        capacity_count=capacity_count,
    )
    return scores


def _precision_at_top(y: np.ndarray, risk: np.ndarray, cut: int) -> float:
    """Share of churners among the `cut` riskiest, ties at the cut shared out.

    A health score has many equal values, so which of the tied customers make the cut would
    otherwise depend on row order; counting the tied group at its average churn rate gives
    what a random pick among them would, on average.
    """
    cut = min(max(1, cut), len(y))
    threshold = np.sort(risk)[::-1][cut - 1]
    above, at = risk > threshold, risk == threshold
    churners = y[above].sum() + (cut - above.sum()) * y[at].mean()
    return float(churners / cut)


# --- words -------------------------------------------------------------------------------------


def risk_source_text(
    *, usable: bool | None, auc: float | None = None, labelled: float | None = None, horizon_days: int | None = None
) -> str:
    """Where the risk shown beside a customer comes from, in one line.

    Plain values so the caller can pass a stored ChurnModel's fields or nothing at all:
    `usable=None` means no churn model has been trained yet.
    """
    if usable is None:
        return "risk source: health score; no churn model trained yet"
    known_auc = auc is not None and not math.isnan(auc)
    if usable and known_auc:
        trained_on = f", trained on {labelled:,} labelled customers" if labelled is not None else ""
        horizon = f", churn within {horizon_days} days" if horizon_days else ""
        return f"risk source: churn model (AUC {auc:.2f}{trained_on}{horizon})"
    if not known_auc:
        counted = f" ({labelled:,} labelled)" if labelled is not None else ""
        return f"risk source: health score; too few churn labels of each kind to learn from{counted}"
    assert auc is not None  # known_auc
    if auc < MIN_USABLE_AUC:
        return f"risk source: health score; the churn labels carry no usable signal, AUC {auc:.2f}"
    return f"risk source: health score; the churn model does not beat it, AUC {auc:.2f}"
