""" "At risk" means one thing everywhere: the customers the latest finished scan selected.

A shop where an older scan selected other customers, a newer scan failed after selecting someone
else, and some customers have low health or a high risk without being selected; then the
run_proactive output, the dashboard, the customer list, every customer page, the queue, the
intervention pages and the back office must name the same customers, and the same number.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, HealthScore, ScanFinding, ScanRun
from customers.selectors import at_risk_customer_ids, latest_finished_scan
from customers.services import workbook_import
from customers.workbook_files import workbook_write
from demo.dataset import dataset_generate
from interventions.models import Intervention, Origin
from staff.selectors import health_histogram_read
from tests.factories import NOW, make_churn_label, make_customer, make_nps_response, make_ticket
from tests.interventions.test_services import draft, troubled_customer

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 10, 9)
AT_RISK_MARK = re.compile(r'data-at-risk="(\d+)"')


@pytest.fixture(autouse=True)
def _offline(settings) -> None:
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("sam", password="x"))
    return client


def neglected_cheap_customer(**overrides: object) -> Customer:
    """Low value, long gone quiet, unhappy: low health, yet below the scan's value threshold."""
    customer = make_customer(
        **{
            "segment": "Occasional",
            "loyalty_tier": "Bronze",
            "lifetime_value": Decimal("180.00"),
            "avg_order_value": Decimal("60.00"),
            "last_active_date": AS_OF - dt.timedelta(days=300),
            "signup_date": AS_OF - dt.timedelta(days=400),
            **overrides,
        }
    )
    # Row ids from the customer's own, so they cannot collide with a generated shop's.
    number = customer.pk[1:]
    for ticket in range(6):
        make_ticket(customer, ticket_id=f"T9{number}{ticket}", created_at=NOW - dt.timedelta(days=8))
    make_nps_response(customer, survey_id=f"NPS9{number}", nps_score=0)
    return customer


def scan_with_findings(*, started_at: dt.datetime, status: str, customers: list[Customer]) -> ScanRun:
    scan = ScanRun.objects.create(
        as_of=started_at, started_at=started_at, finished_at=started_at, status=status, at_risk_count=len(customers)
    )
    for rank, customer in enumerate(customers, start=1):
        scan.findings.create(
            customer=customer,
            rank=rank,
            health_score=20,
            churn_risk=0.9,
            lifetime_value=Decimal("5000"),
            value_at_risk=Decimal("4500"),
            description="Selected by another scan.",
        )
    return scan


def command_selection(output: str) -> tuple[int, list[str]]:
    """The count run_proactive states and the customer ids of its ranked table, in order."""
    count = int(re.search(r"At risk: ([\d,]+) customers", output).group(1).replace(",", ""))
    return count, re.findall(r"(?m)^\s+\d+\s+(C\d+)\s", output)


def marked(html: str, attribute: str) -> set[str]:
    """The ids of the rows (`data-<attribute>="id"`) that carry an at-risk badge."""
    rows = re.split(r"<tr\b", html)[1:]
    found = set()
    for row in rows:
        identifier = re.search(rf'data-{attribute}="([^"]+)"', row)
        if identifier and AT_RISK_MARK.search(row):
            found.add(identifier.group(1))
    return found


def admin_rows(html: str) -> dict[str, str]:
    """Customer id -> the admin list's "at risk (latest scan)" cell, for every row shown."""
    rows = {}
    for row in re.split(r"<tr\b", html)[1:]:
        identifier = re.search(r'class="field-customer_id"><a href="[^"]*">(C\d+)</a>', row)
        cell = re.search(r'class="field-at_risk_shown">([^<]*)<', row)
        if identifier and cell:
            rows[identifier.group(1)] = cell.group(1)
    return rows


def test_every_page_and_the_command_show_the_same_at_risk_customers(tmp_path: Path, staff, capsys) -> None:
    path = tmp_path / "shop.xlsx"
    workbook_write(dataset_generate(customers=300, seed=5, as_of=AS_OF), path)
    workbook_import(path=path)
    # Ids past the generated shop's, so the factories' counters cannot collide with it.
    decoys = [
        neglected_cheap_customer(customer_id=f"C90000{number}", first_name=f"Decoy{number}") for number in range(3)
    ]
    churned = neglected_cheap_customer(
        customer_id="C900010", first_name="Gone", segment="VIP", lifetime_value=Decimal("9000.00")
    )
    make_churn_label(churned, is_churn=True, churn_date=AS_OF - dt.timedelta(days=20), churn_reason="price")
    healthy_ones = list(Customer.objects.order_by("-lifetime_value")[:2])
    older = scan_with_findings(
        started_at=timezone.now() - dt.timedelta(days=1), status=ScanRun.Status.FINISHED, customers=healthy_ones
    )
    failed = scan_with_findings(
        started_at=timezone.now() + dt.timedelta(hours=1), status=ScanRun.Status.FAILED, customers=decoys[:1]
    )

    call_command(
        "run_proactive", "--as-of", "2025-10-09", "--min-risk", "0.4", "--min-ltv", "500", "--top", "0", "--draft", "3"
    )
    count, ranked = command_selection(capsys.readouterr().out)

    latest = latest_finished_scan()
    assert latest is not None
    assert latest.pk not in (older.pk, failed.pk)
    selection = set(at_risk_customer_ids(latest))
    assert ranked == list(ScanFinding.objects.filter(scan=latest).order_by("rank").values_list("customer", flat=True))
    assert count == len(ranked) == len(selection) == latest.at_risk_count
    assert 3 <= count < Customer.objects.count()
    # Customers the rule left out whatever their health, and those other scans selected.
    outsiders = {customer.pk for customer in [*decoys, churned, *healthy_ones]} - selection
    assert {decoy.pk for decoy in decoys} | {churned.pk} <= outsiders
    for decoy in decoys:
        decoy.refresh_from_db()
        assert decoy.health_score < 40, decoy.health_score  # critical, and still not at risk
    churned.refresh_from_db()
    assert churned.churn_risk > 0.4  # risky and valuable, but labelled churned: not selected

    # The dashboard: the tile, the histogram's legend and the top of the list.
    dashboard = staff.get(reverse("dashboard")).content.decode()
    assert re.search(rf'data-kpi="at-risk"><a [^>]*>{count}</a>', dashboard)
    assert re.search(rf"data-legend-at-risk>{count}<", dashboard)
    assert f"{count} in the at-risk list" in dashboard  # the histogram's description
    top = re.findall(r'<td><a href="/customers/(C\d+)/">', dashboard)
    assert top == ranked[:10]

    # The customer list: the at-risk filter lists exactly the selection, in rank order, and
    # across every page of the whole list only those rows carry the badge.
    only = staff.get(reverse("customers"), {"at_risk": "1"}).content.decode()
    assert re.findall(r'<tr data-customer="(C\d+)"', only) == ranked
    assert re.search(rf"data-customer-count>{count}<", only)
    badged: set[str] = set()
    for number in range(1, Customer.objects.count() // 50 + 2):
        listing = staff.get(reverse("customers"), {"page": number}).content.decode()
        badged |= marked(listing, "customer")
    assert badged == selection

    # Each customer's page: the badge exactly for the selection, with its rank.
    for customer_id in selection | outsiders:
        page = staff.get(reverse("customer", args=[customer_id])).content.decode()
        ranks = AT_RISK_MARK.findall(page)
        if customer_id in selection:
            assert ranks == [str(ranked.index(customer_id) + 1)], customer_id
        else:
            assert ranks == [], customer_id
            assert "Not in the latest scan's at-risk list" in page

    # The queue and the intervention pages: the scan's drafts are marked, a decoy's is not.
    decoy_draft = draft(decoys[0], origin=Origin.WEBHOOK).intervention
    queue = staff.get(reverse("queue")).content.decode()
    drafted = set(Intervention.objects.filter(origin=Origin.SCAN).values_list("customer_id", flat=True))
    assert len(drafted) == 3
    rows = {
        str(pk): customer_id
        for pk, customer_id in Intervention.objects.values_list("pk", "customer_id")
        if str(pk) in marked(queue.replace('id="intervention-', 'data-intervention="'), "intervention")
    }
    assert set(rows.values()) == drafted <= selection
    for intervention in Intervention.objects.all():
        page = staff.get(reverse("intervention", args=[intervention.pk])).content.decode()
        assert bool(AT_RISK_MARK.search(page)) is (intervention.customer_id in selection), intervention.customer_id
    assert decoy_draft.customer_id not in selection

    # The back office: the at-risk filter, the column, and the intervention list.
    changelist = reverse("admin:customers_customer_changelist")
    filtered = admin_rows(staff.get(changelist, {"at_risk": "yes", "all": ""}).content.decode())
    assert set(filtered) == selection
    assert all(filtered[customer_id] == f"at risk #{ranked.index(customer_id) + 1}" for customer_id in selection)
    everyone: dict[str, str] = {}
    for number in range(1, Customer.objects.count() // 50 + 2):
        everyone |= admin_rows(staff.get(changelist, {"p": number}).content.decode())
    assert len(everyone) == Customer.objects.count()
    assert {customer_id for customer_id, cell in everyone.items() if cell.startswith("at risk")} == selection
    interventions = staff.get(reverse("admin:interventions_intervention_changelist")).content.decode()
    assert interventions.count("at risk #") == 3


def test_a_low_health_high_risk_customer_the_scan_did_not_select_has_no_at_risk_badge(staff) -> None:
    selected = troubled_customer(first_name="Chosen", email="chosen@example.com")
    left_out = neglected_cheap_customer(first_name="Ignored")
    Customer.objects.filter(pk=left_out.pk).update(health_score=12.0, churn_risk=0.95, risk_source="health")
    scan_with_findings(started_at=timezone.now(), status=ScanRun.Status.FINISHED, customers=[selected])

    page = staff.get(reverse("customer", args=[left_out.pk])).content.decode()
    assert not AT_RISK_MARK.search(page)
    assert ">at risk" not in page
    assert '<span class="badge band-critical" data-health-band>critical</span>' in page
    assert "Not in the latest scan's at-risk list" in page
    listing = staff.get(reverse("customers")).content.decode()
    assert marked(listing, "customer") == {selected.pk}
    admin_list = admin_rows(staff.get(reverse("admin:customers_customer_changelist")).content.decode())
    assert admin_list[left_out.pk] == "-"
    assert admin_list[selected.pk] == "at risk #1"
    assert "12 (critical)" in staff.get(reverse("admin:customers_customer_changelist")).content.decode()
    change = staff.get(reverse("admin:customers_customer_change", args=[left_out.pk])).content.decode()
    assert "Not at risk: not in the selection of the latest scan" in change


def test_with_no_finished_scan_nobody_is_at_risk(staff) -> None:
    customer = neglected_cheap_customer()
    Customer.objects.filter(pk=customer.pk).update(health_score=5.0, churn_risk=0.99, risk_source="health")
    scan_with_findings(started_at=timezone.now(), status=ScanRun.Status.RUNNING, customers=[customer])

    assert latest_finished_scan() is None
    for path in (reverse("dashboard"), reverse("customers"), reverse("customer", args=[customer.pk])):
        assert not AT_RISK_MARK.search(staff.get(path).content.decode()), path
    only = staff.get(reverse("customers"), {"at_risk": "1"}).content.decode()
    assert "no scan has finished yet" in only
    assert admin_rows(staff.get(reverse("admin:customers_customer_changelist")).content.decode()) == {customer.pk: "-"}


def test_the_imported_churn_score_is_labelled_as_not_used(staff) -> None:
    customer = make_customer()
    make_churn_label(customer, predicted_churn_score=0.068)

    change = staff.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    assert "Imported score, not used" in change or "imported score, not used" in change
    assert "0.068 (imported, not used)" in change
    listing = staff.get(reverse("admin:customers_churnlabel_changelist")).content.decode()
    assert "imported score, not used" in listing.lower()
    assert "0.068 (imported, not used)" in listing
    label_page = staff.get(
        reverse("admin:customers_churnlabel_change", args=[customer.churn_label.pk])
    ).content.decode()
    assert "Imported score, not used" in label_page
    assert "ProCX does not use it" in label_page
    assert "Predicted churn score" not in change + listing + label_page


def scored_scan(scores: list[float], *, stored: list[int]) -> ScanRun:
    scan = ScanRun.objects.create(
        as_of=NOW, status=ScanRun.Status.FINISHED, finished_at=timezone.now(), health_histogram=stored
    )
    for number, score in enumerate(scores):
        customer = make_customer(customer_id=f"C97{number:04d}")
        HealthScore.objects.create(customer=customer, scan=scan, as_of=NOW, score=score, points={}, churn_risk=0.5)
    return scan


def test_the_histogram_splits_the_stored_tenths_at_every_band_edge_from_the_scans_own_scores() -> None:
    scan = scored_scan([12.0, 72.0, 74.9, 75.0, 79.0, 100.0], stored=[0, 1, 0, 0, 0, 0, 0, 4, 0, 1])
    histogram = health_histogram_read(scan)

    assert histogram.edges == (0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 90, 100)
    assert histogram.counts == [0, 1, 0, 0, 0, 0, 0, 2, 2, 0, 1]


def test_the_histogram_uses_the_stored_counts_once_they_are_split_at_the_band_edges(monkeypatch) -> None:
    edges = (0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 90, 100)
    monkeypatch.setattr("staff.selectors.HISTOGRAM_EDGES", edges)
    scan = scored_scan([], stored=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])

    with CaptureQueriesContext(connection) as queries:
        histogram = health_histogram_read(scan)
    assert histogram.counts == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert len(queries) == 1  # the selection only: no count over the scores


def test_where_the_scans_scores_are_gone_the_stored_tenths_are_shown_as_they_are() -> None:
    histogram = health_histogram_read(scored_scan([], stored=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))

    assert histogram.edges == tuple(range(0, 101, 10))
    assert histogram.counts == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_a_customer_who_left_the_list_since_the_scan_is_at_risk_nowhere(staff) -> None:
    stays = troubled_customer(first_name="Stays", email="stays@example.com")
    came_back = troubled_customer(first_name="Back", email="back@example.com")
    scan = scan_with_findings(started_at=timezone.now(), status=ScanRun.Status.FINISHED, customers=[stays, came_back])
    left_at = timezone.now()
    because = "Order placed on 01 Dec 2026 (EVT_1): churn risk 90 % at the scan, 41 % now, not over the rule's 60 %"
    ScanFinding.objects.filter(scan=scan, customer=came_back).update(left_at=left_at, left_because=because)

    assert set(at_risk_customer_ids(scan)) == {stays.pk}
    dashboard = staff.get(reverse("dashboard")).content.decode()
    assert re.search(r'data-kpi="at-risk"><a [^>]*>1</a>', dashboard)
    assert re.findall(r'<td><a href="/customers/(C\d+)/">', dashboard) == [stays.pk]
    only = staff.get(reverse("customers"), {"at_risk": "1"}).content.decode()
    assert re.findall(r'<tr data-customer="(C\d+)"', only) == [stays.pk]
    assert marked(staff.get(reverse("customers")).content.decode(), "customer") == {stays.pk}
    page = staff.get(reverse("customer", args=[came_back.pk])).content.decode()
    assert not AT_RISK_MARK.search(page)
    assert "Left the latest scan&#x27;s at-risk list on" in page or "Left the latest scan's at-risk list on" in page
    assert "it was number 2" in page
    assert "41 % now" in page
    admin_list = admin_rows(staff.get(reverse("admin:customers_customer_changelist")).content.decode())
    assert (admin_list[stays.pk], admin_list[came_back.pk]) == ("at risk #1", "-")
    assert sum(health_histogram_read(scan).selected) == 1
