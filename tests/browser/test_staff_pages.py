"""The staff pages in a real browser: sign in, review the queue with HTMX (approve, edit with
live empathy, reject), the intervention editor, a customer's health chart, the read-only view
of staff without the reviewer role, and the layout on a phone.

Each test saves a full-page screenshot into $PROCX_SCREENSHOTS when it is set (to look at
after a run), else into the test's tmp_path.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from playwright.sync_api import Page, expect

from customers.health import FACTORS
from customers.models import Customer, HealthScore
from interventions.apps import REVIEWERS_GROUP
from interventions.models import Intervention, Status
from interventions.services.review import message_score
from tests.factories import NOW, make_customer
from tests.interventions.test_services import draft, troubled_customer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-42"
RUDE = "PAY NOW OR WE CLOSE YOUR ACCOUNT."
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def reviewer() -> str:
    user = User.objects.create_user("rita", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return "rita"


@pytest.fixture
def viewer() -> str:
    User.objects.create_user("vera", password=PASSWORD, is_staff=True)
    return "vera"


def pending_email(first_name: str) -> Intervention:
    """A pending draft for a new troubled customer, made an email without an offer so that
    approving it sends exactly one email whatever the pipeline chose."""
    customer = troubled_customer(first_name=first_name, email=f"{first_name.lower()}@example.com")
    made = draft(customer).intervention
    Intervention.objects.filter(pk=made.pk).update(channel="email", offer="", offer_percent=0)
    return Intervention.objects.select_related("customer").get(pk=made.pk)


@pytest.fixture
def meera() -> Intervention:
    return pending_email("Meera")


@pytest.fixture
def arjun() -> Intervention:
    return pending_email("Arjun")


def sign_in(page: Page, live_server, username: str, *, path: str = "/") -> None:
    """Open `path` signed out, get sent to the sign-in page, sign in and land back on it."""
    page.goto(f"{live_server.url}{path}")
    expect(page).to_have_url(f"{live_server.url}/login/?next={path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}{path}")


def screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ["PROCX_SCREENSHOTS"]) if os.environ.get("PROCX_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file()
    assert path.stat().st_size > 0
    return path


def row(page: Page, intervention: Intervention):
    return page.locator(f"#intervention-{intervention.pk}")


def live_score(intervention: Intervention, body: str) -> int:
    """What the rubric gives `body` for this draft: what the editor must show as it is typed."""
    return message_score(
        intervention=intervention, subject=intervention.subject, body=body, language=intervention.message_language
    ).total


def test_staff_are_sent_to_sign_in_and_land_on_the_dashboard(page: Page, live_server, reviewer, tmp_path) -> None:
    sign_in(page, live_server, reviewer, path="/")

    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    scanned = page.locator(".kpi", has=page.locator(".label", has_text="Customers scanned"))
    expect(scanned).to_be_visible()
    expect(scanned.locator("[data-kpi='scanned']")).to_have_text("0")  # no scan has run
    expect(page.locator(".topbar")).to_contain_text("rita · reviewer")
    screenshot(page, tmp_path, "dashboard")


def test_a_wrong_password_keeps_staff_on_the_sign_in_page(page: Page, live_server, reviewer) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(reviewer)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    expect(page).to_have_url(f"{live_server.url}/login/")


def test_a_reviewer_approves_from_the_queue_and_only_that_row_changes(
    page: Page, live_server, reviewer, meera, arjun, tmp_path
) -> None:
    sign_in(page, live_server, reviewer, path="/queue/")
    expect(row(page, meera)).to_have_attribute("data-status", "pending_review")
    expect(row(page, arjun)).to_have_attribute("data-status", "pending_review")
    counts = page.locator("#status-counts")
    expect(counts.locator("[data-count='sent']")).to_have_text("0")
    page.evaluate("window.__noReload = true")

    row(page, meera).locator("[data-action='approve']").click()

    expect(row(page, meera)).to_have_attribute("data-status", "sent")
    expect(row(page, meera).locator("[data-status-badge]")).to_have_text("Sent")
    expect(row(page, meera)).to_contain_text("Approved and sent by email.")
    expect(row(page, arjun)).to_have_attribute("data-status", "pending_review")
    expect(row(page, arjun).locator("[data-action='approve']")).to_be_visible()
    expect(counts.locator("[data-count='sent']")).to_have_text("1")
    expect(counts.locator("[data-count='pending_review']")).to_have_text("1")
    assert page.evaluate("window.__noReload") is True  # swapped in place, not a new page
    assert [message.to for message in mail.outbox] == [["meera@example.com"]]
    assert Intervention.objects.get(pk=meera.pk).status == Status.SENT
    assert Intervention.objects.get(pk=arjun.pk).status == Status.PENDING_REVIEW
    screenshot(page, tmp_path, "queue-approved")


def test_a_reviewer_edits_inline_and_sees_the_empathy_score_fall_as_they_type(
    page: Page, live_server, reviewer, meera, tmp_path
) -> None:
    original = meera.empathy_score
    expected = live_score(meera, RUDE)
    assert expected < original, "the rude text must score lower for this test to mean anything"
    sign_in(page, live_server, reviewer, path="/queue/")
    expect(row(page, meera).locator("[data-empathy]")).to_have_text(str(original))

    row(page, meera).locator("[data-action='edit']").click()
    editor = page.locator(f"tr#intervention-{meera.pk}.editing")
    live = editor.locator(f"#empathy-live-{meera.pk}")
    expect(live.locator("[data-empathy-live]")).to_have_text(str(original))
    body = editor.locator("textarea[name='body']")
    body.fill("")
    body.press_sequentially(RUDE)

    expect(live.locator("#empathy [data-empathy-total]")).to_have_text(str(expected))
    expect(live.locator("#empathy")).to_contain_text("as typed, not saved")
    assert Intervention.objects.get(pk=meera.pk).body == meera.body  # scoring saves nothing
    screenshot(page, tmp_path, "queue-editing")

    editor.locator("[data-action='save']").click()

    expect(row(page, meera)).to_have_attribute("data-status", "pending_review")
    expect(row(page, meera).locator("[data-empathy]")).to_have_text(str(expected))
    expect(row(page, meera)).to_contain_text(f"Saved. Empathy {expected}/100.")
    saved = Intervention.objects.get(pk=meera.pk)
    assert saved.body == RUDE
    assert saved.empathy_score == expected
    assert saved.drafted_body == meera.body  # the pipeline's draft is kept
    screenshot(page, tmp_path, "queue-edited")


def test_the_intervention_page_rescores_the_message_as_it_is_typed(
    page: Page, live_server, reviewer, meera, tmp_path
) -> None:
    original = meera.empathy_score
    expected = live_score(meera, RUDE)
    assert expected < original
    sign_in(page, live_server, reviewer, path=f"/interventions/{meera.pk}/")
    total = page.locator("#empathy [data-empathy-total]")
    expect(total).to_have_text(str(original))

    editor = page.locator("[data-editor]")
    editor.fill("")
    editor.press_sequentially(RUDE)

    expect(total).to_have_text(str(expected))
    expect(page.locator("#empathy")).to_contain_text("as typed, not saved")
    assert Intervention.objects.get(pk=meera.pk).body == meera.body
    screenshot(page, tmp_path, "intervention-rescored")


def test_a_reviewer_rejects_with_a_reason_and_cannot_reject_without_one(
    page: Page, live_server, reviewer, meera, arjun, tmp_path
) -> None:
    reject_posts: list[str] = []
    page.on(
        "request",
        lambda request: (
            reject_posts.append(request.post_data or "")
            if request.method == "POST" and request.url.endswith(f"/interventions/{meera.pk}/reject/")
            else None
        ),
    )
    sign_in(page, live_server, reviewer, path="/queue/")
    meera_row = row(page, meera)
    meera_row.locator("[data-action='reject-open']").click()
    reason = meera_row.get_by_label("Reason for rejecting")
    expect(reason).to_be_visible()

    meera_row.locator("[data-action='reject']").click()  # no reason given
    assert reason.evaluate("input => input.validity.valueMissing") is True
    expect(meera_row).to_have_attribute("data-status", "pending_review")

    reason.fill("Customer already called us")
    meera_row.locator("[data-action='reject']").click()

    expect(meera_row).to_have_attribute("data-status", "rejected")
    expect(meera_row.locator("[data-status-badge]")).to_have_text("Rejected")
    expect(meera_row).to_contain_text("Customer already called us")
    expect(row(page, arjun)).to_have_attribute("data-status", "pending_review")
    expect(page.locator("#status-counts [data-count='rejected']")).to_have_text("1")
    # Only the submission with a reason reached the server: the empty one was stopped in the browser.
    assert len(reject_posts) == 1
    assert parse_qs(reject_posts[0])["reason"] == ["Customer already called us"]
    rejected = Intervention.objects.get(pk=meera.pk)
    assert rejected.status == Status.REJECTED
    assert rejected.rejection_reason == "Customer already called us"
    assert mail.outbox == []
    screenshot(page, tmp_path, "queue-rejected")


def snapshot_points(**changes: float) -> dict[str, float]:
    """Points for every health factor, most at a middling value, some changed."""
    points = {factor.name: round(factor.max_points * 0.6, 1) for factor in FACTORS}
    points.update(changes)
    return points


def test_a_customer_page_draws_the_health_history_as_a_line_chart(page: Page, live_server, reviewer, tmp_path) -> None:
    customer = make_customer(first_name="Kavya", last_name="Iyer")
    for days_ago, changes in ((60, {}), (30, {"recency": 3.0}), (0, {"recency": 3.0, "support_tickets": 0.0})):
        points = snapshot_points(**changes)
        HealthScore.objects.create(
            customer=customer,
            as_of=NOW - dt.timedelta(days=days_ago),
            score=round(sum(points.values()), 1),
            points=points,
            churn_risk=0.5,
            risk_source="health",
        )
    Customer.objects.filter(pk=customer.pk).update(health_score=HealthScore.objects.filter(customer=customer)[0].score)
    sign_in(page, live_server, reviewer, path=f"/customers/{customer.pk}/")

    chart = page.locator("#health-history svg")
    expect(chart).to_be_visible()
    expect(chart.locator(":scope > title")).to_have_text("Health score over time")
    points = chart.locator("circle.chart-point")
    expect(points).to_have_count(3)
    # The two later scores moved, so they are rings whose tooltip says what moved them.
    moved = chart.locator("circle.chart-point-moved")
    expect(moved).to_have_count(2)
    expect(moved.first.locator("title")).to_contain_text("Recency of last activity -6")
    expect(moved.last.locator("title")).to_contain_text("Support tickets (90 days) -4.8")
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    screenshot(page, tmp_path, "customer-health")


def test_staff_without_the_reviewer_role_see_the_queue_without_actions(
    page: Page, live_server, viewer, meera, tmp_path
) -> None:
    sign_in(page, live_server, viewer, path="/queue/")

    expect(row(page, meera)).to_be_visible()
    expect(row(page, meera)).to_contain_text(meera.customer.full_name)
    expect(page.get_by_text("approving and sending need the reviewer role")).to_be_visible()
    for action in ("approve", "edit", "reject-open", "reject", "bulk-approve"):
        expect(page.locator(f"[data-action='{action}']")).to_have_count(0)
    expect(page.locator(".topbar")).not_to_contain_text("reviewer")
    screenshot(page, tmp_path, "queue-read-only")


def horizontal_overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_queue_and_a_customer_page_fit_a_phone_screen(
    page: Page, live_server, reviewer, meera, arjun, tmp_path
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, reviewer, path="/queue/")
    expect(row(page, meera)).to_be_visible()
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert horizontal_overflow(page) <= 1
    screenshot(page, tmp_path, "phone-queue")

    page.goto(f"{live_server.url}/customers/{meera.customer_id}/")
    expect(page.locator("#health-history svg")).to_be_visible()
    assert horizontal_overflow(page) <= 1
    screenshot(page, tmp_path, "phone-customer")


UNSAVED = "Dear Meera, we are sorry your order is late; a replacement ships today and we will call you tomorrow."


def test_an_unsaved_edit_is_what_approve_sends(page: Page, live_server, reviewer, meera, tmp_path) -> None:
    sign_in(page, live_server, reviewer, path=f"/interventions/{meera.pk}/")
    page.locator("[data-editor]").fill(UNSAVED)
    page.locator("[data-action='approve']").click()  # without "Save changes"

    expect(page.locator("[data-status-badge]")).to_have_text("Sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.startswith(UNSAVED)
    sent = Intervention.objects.get(pk=meera.pk)
    assert (sent.body, sent.version) == (UNSAVED, meera.version + 1)
    screenshot(page, tmp_path, "unsaved-edit-sent")


def test_an_edit_racing_an_approval_never_sends_stale_text(page: Page, live_server, reviewer, meera, tmp_path) -> None:
    sign_in(page, live_server, reviewer, path=f"/interventions/{meera.pk}/")
    # Another reviewer saves new words after this page was opened.
    other = User.objects.create_user("omar", password=PASSWORD, is_staff=True)
    from interventions.services.review import intervention_edit

    intervention_edit(intervention=meera, user=other, subject=meera.subject, body=UNSAVED, seen_version=meera.version)
    page.locator("[data-action='approve']").click()

    notice = page.locator("#panels [role='status']")
    expect(notice).to_contain_text("changed by omar since you opened it")
    expect(notice).to_contain_text("nothing was sent")
    expect(page.locator("[data-editor]")).to_have_value(UNSAVED)  # the page now shows the new words
    assert mail.outbox == []
    assert Intervention.objects.get(pk=meera.pk).status == Status.PENDING_REVIEW
    screenshot(page, tmp_path, "stale-approval-refused")
