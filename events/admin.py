"""Webhook deliveries and the inbox in the back office.

Customer events themselves are a customers sheet (`customers.models.CustomerEvent`); their admin is
CustomerEventAdmin in `customers/admin.py`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.services import delivery_reprocess


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every delivery, accepted or not. Filter on outcome "inbox" for the deliveries waiting for a
    customer (or an event type) ProCX does not know yet, and re-process them."""

    list_display = ("received_at", "source", "native_type", "event_type", "outcome", "status_code", "error", "event")
    list_filter = ("outcome", "source", "signature_verified", "unsigned_allowed")
    search_fields = ("delivery_id", "native_type", "body", "error")
    date_hierarchy = "received_at"
    raw_id_fields = ("event",)
    actions = ["reprocess_selected"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Re-process the selected inbox deliveries", permissions=["change"])
    def reprocess_selected(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        stored, waiting = 0, []
        for delivery in queryset.filter(outcome=DeliveryOutcome.INBOX):
            delivery = delivery_reprocess(delivery=delivery)
            if delivery.outcome == DeliveryOutcome.REPROCESSED:
                stored += 1
            else:
                waiting.append(f"{delivery.pk}: {delivery.error}")
        self.message_user(request, f"Stored {stored} delivery(ies) as customer events.", messages.SUCCESS)
        if waiting:
            self.message_user(request, "Still in the inbox: " + "; ".join(waiting[:10]), messages.WARNING)


@admin.register(ProviderCustomer)
class ProviderCustomerAdmin(admin.ModelAdmin):
    list_display = ("source", "provider_customer_id", "customer", "created_at")
    list_filter = ("source",)
    search_fields = ("provider_customer_id", "customer__customer_id", "customer__email")
    raw_id_fields = ("customer",)
