"""run_proactive: the scan, then drafts for its top findings."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from customers.models import ScanRun
from interventions.models import Intervention

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline")]


def test_run_proactive_prints_the_ranked_table_and_descriptions(shop, capsys, tmp_path) -> None:
    scores = tmp_path / "scores.csv"
    call_command(
        "run_proactive",
        "--as-of",
        "2025-10-09",
        "--min-risk",
        "0.3",
        "--min-ltv",
        "500",
        "--top",
        "2",
        "--draft",
        "2",
        "--scores-csv",
        str(scores),
    )
    output = capsys.readouterr().out
    scan = ScanRun.objects.get()
    assert "Scanned 300 customers as of 2025-10-09 23:59 UTC" in output
    assert scan.selection_summary() in output
    assert "pass the rule (churn risk above 30 % and lifetime value above $500)" in output
    assert "value at risk" in output
    top = list(scan.findings.order_by("rank")[:3])
    for finding in top[:2]:
        assert finding.description in output
    if len(top) == 3:
        assert top[2].description not in output
    with scores.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert {
        "customer_id",
        "health_score",
        "points_recency",
        "churn_risk",
        "risk_source",
        "value_at_risk",
        "selected",
    } <= set(rows[0])
    assert sum(row["selected"] == "True" for row in rows) == scan.at_risk_count
    assert "Outreach is drafted by offline backend (no OPENAI_API_KEY or OPENAI_BASE_URL set)" in output
    assert "Drafted outreach for the top 2 findings: 2 new, 0 updated, 0 skipped" in output
    assert Intervention.objects.filter(origin="scan").count() == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--min-risk", "1.5"], "--min-risk must be between 0 and 1"),
        (["--min-ltv", "-1"], "--min-ltv must be 0 or more"),
        (["--top", "-2"], "--top must be 0 or more"),
        (["--draft", "-1"], "--draft must be 0 or more"),
        (["--as-of", "yesterday"], "--as-of 'yesterday' is not a date"),
    ],
)
def test_run_proactive_refuses_bad_arguments(arguments, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("run_proactive", *arguments)
