"""Webhook ingestion's own records: the log of every delivery and the providers' customer ids.

The events themselves are the `customer_events` sheet, `customers.models.CustomerEvent`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from customers.models import Customer, CustomerEvent


class DeliveryOutcome(models.TextChoices):
    ACCEPTED = "accepted"  # 200: stored as a customer event
    DUPLICATE = "duplicate"  # 200: seen before, acknowledged, stored once
    INBOX = "inbox"  # 202: unknown event type or customer, kept to re-process
    REJECTED = "rejected"  # 401: bad or missing signature, or a stale timestamp
    INVALID = "invalid"  # 400: malformed JSON or a missing required field
    TOO_LARGE = "too_large", "Too large"  # 413
    REPROCESSED = "reprocessed"  # an inbox delivery later stored as an event


class WebhookDelivery(models.Model):
    """Every delivery a provider posted, accepted or not: what came, what we answered and why.

    The body of a verified delivery is kept (up to the size limit) so an inbox delivery can be
    re-processed once the customer exists; a rejected one keeps its headers, size, hash and the
    reason, not its body. Deliveries older than PROCX_WEBHOOK_LOG_DAYS are pruned, except those
    still in the inbox (`deliveries_prune`).
    """

    source = models.CharField(max_length=16, db_index=True)
    received_at = models.DateTimeField(db_index=True)
    delivery_id = models.CharField(max_length=200, blank=True, help_text="the provider's idempotency key")
    native_type = models.CharField(max_length=100, blank=True, help_text="the provider's event type or topic")
    event_type = models.CharField(max_length=64, blank=True, help_text="the canonical type, when read")
    headers = models.JSONField(default=dict, blank=True, help_text="the headers that matter (never secrets)")
    # Kept only for a delivery whose signature was verified (or allowed unsigned): a rejected
    # body is the sender's, not a provider's, and must not fill the disk; its hash stays.
    body = models.TextField(blank=True)
    body_bytes = models.PositiveIntegerField(default=0)
    body_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the body as received (hex)")
    signature_verified = models.BooleanField(default=False)
    unsigned_allowed = models.BooleanField(
        default=False, help_text="accepted without a valid signature because PROCX_WEBHOOKS_ALLOW_UNSIGNED is on"
    )
    outcome = models.CharField(max_length=16, choices=DeliveryOutcome.choices, db_index=True)
    status_code = models.PositiveSmallIntegerField()
    error = models.TextField(blank=True)
    event = models.ForeignKey(
        CustomerEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    reprocessed_at = models.DateTimeField(null=True, blank=True)
    # Set when the delivery went to the inbox because no customer matched and it named the
    # provider's own customer id: staff can link that id to a customer, which stores this and
    # every other delivery waiting for it. Blank for every other delivery (and for inbox entries
    # logged before it existed: events.services.delivery_waiting_for reads those from the body).
    provider_customer_id = models.CharField(
        max_length=100, blank=True, help_text="the provider's customer id this inbox delivery waits for"
    )
    customer_email = models.CharField(
        max_length=254, blank=True, help_text="the email it named, when it waits for a customer (to show staff)"
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # Only inbox entries are looked up by the provider's customer id (to link and
            # re-process them): a partial index stays as small as the inbox, and the log's
            # other deliveries, which are most of it, add nothing to it.
            models.Index(
                fields=["source", "provider_customer_id"],
                condition=models.Q(outcome="inbox"),
                name="delivery_inbox_waiting_for",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.native_type or '?'} {self.get_outcome_display()} ({self.status_code})"


class ProviderCustomer(models.Model):
    """A provider's own id for one of our customers (Stripe cus_..., Shopify and Zendesk ids),
    learnt from deliveries that also named the customer, or linked by staff from the inbox, so
    later deliveries that carry only the provider's id still find them."""

    source = models.CharField(max_length=16)
    provider_customer_id = models.CharField(max_length=100)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="provider_ids")
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="when the id was learnt or linked (re-linked to another customer: then)"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="who linked it from the inbox; empty when it was learnt from a delivery",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "provider_customer_id"], name="provider_customer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.provider_customer_id} -> {self.customer_id}"
