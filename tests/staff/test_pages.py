"""The staff pages: sign-in everywhere, the reviewer permission, CSRF on every POST, the HTMX
actions of the queue and the intervention page, the feed, the scans page, and query counts
that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from customers.models import CustomerEvent, ScanRun
from events.models import DeliveryOutcome, WebhookDelivery
from interventions.models import Intervention, OutboxMessage, Status
from tests.factories import NOW, make_customer
from tests.interventions.test_services import draft, troubled_customer

pytestmark = pytest.mark.django_db

# Provider endpoints are not pages: providers authenticate by signature (tests/events).
PROVIDER_PREFIX = "api/webhooks/"
SIGN_IN_PAGES = {"login", "admin:login"}
SAMPLE_ARGUMENTS = {"pk": 1, "customer_id": "C100001", "object_id": "1", "content_type_id": 1, "app_label": "auth"}


def all_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> list[tuple[str, str, Any]]:
    """Every URL pattern of the project: (route, name, pattern)."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += all_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), f"{namespace}{entry.name or ''}", entry))
    return found


def sample_path(route: str) -> str:
    """A concrete path for a route: converters filled with sample values, regexes simplified."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(SAMPLE_ARGUMENTS.get(match.group(1), "x")), route)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(SAMPLE_ARGUMENTS.get(match.group(1), "x")), path)
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    return "/" + path


def pages() -> list[tuple[str, str]]:
    return [
        (sample_path(route), name)
        for route, name, _ in all_patterns()
        if not route.startswith(PROVIDER_PREFIX) and name not in SIGN_IN_PAGES and "(?P<url>" not in route
    ]


@pytest.fixture
def intervention() -> Intervention:
    made = draft(troubled_customer(first_name="Meera", email="meera@example.com")).intervention
    Intervention.objects.filter(pk=made.pk).update(channel="email", offer="", offer_percent=0)
    return Intervention.objects.select_related("customer").get(pk=made.pk)


def htmx(client: Client, path: str, data: dict | None = None, **headers: str) -> Any:
    return client.post(path, data or {}, headers={"HX-Request": "true", **headers})


# --- Sign-in, roles, CSRF ---------------------------------------------------------------------


def test_the_walk_finds_the_staff_pages() -> None:
    names = {name for _, name in pages()}
    assert {"dashboard", "queue", "intervention", "customer", "events", "scans", "scan-run", "schema"} <= names
    assert len(names) > 20  # the admin's too


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_sends_an_anonymous_visitor_to_sign_in(method) -> None:
    client = Client()
    for path, name in pages():
        response = getattr(client, method)(path)
        if name in ("logout", "admin:logout"):  # signing out, nothing to show
            assert response.status_code in (302, 405), path
            continue
        if response.status_code == 405:  # this method is not served at all
            continue
        assert response.status_code == 302, f"{method.upper()} {path} ({name}) answered {response.status_code}"
        assert re.match(r"^/(admin/)?login/\?next=", response["Location"]), (path, response["Location"])


def test_an_htmx_request_whose_session_ran_out_sends_the_whole_page_to_sign_in(intervention) -> None:
    response = Client().post(
        reverse("intervention-approve", args=[intervention.pk]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/queue/?status=pending_review"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/login/?next=")
    assert Intervention.objects.get(pk=intervention.pk).status == Status.PENDING_REVIEW


def test_provider_endpoints_serve_no_page_and_refuse_unsigned_posts() -> None:
    for route, _, _ in all_patterns():
        if route.startswith(PROVIDER_PREFIX):
            assert Client().get(sample_path(route)).status_code == 405
            assert Client().post(sample_path(route), b"{}", content_type="application/json").status_code == 401


def test_a_signed_in_user_who_is_not_staff_is_refused() -> None:
    client = Client()
    client.force_login(User.objects.create_user("pat"))
    assert client.get(reverse("dashboard")).status_code == 403


def test_staff_without_the_reviewer_role_see_everything_but_change_nothing(viewer_client, intervention) -> None:
    for name, args in (("dashboard", []), ("queue", []), ("intervention", [intervention.pk])):
        assert viewer_client.get(reverse(name, args=args)).status_code == 200
    assert viewer_client.get(reverse("customer", args=[intervention.customer_id])).status_code == 200
    for name in ("intervention-approve", "intervention-reject", "intervention-send", "intervention-edit"):
        response = viewer_client.post(reverse(name, args=[intervention.pk]), {"reason": "x", "body": "Hi"})
        assert response.status_code == 403, name
    assert viewer_client.post(reverse("queue-approve"), {"ids": [intervention.pk]}).status_code == 403
    assert Intervention.objects.get(pk=intervention.pk).status == Status.PENDING_REVIEW
    assert mail.outbox == []
    queue = viewer_client.get(reverse("queue")).content.decode()
    assert 'data-action="approve"' not in queue


def test_csrf_is_enforced_on_every_post_htmx_ones_included(reviewer_user, intervention) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer_user)
    delivery = WebhookDelivery.objects.create(
        source="procx", received_at=timezone.now(), outcome=DeliveryOutcome.INBOX, status_code=202
    )
    posts = [
        reverse("intervention-approve", args=[intervention.pk]),
        reverse("intervention-reject", args=[intervention.pk]),
        reverse("intervention-edit", args=[intervention.pk]),
        reverse("intervention-score", args=[intervention.pk]),
        reverse("intervention-send", args=[intervention.pk]),
        reverse("queue-approve"),
        reverse("delivery-reprocess", args=[delivery.pk]),
        reverse("delivery-link-save", args=[delivery.pk]),
        reverse("scan-run"),
        reverse("logout"),
    ]
    for path in posts:
        assert client.post(path, {"reason": "x"}).status_code == 403, path
        assert client.post(path, {"reason": "x"}, headers={"HX-Request": "true"}).status_code == 403, path
    assert Intervention.objects.get(pk=intervention.pk).status == Status.PENDING_REVIEW

    page = client.get(reverse("queue")).content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)  # what htmx sends, from <body hx-headers>
    response = client.post(
        reverse("intervention-approve", args=[intervention.pk]), headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert Intervention.objects.get(pk=intervention.pk).status == Status.SENT


# --- The queue ------------------------------------------------------------------------------------


def test_the_queue_lists_pending_drafts_by_value_at_risk_and_filters(reviewer_client) -> None:
    low = draft(troubled_customer(first_name="Lowvalue", lifetime_value="1500.00")).intervention
    high = draft(troubled_customer(first_name="Highvalue", lifetime_value="9500.00", language="es")).intervention
    page = reviewer_client.get(reverse("queue")).content.decode()
    assert page.index(f'id="intervention-{high.pk}"') < page.index(f'id="intervention-{low.pk}"')
    spanish = reviewer_client.get(reverse("queue"), {"language": "es"}).content.decode()
    assert f'id="intervention-{high.pk}"' in spanish
    assert f'id="intervention-{low.pk}"' not in spanish
    only_table = reviewer_client.get(
        reverse("queue"), {"status": "sent"}, headers={"HX-Request": "true", "HX-Target": "queue-table"}
    )
    assert only_table.content.decode().lstrip().startswith('<div id="queue-table">')
    assert "Nothing matches" in only_table.content.decode()


def test_approving_from_the_queue_swaps_the_row_and_updates_the_counters(reviewer_client, intervention) -> None:
    response = htmx(reviewer_client, reverse("intervention-approve", args=[intervention.pk]))
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="intervention-{intervention.pk}" data-status="sent"')
    assert "Approved and sent by email" in html
    assert re.search(r'id="status-counts"[^>]*hx-swap-oob="true"', html)
    assert re.search(r'data-count="sent">1<', html)
    assert re.search(r'data-count="pending_review">0<', html)
    assert len(mail.outbox) == 1

    again = htmx(reviewer_client, reverse("intervention-approve", args=[intervention.pk])).content.decode()
    assert "Not approved" in again
    assert len(mail.outbox) == 1


def test_rejecting_needs_a_reason_and_keeps_it(reviewer_client, intervention) -> None:
    path = reverse("intervention-reject", args=[intervention.pk])
    assert "say why" in htmx(reviewer_client, path, {"reason": " "}).content.decode()
    html = htmx(reviewer_client, path, {"reason": "Already called her"}).content.decode()
    assert 'data-status="rejected"' in html
    assert "Already called her" in html
    assert Intervention.objects.get(pk=intervention.pk).rejection_reason == "Already called her"


def test_editing_inline_saves_the_words_and_rescores_them(reviewer_client, intervention) -> None:
    path = reverse("intervention-edit", args=[intervention.pk])
    editor = reviewer_client.get(path, headers={"HX-Request": "true"}).content.decode()
    assert 'name="body"' in editor
    assert intervention.body[:30] in editor
    saved = htmx(reviewer_client, path, {"subject": "Hello", "body": "PAY NOW OR ELSE.", "language": "en"})
    assert "Saved. Empathy" in saved.content.decode()
    stored = Intervention.objects.get(pk=intervention.pk)
    assert (stored.body, stored.subject) == ("PAY NOW OR ELSE.", "Hello")
    assert stored.empathy_score < intervention.empathy_score


def test_the_empathy_preview_scores_what_is_typed_without_saving(viewer_client, intervention) -> None:
    path = reverse("intervention-score", args=[intervention.pk])
    rude = htmx(viewer_client, path, {"subject": "", "body": "PAY NOW.", "language": "en"}).content.decode()
    kind = htmx(viewer_client, path, {"subject": intervention.subject, "body": intervention.body}).content.decode()
    score = lambda html: int(re.search(r"data-empathy-total[^>]*>(\d+)<", html).group(1))  # noqa: E731
    assert score(rude) < score(kind) == intervention.empathy_score
    assert Intervention.objects.get(pk=intervention.pk).body == intervention.body


def test_bulk_approval_swaps_each_row_out_of_band(reviewer_client) -> None:
    first = draft(troubled_customer(email="a@example.com")).intervention
    second = draft(troubled_customer(email="b@example.com")).intervention
    Intervention.objects.update(channel="email", offer="", offer_percent=0)
    html = htmx(reviewer_client, reverse("queue-approve"), {"ids": [first.pk, second.pk]}).content.decode()
    assert "2 approved and sent" in html
    for pk in (first.pk, second.pk):
        assert re.search(rf'<tr id="intervention-{pk}" data-status="sent" hx-swap-oob="true"', html)
    assert len(mail.outbox) == 2


def test_a_failed_send_shows_its_reason_and_can_be_retried_from_the_row(
    reviewer_client, intervention, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.staff.test_pages.RefusingEmailBackend"
    html = htmx(reviewer_client, reverse("intervention-approve", args=[intervention.pk])).content.decode()
    assert 'data-status="failed"' in html
    assert "relay refused" in html
    assert 'data-action="send"' in html
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = htmx(reviewer_client, reverse("intervention-send", args=[intervention.pk])).content.decode()
    assert 'data-status="sent"' in retried
    assert OutboxMessage.objects.filter(intervention=intervention).count() == 1


class RefusingEmailBackend:
    def __init__(self, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        raise ConnectionRefusedError("relay refused")


# --- The intervention page ----------------------------------------------------------------------


def test_the_intervention_page_explains_the_case(viewer_client, intervention) -> None:
    html = viewer_client.get(reverse("intervention", args=[intervention.pk])).content.decode()
    assert "Meera" in html
    assert intervention.trigger_description in html
    assert html.count('class="chart-') > 0  # gauge and factor bars
    for step in ("Context", "Pattern", "Decision", "Empathy"):
        assert step in html
    for pattern in intervention.patterns:
        assert pattern["label"] in html
    assert "Drafted" in html  # the history


def test_approving_on_the_intervention_page_swaps_its_panels(reviewer_client, intervention) -> None:
    html = htmx(
        reviewer_client, reverse("intervention-approve", args=[intervention.pk]), {"view": "page"}
    ).content.decode()
    assert html.lstrip().startswith('<div id="panels"')
    assert "Approved and sent" in html
    assert "meera@example.com" in html


def test_a_missing_intervention_or_customer_is_a_404(viewer_client) -> None:
    assert viewer_client.get(reverse("intervention", args=[999999])).status_code == 404
    assert viewer_client.get(reverse("customer", args=["C999999"])).status_code == 404


# --- Customer, events, scans ----------------------------------------------------------------------


def test_the_customer_page_shows_the_health_chart_and_one_timeline(viewer_client, intervention) -> None:
    customer = intervention.customer
    html = viewer_client.get(reverse("customer", args=[customer.pk])).content.decode()
    assert 'id="health-history"' in html
    assert "<svg" in html
    for kind in ("order", "payment", "ticket", "nps"):
        assert f'data-kind="{kind}"' in html
    assert reverse("intervention", args=[intervention.pk]) in html


def test_the_events_feed_polls_for_newer_events_only(viewer_client) -> None:
    customer = make_customer(customer_id="C100050")
    old = CustomerEvent.objects.create(
        event_id="EVT_OLD",
        customer=customer,
        event_type="payment.failed",
        event_time=NOW,
        received_at=timezone.now() - dt.timedelta(minutes=5),
        description="Old one",
        delivery_key="procx:old",
    )
    page = viewer_client.get(reverse("events")).content.decode()
    assert "Old one" in page
    assert 'hx-trigger="every 5s"' in page
    after = old.received_at.isoformat()
    nothing = viewer_client.get(reverse("events-newer"), {"after": after}, headers={"HX-Request": "true"})
    assert "data-event=" not in nothing.content.decode()
    CustomerEvent.objects.create(
        event_id="EVT_NEW",
        customer=customer,
        event_type="nps.detractor",
        event_time=NOW,
        received_at=timezone.now(),
        description="New one",
        delivery_key="procx:new",
    )
    newer = viewer_client.get(
        reverse("events-newer"), {"after": after}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "New one" in newer
    assert "Old one" not in newer
    assert 'id="feed-poller"' in newer  # the poller comes back carrying the new newest


def test_an_inbox_delivery_is_reprocessed_from_the_events_page(reviewer_client) -> None:
    body = '{"event_type": "payment.failed", "timestamp": "2025-10-01T10:00:00Z", "data": {"customer_id": "C100077", "amount": 20}}'
    delivery = WebhookDelivery.objects.create(
        source="procx",
        received_at=timezone.now(),
        outcome=DeliveryOutcome.INBOX,
        status_code=202,
        body=body,
        headers={"webhook-id": "msg_inbox_1"},
        error="no customer matches customer_id 'C100077'",
    )
    page = reviewer_client.get(reverse("events")).content.decode()
    assert "C100077" in page
    assert 'data-action="reprocess"' in page
    still = htmx(reviewer_client, reverse("delivery-reprocess", args=[delivery.pk])).content.decode()
    assert "Still waiting" in still
    make_customer(customer_id="C100077")
    done = htmx(reviewer_client, reverse("delivery-reprocess", args=[delivery.pk])).content.decode()
    assert "Stored as EVT_" in done
    assert WebhookDelivery.objects.get(pk=delivery.pk).outcome == DeliveryOutcome.REPROCESSED


def test_run_scan_now_queues_one_scan_and_the_page_follows_it_to_the_end(viewer_client, monkeypatch) -> None:
    queued: list[tuple] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: queued.append(args))
    make_customer(customer_id="C100060")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = htmx(viewer_client, reverse("scan-run")).content.decode()
    assert "Waiting for the worker" in first
    assert 'hx-trigger="every 1s"' in first
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = htmx(viewer_client, reverse("scan-run")).content.decode()
    assert "already queued" in again
    assert len(queued) == 1
    assert ScanRun.objects.count() == 1

    from interventions.tasks import requested_scan

    scan = ScanRun.objects.get()
    assert requested_scan(*queued[0][1:]) == scan.pk
    done = viewer_client.get(reverse("scan-progress", args=[scan.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'data-scan-status="finished"' in done
    assert "every 1s" not in done
    listing = viewer_client.get(reverse("scans")).content.decode()
    assert f'data-scan="{scan.pk}"' in listing
    assert "by vera" in listing


def test_the_dashboard_shows_the_latest_scans_figures(viewer_client) -> None:
    scan = ScanRun.objects.create(
        as_of=NOW,
        status=ScanRun.Status.FINISHED,
        customers_scanned=12345,
        at_risk_count=3,
        value_at_risk=Decimal("987654.00"),
        duration_seconds=4.2,
        finished_at=timezone.now(),
        health_histogram=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    )
    for rank in (1, 2, 3):
        scan.findings.create(
            customer=make_customer(),
            rank=rank,
            health_score=30,
            churn_risk=0.8,
            lifetime_value=5000,
            value_at_risk=4000,
            description="Slipping.",
        )
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert "12,345" in html
    assert re.search(r'data-kpi="at-risk"><a [^>]*>3</a>', html)
    assert "$987,654" in html
    assert "4.2 s" in html
    assert "<svg" in html
    # The scan's stored scores were pruned: its stored tenths are drawn, 70-80 as mixed bands.
    assert "Colours are health bands, not the at-risk list." in html
    assert "chart-bar-mixed" in html


# --- Queries do not grow with the data -------------------------------------------------------------


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def a_day_of_data(number: int) -> None:
    """A scan with a finding, a drafted intervention and a webhook event."""
    customer = troubled_customer(email=f"day{number}@example.com")
    scan = ScanRun.objects.create(as_of=NOW, status=ScanRun.Status.FINISHED, finished_at=timezone.now())
    finding = scan.findings.create(
        customer=customer,
        rank=1,
        health_score=30,
        churn_risk=0.8,
        lifetime_value=5000,
        value_at_risk=4000,
        description="Slipping.",
    )
    draft(customer, scan_finding=finding)
    CustomerEvent.objects.create(
        event_id=f"EVT_DAY_{number}",
        customer=customer,
        event_type="payment.failed",
        event_time=NOW,
        received_at=timezone.now(),
        description="Payment failed.",
        delivery_key=f"procx:day-{number}",
    )


def test_page_query_counts_do_not_grow_with_the_data(reviewer_client) -> None:
    a_day_of_data(0)
    first = Intervention.objects.get()
    customer = first.customer
    paths = lambda: [  # noqa: E731
        reverse("dashboard"),
        reverse("queue"),
        reverse("intervention", args=[first.pk]),
        reverse("customer", args=[customer.pk]),
        reverse("events"),
        reverse("scans"),
        reverse("customers"),
    ]
    before = {path: queries(reviewer_client, path) for path in paths()}
    for number in range(1, 7):
        a_day_of_data(number)
    after = {path: queries(reviewer_client, path) for path in paths()}
    assert after == before


def test_a_scan_left_behind_by_a_stopped_worker_does_not_block_run_scan_now(viewer_client, monkeypatch) -> None:
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kwargs: None)
    stale = ScanRun.objects.create(
        as_of=NOW, status=ScanRun.Status.RUNNING, started_at=timezone.now() - dt.timedelta(hours=2)
    )
    html = htmx(viewer_client, reverse("scan-run")).content.decode()
    assert "Waiting for the worker" in html
    assert "already queued" not in html
    stale.refresh_from_db()
    assert stale.status == ScanRun.Status.FAILED
    assert "abandoned" in stale.error


def test_bad_query_values_never_break_a_page(viewer_client, intervention) -> None:
    for path, query in (
        (reverse("events-newer"), {"after": "2025-13-45T99:00:00"}),
        (reverse("events-newer"), {"after": "yesterday"}),
        (reverse("queue"), {"status": "nonsense", "page": "-4", "segment": "<b>"}),
        (reverse("customers"), {"page": "abc", "q": "%"}),
        (reverse("scans"), {"page": "99999"}),
    ):
        assert viewer_client.get(path, query, headers={"HX-Request": "true"}).status_code == 200, (path, query)


def test_without_javascript_the_edit_link_opens_the_intervention_page(reviewer_client, intervention) -> None:
    response = reviewer_client.get(reverse("intervention-edit", args=[intervention.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("intervention", args=[intervention.pk])


def test_the_queue_and_the_customer_list_find_a_customer_by_name_email_or_id(reviewer_client) -> None:
    wanted = draft(troubled_customer(first_name="Zainab", email="zainab@example.com")).intervention
    other = draft(troubled_customer(first_name="Oscar", email="oscar@example.com")).intervention
    for term in ("zai", "ZAINAB@example.com", wanted.customer_id):
        queue = reviewer_client.get(reverse("queue"), {"search": term}).content.decode()
        assert f'id="intervention-{wanted.pk}"' in queue, term
        assert f'id="intervention-{other.pk}"' not in queue, term
        listing = reviewer_client.get(reverse("customers"), {"q": term}).content.decode()
        assert reverse("customer", args=[wanted.customer_id]) in listing, term
        assert reverse("customer", args=[other.customer_id]) not in listing, term
