"""Customer activity: the workbook's `customer_events` sheet and, later, webhook events."""

from __future__ import annotations

from django.db import models


class EventCategory(models.TextChoices):
    COMPLAINT = "COMPLAINT"
    INQUIRY = "INQUIRY"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_DELAYED = "ORDER_DELAYED"
    FEEDBACK = "FEEDBACK"


class CustomerEvent(models.Model):
    """One thing a customer did or that happened to them.

    Rows from the workbook fill the sheet's columns and have source "workbook"; webhook
    events also carry their category, a readable description, metadata and the raw payload.
    """

    WORKBOOK_SOURCE = "workbook"

    event_id = models.CharField(max_length=64, primary_key=True)
    # A string reference: events sit upstream of customers and do not import them (STYLE.md).
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=64, db_index=True)
    event_time = models.DateTimeField(db_index=True)  # the newest-first feeds and lists
    product_id = models.CharField(max_length=32, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=32, default=WORKBOOK_SOURCE, db_index=True)
    category = models.CharField(max_length=32, choices=EventCategory.choices, blank=True)
    description = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    raw_payload = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-event_time"]
        indexes = [models.Index(fields=["customer", "event_time"], name="event_customer_time")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"
