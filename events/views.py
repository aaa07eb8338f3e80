"""The webhook endpoints: one per provider, each verifying that provider's own signature.

Thin: read the raw body and headers, call `delivery_receive`, answer with its status. No
authentication or CSRF (providers sign instead), no parsing before the signature is checked.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.services import MAX_BODY_BYTES, delivery_receive, delivery_too_large


class RawBodyParser(BaseParser):
    """Accept any content type untouched: the signature covers the exact bytes."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        return stream.read() if stream is not None else b""


_ANSWER = inline_serializer(
    name="WebhookAnswer",
    fields={
        "status": serializers.ChoiceField(
            choices=["accepted", "duplicate", "inbox", "rejected", "invalid", "too_large"]
        ),
        "detail": serializers.CharField(help_text="the event's description, or what is wrong"),
        "event_id": serializers.CharField(required=False),
        "field": serializers.CharField(required=False, help_text="the field a 400 is about"),
    },
)


class WebhookView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [RawBodyParser]
    renderer_classes = [JSONRenderer]
    source = ""
    signing = ""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[JSONRenderer, str]:
        # Providers read JSON whatever they send as Accept: nothing to negotiate, per delivery.
        return JSONRenderer(), JSONRenderer.media_type

    def post(self, request: Request) -> Response:
        # A body over the limit is refused from its declared length, without being read.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            result = delivery_too_large(source=self.source, headers=request.headers, size=int(declared))
            return Response(result.body, status=result.status_code)
        result = delivery_receive(source=self.source, headers=request.headers, body=request.body)
        return Response(result.body, status=result.status_code)


def webhook_view(source: str, summary: str, signing: str) -> type[WebhookView]:
    view = type(f"{source.capitalize()}WebhookView", (WebhookView,), {"source": source, "signing": signing})
    view.post = extend_schema(
        operation_id=f"webhook_{source}",
        summary=summary,
        description=(
            f"{signing}\n\nAnswers 200 (stored, or a duplicate acknowledged), 202 (kept in the inbox: an event "
            "type ProCX does not handle or a customer it does not know; re-processable), 400 (malformed JSON "
            f"or a missing required field, named), 401 (bad or missing signature, stale timestamp) or 413 "
            f"(over {MAX_BODY_BYTES // 1024} KB)."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: _ANSWER,
            202: _ANSWER,
            400: _ANSWER,
            401: _ANSWER,
            413: OpenApiResponse(response=_ANSWER, description="body too large"),
        },
        auth=[],
        tags=["webhooks"],
    )(view.post)
    return view


EventsWebhook = webhook_view(
    "procx",
    "ProCX's own event envelope",
    "Standard Webhooks signing: webhook-id, webhook-timestamp and webhook-signature headers; "
    "secret PROCX_WEBHOOK_SECRET (whsec_...).",
)
StripeWebhook = webhook_view(
    "stripe",
    "Stripe events",
    "Stripe-Signature header (t=..., v1=...), 300 s tolerance; secret PROCX_STRIPE_WEBHOOK_SECRET.",
)
ShopifyWebhook = webhook_view(
    "shopify",
    "Shopify topics",
    "X-Shopify-Hmac-Sha256, X-Shopify-Topic and X-Shopify-Webhook-Id headers; secret PROCX_SHOPIFY_WEBHOOK_SECRET.",
)
ZendeskWebhook = webhook_view(
    "zendesk",
    "Zendesk ticket events",
    "X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp headers; "
    "secret PROCX_ZENDESK_WEBHOOK_SECRET.",
)
QualtricsWebhook = webhook_view(
    "qualtrics",
    "NPS answers forwarded from a Qualtrics workflow",
    "X-ProCX-Signature: hex HMAC-SHA256 of the raw body; secret PROCX_QUALTRICS_WEBHOOK_SECRET.",
)
