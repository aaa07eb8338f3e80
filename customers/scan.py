"""The proactive scan: score everyone, learn or fall back on churn risk, rank who is slipping.

Services (writes with side effects): `churn_model_train`, `scan_run`, `customer_rescore`.
All three go through `_score`, so re-scoring one customer gives exactly what a full scan
gives for that customer at the same `as_of`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, SupportsFloat

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from customers.churn import (
    FEATURE_COLUMNS,
    MODEL_FAMILIES,
    churn_features,
    churn_model_dump,
    churn_model_evaluate,
    churn_model_fit,
    churn_model_load,
    churn_model_predict,
    health_risk,
    risk_source_text,
)
from customers.descriptions import (
    finding_description,
    finding_signals,
    pattern_outcomes,
    segment_customer_label,
    segment_order_gap_medians,
)
from customers.health import (
    FACTOR_NAMES,
    HEALTH_BANDS,
    HealthBreakdown,
    Population,
    health_band,
    health_breakdown,
    health_trend,
)
from customers.models import ChurnLabel, ChurnModel, Customer, HealthScore, ScanFinding, ScanRun
from customers.point_in_time import training_set
from customers.selectors import current_churn_model, customer_history, customer_signals, latest_finished_scan
from procx_site.db import column_prepare, rows_insert

Progress = Callable[[str], None]


def _timestamp(as_of: dt.datetime) -> pd.Timestamp:
    """A naive UTC timestamp, the form the signals table uses."""
    return pd.Timestamp(as_of.astimezone(dt.UTC).replace(tzinfo=None))


def _resolve_as_of(as_of: dt.datetime | dt.date | None) -> dt.datetime:
    if as_of is None:
        return timezone.now()
    if isinstance(as_of, dt.datetime):
        return as_of if timezone.is_aware(as_of) else as_of.replace(tzinfo=dt.UTC)
    # A date means the whole of that day.
    return dt.datetime.combine(as_of, dt.time(23, 59, 59), tzinfo=dt.UTC)


# --- the churn model ---------------------------------------------------------------------


def churn_model_train(*, as_of: dt.datetime | dt.date | None = None, progress: Progress | None = None) -> ChurnModel:
    """Train and measure a churn model on churn_labels, point in time; stored even when it is not usable.

    Each labelled customer is measured at their own cut-off (customers.point_in_time): a churner
    PROCX_CHURN_HORIZON_DAYS before their churn date, a retained customer at a matching moment.
    The model families are compared on forward-in-time folds against the health score at the
    same cut-offs; the best is fitted on every example only when it beats the health score.
    """
    say = progress or (lambda message: None)
    started = time.perf_counter()
    moment = _resolve_as_of(as_of)
    anchor = _timestamp(moment)
    horizon = settings.PROCX_CHURN_HORIZON_DAYS
    say("Reading the sheets' history")
    history = customer_history(as_of=moment)
    training = training_set(history, horizon_days=horizon, as_of=anchor)
    for reason, count in training.skipped.items():
        say(f"Left out {count:,} labelled {'customer' if count == 1 else 'customers'}: {reason}")
    if training.dropped_features:
        say(f"Left out features no labelled customer has a value for: {', '.join(training.dropped_features)}")
    customers = max(1, len(history.customers))
    say(
        f"Evaluating churn models on {len(training.labels):,} labelled customers, each measured "
        f"{horizon} days before their outcome (forward-in-time folds)"
    )
    evaluation = churn_model_evaluate(
        training.features,
        training.labels,
        cutoffs=training.cutoffs,
        baseline_risk=training.baseline_risk,
        horizon_days=horizon,
        capacity_share=settings.PROCX_OUTREACH_CAPACITY / customers,
    )
    say("Counting how often each described pattern preceded churn")
    outcomes = pattern_outcomes(
        training.signals,
        training.labels,
        as_of=anchor,
        segment_medians=segment_order_gap_medians(training.signals, as_of=anchor),
    )
    estimator = None
    if evaluation.usable:
        say(f"Fitting {MODEL_FAMILIES[evaluation.family]} on all {len(training.labels):,} labelled customers")
        estimator = churn_model_dump(churn_model_fit(training.features, training.labels, family=evaluation.family))
    return ChurnModel.objects.create(
        as_of=moment,
        labelled=len(training.labels),
        positives=int(training.labels.sum()),
        metrics=_json_safe(evaluation.metrics),
        baseline_metrics=_json_safe(evaluation.baseline),
        usable=evaluation.usable,
        reason=evaluation.reason,
        feature_names=list(training.features.columns),
        estimator=estimator,
        seconds=time.perf_counter() - started,
        horizon_days=horizon,
        family=evaluation.family,
        family_metrics={family: _json_safe(figures) for family, figures in evaluation.families.items()},
        held_out=evaluation.held_out,
        reliability=evaluation.reliability,
        baseline_reliability=evaluation.baseline_reliability,
        dropped_features=training.dropped_features,
        skipped=training.skipped,
        pattern_outcomes={key: [int(shown), int(churned)] for key, (shown, churned) in outcomes.items()},
    )


def _json_safe(values: dict[str, float | None]) -> dict[str, float | None]:
    return {key: (None if value is None or not np.isfinite(value) else float(value)) for key, value in values.items()}


def churn_model_risk_source(model: ChurnModel | None) -> str:
    if model is None:
        return risk_source_text(usable=None)
    return risk_source_text(
        usable=model.usable,
        auc=model.metrics.get("roc_auc"),
        labelled=model.labelled,
        horizon_days=model.horizon_days or None,
    )


def _model_for_scan(moment: dt.datetime, progress: Progress) -> ChurnModel:
    """The current churn model, trained anew when there is none or it is out of date.

    Out of date: older than PROCX_CHURN_MODEL_MAX_AGE_DAYS, trained on another number of
    labels (a new workbook was imported), on other features (the code changed) or for
    another horizon (the setting changed).
    """
    model = current_churn_model()
    max_age = dt.timedelta(days=settings.PROCX_CHURN_MODEL_MAX_AGE_DAYS)
    if model is None:
        reason = "no churn model yet"
    elif model.trained_at < timezone.now() - max_age:
        reason = f"the churn model is older than {settings.PROCX_CHURN_MODEL_MAX_AGE_DAYS} days"
    elif model.horizon_days != settings.PROCX_CHURN_HORIZON_DAYS:
        reason = "the churn horizon changed since the model was trained"
    elif ChurnLabel.objects.count() != model.labelled + sum((model.skipped or {}).values()):
        reason = "the churn labels changed since the model was trained"
    elif [name for name in FEATURE_COLUMNS if name not in (model.dropped_features or [])] != model.feature_names:
        reason = "the churn features changed since the model was trained"
    else:
        return model
    progress(f"Training a churn model: {reason}")
    return churn_model_train(as_of=moment, progress=progress)


# --- scoring -----------------------------------------------------------------------------


@dataclass
class Scored:
    """Everyone's health and risk at one moment (index customer_id)."""

    signals: pd.DataFrame
    breakdown: HealthBreakdown
    risk: pd.Series
    risk_source: str  # "model" or "health"


def _score(signals: pd.DataFrame, *, population: Population, moment: dt.datetime, model: ChurnModel | None) -> Scored:
    as_of = _timestamp(moment)
    breakdown = health_breakdown(signals, as_of=as_of, population=population)
    if model is not None and model.usable and model.estimator:
        features = churn_features(signals, as_of=as_of)
        risk = churn_model_predict(churn_model_load(bytes(model.estimator)), features[model.feature_names])
        source = "model"
    else:
        risk = health_risk(breakdown.score)
        source = "health"
    # Rounded once, here: the risk the selection compares with the threshold is the one stored and shown.
    risk = risk.reindex(signals.index).astype(float).round(6)
    return Scored(signals=signals, breakdown=breakdown, risk=risk, risk_source=source)


def scan_population() -> Population:
    """Every customer's segment and lifetime value: what the relative factors compare with.

    Read once per batch of re-scores (it is a query over all customers), not once per customer.
    """
    everyone = pd.DataFrame.from_records(
        list(Customer.objects.values_list("customer_id", "segment", "lifetime_value")),
        columns=["customer_id", "segment", "lifetime_value"],
    ).set_index("customer_id")
    everyone["lifetime_value"] = everyone["lifetime_value"].astype(float)
    return Population.from_signals(everyone)


def _store_scores(scored: Scored, *, moment: dt.datetime, scan: ScanRun | None) -> None:
    """A HealthScore snapshot per customer and the latest score denormalised on Customer."""
    breakdown = scored.breakdown
    ids = list(scored.signals.index)
    stored = Customer.objects.filter(pk__in=ids) if len(ids) < 1_000 else Customer.objects.all()
    previous_scores = dict(stored.values_list("customer_id", "health_score"))
    points = list(breakdown.points[list(FACTOR_NAMES)].round(4).to_dict("index").values())
    flags = breakdown.no_data[list(FACTOR_NAMES)].to_numpy()
    missing = [[name for name, flag in zip(FACTOR_NAMES, row, strict=True) if flag] for row in flags.tolist()]
    inputs = [_plain(row) for row in breakdown.inputs[list(FACTOR_NAMES)].astype(object).to_dict("index").values()]
    scores = breakdown.score.tolist()
    risks = scored.risk.round(6).tolist()
    trends = [
        health_trend(None, {}, previous_scores.get(customer_id), score)[0]
        for customer_id, score in zip(ids, scores, strict=True)
    ]
    count = len(ids)
    rows_insert(
        HealthScore,
        {
            "customer_id": ids,
            "scan_id": [scan.pk if scan else None] * count,
            "as_of": [moment] * count,
            "score": scores,
            "points": points,
            "no_data": missing,
            "inputs": inputs,
            "churn_risk": risks,
            "risk_source": [scored.risk_source] * count,
        },
    )
    fields = {
        field.name: field for field in Customer._meta.concrete_fields if field.name in ("health_points", "scored_at")
    }
    updates = zip(
        scores,
        column_prepare(fields["health_points"], points),
        trends,
        risks,
        [scored.risk_source] * count,
        column_prepare(fields["scored_at"], [moment] * count),
        ids,
        strict=True,
    )
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(name)} = %s"
        for name in ("health_score", "health_points", "health_trend", "churn_risk", "risk_source", "scored_at")
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(Customer._meta.db_table)} SET {assignments} WHERE {quote('customer_id')} = %s",
            list(updates),
        )


def _plain(values: dict[str, object]) -> dict[str, object]:
    """JSON-ready inputs: numpy scalars to Python, NaN to None."""
    plain: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not np.isfinite(value):
            value = None
        plain[key] = value
    return plain


# --- the scan ----------------------------------------------------------------------------


def scan_run(
    *,
    as_of: dt.datetime | dt.date | None = None,
    min_risk: float | None = None,
    min_ltv: float | None = None,
    trigger: str = ScanRun.Trigger.MANUAL,
    progress: Progress | None = None,
    queued: ScanRun | None = None,
) -> ScanRun:
    """Score every customer, store the snapshots, and rank the valuable customers at risk.

    Selected: churn risk above `min_risk` and lifetime value above `min_ltv` (settings by
    default), not already labelled churned; ranked by value at risk = risk times lifetime value.
    `queued` is a run staff asked for (status queued): it is the one that runs. What the scan
    is doing is kept on the run as it goes, so the staff pages can show its progress.
    """
    moment = _resolve_as_of(as_of)
    min_risk = settings.PROCX_SCAN_MIN_RISK if min_risk is None else min_risk
    min_ltv = settings.PROCX_SCAN_MIN_LTV if min_ltv is None else min_ltv
    started = time.perf_counter()
    parameters = {"min_risk": min_risk, "min_ltv": min_ltv, "outreach_capacity": settings.PROCX_OUTREACH_CAPACITY}
    if queued is not None:
        scan = queued
        scan.as_of, scan.parameters, scan.status = moment, parameters, ScanRun.Status.RUNNING
        scan.started_at = timezone.now()
        scan.save(update_fields=["as_of", "parameters", "status", "started_at"])
    else:
        scan = ScanRun.objects.create(as_of=moment, trigger=trigger, parameters=parameters)

    def say(message: str) -> None:
        ScanRun.objects.filter(pk=scan.pk).update(progress=message[:200])
        if progress is not None:
            progress(message)

    try:
        model = _model_for_scan(moment, say)
        say("Reading every customer's signals")
        signals = customer_signals(as_of=moment)
        population = Population.from_signals(signals)
        scored = _score(signals, population=population, moment=moment, model=model)
        findings = _findings(
            scored, scan=scan, moment=moment, min_risk=min_risk, min_ltv=min_ltv, model=model, population=population
        )
        say(f"Storing {len(signals):,} scores and {len(findings):,} findings")
        with transaction.atomic():
            _store_scores(scored, moment=moment, scan=scan)
            rows_insert(ScanFinding, {name: [row[i] for row in findings] for i, name in enumerate(FINDING_COLUMNS)})
            scan.status = ScanRun.Status.FINISHED
            scan.customers_scanned = len(signals)
            scan.at_risk_count = len(findings)
            scan.value_at_risk = sum(
                (finding[FINDING_COLUMNS.index("value_at_risk")] for finding in findings), Decimal("0")
            )
            scan.churn_model = model
            scan.risk_source = churn_model_risk_source(model)
            scan.health_histogram = health_histogram(scored.breakdown.score)
            scan.progress = ""
            scan.finished_at = timezone.now()
            scan.duration_seconds = time.perf_counter() - started
            scan.save()
        scan_history_prune()
    except Exception as error:
        ScanRun.objects.filter(pk=scan.pk).update(
            status=ScanRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
            duration_seconds=time.perf_counter() - started,
        )
        raise
    return scan


# Tenths of 0-100, split at every health band edge (70-75 and 75-80, not 70-80), so that each
# stored bin lies in one band and the dashboard can colour it by that band.
HISTOGRAM_EDGES = tuple(sorted(set(range(0, 101, 10)) | {int(upper) for upper, _ in HEALTH_BANDS}))


def health_histogram(scores: pd.Series) -> list[int]:
    """How many scores fall in each bin of HISTOGRAM_EDGES (100 itself in the last), for the dashboard."""
    counts, _ = np.histogram(scores.dropna().clip(0, 100).to_numpy(dtype=float), bins=HISTOGRAM_EDGES)
    return [int(count) for count in counts]


FINDING_COLUMNS = [
    "scan_id",
    "customer_id",
    "rank",
    "health_score",
    "churn_risk",
    "lifetime_value",
    "value_at_risk",
    "description",
    "signals",
    "left_because",
]


def scan_history_prune(*, now: dt.datetime | None = None) -> int:
    """Thin old snapshots so a scan every few minutes does not grow the database without end.

    Every scan's snapshots are kept for a day; after that only the day's last scan keeps
    them (one point per customer per day for the history chart), and after
    PROCX_SCAN_HISTORY_DAYS none. Scan records and their findings are kept. Returns the
    number of snapshots deleted.
    """
    now = now or timezone.now()
    keep_all_after = now - dt.timedelta(days=1)
    drop_before = now - dt.timedelta(days=settings.PROCX_SCAN_HISTORY_DAYS)
    last_of_day: dict[dt.date, tuple[dt.datetime, int]] = {}
    thinned = []
    old_scans = ScanRun.objects.filter(started_at__lt=keep_all_after, started_at__gte=drop_before)
    for scan_id, started_at in old_scans.values_list("pk", "started_at"):
        day = started_at.date()
        kept = last_of_day.get(day)
        if kept is None or started_at > kept[0]:
            if kept is not None:
                thinned.append(kept[1])
            last_of_day[day] = (started_at, scan_id)
        else:
            thinned.append(scan_id)
    expired = Q(scan__started_at__lt=drop_before) | Q(scan=None, as_of__lt=drop_before)
    deleted, _ = HealthScore.objects.filter(Q(scan_id__in=thinned) | expired).delete()
    return deleted


def _findings(
    scored: Scored,
    *,
    scan: ScanRun,
    moment: dt.datetime,
    min_risk: float,
    min_ltv: float,
    model: ChurnModel | None,
    population: Population,
) -> list[tuple[Any, ...]]:
    """The selected customers, ranked, as rows of FINDING_COLUMNS."""
    signals = scored.signals
    value = signals["lifetime_value"]
    selected = (scored.risk > min_risk) & (value > min_ltv) & (signals["churn_label"] != 1)
    value_at_risk = (scored.risk * value)[selected].sort_values(ascending=False, kind="stable")
    as_of = _timestamp(moment)
    medians = segment_order_gap_medians(signals, as_of=as_of)
    source = churn_model_risk_source(model).removeprefix("risk source: ")
    # "Similar customers churned": counted at the training's point-in-time cut-offs, so a churner's
    # silence after leaving never makes a pattern look predictive.
    outcomes = {key: tuple(counts) for key, counts in (model.pattern_outcomes if model else {}).items()}
    horizon = model.horizon_days if model and model.horizon_days else None
    ltv_percentiles = scored.breakdown.inputs["ltv_percentile"]
    findings = []
    for rank, (customer_id, at_risk) in enumerate(value_at_risk.items(), start=1):
        row = signals.loc[customer_id]
        score = float(scored.breakdown.score[customer_id])
        risk = float(scored.risk[customer_id])
        statements = finding_signals(
            signals_row=row.to_dict(),
            health_score=score,
            health_band=health_band(score),
            churn_risk=risk,
            as_of=as_of,
            segment_medians=medians,
            ltv_percentile=_finite(ltv_percentiles[customer_id]),
            pattern_outcomes=outcomes,
            outcome_horizon_days=horizon,
        )
        description = finding_description(
            customer_label=segment_customer_label(row["segment"]),
            lifetime_value=float(row["lifetime_value"]),
            signals=statements,
            churn_risk=risk,
            risk_source=source,
            segment=row["segment"],
            segment_mean_ltv=population.segment_mean_ltv.get(str(row["segment"])),
        )
        findings.append(
            (
                scan.pk,
                customer_id,
                rank,
                score,
                risk,
                Decimal(f"{row['lifetime_value']:.2f}"),
                Decimal(f"{at_risk:.2f}"),
                description,
                [statement.text for statement in statements],
                "",  # left_because: on the list, so far
            )
        )
    return findings


def _finite(value: SupportsFloat | None) -> float | None:
    number = float(value) if value is not None else float("nan")
    return number if np.isfinite(number) else None


def customer_rescore(
    *, customer_id: str, as_of: dt.datetime | dt.date | None = None, population: Population | None = None
) -> HealthScore:
    """Re-score one customer now (after a webhook): the same numbers a full scan would give.

    `population` (scan_population()) may be passed in when re-scoring several in a row.
    """
    moment = _resolve_as_of(as_of)
    signals = customer_signals(as_of=moment, customer_ids=[customer_id])
    if signals.empty:
        raise Customer.DoesNotExist(f"no customer {customer_id}")
    model = current_churn_model()
    scored = _score(signals, population=population or scan_population(), moment=moment, model=model)
    with transaction.atomic():
        _store_scores(scored, moment=moment, scan=None)
    stored = HealthScore.objects.filter(customer_id=customer_id, scan=None).order_by("-pk").first()
    assert stored is not None  # _store_scores has just written it
    return stored


def finding_recheck(*, customer_id: str, churn_risk: float, because: str, at: dt.datetime) -> ScanFinding | None:
    """After a re-score: if the customer is on the at-risk list (the latest finished scan's
    selection) and their risk no longer passes that scan's rule, they leave it now, with the
    reason, rather than at the next scan. Returns the finding they left, else None. A risk that
    rises never adds anyone: selecting (and ranking) is the scan's work."""
    scan = latest_finished_scan()
    if scan is None:
        return None
    min_risk = float((scan.parameters or {}).get("min_risk", settings.PROCX_SCAN_MIN_RISK))
    if churn_risk > min_risk:
        return None
    finding = ScanFinding.objects.filter(scan=scan, customer_id=customer_id, left_at=None).first()
    if finding is None:
        return None
    finding.left_at = at
    finding.left_because = (
        f"{because}: churn risk {finding.churn_risk * 100:.0f} % at the scan, {churn_risk * 100:.0f} % now, "
        f"not over the rule's {min_risk * 100:.0f} %"
    )
    finding.save(update_fields=["left_at", "left_because"])
    return finding


def scan_scores_frame(scan: ScanRun) -> pd.DataFrame:
    """Every customer a scan scored, for analysts: id, score, factor points, risk, selection."""
    rows = list(scan.scores.values_list("customer_id", "score", "points", "churn_risk", "risk_source"))
    findings = dict(scan.findings.values_list("customer_id", "value_at_risk"))
    customers = dict(Customer.objects.values_list("customer_id", "lifetime_value"))
    records = []
    for customer_id, score, points, risk, source in rows:
        records.append(
            {
                "customer_id": customer_id,
                "health_score": score,
                **{f"points_{name}": points.get(name) for name in FACTOR_NAMES},
                "churn_risk": risk,
                "risk_source": source,
                "value_at_risk": round(float(customers[customer_id]) * risk, 2),
                "selected": customer_id in findings,
            }
        )
    return pd.DataFrame.from_records(records).sort_values("value_at_risk", ascending=False)
