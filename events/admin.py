"""Webhook deliveries and the inbox in the back office.

Customer events themselves are a customers sheet (`customers.models.CustomerEvent`); their admin is
CustomerEventAdmin in `customers/admin.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.services import delivery_reprocess, provider_customer_label

WAITING_FOR_CHOICES = 25  # the provider customers with the most waiting deliveries


class WaitingForFilter(admin.SimpleListFilter):
    """The inbox deliveries waiting for one provider customer ("Zendesk requester 844... (3)"),
    those with the most first. (The search box finds any id, waiting or not.)"""

    title = "waiting for provider customer"
    parameter_name = "waiting_for"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        waiting = (
            WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX)
            .exclude(provider_customer_id="")
            .values("source", "provider_customer_id")
            .annotate(deliveries=Count("pk"))
            .order_by("-deliveries", "source", "provider_customer_id")[:WAITING_FOR_CHOICES]
        )
        return [
            (
                f"{row['source']}:{row['provider_customer_id']}",
                f"{provider_customer_label(row['source'], row['provider_customer_id'])} ({row['deliveries']})",
            )
            for row in waiting
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> QuerySet[WebhookDelivery]:
        if not self.value():
            return queryset
        source, _, provider_customer_id = str(self.value()).partition(":")
        return queryset.filter(outcome=DeliveryOutcome.INBOX, source=source, provider_customer_id=provider_customer_id)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every delivery, accepted or not. Filter on outcome "inbox" for the deliveries waiting for a
    customer (or an event type) ProCX does not know yet, and re-process them; "waiting for
    provider customer" narrows the inbox to one provider's customer id (link it from the
    Events page, which stores them all)."""

    list_display = (
        "received_at",
        "source",
        "native_type",
        "event_type",
        "outcome",
        "status_code",
        "provider_customer_id",
        "error",
        "event",
    )
    list_filter = ("outcome", "source", WaitingForFilter, "signature_verified", "unsigned_allowed")
    search_fields = ("delivery_id", "native_type", "provider_customer_id", "customer_email", "body", "error")
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
    """Which provider ids stand for which customer: learnt from deliveries (no linker) or linked
    by staff from the inbox (who, and when)."""

    list_display = ("source", "provider_customer_id", "customer", "linked_by", "created_at")
    list_filter = ("source", ("linked_by", admin.EmptyFieldListFilter))
    search_fields = ("provider_customer_id", "customer__customer_id", "customer__email", "linked_by__username")
    raw_id_fields = ("customer",)
    readonly_fields = ("linked_by", "created_at")
    list_select_related = ("customer", "linked_by")

    def save_model(self, request: HttpRequest, obj: ProviderCustomer, form: ModelForm, change: bool) -> None:
        # Set by hand here, the link is this user's, from now (as a link from the inbox is).
        if not change or "customer" in form.changed_data:
            obj.linked_by = request.user  # type: ignore[assignment]
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)
