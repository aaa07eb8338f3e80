"""What a reviewer sees is what is sent: an approval carries the words on screen and the version
it showed; words changed since (another reviewer's edit, a re-draft) are never sent unseen, and
a later edit is never overwritten by an editor opened on older words."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client
from django.urls import reverse

from interventions.apps import REVIEWERS_GROUP
from interventions.models import Activity, Intervention, OutboxMessage, Status
from interventions.services.review import StaleVersion, intervention_approve, intervention_edit, interventions_approve
from tests.interventions.test_services import draft, troubled_customer

pytestmark = pytest.mark.django_db

SHOWN = "Dear Meera, we are sorry your order is late; a replacement ships today."
NEWER = "Dear Meera, your refund was issued this morning; it reaches your card within three days."


@pytest.fixture(autouse=True)
def _offline(settings) -> None:
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def pending() -> Intervention:
    customer = troubled_customer(first_name="Meera", email="meera@example.com")
    made = draft(customer).intervention
    Intervention.objects.filter(pk=made.pk).update(channel="email", offer="", offer_percent=0)
    return Intervention.objects.select_related("customer").get(pk=made.pk)


@pytest.fixture
def rita() -> User:
    user = User.objects.create_user("rita", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return user


@pytest.fixture
def omar() -> User:
    user = User.objects.create_user("omar", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    return user


def test_an_approval_with_the_words_on_screen_saves_and_sends_them(pending, rita) -> None:
    done = intervention_approve(
        intervention=pending, user=rita, seen_version=pending.version, subject="Your order", body=SHOWN
    )
    assert done.status == Status.SENT
    outbox = OutboxMessage.objects.get()
    assert (outbox.subject, outbox.body) == ("Your order", SHOWN)
    assert mail.outbox[0].body.startswith(SHOWN)
    assert done.version == pending.version + 1
    assert Activity.objects.filter(
        intervention=done, action=Activity.Action.EDITED, detail__contains="with the approval"
    )


def test_an_approval_with_unchanged_words_is_not_a_new_version(pending, rita) -> None:
    done = intervention_approve(
        intervention=pending, user=rita, seen_version=pending.version, subject=pending.subject, body=pending.body
    )
    assert (done.status, done.version) == (Status.SENT, pending.version)
    assert OutboxMessage.objects.get().body == pending.body


@pytest.mark.parametrize("with_words", [False, True])
def test_an_approval_of_words_changed_since_sends_nothing(pending, rita, omar, with_words) -> None:
    seen = pending.version
    intervention_edit(intervention=pending, user=omar, subject=pending.subject, body=NEWER, seen_version=seen)
    words = {"subject": pending.subject, "body": SHOWN} if with_words else {}
    with pytest.raises(StaleVersion, match="changed by omar since you opened it"):
        intervention_approve(intervention=pending, user=rita, seen_version=seen, **words)
    current = Intervention.objects.get(pk=pending.pk)
    assert (current.status, current.body, current.version) == (Status.PENDING_REVIEW, NEWER, seen + 1)
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_an_editor_opened_on_older_words_never_overwrites_a_later_edit(pending, rita, omar) -> None:
    seen = pending.version
    intervention_edit(intervention=pending, user=omar, subject=pending.subject, body=NEWER, seen_version=seen)
    with pytest.raises(StaleVersion):
        intervention_edit(intervention=pending, user=rita, subject=pending.subject, body=SHOWN, seen_version=seen)
    assert Intervention.objects.get(pk=pending.pk).body == NEWER


def test_a_redraft_that_changes_the_words_is_a_new_version_and_one_that_does_not_is_not(pending) -> None:
    customer = pending.customer
    draft(customer)  # settle: the pipeline's own channel and words
    settled = Intervention.objects.get(pk=pending.pk).version
    draft(customer)  # the same facts give the same words
    assert Intervention.objects.get(pk=pending.pk).version == settled
    # Words on record that differ from what the pipeline writes now (as after new facts):
    Intervention.objects.filter(pk=pending.pk).update(body="Older words.")
    draft(customer)
    redrafted = Intervention.objects.get(pk=pending.pk)
    assert redrafted.body != "Older words."
    assert redrafted.version == settled + 1


def test_bulk_approval_refuses_rows_whose_words_changed_since_the_list(pending, rita, omar) -> None:
    seen = pending.version
    intervention_edit(intervention=pending, user=omar, subject=pending.subject, body=NEWER, seen_version=seen)
    outcomes = interventions_approve(intervention_ids=[pending.pk], user=rita, seen_versions={pending.pk: seen})
    assert outcomes[pending.pk].approval.value == "not approved"
    assert "changed by omar" in outcomes[pending.pk].reason
    assert not OutboxMessage.objects.exists()


def test_the_page_posts_the_words_and_a_stale_one_shows_the_new_text(pending, rita, omar) -> None:
    client = Client()
    client.force_login(rita)
    url = reverse("intervention-approve", args=[pending.pk])
    intervention_edit(
        intervention=pending, user=omar, subject=pending.subject, body=NEWER, seen_version=pending.version
    )
    stale = client.post(
        url,
        {"view": "page", "version": pending.version, "subject": pending.subject, "body": SHOWN},
        headers={"HX-Request": "true"},
    )
    page = stale.content.decode()
    assert "Not approved: the message changed by omar since you opened it" in page
    assert NEWER in page
    # What the reviewer had typed is not lost: it is shown back beside the refusal.
    assert f"Your text, not sent or saved, to copy if you still want it: \u201c{SHOWN}\u201d" in page
    assert not OutboxMessage.objects.exists()
    fresh = client.post(
        url,
        {"view": "page", "version": pending.version + 1, "subject": pending.subject, "body": SHOWN},
        headers={"HX-Request": "true"},
    )
    assert fresh.status_code == 200
    assert OutboxMessage.objects.get().body == SHOWN


def test_a_client_that_sends_no_version_still_approves_what_is_stored(pending, rita) -> None:
    done = intervention_approve(intervention=pending, user=rita)
    assert OutboxMessage.objects.get().body == done.body == pending.body


def test_a_stale_inline_edit_keeps_the_typed_words_on_screen(pending, rita, omar) -> None:
    client = Client()
    client.force_login(rita)
    intervention_edit(
        intervention=pending, user=omar, subject=pending.subject, body=NEWER, seen_version=pending.version
    )
    answer = client.post(
        reverse("intervention-edit", args=[pending.pk]),
        {"version": pending.version, "subject": pending.subject, "body": SHOWN},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Not saved: the message changed by omar" in answer
    assert f"\u201c{SHOWN}\u201d" in answer
    assert Intervention.objects.get(pk=pending.pk).body == NEWER
