"""The OpenAPI schema names each provider's endpoint and signing scheme once: one operation per
endpoint with its own id and summary, and each signing scheme declared once as a security scheme
in the components and required by its provider's operation."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

pytestmark = pytest.mark.django_db

# path: (operation id, the provider its summary names, signing scheme, signature header)
ENDPOINTS = {
    "/api/webhooks/events/": ("webhook_procx", "ProCX", "StandardWebhooksSignature", "webhook-signature"),
    "/api/webhooks/stripe/": ("webhook_stripe", "Stripe", "StripeSignature", "Stripe-Signature"),
    "/api/webhooks/shopify/": ("webhook_shopify", "Shopify", "ShopifyHmac", "X-Shopify-Hmac-Sha256"),
    "/api/webhooks/zendesk/": ("webhook_zendesk", "Zendesk", "ZendeskSignature", "X-Zendesk-Webhook-Signature"),
    "/api/webhooks/qualtrics/": ("webhook_qualtrics", "Qualtrics", "QualtricsSignature", "X-ProCX-Signature"),
}


@pytest.fixture
def schema(admin_client) -> dict[str, Any]:
    response = admin_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(path, method): operation for path, item in schema["paths"].items() for method, operation in item.items()}


def test_each_provider_endpoint_is_one_operation_with_its_own_id_and_summary(schema) -> None:
    webhooks = {key: operation for key, operation in _operations(schema).items() if key[0].startswith("/api/webhooks/")}

    assert set(webhooks) == {(path, "post") for path in ENDPOINTS}
    for path, (operation_id, provider, _, _) in ENDPOINTS.items():
        operation = webhooks[path, "post"]
        assert operation["operationId"] == operation_id
        assert provider.lower() in operation["summary"].lower()
    assert len({operation["summary"] for operation in webhooks.values()}) == len(ENDPOINTS)


def test_each_signing_scheme_is_declared_once_and_required_by_its_endpoint(schema) -> None:
    schemes = schema["components"]["securitySchemes"]
    everything = json.dumps(schema)

    assert set(schemes) == {scheme for _, _, scheme, _ in ENDPOINTS.values()}
    for path, (_, _, scheme, header) in ENDPOINTS.items():
        assert schema["paths"][path]["post"]["security"] == [{scheme: []}]
        assert (schemes[scheme]["type"], schemes[scheme]["in"], schemes[scheme]["name"]) == ("apiKey", "header", header)
        # How to sign is said once, in the security scheme, not again in an operation.
        assert everything.count(json.dumps(schemes[scheme]["description"])) == 1
    required = Counter(
        name for operation in _operations(schema).values() for need in operation.get("security", []) for name in need
    )
    assert required == Counter(set(schemes))


def test_the_schema_generates_without_warnings_and_validates(tmp_path) -> None:
    # A warning such as an operation id collision would otherwise only be printed.
    GENERATOR_STATS.reset()
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
