"""run_event_driven: the five signed sample deliveries posted to the real endpoints, each
customer's health before and after."""

from __future__ import annotations

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


def test_run_event_driven_without_a_secret_says_which_to_set(settings) -> None:
    settings.PROCX_WEBHOOK_SECRETS = {**settings.PROCX_WEBHOOK_SECRETS, "stripe": []}
    for number in range(5):
        make_order(make_customer(email=f"shopper{number}@example.com"))
    with pytest.raises(CommandError, match="set PROCX_STRIPE_WEBHOOK_SECRET"):
        call_command("run_event_driven")
