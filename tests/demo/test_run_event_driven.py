"""run_event_driven: the five signed sample deliveries posted to the real endpoints, each
customer's health before and after."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command

from customers.models import CustomerEvent
from tests.events.test_webhooks import URLS, _tasks_run_inline, _webhook_settings, stored  # noqa: F401 (fixtures)
from tests.factories import make_customer, make_order

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the command commits, as it does for an operator
def test_run_event_driven_posts_the_five_samples_and_shows_health_before_and_after(capsys) -> None:
    for number in range(5):
        make_order(make_customer(email=f"shopper{number}@example.com"))
    call_command("run_event_driven", "--seed", "1")
    output = capsys.readouterr().out
    assert output.count("Answer    200 accepted") == 5
    assert output.count("Health    ") == 5
    assert "not re-scored yet" not in output
    for path in URLS.values():
        assert f"POST {path}" in output
    assert "Payment of $2,499.99 failed for order O" in output
    assert stored() == 5
    assert CustomerEvent.objects.filter(processed_at__isnull=False).count() == 5


@pytest.mark.django_db(transaction=True)
def test_in_process_without_any_secret_it_signs_with_throwaway_ones_and_says_so(settings, capsys) -> None:
    # What `manage.py run_event_driven` outside `make run` meets: no secret configured at all.
    settings.PROCX_WEBHOOK_SECRETS = {source: [] for source in settings.PROCX_WEBHOOK_SECRETS}
    for number in range(5):
        make_order(make_customer(email=f"shopper{number}@example.com"))
    call_command("run_event_driven", "--seed", "1")
    output = capsys.readouterr().out
    for variable in (
        "PROCX_WEBHOOK_SECRET",
        "PROCX_STRIPE_WEBHOOK_SECRET",
        "PROCX_SHOPIFY_WEBHOOK_SECRET",
        "PROCX_ZENDESK_WEBHOOK_SECRET",
        "PROCX_QUALTRICS_WEBHOOK_SECRET",
    ):
        assert f"({variable}): signing with a throwaway one made for this run" in output
    assert output.count("Answer    200 accepted") == 5
    assert stored() == 5
    # Made for the run only: nothing is left configured afterwards.
    assert all(not secrets for secrets in settings.PROCX_WEBHOOK_SECRETS.values())


def test_in_process_with_one_secret_missing_only_that_one_is_throwaway(settings, capsys) -> None:
    settings.PROCX_WEBHOOK_SECRETS = {**settings.PROCX_WEBHOOK_SECRETS, "stripe": []}
    for number in range(5):
        make_order(make_customer(email=f"shopper{number}@example.com"))
    call_command("run_event_driven", "--seed", "2")
    output = capsys.readouterr().out
    assert output.count("signing with a throwaway one") == 1
    assert "No secret for stripe is configured (PROCX_STRIPE_WEBHOOK_SECRET)" in output
    assert output.count("Answer    200 accepted") == 5


def test_with_a_url_a_missing_secret_names_what_the_server_needs(settings) -> None:
    settings.PROCX_WEBHOOK_SECRETS = {**settings.PROCX_WEBHOOK_SECRETS, "stripe": []}
    for number in range(5):
        make_order(make_customer(email=f"shopper{number}@example.com"))
    with pytest.raises(CommandError) as caught:
        call_command("run_event_driven", "--url", "http://127.0.0.1:9")
    message = str(caught.value)
    assert "no secret for stripe: to post to http://127.0.0.1:9, set PROCX_STRIPE_WEBHOOK_SECRET here" in message
    needs = message.split("the server needs ", 1)[1]
    for variable in ("PROCX_WEBHOOK_SECRET", "PROCX_SHOPIFY_WEBHOOK_SECRET", "PROCX_ZENDESK_WEBHOOK_SECRET"):
        assert variable in needs


def test_the_same_demo_run_twice_stores_new_events_not_replays(capsys) -> None:
    for number in range(5):
        make_order(make_customer(email=f"shopper{number}@example.com"))
    call_command("run_event_driven", "--seed", "3")
    time.sleep(1.1)  # times are in whole seconds: the same second's run would be the same events
    call_command("run_event_driven", "--seed", "3")
    output = capsys.readouterr().out
    assert output.count("Answer    200 accepted") == 10
    assert stored() == 10
