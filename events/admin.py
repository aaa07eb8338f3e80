"""Customer events in the back office: the workbook's activity log and webhook events.

The table can hold millions of rows: the customer is a raw id input, lists skip the full
count, and date filtering uses a list filter rather than a date hierarchy (whose year list
would scan the whole table on every unfiltered page).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

from customers.admin import CustomerRowAdmin
from events.models import CustomerEvent


def pretty_json(value: Any) -> SafeString | str:
    if value is None or value == {}:
        return "-"
    return format_html(
        '<pre class="procx-json">{}</pre>', json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    )


@admin.register(CustomerEvent)
class CustomerEventAdmin(CustomerRowAdmin):
    list_display = ("event_id", "customer", "event_type", "event_time", "source", "category", "device")
    list_filter = (
        "source",
        "category",
        "event_type",
        "device",
        ("event_time", admin.DateFieldListFilter),
    )
    search_fields = (
        "event_id",
        "customer__customer_id",
        "customer__email",
        "customer__first_name",
        "customer__last_name",
    )
    search_help_text = "Search by event id, or by the customer's id, name or email."
    readonly_fields = ("metadata_pretty", "raw_payload_pretty")
    fieldsets = (
        (None, {"fields": ("event_id", "customer", "event_type", "event_time", "source", "category")}),
        ("Where", {"fields": ("device", "session_id", "product_id")}),
        ("What happened", {"fields": ("description", "metadata_pretty", "raw_payload_pretty")}),
    )

    @admin.display(description="metadata")
    def metadata_pretty(self, event: CustomerEvent) -> SafeString | str:
        return pretty_json(event.metadata)

    @admin.display(description="raw payload")
    def raw_payload_pretty(self, event: CustomerEvent) -> SafeString | str:
        return pretty_json(event.raw_payload)
