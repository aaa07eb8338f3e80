"""The proactive scan: thresholds and ranking, history, honest risk, re-scoring."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import ChurnLabel, ChurnModel, Customer, HealthScore, Payment, ScanRun
from customers.scan import churn_model_train, customer_rescore, scan_run
from customers.services import workbook_import
from customers.workbook_files import workbook_write
from demo.dataset import dataset_generate

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 10, 9)
MOMENT = dt.datetime(2025, 10, 9, 23, 59, 59, tzinfo=dt.UTC)


def load(tmp_path: Path, customers: int, seed: int = 5) -> None:
    path = tmp_path / f"shop_{customers}_{seed}.xlsx"
    workbook_write(dataset_generate(customers=customers, seed=seed, as_of=AS_OF), path)
    workbook_import(path=path)


@pytest.fixture
def shop(tmp_path: Path) -> None:
    load(tmp_path, 300)


def test_findings_pass_both_thresholds_and_are_ranked_by_value_at_risk(shop) -> None:
    scan = scan_run(as_of=AS_OF, min_risk=0.3, min_ltv=500)
    findings = list(scan.findings.order_by("rank"))
    assert findings, "the generated shop should have customers at risk"
    assert [f.rank for f in findings] == list(range(1, len(findings) + 1))
    values = [f.value_at_risk for f in findings]
    assert values == sorted(values, reverse=True)
    for finding in findings:
        assert finding.churn_risk > 0.3
        assert finding.lifetime_value > 500
        assert abs(float(finding.value_at_risk) - finding.churn_risk * float(finding.lifetime_value)) < 0.01
    selected = {f.customer_id for f in findings}
    churned = set(ChurnLabel.objects.filter(is_churn=True).values_list("customer_id", flat=True))
    assert not selected & churned
    for score in scan.scores.select_related("customer"):
        passes = score.churn_risk > 0.3 and score.customer.lifetime_value > 500
        assert (score.customer_id in selected) == (passes and score.customer_id not in churned)
    assert scan.at_risk_count == len(findings)
    assert scan.value_at_risk == sum(values)


def test_every_customer_gets_a_snapshot_and_the_latest_is_on_the_customer(shop) -> None:
    first = scan_run(as_of=AS_OF)
    assert first.scores.count() == Customer.objects.count() == 300
    customer = Customer.objects.order_by("pk").first()
    snapshot = first.scores.get(customer=customer)
    assert customer.health_score == snapshot.score
    assert customer.churn_risk == pytest.approx(snapshot.churn_risk)
    assert customer.health_trend == "new"
    assert sum(snapshot.points.values()) == pytest.approx(snapshot.score, abs=0.06)
    assert len(snapshot.points) == 10

    Payment.objects.filter(customer=customer).update(status="failed")  # nothing changes the health score
    scan_run(as_of=AS_OF)
    customer.refresh_from_db()
    assert customer.health_trend == "steady"
    assert HealthScore.objects.filter(customer=customer).count() == 2


def test_one_customer_rescored_equals_the_full_scan(shop) -> None:
    scan = scan_run(as_of=MOMENT)
    for customer_id in Customer.objects.order_by("?").values_list("pk", flat=True)[:5]:
        full = scan.scores.get(customer_id=customer_id)
        single = customer_rescore(customer_id=customer_id, as_of=MOMENT)
        assert single.scan is None
        assert single.score == full.score
        assert single.points == full.points
        assert single.no_data == full.no_data
        assert single.churn_risk == pytest.approx(full.churn_risk, abs=1e-9)
        assert single.risk_source == full.risk_source


def test_rescoring_an_unknown_customer_says_so(shop) -> None:
    with pytest.raises(Customer.DoesNotExist):
        customer_rescore(customer_id="C999999", as_of=MOMENT)


def test_the_scan_makes_the_same_number_of_queries_for_more_customers(tmp_path) -> None:
    load(tmp_path, 60, seed=1)
    churn_model_train(as_of=AS_OF)
    # Everyone not churned is a finding, so both scans write findings.
    with CaptureQueriesContext(connection) as small:
        scan_run(as_of=AS_OF, min_risk=0, min_ltv=0)
    load(tmp_path, 240, seed=2)
    churn_model_train(as_of=AS_OF)  # new labels: train outside the measured scan
    with CaptureQueriesContext(connection) as large:
        scan_run(as_of=AS_OF, min_risk=0, min_ltv=0)
    # Bulk inserts go in batches of 1,000 rows or more: 240 customers fit in one either way.
    assert Customer.objects.count() == 240
    assert len(large) == len(small), [q["sql"][:90] for q in large.captured_queries]


def test_with_shuffled_labels_the_scan_falls_back_to_the_health_score_and_says_so(shop) -> None:
    rng = np.random.default_rng(0)
    labels = list(ChurnLabel.objects.order_by("pk"))
    # Each outcome moves with its date to a random customer: nobody's behaviour before "their"
    # churn date says anything about it.
    outcomes = [(label.is_churn, label.churn_date) for label in labels]
    for label, position in zip(labels, rng.permutation(len(labels)), strict=True):
        label.is_churn, label.churn_date = outcomes[position]
    ChurnLabel.objects.bulk_update(labels, ["is_churn", "churn_date"])

    model = churn_model_train(as_of=AS_OF)
    assert model.usable is False
    assert model.estimator is None
    scan = scan_run(as_of=AS_OF)
    assert scan.risk_source.startswith("risk source: health score;")
    assert f"AUC {model.metrics['roc_auc']:.2f}" in scan.risk_source
    snapshot = scan.scores.first()
    assert snapshot.risk_source == "health"
    assert snapshot.churn_risk == pytest.approx(1 - snapshot.score / 100)
    for finding in scan.findings.all():
        assert "risk source: health score" in finding.description


def test_with_real_labels_the_model_is_used_and_measured_on_held_out_folds(shop) -> None:
    model = churn_model_train(as_of=AS_OF)
    keys = {"roc_auc", "pr_auc", "brier", "precision_at_10", "lift_at_10", "precision_at_capacity", "lift_at_capacity"}
    assert set(model.metrics) >= keys
    assert set(model.baseline_metrics) >= keys
    assert set(model.family_metrics) == {"logistic_regression", "gradient_boosting"}
    assert model.metrics == model.family_metrics[model.family]
    assert model.horizon_days == 60
    # Every labelled customer is a training example or counted as left out, with the reason.
    assert model.labelled + sum(model.skipped.values()) == 300
    assert 0 < model.held_out == model.metrics["labelled"] < model.labelled
    assert sum(point["count"] for point in model.reliability) == model.held_out
    if model.usable:
        assert model.metrics["roc_auc"] > model.baseline_metrics["roc_auc"]
        scan = scan_run(as_of=AS_OF)
        assert scan.scores.first().risk_source == "model"
        assert scan.risk_source.startswith("risk source: churn model (AUC")


def test_the_scan_trains_a_model_when_none_exists(shop) -> None:
    assert not ChurnModel.objects.exists()
    scan = scan_run(as_of=AS_OF)
    assert scan.churn_model == ChurnModel.objects.get()


def test_a_failed_scan_is_recorded(shop, monkeypatch) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("database went away")

    churn_model_train(as_of=AS_OF)
    monkeypatch.setattr("customers.scan.customer_signals", broken)
    with pytest.raises(RuntimeError):
        scan_run(as_of=AS_OF)
    failed = ScanRun.objects.get()
    assert failed.status == "failed"
    assert "database went away" in failed.error


def test_train_churn_model_prints_model_and_baseline(shop, capsys) -> None:
    call_command("train_churn_model", "--as-of", "2025-10-09")
    output = capsys.readouterr().out
    model = ChurnModel.objects.get()
    assert f"Held-out figures over {model.held_out:,} of {model.labelled:,} labelled customers" in output
    assert "measured 60 days before the outcome" in output
    assert "logistic" in output
    assert "boosting" in output
    assert "precision at the outreach capacity" in output
    assert "ROC-AUC" in output
    assert "health score" in output
    assert "risk source:" in output


def test_the_customer_page_explains_the_score_and_the_risk_source(shop, admin_client) -> None:
    scan = scan_run(as_of=AS_OF)
    snapshot = scan.scores.order_by("customer_id").first()
    page = admin_client.get(f"/admin/customers/customer/{snapshot.customer_id}/change/").content.decode()
    assert f"Health {snapshot.score:g}/100" in page
    assert "Recency of last activity" in page
    assert "risk source: " in page
    listing = admin_client.get("/admin/customers/customer/").content.decode()
    assert "Churn risk" in listing


def test_a_customer_not_yet_scored_says_so(shop, admin_client) -> None:
    customer = Customer.objects.first()
    page = admin_client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    assert "Not scored yet" in page


def test_history_gives_the_trend_and_what_moved_at_each_change(shop) -> None:
    from customers.selectors import customer_health_history

    first = scan_run(as_of=MOMENT)
    # A customer active within the week before the first scan.
    customer_id = next(
        score.customer_id
        for score in first.scores.order_by("customer_id")
        if score.inputs["recency"] is not None and score.inputs["recency"] < 7
    )
    # A month later with nothing new, recency falls: the score goes down and recency moved.
    scan_run(as_of=MOMENT + dt.timedelta(days=30))
    history = customer_health_history(customer_id)
    assert [entry["trend"] for entry in history] == ["down", "new"]
    latest, older = history[0]["snapshot"], history[1]["snapshot"]
    assert latest.score < older.score
    moved = {item["factor"]: item for item in history[0]["moved"]}
    assert "recency" in moved
    assert moved["recency"]["change"] < 0
    assert history[1]["moved"] == []
    assert Customer.objects.get(pk=customer_id).health_trend == "down"


def test_old_snapshots_are_thinned_to_one_scan_a_day_then_dropped(shop, settings) -> None:
    from customers.scan import scan_history_prune

    settings.PROCX_SCAN_HISTORY_DAYS = 100_000  # each scan_run prunes too, against the real clock
    now = dt.datetime(2025, 10, 20, 12, tzinfo=dt.UTC)
    scans = {}
    for label, started in {
        "recent": now - dt.timedelta(hours=2),
        "yesterday_early": now - dt.timedelta(days=2, hours=5),
        "yesterday_late": now - dt.timedelta(days=2, hours=1),
        "ancient": now - dt.timedelta(days=20),
    }.items():
        scan = scan_run(as_of=MOMENT)
        ScanRun.objects.filter(pk=scan.pk).update(started_at=started)
        scans[label] = scan.pk
    settings.PROCX_SCAN_HISTORY_DAYS = 10
    scan_history_prune(now=now)
    kept = set(HealthScore.objects.values_list("scan_id", flat=True).distinct())
    assert kept == {scans["recent"], scans["yesterday_late"]}
    assert HealthScore.objects.count() == 2 * Customer.objects.count()
    assert ScanRun.objects.count() == 4  # the scans themselves and their findings stay


def test_the_customer_list_says_where_each_risk_comes_from(shop, admin_client) -> None:
    scan_run(as_of=AS_OF)
    source = Customer.objects.first().risk_source
    assert source in {"model", "health"}
    listing = admin_client.get("/admin/customers/customer/").content.decode()
    assert ("(churn model)" if source == "model" else "(health score)") in listing


def test_the_scan_retrains_when_the_labels_changed(shop) -> None:
    first = scan_run(as_of=AS_OF).churn_model
    assert scan_run(as_of=AS_OF).churn_model == first  # still current
    ChurnLabel.objects.order_by("pk").first().delete()
    retrained = scan_run(as_of=AS_OF).churn_model
    assert retrained != first
    assert retrained.labelled + sum(retrained.skipped.values()) == ChurnLabel.objects.count() == 299


def test_the_daily_history_keeps_each_days_last_snapshot_and_what_moved_since_the_day_before() -> None:
    from customers.health import FACTOR_NAMES
    from customers.selectors import customer_health_history
    from tests.factories import make_customer

    customer = make_customer(customer_id="C100900")

    def snapshot(at: dt.datetime, score: float, recency: float) -> None:
        points = dict.fromkeys(FACTOR_NAMES, 5.0) | {"recency": recency}
        HealthScore.objects.create(
            customer=customer, as_of=at, score=score, points=points, churn_risk=0.5, risk_source="health"
        )

    day = dt.datetime(2025, 10, 1, tzinfo=dt.UTC)
    snapshot(day + dt.timedelta(hours=9), 50, 10)
    snapshot(day + dt.timedelta(hours=18), 55, 15)  # the first day's last
    for minutes in range(0, 60, 5):  # a scan every five minutes on the second day
        snapshot(day + dt.timedelta(days=1, hours=10, minutes=minutes), 40, 5)

    daily = customer_health_history(customer.pk, limit=90, per_day=True)
    assert [entry["snapshot"].score for entry in daily] == [40, 55]
    assert [entry["trend"] for entry in daily] == ["down", "new"]
    assert daily[0]["moved"][0]["factor"] == "recency"
    assert daily[0]["moved"][0]["change"] == -10
    assert len(customer_health_history(customer.pk, limit=90)) == 14  # every snapshot, without per_day


@pytest.mark.parametrize(
    ("count", "capacity", "summary"),
    [
        (
            3,
            10,
            "3 customers pass the rule (churn risk above 60 % and lifetime value above $1,000), fewer than the "
            "outreach capacity of 10: the list is not padded by loosening the rule.",
        ),
        (
            1,
            10,
            "1 customer passes the rule (churn risk above 60 % and lifetime value above $1,000), fewer than the "
            "outreach capacity of 10: the list is not padded by loosening the rule.",
        ),
        (
            10,
            10,
            "10 customers pass the rule (churn risk above 60 % and lifetime value above $1,000); outreach is "
            "drafted for the top 10, the outreach capacity.",
        ),
        (
            25,
            10,
            "25 customers pass the rule (churn risk above 60 % and lifetime value above $1,000); outreach is "
            "drafted for the top 10, the outreach capacity.",
        ),
    ],
)
def test_a_scan_says_plainly_when_fewer_pass_the_rule_than_staff_can_work(
    count: int, capacity: int, summary: str
) -> None:
    scan = ScanRun(
        as_of=MOMENT,
        status=ScanRun.Status.FINISHED,
        at_risk_count=count,
        parameters={"min_risk": 0.6, "min_ltv": 1000.0, "outreach_capacity": capacity},
    )
    assert scan.selection_summary() == summary


def test_the_scan_records_the_outreach_capacity_it_ran_with(shop, settings) -> None:
    settings.PROCX_OUTREACH_CAPACITY = 7
    scan = scan_run(as_of=AS_OF)
    assert scan.outreach_capacity == 7
    assert "outreach capacity of 7" in scan.selection_summary() or "the top 7" in scan.selection_summary()
