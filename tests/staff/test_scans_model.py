"""The scans page says how good the churn model is, held out and point in time, and draws its
reliability curve; the latest scan says plainly when fewer pass the rule than staff can work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from customers.models import ChurnModel, ScanRun
from staff.charts import reliability_svg
from tests.factories import NOW

pytestmark = pytest.mark.django_db

FIGURES = {
    "roc_auc": 0.77,
    "pr_auc": 0.41,
    "brier": 0.12,
    "precision_at_capacity": 0.5,
    "lift_at_capacity": 2.6,
    "capacity_count": 6.0,
    "precision_at_10": 0.45,
    "base_rate": 0.19,
}
BINS = [
    {"predicted": 0.05, "observed": 0.04, "count": 60},
    {"predicted": 0.3, "observed": 0.2, "count": 60},
    {"predicted": 0.8, "observed": 0.6, "count": 60},
]


def model(**fields: object) -> ChurnModel:
    defaults = {
        "as_of": NOW,
        "labelled": 980,
        "positives": 190,
        "usable": True,
        "reason": "logistic regression beats the health score: AUC 0.77 against 0.62",
        "horizon_days": 60,
        "family": "logistic_regression",
        "held_out": 180,
        "metrics": FIGURES,
        "family_metrics": {"logistic_regression": FIGURES, "gradient_boosting": {**FIGURES, "roc_auc": 0.72}},
        "baseline_metrics": {**FIGURES, "roc_auc": 0.62, "precision_at_capacity": 0.17},
        "reliability": BINS,
        "dropped_features": ["latest_nps", "nps_change"],
    }
    return ChurnModel.objects.create(**{**defaults, **fields})


def test_the_scans_page_shows_every_familys_held_out_figures_beside_the_health_score(viewer_client) -> None:
    model()
    page = viewer_client.get(reverse("scans")).content.decode()
    table = page[page.index("data-model-figures") : page.index("</table>", page.index("data-model-figures"))]
    headers = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)
    assert headers == ["logistic regression", "histogram gradient boosting", "health score"]
    assert re.search(
        r"ROC-AUC</th><td class=\"num\">0.770</td><td class=\"num\">0.720</td><td class=\"num\">0.620", table
    )
    assert re.search(
        r"Precision at the outreach capacity</th><td class=\"num\">50%</td>.*?<td class=\"num\">17%", table
    )
    assert "logistic regression is used" in table
    assert "churning within 60 days" in page
    assert "180 of them scored by models that never saw their future" in page
    assert "left out, no data: latest_nps, nps_change" in page
    assert 'class="chart chart-reliability"' in page


def test_an_unused_model_says_the_health_score_is_used(viewer_client) -> None:
    model(usable=False, reason="the churn labels carry no usable signal before the churn dates")
    page = viewer_client.get(reverse("scans")).content.decode()
    assert "the health score is used" in page
    assert "The churn labels carry no usable signal before the churn dates." in page


def test_without_a_model_the_page_says_risk_comes_from_the_health_score(viewer_client) -> None:
    page = viewer_client.get(reverse("scans")).content.decode()
    assert "No churn model trained yet" in page
    assert "chart-reliability" not in page


def test_the_latest_finished_scan_says_when_fewer_pass_the_rule_than_the_capacity(viewer_client) -> None:
    ScanRun.objects.create(
        as_of=NOW,
        status=ScanRun.Status.FINISHED,
        at_risk_count=3,
        parameters={"min_risk": 0.6, "min_ltv": 1000, "outreach_capacity": 10},
    )
    ScanRun.objects.create(as_of=NOW, status=ScanRun.Status.RUNNING)  # not finished: not the one described
    page = viewer_client.get(reverse("scans")).content.decode()
    assert "3 customers pass the rule" in page
    assert "fewer than the outreach capacity of 10: the list is not padded by loosening the rule" in page


def test_the_reliability_chart_places_each_bin_and_describes_the_gap_in_words() -> None:
    svg = str(reliability_svg(BINS, title="Reliability"))
    assert svg.count('class="chart-point"') == 3
    assert "predicted 80 %, churned 60 % of 60 customers" in svg
    # Mean distance from the diagonal: (1 + 10 + 20) / 3 points.
    assert "prediction is 10 points from what happened" in svg
    assert 'role="img"' in svg


@pytest.mark.parametrize(
    "bad",
    [
        [{"predicted": 1.2, "observed": 0.1, "count": 5}],
        [{"predicted": 0.2, "observed": -0.1, "count": 5}],
        [{"predicted": 0.2, "observed": 0.1, "count": -1}],
    ],
)
def test_the_reliability_chart_refuses_bins_that_are_not_shares(bad: list[dict]) -> None:
    with pytest.raises(ValueError, match="is not a share of 0 to 1"):
        reliability_svg(bad, title="Reliability")


def test_an_empty_reliability_curve_draws_an_empty_frame() -> None:
    assert "no data" in str(reliability_svg([], title="Reliability")).lower()
