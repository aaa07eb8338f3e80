"""Linking a provider's customer from the Events page's inbox in a real browser: a reviewer opens
the link under an entry waiting for a Zendesk requester, finds the customer with the keyboard,
confirms, and the inbox answers with what was stored; axe-core finds no WCAG A/AA violation in
the inbox at each step. Without JavaScript the same steps work on the link page.

The entries are Zendesk ticket events naming only a requester id, signed and posted through
the real endpoint (tests/events/test_linking.py builds them).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from customers.models import Customer, CustomerEvent
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from interventions.apps import REVIEWERS_GROUP
from tests.browser.test_at_risk_legend import axe_script
from tests.browser.test_staff_pages import PASSWORD, screenshot, sign_in
from tests.events.test_linking import OTHER_REQUESTER, REQUESTER, use_webhook_secrets, zendesk_waiting
from tests.factories import make_customer

pytestmark = pytest.mark.django_db(transaction=True)

LABEL = f"Zendesk requester {REQUESTER}"
STORED = f"Linked {LABEL}; 2 waiting deliveries stored as events for Anna Lee (C100109)."


@pytest.fixture(autouse=True)
def _webhook_settings(settings) -> None:
    use_webhook_secrets(settings)
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def reviewer() -> str:
    user = User.objects.create_user("rita", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return "rita"


@pytest.fixture
def anna() -> Customer:
    make_customer(customer_id="C100110", first_name="Annabel", last_name="Ng", email="annabel@example.com")
    return make_customer(customer_id="C100109", first_name="Anna", last_name="Lee", email="anna@example.com")


@pytest.fixture
def waiting() -> list[WebhookDelivery]:
    return [zendesk_waiting(subject="First"), zendesk_waiting(subject="Second"), zendesk_waiting(OTHER_REQUESTER)]


def axe_violations(page: Page) -> list[str]:
    """WCAG 2 A and AA violations axe-core finds in the inbox card."""
    script = axe_script()
    if script is None:
        pytest.skip("axe-core is not installed (pip install axe-playwright-python, listed in requirements/test.txt)")
    page.add_script_tag(path=str(script))
    result = page.evaluate(
        "() => axe.run({include: [['#inbox']]}, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    return [
        f"{rule['id']} {node['target']}: {node['failureSummary']}"
        for rule in result["violations"]
        for node in rule["nodes"]
    ]


def test_a_reviewer_links_a_requester_with_the_keyboard_and_the_inbox_says_what_was_stored(
    page: Page, live_server, reviewer, anna, waiting, tmp_path
) -> None:
    first = waiting[0]
    sign_in(page, live_server, reviewer, path="/events/")
    page.evaluate("window.__noReload = true")
    row = page.locator(f"#delivery-{first.pk}")
    expect(row).to_contain_text(f"no customer matches zendesk customer '{REQUESTER}'")

    row.get_by_role("link", name=f"Link {LABEL} to a ProCX customer").click()

    search = row.get_by_label("Find the ProCX customer: name, email or customer id")
    expect(search).to_be_focused()  # the panel opened where the keyboard is
    search.press_sequentially("Anna")  # the list follows the typing
    choices = row.get_by_role("group", name="Customers matching “Anna”")
    expect(choices.get_by_role("radio")).to_have_count(2)
    assert axe_violations(page) == []
    screenshot(page, tmp_path, "inbox-link-search")

    page.keyboard.press("Tab")  # past the Search button
    page.keyboard.press("Tab")  # into the radio group, on its first radio (least healthy first, then by id)
    anna_choice = choices.get_by_role("radio", name="Anna Lee (C100109) · anna@example.com")
    expect(anna_choice).to_be_focused()
    page.keyboard.press("ArrowDown")  # arrows move through the group, choosing as they go
    expect(choices.get_by_role("radio", name="Annabel Ng (C100110) · annabel@example.com")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(anna_choice).to_be_checked()
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name="Continue")).to_be_focused()
    page.keyboard.press("Enter")

    confirm = row.locator("[data-link-confirm]")
    expect(confirm).to_contain_text(f"Link {LABEL} to Anna Lee (C100109), anna@example.com?")
    expect(row.locator("[data-waiting-count]")).to_have_text("2")
    assert axe_violations(page) == []
    screenshot(page, tmp_path, "inbox-link-confirm")

    row.get_by_role("button", name="Link and store 2 deliveries").click()

    result = page.locator("#inbox [data-link-result]")
    expect(result).to_have_text(STORED)
    expect(result).to_be_focused()
    expect(page.locator("#inbox-total")).to_have_text("1")
    expect(page.locator(f"#delivery-{first.pk}")).to_have_count(0)
    expect(page.locator(f"#delivery-{waiting[2].pk}")).to_contain_text(f"Link Zendesk requester {OTHER_REQUESTER}")
    assert page.evaluate("window.__noReload") is True  # swapped in place, not a new page
    assert axe_violations(page) == []
    screenshot(page, tmp_path, "inbox-linked")

    assert CustomerEvent.objects.filter(customer_id="C100109", source="zendesk").count() == 2
    assert WebhookDelivery.objects.get(pk=waiting[2].pk).outcome == DeliveryOutcome.INBOX
    assert ProviderCustomer.objects.get().linked_by.username == "rita"


def test_without_javascript_the_link_page_does_the_same(browser, live_server, reviewer, anna, waiting) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, reviewer, path="/events/")
        page.locator(f"#delivery-{waiting[0].pk}").get_by_role("link", name=f"Link {LABEL} to a ProCX customer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Link {LABEL} to a ProCX customer")
        page.get_by_label("Find the ProCX customer: name, email or customer id").fill("Lee")
        page.get_by_role("button", name="Search").click()
        page.get_by_role("radio", name="Anna Lee (C100109) · anna@example.com").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("[data-waiting-count]")).to_have_text("2")
        page.get_by_role("button", name="Link and store 2 deliveries").click()

        expect(page).to_have_url(f"{live_server.url}/events/")
        expect(page.locator("[data-message]")).to_have_text(STORED)
        expect(page.locator("#inbox-total")).to_have_text("1")
    finally:
        context.close()
    assert CustomerEvent.objects.filter(customer_id="C100109", source="zendesk").count() == 2
