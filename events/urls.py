from __future__ import annotations

from django.urls import path

from events.providers.procx import ProcxWebhookView
from events.providers.qualtrics import QualtricsWebhookView
from events.providers.shopify import ShopifyWebhookView
from events.providers.stripe import StripeWebhookView
from events.providers.zendesk import ZendeskWebhookView

app_name = "webhooks"

urlpatterns = [
    path("events/", ProcxWebhookView.as_view(), name="events"),
    path("stripe/", StripeWebhookView.as_view(), name="stripe"),
    path("shopify/", ShopifyWebhookView.as_view(), name="shopify"),
    path("zendesk/", ZendeskWebhookView.as_view(), name="zendesk"),
    path("qualtrics/", QualtricsWebhookView.as_view(), name="qualtrics"),
]
