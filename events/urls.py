from __future__ import annotations

from django.urls import path

from events import views

app_name = "webhooks"

urlpatterns = [
    path("events/", views.EventsWebhook.as_view(), name="events"),
    path("stripe/", views.StripeWebhook.as_view(), name="stripe"),
    path("shopify/", views.ShopifyWebhook.as_view(), name="shopify"),
    path("zendesk/", views.ZendeskWebhook.as_view(), name="zendesk"),
    path("qualtrics/", views.QualtricsWebhook.as_view(), name="qualtrics"),
]
