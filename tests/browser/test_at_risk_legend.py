"""The health bands and the at-risk list in a real browser: the dashboard's legend says what the
histogram's colours are, the badges say their band or "at risk" in words, and axe-core finds no
colour-contrast violation on the pages that show them.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js, injected into the
page); where that package is not installed the contrast test is skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from customers.health import FACTORS, HEALTH_BANDS
from customers.models import Customer, HealthScore, ScanRun
from tests.factories import NOW, make_customer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-42"
# Scores across every band; the two lowest are not selected, the 62 (fair) one is.
SCORES = [8.0, 22.5, 35.0, 41.0, 48.0, 55.0, 59.5, 62.0, 66.0, 71.0, 74.0, 76.0, 83.0, 91.0, 99.0]
SELECTED_SCORE = 62.0


def axe_script() -> Path | None:
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "axe.min.js"


@pytest.fixture
def staff() -> str:
    User.objects.create_user("sam", password=PASSWORD, is_staff=True)
    return "sam"


@pytest.fixture
def scanned() -> dict[str, Customer]:
    """A finished scan that scored every customer and selected one: a fair one, at 62."""
    scan = ScanRun.objects.create(
        as_of=NOW, status=ScanRun.Status.FINISHED, finished_at=timezone.now(), customers_scanned=len(SCORES)
    )
    customers = {}
    points = {factor.name: factor.max_points / 2 for factor in FACTORS}
    for number, score in enumerate(SCORES):
        customer = make_customer(customer_id=f"C95{number:04d}", first_name=f"Band{number}", health_score=score)
        Customer.objects.filter(pk=customer.pk).update(churn_risk=1 - score / 100, risk_source="health")
        HealthScore.objects.create(
            customer=customer, scan=scan, as_of=NOW, score=score, points=points, churn_risk=1 - score / 100
        )
        customers[str(score)] = customer
    selected = customers[str(SELECTED_SCORE)]
    scan.findings.create(
        customer=selected,
        rank=1,
        health_score=SELECTED_SCORE,
        churn_risk=0.74,
        lifetime_value=Decimal("7963.87"),
        value_at_risk=Decimal("5893.26"),
        description="VIP customer showing distress signals.",
    )
    ScanRun.objects.filter(pk=scan.pk).update(at_risk_count=1)
    return {"selected": selected, "lowest": customers[str(SCORES[0])]}


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ["PROCX_SCREENSHOTS"]) if os.environ.get("PROCX_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_the_dashboard_legend_says_the_colours_are_bands_and_the_selection_is_the_at_risk_list(
    page: Page, live_server, staff, scanned, tmp_path
) -> None:
    sign_in(page, live_server, staff)

    expect(page.locator("[data-kpi='at-risk']")).to_have_text("1")
    legend = page.locator("[data-legend='health-bands']")
    expect(legend).to_contain_text("Colours are health bands, not the at-risk list.")
    for _, name in HEALTH_BANDS:
        expect(legend.locator(f"[data-band='{name}'] .badge")).to_have_text(name)
    expect(legend.locator("[data-band='critical']")).to_contain_text("under 40: 3")
    expect(legend.locator("[data-band='selected']")).to_contain_text("1: the latest scan's selection")
    bars = page.locator("svg.chart-histogram rect.chart-bar")
    expect(page.locator("svg.chart-histogram rect.chart-bar-mixed")).to_have_count(0)
    assert bars.count() == 11  # tenths, with 70-80 split at 75
    expect(page.locator("svg.chart-histogram rect.chart-bar-selected")).to_have_count(1)
    screenshot(page, tmp_path, "dashboard-bands")


def test_the_gauge_of_a_fair_customer_is_not_green_and_says_fair(
    page: Page, live_server, staff, scanned, tmp_path
) -> None:
    sign_in(page, live_server, staff)
    page.goto(f"{live_server.url}/customers/{scanned['selected'].pk}/")

    expect(page.locator("svg.chart-gauge .chart-gauge-value")).to_have_class("chart-gauge-value chart-gauge-fair")
    expect(page.locator("[data-health-band]")).to_have_text("fair")
    expect(page.locator("h1 .badge.at-risk")).to_have_text("at risk #1")
    screenshot(page, tmp_path, "customer-fair-at-risk")

    page.goto(f"{live_server.url}/customers/{scanned['lowest'].pk}/")
    expect(page.locator("[data-health-band]")).to_have_text("critical")
    expect(page.locator(".badge.at-risk")).to_have_count(0)
    expect(page.locator("[data-at-risk-status]")).to_contain_text("Not in the latest scan's at-risk list")


def test_the_legend_and_badges_pass_axe_core_colour_contrast(page: Page, live_server, staff, scanned, tmp_path) -> None:
    script = axe_script()
    if script is None:
        pytest.skip("axe-core is not installed (pip install axe-playwright-python, listed in requirements/test.txt)")
    sign_in(page, live_server, staff)
    for path in ("/", "/customers/", f"/customers/{scanned['selected'].pk}/", f"/customers/{scanned['lowest'].pk}/"):
        page.goto(f"{live_server.url}{path}")
        page.add_script_tag(path=str(script))
        result = page.evaluate("() => axe.run(document, {runOnly: ['color-contrast']})")
        checked = sum(len(rule["nodes"]) for rule in result["passes"])
        failures = [
            f"{node['target']}: {node['failureSummary']}" for rule in result["violations"] for node in rule["nodes"]
        ]
        assert not failures, (path, failures)
        assert checked > 10, path  # axe looked at the page's text, badges included
        if path == "/":
            badges = page.locator(".legend .badge")
            assert badges.count() == len(HEALTH_BANDS) + 1
            screenshot(page, tmp_path, "dashboard-axe")
