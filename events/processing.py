"""What a stored webhook event does to its customer, once the provider has its answer.

`events_process` applies each pending event to the sheets (`event_effects_apply`: a failed
payment, an NPS answer, a ticket, an order's status), re-scores the customer with the scan's
own service, and keeps the health and risk before and after on the event. The worker runs it
after commit (`events.tasks.process_events`, queued by `events.apps`), and the scheduled scan
runs it first to retry what failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from customers.models import (
    Customer,
    CustomerEvent,
    NpsResponse,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    SupportTicket,
)
from customers.scan import customer_rescore, finding_recheck, scan_population
from events.signals import customer_events_processed
from events.webhook_types import CANONICAL_TYPES

logger = logging.getLogger(__name__)


@dataclass
class EventsProcessed:
    """What processing stored webhook events did: processed and re-scored, or failed (kept for a retry)."""

    processed: list[CustomerEvent]
    failed: dict[str, str]


def events_process(
    *,
    event_ids: Sequence[str] | None = None,
    retry_failed: bool = True,
) -> EventsProcessed:
    """What a stored webhook event does to its customer, after the provider has its answer.

    For each event not processed yet (all of them, or those in `event_ids`): apply it to the
    sheets (a failed payment, an NPS answer, a ticket, an order's status), re-score the customer
    with the scan's own service, and keep the health and risk before and after on the event;
    all of it in one transaction per event. An event whose processing raises keeps its error
    and stays unprocessed for the next run (the scheduled scan retries), so nothing is lost.
    Then `customer_events_processed` tells the apps above what was processed (interventions
    drafts outreach for a complaint from a customer now at risk).
    `retry_failed=False` leaves out events whose processing failed before (the scheduled scan
    retries those). Two runs at once process each event once: an event is claimed, under the
    customer's lock, only while it is still pending.
    """
    pending = CustomerEvent.objects.filter(processed_at=None).exclude(delivery_key=None).order_by("received_at")
    if event_ids is not None:
        pending = pending.filter(pk__in=list(event_ids))
    if not retry_failed:
        pending = pending.filter(processing_error="")
    processed: list[CustomerEvent] = []
    failed: dict[str, str] = {}
    population = None
    for event in pending:
        try:
            with transaction.atomic():
                customer = Customer.objects.select_for_update().get(pk=event.customer_id)
                claimed = CustomerEvent.objects.select_for_update().filter(pk=event.pk, processed_at=None).first()
                if claimed is None:
                    continue  # another run processed it meanwhile
                event = claimed
                effects = event_effects_apply(event=event)
                population = population or scan_population()
                snapshot = customer_rescore(customer_id=customer.pk, population=population)
                event.health_before, event.risk_before = customer.health_score, customer.churn_risk
                event.health_after, event.risk_after = snapshot.score, snapshot.churn_risk
                left = finding_recheck(
                    customer_id=customer.pk,
                    churn_risk=snapshot.churn_risk,
                    because=f"{_label(event)} on {event.event_time:%d %b %Y} ({event.pk})",
                    at=timezone.now(),
                )
                if left is not None:
                    effects.append(f"left the at-risk list of scan {left.scan_id}: {left.left_because}")
                event.metadata = {**event.metadata, "effects": effects}
                event.processed_at = timezone.now()
                event.processing_error = ""
                event.save()
        except Exception as error:  # kept on the event and retried: one bad event must not stop the rest
            message = f"{type(error).__name__}: {error}"
            logger.exception("processing event %s failed", event.pk)
            CustomerEvent.objects.filter(pk=event.pk).update(processing_error=message[:2000])
            failed[event.pk] = message
            continue
        processed.append(event)
    if processed:
        customer_events_processed.send(sender=EventsProcessed, events=processed)
    return EventsProcessed(processed, failed)


# --- Webhook events on the sheets -------------------------------------------------------------

# Zendesk says "normal" where the contract says "medium".
_TICKET_PRIORITIES = {"low": "low", "normal": "medium", "medium": "medium", "high": "high", "urgent": "urgent"}
_TICKET_CHANNELS = {
    "email": "email",
    "web": "email",
    "mail": "email",
    "chat": "chat",
    "voice": "phone",
    "phone": "phone",
}
# Zendesk's statuses in the sheet's words: new and open are open; pending (waiting on the
# customer) and hold (waiting on someone else) are in progress.
_TICKET_STATUSES = {"new": "open", "open": "open", "pending": "in_progress", "hold": "in_progress"}
_PAYMENT_METHODS = {"card": "card", "upi": "upi", "wallet": "wallet", "netbanking": "netbanking", "cod": "cod"}


def _decimal(value: object) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _label(event: CustomerEvent) -> str:
    known = CANONICAL_TYPES.get(event.event_type)
    return known.label if known is not None else event.event_type


def _short_id(event: CustomerEvent) -> str:
    return event.event_id.removeprefix("EVT_").replace("_", "")[-12:]


def event_effects_apply(*, event: CustomerEvent) -> list[str]:
    """Write what a webhook event implies to the other sheets, and say what was written.

    payment.failed / subscription.payment_failed / payment.succeeded: a Payment for the order
    (when the order is ours) and, unless it would rewrite history, the order's payment status;
    nps.*: an NpsResponse; support.ticket.*: the SupportTicket created or updated; order.cancelled
    / order.delayed / shipment.delayed / order.delivered: the Order updated. What happened stays
    on record: a paid order is not made unpaid, a finished Payment is never overwritten, a
    delivered order keeps its measured delay, a cancelled one is not revived. Facts the event
    does not carry are left blank rather than guessed. Returns one sentence per change (or why
    none was made), for the event's page.
    """
    data = event.metadata or {}
    kind = event.event_type
    if kind == "order.placed":
        return _order_placed_effect(event, data)
    if kind in ("payment.failed", "subscription.payment_failed", "payment.succeeded"):
        # A shop's "order paid" carries the order: recorded first if its "order placed" was missed.
        placed = _order_placed_effect(event, data, quiet=True) if "order_created_at" in data else []
        return placed + _payment_effect(event, data, failed=kind != "payment.succeeded")
    if kind.startswith("nps."):
        return _nps_effect(event, data)
    if kind == "support.ticket.commented":
        return []  # the ticket already counted; a reply changes none of its columns
    if kind.startswith("support.ticket."):
        return _ticket_effect(event, data)
    if kind.startswith("satisfaction."):
        return _satisfaction_effect(event, data)
    if kind in ("order.cancelled", "order.delayed", "order.delivered", "shipment.delayed", "order.shipped"):
        return _order_effect(event, data)
    if kind in ("email.unsubscribe", "email.subscribed"):
        return _consent_effect(event, subscribed=kind == "email.subscribed")
    return []


# What a shop says of an order's payment, in the sheet's words. Anything else (refunded, voided)
# is not a payment state of a new order: pending until a payment event says more.
_FINANCIAL_STATUS = {"paid": PaymentStatus.SUCCESS, "partially_paid": PaymentStatus.PENDING}
_GATEWAY_METHODS = {"shopify_payments": "card", "stripe": "card", "paypal": "wallet", "cash on delivery (cod)": "cod"}


def _order_placed_effect(event: CustomerEvent, data: dict[str, Any], *, quiet: bool = False) -> list[str]:
    """Record the order a shop says was placed, with the facts it carries. The estimate of its
    delivery is not in the payload: left blank (never guessed), so the order cannot look late."""
    order_id = str(data.get("order_id") or "").strip()[:32]
    if not order_id:
        return [] if quiet else ["no order recorded: the event carries no order id"]
    existing = Order.objects.filter(pk=order_id).first()
    if existing is not None:
        if existing.customer_id != event.customer_id:
            return [f"no order recorded: order {order_id} already belongs to customer {existing.customer_id}"]
        return [] if quiet else [f"order {order_id} already recorded"]
    amount = _decimal(data.get("amount"))
    count = data.get("item_count")
    products = data.get("product_ids")
    gateway = str(data.get("payment_gateway") or "").strip().lower()
    placed = Order.objects.create(
        order_id=order_id,
        customer_id=event.customer_id,
        order_date=event.event_time,
        items_count=count if isinstance(count, int) and count > 0 else 1,
        product_ids=",".join(str(item) for item in products) if isinstance(products, list) else "",
        total_amount=amount if amount is not None and amount >= 0 else Decimal(0),
        payment_method=_GATEWAY_METHODS.get(gateway, _PAYMENT_METHODS.get(gateway, "card")),
        payment_status=_FINANCIAL_STATUS.get(str(data.get("financial_status") or "").lower(), PaymentStatus.PENDING),
        order_status=OrderStatus.PLACED,
        estimated_delivery_date=None,
        promo_code=str(data.get("promo_code") or "")[:64],
    )
    name = data.get("order_name")
    return [f"order {placed.pk}{f' ({name})' if name else ''} recorded: {placed.items_count} item(s), placed"]


def _satisfaction_effect(event: CustomerEvent, data: dict[str, Any]) -> list[str]:
    """The ticket's CSAT: Zendesk rates good or bad; the sheet's 1-to-5 scale takes its ends."""
    ticket_id = _ticket_id(event, data)
    if not ticket_id:
        return ["no rating recorded: the event carries no ticket id"]
    ticket = SupportTicket.objects.filter(pk=ticket_id, customer_id=event.customer_id).first()
    if ticket is None:
        return [f"no rating recorded: ticket {ticket_id} is not one of this customer's"]
    ticket.csat_score = 5 if event.event_type == "satisfaction.good" else 1
    ticket.save(update_fields=["csat_score"])
    return [f"ticket {ticket_id} rated {ticket.csat_score}/5"]


def _consent_effect(event: CustomerEvent, *, subscribed: bool) -> list[str]:
    """The customer's marketing consent, as they last set it: no promotional outreach without it."""
    changed = Customer.objects.filter(pk=event.customer_id).exclude(opt_in_marketing=subscribed)
    if changed.update(opt_in_marketing=subscribed):
        return [f"marketing consent {'given' if subscribed else 'withdrawn'}"]
    return [f"marketing consent already {'given' if subscribed else 'withdrawn'}"]


def _our_order(event: CustomerEvent, data: dict[str, Any]) -> Order | None:
    order_id = str(data.get("order_id") or "").strip()
    if not order_id:
        return None
    return Order.objects.filter(pk=order_id, customer_id=event.customer_id).first()


def _payment_effect(event: CustomerEvent, data: dict[str, Any], *, failed: bool) -> list[str]:
    """One payment attempt, recorded as a new Payment unless the provider's id names a pending
    one (whose outcome this is). A finished attempt is history: a later one under the same id
    (an invoice retried, or paid after failing) gets an id of its own. The order's payment status
    follows, except that a failure never makes a paid order unpaid."""
    order = _our_order(event, data)
    if order is None:
        named = data.get("order_id")
        return [f"no payment recorded: order {named} is not one of this customer's" if named else "no order named"]
    status = PaymentStatus.FAILED if failed else PaymentStatus.SUCCESS
    method = str(data.get("payment_method") or "").split()[0].lower() if data.get("payment_method") else ""
    payment_id = str(data.get("charge_id") or data.get("invoice_id") or data.get("payment_id") or "")
    payment_id = (payment_id or f"PM{_short_id(event)}")[:32]
    existing = Payment.objects.filter(pk=payment_id).first()
    if existing is not None and existing.customer_id != event.customer_id:
        return [f"no payment recorded: payment {payment_id} already belongs to customer {existing.customer_id}"]
    effects = []
    if existing is not None and existing.status == status == PaymentStatus.SUCCESS:
        effects.append(f"payment {payment_id} already recorded as {status}")  # a payment succeeds once
    else:
        if existing is not None and existing.status != PaymentStatus.PENDING:
            payment_id = f"{payment_id[:19]}-{_short_id(event)}"
        payment, created = Payment.objects.update_or_create(
            payment_id=payment_id,
            defaults={
                "order": order,
                "customer_id": event.customer_id,
                "payment_date": event.event_time,
                "amount": _decimal(data.get("amount")) or order.total_amount,
                "payment_method": _PAYMENT_METHODS.get(method, order.payment_method),
                "status": status,
                "failure_reason": str(data.get("reason") or "")[:64] if failed else "",
            },
        )
        effects.append(f"payment {payment.pk} {'recorded' if created else 'updated'} as {status} for order {order.pk}")
    if failed and order.payment_status == PaymentStatus.SUCCESS:
        effects.append(f"order {order.pk} already paid: its payment status stays {order.payment_status}")
    elif order.payment_status != status:
        Order.objects.filter(pk=order.pk).update(payment_status=status)
        effects.append(f"order {order.pk} payment status {status}")
    return effects


def _nps_effect(event: CustomerEvent, data: dict[str, Any]) -> list[str]:
    try:
        score = int(data["nps_score"])
    except (KeyError, TypeError, ValueError):
        return ["no NPS answer recorded: the event carries no score"]
    survey_id = str(data.get("response_id") or f"NPS{_short_id(event)}")[:32]
    owner = NpsResponse.objects.filter(pk=survey_id).values_list("customer_id", flat=True).first()
    if owner is not None and owner != event.customer_id:
        return [f"no NPS answer recorded: answer {survey_id} belongs to customer {owner}"]
    NpsResponse.objects.update_or_create(
        survey_id=survey_id,
        defaults={
            "customer_id": event.customer_id,
            "date": event.event_time,
            "nps_score": score,
            "feedback_text": str(data.get("feedback") or ""),
        },
    )
    return [f"NPS answer {survey_id} recorded: {score}"]


def _ticket_id(event: CustomerEvent, data: dict[str, Any]) -> str:
    """The sheet's id of the ticket an event names: a provider's bare number is prefixed with the
    source ("ZE-35436") so it cannot collide with the workbook's ids; "" when none is named."""
    raw_id = str(data.get("ticket_id") or "").strip()
    if not raw_id:
        return ""
    return (raw_id if raw_id[0].isalpha() else f"{event.source[:2].upper()}-{raw_id}")[:32]


def _ticket_effect(event: CustomerEvent, data: dict[str, Any]) -> list[str]:
    ticket_id = _ticket_id(event, data)
    if not ticket_id:
        return ["no ticket recorded: the event carries no ticket id"]
    escalated = event.event_type == "support.ticket.escalated"
    resolved = event.event_type == "support.ticket.resolved"
    ticket = SupportTicket.objects.filter(pk=ticket_id).first()
    if ticket is not None and ticket.customer_id != event.customer_id:
        return [f"no ticket changed: ticket {ticket_id} belongs to customer {ticket.customer_id}"]
    priority = _TICKET_PRIORITIES.get(str(data.get("priority") or "").lower())
    updated = event.event_type == "support.ticket.updated"
    if ticket is None and (resolved or updated):
        # Its opening date is unknown: recorded now, it would count as a ticket opened today.
        verb = "resolved" if resolved else "updated"
        return [f"no ticket changed: ticket {ticket_id} was {verb} but never recorded here"]
    if ticket is None:
        ticket = SupportTicket(
            ticket_id=ticket_id,
            customer_id=event.customer_id,
            order=_our_order(event, data),
            created_at=event.event_time,
            channel=_TICKET_CHANNELS.get(str(data.get("channel") or "").lower(), "email"),
            category="other",
            priority=priority or "medium",
            status="open",
            escalation=False,
            initial_message=str(data.get("description") or data.get("subject") or event.description),
        )
        verb = "opened"
    else:
        verb = "updated"
    if priority:
        ticket.priority = priority
    if escalated:
        ticket.status, ticket.escalation = "escalated", True
        ticket.escalated_to = str(data.get("group") or data.get("escalated_to") or ticket.escalated_to)[:100]
    status = _TICKET_STATUSES.get(str(data.get("status") or "").lower())
    if updated and status:
        if ticket.status in ("resolved", "closed"):
            ticket.resolution_time_hours = None  # reopened: the problem is back, not resolved
        ticket.status = status
    if resolved:
        ticket.status = "resolved"
        hours = (event.event_time - ticket.created_at).total_seconds() / 3600
        ticket.resolution_time_hours = round(max(0.0, hours), 1)
    ticket.save()
    return [f"ticket {ticket_id} {verb}: {ticket.get_status_display().lower()}, {ticket.priority} priority"]


def _order_effect(event: CustomerEvent, data: dict[str, Any]) -> list[str]:
    """The order's status or delay, as the event says, without rewriting what already happened:
    a delivered order keeps its measured delay, a cancelled one is not made delivered or late."""
    order = _our_order(event, data)
    if order is None:
        named = data.get("order_id")
        return [f"no order updated: {named} is not one of this customer's orders" if named else "no order named"]
    if event.event_type == "order.cancelled":
        if order.order_status == OrderStatus.CANCELLED:
            return [f"order {order.pk} already cancelled"]
        order.order_status = OrderStatus.CANCELLED
        change = "cancelled"
    elif order.order_status == OrderStatus.CANCELLED:
        return [f"order {order.pk} not changed: it was cancelled"]
    elif order.actual_delivery_date is not None:
        return [f"order {order.pk} not changed: already delivered on {order.actual_delivery_date.isoformat()}"]
    elif event.event_type == "order.shipped":
        if order.order_status == OrderStatus.SHIPPED:
            return [f"order {order.pk} already shipped"]
        order.order_status = OrderStatus.SHIPPED
        change = "shipped"
    elif event.event_type == "order.delivered":
        order.order_status = OrderStatus.DELIVERED
        order.actual_delivery_date = event.event_time.date()
        # Actual minus estimated, as the field says: negative is early; unknown without an estimate.
        if order.estimated_delivery_date is not None:
            order.delivery_delay_days = float((order.actual_delivery_date - order.estimated_delivery_date).days)
        change = "delivered"
    else:
        delay = _decimal(data.get("delay_days"))
        if delay is None:
            return [f"order {order.pk} not changed: the event does not say by how much it is delayed"]
        order.delivery_delay_days = float(delay)
        change = f"delayed by {delay} days"
    order.save()
    return [f"order {order.pk} {change}"]
