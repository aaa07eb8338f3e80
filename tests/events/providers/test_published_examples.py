"""Every example an endpoint's schema shows is the provider's published payload (or, where the
provider publishes none, says whose it is), with its source noted, and is accepted when signed:
200 and an event, or 202 and an inbox entry saying why; never 400 or 500. The schema shows
exactly the files in events/providers/examples/<provider>/."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.urls import resolve

from events.models import WebhookDelivery
from events.providers import PROVIDERS
from events.providers.base import EXAMPLES_DIR, Example, WebhookView
from events.providers.procx import sign_standard_webhook
from events.providers.qualtrics import sign_qualtrics
from events.providers.shopify import sign_shopify
from events.providers.stripe import sign_stripe
from events.providers.zendesk import sign_zendesk
from tests.events.test_webhooks import SECRETS, URLS, _tasks_run_inline, _webhook_settings, post  # noqa: F401

pytestmark = pytest.mark.django_db


def _view(source: str) -> type[WebhookView]:
    view = resolve(URLS[source]).func.view_class  # type: ignore[attr-defined]
    assert issubclass(view, WebhookView)
    return view


def _signed(source: str, example: Example) -> tuple[bytes, dict[str, str]]:
    body = example.body(source)
    now = int(time.time())
    headers = dict(example.headers or {})
    if source == "procx":
        headers |= sign_standard_webhook(
            body=body, secret=SECRETS[source], message_id=f"msg_{uuid.uuid4().hex}", timestamp=now
        )
    elif source == "stripe":
        headers |= sign_stripe(body=body, secret=SECRETS[source], timestamp=now)
    elif source == "shopify":
        headers.setdefault("X-Shopify-Webhook-Id", str(uuid.uuid4()))
        headers |= sign_shopify(body=body, secret=SECRETS[source])
    elif source == "zendesk":
        headers |= sign_zendesk(
            body=body, secret=SECRETS[source], timestamp=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        )
    else:
        headers |= sign_qualtrics(body=body, secret=SECRETS[source])
    return body, headers


EXAMPLES = [(source, example) for source in PROVIDERS for example in _view(source).examples]


def test_every_provider_shows_examples_and_every_file_is_shown() -> None:
    for source in PROVIDERS:
        shown = {example.file for example in _view(source).examples}
        assert shown, f"{source} shows no example"
        on_disk = {path.name for path in (EXAMPLES_DIR / source).glob("*.json")}
        assert shown == on_disk, source


@pytest.mark.parametrize("source", list(PROVIDERS))
def test_every_example_file_has_its_source_noted(source) -> None:
    sources = (EXAMPLES_DIR / source / "SOURCES.md").read_text(encoding="utf-8")
    for example in _view(source).examples:
        assert f"`{example.file}`" in sources, f"{source}/{example.file} has no source in SOURCES.md"


@pytest.mark.parametrize(("source", "example"), EXAMPLES, ids=[f"{s}/{e.file}" for s, e in EXAMPLES])
def test_every_example_signed_is_accepted_or_kept_with_a_reason(source, example) -> None:
    json.loads(example.body(source))  # valid JSON, as published
    body, headers = _signed(source, example)
    response = post(source, body, headers)
    assert response.status_code in (200, 202), response.content
    delivery = WebhookDelivery.objects.get()
    assert delivery.signature_verified
    if response.status_code == 202:
        assert delivery.outcome == "inbox"
        assert delivery.error  # the reason a person reads
    else:
        assert delivery.outcome == "accepted"
        assert delivery.event is not None
        assert delivery.event.description


def test_the_schema_carries_each_example_verbatim(admin_client) -> None:
    schema = json.loads(admin_client.get("/api/schema/?format=json").content)
    for source, example in EXAMPLES:
        operation = schema["paths"][URLS[source]]["post"]
        shown = operation["requestBody"]["content"]["application/json"]["examples"]
        values = [item["value"] for item in shown.values()]
        assert json.loads(example.body(source)) in values, f"{source}/{example.file}"
