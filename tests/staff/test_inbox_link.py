"""Linking a provider's customer from the Events page's inbox: who may, the three steps (find,
confirm, link) with HTMX and without JavaScript, errors shown in the form, CSRF, the same-site
`next`, and the page's queries with many waiting entries.

The inbox entries are Zendesk ticket events naming only a requester id, signed and posted
through the real endpoint (tests/events/test_linking.py builds them)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer, CustomerEvent
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from tests.events.test_linking import OTHER_REQUESTER, REQUESTER, use_webhook_secrets, zendesk_ticket, zendesk_waiting
from tests.events.test_webhooks import post
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

LABEL = f"Zendesk requester {REQUESTER}"


@pytest.fixture(autouse=True)
def _webhook_settings(settings) -> None:
    use_webhook_secrets(settings)
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def anna() -> Customer:
    return make_customer(customer_id="C100109", first_name="Anna", last_name="Lee", email="anna@example.com")


@pytest.fixture
def waiting() -> list[WebhookDelivery]:
    """Two entries waiting for the requester, one for another requester."""
    return [zendesk_waiting(subject="First"), zendesk_waiting(subject="Second"), zendesk_waiting(OTHER_REQUESTER)]


def link_url(delivery: WebhookDelivery) -> str:
    return reverse("delivery-link", args=[delivery.pk])


def save_url(delivery: WebhookDelivery) -> str:
    return reverse("delivery-link-save", args=[delivery.pk])


def hx(**headers: str) -> dict[str, str]:
    return {"HX-Request": "true", **headers}


def text(response: Any) -> str:
    return response.content.decode()


# --- Who may --------------------------------------------------------------------------------------


def test_the_inbox_offers_to_link_an_entry_waiting_for_a_requester(reviewer_client, waiting) -> None:
    body, headers = zendesk_ticket(native_type="ticket.agent_assignment_changed")
    assert post("zendesk", body, headers).status_code == 202  # waits for its type, not a customer
    page = text(reviewer_client.get(reverse("events")))
    assert f"Link {LABEL} to a ProCX customer" in page
    assert f"Link Zendesk requester {OTHER_REQUESTER} to a ProCX customer" in page
    assert page.count('data-action="link"') == 3
    assert f'hx-get="{link_url(waiting[0])}"' in page
    assert f'href="{link_url(waiting[0])}"' in page  # without JavaScript, the link page


def test_staff_without_the_reviewer_role_see_what_it_waits_for_but_cannot_link(viewer_client, waiting, anna) -> None:
    page = text(viewer_client.get(reverse("events")))
    assert f"Waits for {LABEL}: a reviewer can link it" in page
    assert 'data-action="link"' not in page
    assert viewer_client.get(link_url(waiting[0]), {"q": "Anna"}).status_code == 403
    assert viewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}).status_code == 403
    assert viewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx()).status_code == 403
    assert not ProviderCustomer.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in_and_link_nothing(waiting, anna) -> None:
    response = Client().post(save_url(waiting[0]), {"customer_id": "C100109"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not ProviderCustomer.objects.exists()


def test_linking_is_post_only_and_csrf_protected(reviewer_user, waiting, anna) -> None:
    plain = Client()
    plain.force_login(reviewer_user)
    assert plain.get(save_url(waiting[0]), {"customer_id": "C100109"}).status_code == 405
    assert plain.post(link_url(waiting[0]), {"customer_id": "C100109"}).status_code == 405
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer_user)
    assert client.post(save_url(waiting[0]), {"customer_id": "C100109"}).status_code == 403
    assert client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx()).status_code == 403
    assert not ProviderCustomer.objects.exists()

    confirm = text(client.get(link_url(waiting[0]), {"customer": "C100109"}))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm).group(1)
    response = client.post(save_url(waiting[0]), {"customer_id": "C100109", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ProviderCustomer.objects.get().customer_id == "C100109"


# --- The steps, without JavaScript ----------------------------------------------------------------


def test_without_javascript_staff_find_confirm_and_link_on_the_link_page(reviewer_client, waiting, anna) -> None:
    make_customer(customer_id="C100110", first_name="Annabel", last_name="Ng", email="annabel@example.com")
    first = waiting[0]

    page = text(reviewer_client.get(link_url(first)))
    assert "<html" in page
    assert f"Link {LABEL} to a ProCX customer" in page
    assert '<label for="link-q-' in page
    assert 'method="get"' in page

    found = text(reviewer_client.get(link_url(first), {"q": "Anna"}))
    assert 'type="radio" name="customer" value="C100109"' in found
    assert 'type="radio" name="customer" value="C100110"' in found
    assert f'<label for="link-{first.pk}-C100109"' in found
    assert "hx-get" not in found  # the link page's forms are plain

    confirm = text(reviewer_client.get(link_url(first), {"q": "Anna", "customer": "C100109"}))
    assert "Link <strong>" in confirm
    assert "Anna Lee (C100109)" in confirm
    assert "<span data-waiting-count>2</span> waiting deliveries will be re-processed" in confirm
    assert f'action="{save_url(first)}"' in confirm
    assert 'method="post"' in confirm

    response = reviewer_client.post(save_url(first), {"customer_id": "C100109"}, follow=True)
    assert response.redirect_chain == [(reverse("events"), 302)]
    page = text(response)
    assert f"Linked {LABEL}; 2 waiting deliveries stored as events for Anna Lee (C100109)." in page
    assert CustomerEvent.objects.filter(customer=anna, source="zendesk").count() == 2
    assert WebhookDelivery.objects.get(pk=waiting[2].pk).outcome == DeliveryOutcome.INBOX
    assert f"Link Zendesk requester {OTHER_REQUESTER}" in page
    assert f"Link {LABEL}" not in page  # its entries are stored


@pytest.mark.parametrize(
    ("next_page", "lands_on"),
    [
        ("/customers/C100109/", "/customers/C100109/"),
        ("https://evil.example/steal", "/events/"),
        ("//evil.example/steal", "/events/"),
        ("javascript:alert(1)", "/events/"),
        ("", "/events/"),
    ],
)
def test_after_linking_next_is_followed_only_on_this_site(reviewer_client, waiting, anna, next_page, lands_on) -> None:
    response = reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109", "next": next_page})
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_the_link_page_keeps_only_a_same_site_next(reviewer_client, waiting, anna) -> None:
    page = text(reviewer_client.get(link_url(waiting[0]), {"customer": "C100109", "next": "https://evil.example/"}))
    assert "evil.example" not in page
    page = text(reviewer_client.get(link_url(waiting[0]), {"customer": "C100109", "next": "/customers/"}))
    assert '<input type="hidden" name="next" value="/customers/">' in page


# --- The steps, with HTMX -------------------------------------------------------------------------


def test_with_htmx_each_step_is_a_fragment_and_the_link_answers_with_the_inbox(reviewer_client, waiting, anna) -> None:
    first = waiting[0]
    panel = text(reviewer_client.get(link_url(first), headers=hx(**{"HX-Target": f"link-{first.pk}"})))
    assert "<html" not in panel
    assert f'id="link-title-{first.pk}"' in panel
    assert f'hx-target="#link-results-{first.pk}"' in panel
    assert "autofocus" in panel  # the search box, for the keyboard

    results = text(
        reviewer_client.get(link_url(first), {"q": "Lee"}, headers=hx(**{"HX-Target": f"link-results-{first.pk}"}))
    )
    assert 'value="C100109"' in results
    assert "<h3" not in results  # only the list
    assert f'hx-target="#link-{first.pk}"' in results

    confirm = text(reviewer_client.get(link_url(first), {"q": "Lee", "customer": "C100109"}, headers=hx()))
    assert 'hx-target="#inbox"' in confirm
    assert 'hx-disabled-elt="find button"' in confirm  # no second click while the first is answered
    assert "Link and store 2 deliveries" in confirm

    response = reviewer_client.post(save_url(first), {"customer_id": "C100109"}, headers=hx())
    assert response.status_code == 200
    inbox = text(response)
    assert inbox.lstrip().startswith('<section class="card" id="inbox">')
    assert f"Linked {LABEL}; 2 waiting deliveries stored as events for Anna Lee (C100109)." in inbox
    assert 'Inbox (<span id="inbox-total">1</span>)' in inbox
    assert f'id="delivery-{waiting[2].pk}"' in inbox
    assert f'id="delivery-{first.pk}"' not in inbox


def test_the_search_lists_a_few_and_says_when_more_match(reviewer_client, waiting) -> None:
    for number in range(10):
        make_customer(customer_id=f"C2000{number:02d}", first_name="Kiran", last_name=f"Test{number}")
    results = text(
        reviewer_client.get(
            link_url(waiting[0]), {"q": "Kiran"}, headers=hx(**{"HX-Target": f"link-results-{waiting[0].pk}"})
        )
    )
    assert results.count('type="radio"') == 8
    assert "add to the search to narrow it" in results
    nobody = text(reviewer_client.get(link_url(waiting[0]), {"q": "Nobody-at-all"}))
    assert "No customer matches “Nobody-at-all”." in nobody


# --- Errors are shown in the form -----------------------------------------------------------------


def test_an_unknown_customer_is_an_error_in_the_form_never_a_500(reviewer_client, waiting) -> None:
    confirm = text(reviewer_client.get(link_url(waiting[0]), {"customer": "C999999"}))
    assert "No ProCX customer has the id &#x27;C999999&#x27;." in confirm
    assert 'role="alert"' in confirm
    unchosen = text(reviewer_client.get(link_url(waiting[0]), {"q": "x", "customer": ""}))
    assert "Choose a customer from the list." in unchosen

    plain = reviewer_client.post(save_url(waiting[0]), {"customer_id": "C999999"})
    assert plain.status_code == 200
    assert "No ProCX customer has the id &#x27;C999999&#x27;." in text(plain)
    assert "<html" in text(plain)

    htmx = reviewer_client.post(save_url(waiting[0]), {"customer_id": "C999999"}, headers=hx())
    assert htmx.status_code == 200
    assert (htmx["HX-Retarget"], htmx["HX-Reswap"]) == (f"#link-{waiting[0].pk}", "innerHTML")
    assert "No ProCX customer has the id" in text(htmx)
    assert "<html" not in text(htmx)
    assert not ProviderCustomer.objects.exists()
    assert WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX).count() == 3


def test_an_id_linked_elsewhere_is_refused_in_the_form_and_can_be_moved(
    reviewer_client, reviewer_user, waiting, anna
) -> None:
    ben = make_customer(customer_id="C100200", first_name="Ben", last_name="Okafor")
    ProviderCustomer.objects.create(source="zendesk", provider_customer_id=REQUESTER, customer=ben)

    confirm = text(reviewer_client.get(link_url(waiting[0]), {"customer": "C100109"}))
    assert f"{LABEL} is linked to Ben Okafor (C100200) now." in confirm
    assert "Move the link from Ben Okafor (C100200) to Anna Lee" in confirm

    refused = text(reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx()))
    assert f"{LABEL} is already linked to Ben Okafor (C100200)." in refused
    assert 'name="replace" value="1"' in refused  # the choice to move it, in the same form
    assert ProviderCustomer.objects.get().customer_id == "C100200"

    moved = text(reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109", "replace": "1"}, headers=hx()))
    assert f"Moved {LABEL} from C100200; 2 waiting deliveries stored as events for Anna Lee (C100109)." in moved
    mapping = ProviderCustomer.objects.get()
    assert (mapping.customer_id, mapping.linked_by) == ("C100109", reviewer_user)


def test_what_still_waits_after_a_link_is_said_with_its_reason(reviewer_client, waiting, anna) -> None:
    unreadable = waiting[1]
    WebhookDelivery.objects.filter(pk=unreadable.pk).update(
        body=unreadable.body.replace("ticket.created", "ticket.merged")
    )
    response = reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, follow=True)
    page = text(response)
    assert (
        f"Linked {LABEL}; 1 waiting delivery stored as an event for Anna Lee (C100109); "
        f"1 still waiting: #{unreadable.pk}: zendesk event type" in page
    )
    assert 'data-message="warning"' in page


def test_a_second_click_links_nothing_twice(reviewer_client, waiting, anna) -> None:
    reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx())
    again = text(reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx()))
    assert f"{LABEL} was already linked to Anna Lee (C100109); no waiting delivery to store" in again
    assert CustomerEvent.objects.filter(customer=anna).count() == 2


def test_an_entry_that_no_longer_waits_says_so(reviewer_client, waiting, anna) -> None:
    reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx())
    body, headers = zendesk_ticket(native_type="ticket.agent_assignment_changed")
    post("zendesk", body, headers)
    other_reason = WebhookDelivery.objects.latest("pk")
    panel = text(reviewer_client.get(link_url(other_reason), headers=hx()))
    assert f"Nothing to link: delivery #{other_reason.pk} waits for something else" in panel
    answer = text(reviewer_client.post(save_url(other_reason), {"customer_id": "C100109"}, headers=hx()))
    assert "Nothing to link" in answer
    assert reviewer_client.get(reverse("delivery-link", args=[999999])).status_code == 404


# --- Entries from before the id was recorded, and the page's cost ---------------------------------


def test_an_entry_logged_before_the_id_was_recorded_is_offered_and_linked(reviewer_client, waiting, anna) -> None:
    WebhookDelivery.objects.update(provider_customer_id="", customer_email="")
    page = text(reviewer_client.get(reverse("events")))
    assert f"Link {LABEL} to a ProCX customer" in page
    response = reviewer_client.post(save_url(waiting[0]), {"customer_id": "C100109"}, headers=hx())
    assert f"Linked {LABEL}; 2 waiting deliveries stored as events" in text(response)


def test_the_events_page_reads_waiting_entries_in_a_fixed_number_of_queries(reviewer_client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer_client.get(reverse("events")).status_code == 200
        return len(captured)

    zendesk_waiting()
    WebhookDelivery.objects.update(provider_customer_id="")  # an old entry: read from its body
    one = count()
    for number in range(5):
        zendesk_waiting(f"77{number}")
    newest_two = list(WebhookDelivery.objects.order_by("-pk").values_list("pk", flat=True)[:2])
    WebhookDelivery.objects.filter(pk__in=newest_two).update(provider_customer_id="")  # old ones too
    assert count() == one
