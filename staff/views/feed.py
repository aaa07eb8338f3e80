"""Webhook events as they arrive (the page polls for newer ones and adds them on top without
moving what the reader is looking at), and the inbox of deliveries waiting to be re-processed
(or, when they wait for a provider's customer, linked: staff.views.linking)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from events.models import DeliveryOutcome, WebhookDelivery
from events.services import delivery_reprocess
from staff.permissions import HtmxHttpRequest, is_reviewer, reviewer_required, staff_required
from staff.selectors import inbox_count, inbox_deliveries, webhook_events, with_waiting_for

TEMPLATE = "staff/events.html"
POLL_SECONDS = 5


@require_GET
@staff_required
def events_page(request: HtmxHttpRequest) -> HttpResponse:
    events = webhook_events()
    return render(
        request,
        TEMPLATE,
        {
            "events": events,
            "newest": events[0].received_at if events else None,
            "inbox": inbox_deliveries(),
            "inbox_total": inbox_count(),
            "reviewer": is_reviewer(request),
            "poll_seconds": POLL_SECONDS,
        },
    )


@require_GET
@staff_required
def events_newer(request: HtmxHttpRequest) -> HttpResponse:
    """The events received after `after` (the newest the page shows), newest first, and the
    poller itself again carrying the new newest; nothing new answers with just the poller."""
    try:
        after = parse_datetime(request.GET.get("after", "")) if request.GET.get("after") else None
    except ValueError:  # well formed but not a real moment (month 13): start again from the newest
        after = None
    if after is not None and after.tzinfo is None:
        after = after.replace(tzinfo=dt.UTC)
    events = webhook_events(after=after) if after is not None else webhook_events()
    newest = events[0].received_at if events else after
    return render(
        request,
        f"{TEMPLATE}#newer",
        {"events": events, "newest": newest, "poll_seconds": POLL_SECONDS, "inbox_total": inbox_count()},
    )


@require_POST
@reviewer_required
def reprocess(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    if delivery.outcome != DeliveryOutcome.INBOX:
        notice = f"Already {delivery.get_outcome_display().lower()}."
    else:
        delivery = delivery_reprocess(delivery=delivery)
        notice = (
            f"Stored as {delivery.event_id}."
            if delivery.outcome == DeliveryOutcome.REPROCESSED
            else f"Still waiting: {delivery.error}"
        )
    if not request.htmx:
        return redirect("events")
    with_waiting_for([delivery])  # still waiting for a provider's customer: the row offers the link
    return render(
        request,
        f"{TEMPLATE}#delivery",
        {"delivery": delivery, "notice": notice, "reviewer": True, "inbox_total": inbox_count(), "oob": True},
    )
