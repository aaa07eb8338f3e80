"""What every provider's delivery becomes once verified and read: one canonical event.

The endpoints verify a delivery's signature, then the provider's adapter turns its own JSON
(both in that provider's module in events.providers) into a CanonicalEvent: one of ProCX's
canonical event types (CANONICAL_TYPES), who it is about, and the facts normalised (money in
major units with its currency, times in UTC). events.descriptions writes the sentence a
person reads. All pure: no ORM, no request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from customers.event_semantics import EVENT_SIGNALS, EventSignal, event_signal

SOURCES: tuple[str, ...] = ("procx", "stripe", "shopify", "zendesk", "qualtrics")


@dataclass(frozen=True)
class EventType:
    """A canonical event type: its category from the seed (COMPLAINT, INQUIRY, ORDER_CANCELLED,
    ORDER_DELAYED, FEEDBACK) and a short label for lists. The category sorts events for people
    (and picks which ones draft outreach); what the event means for the customer's health is
    its `signal`, declared in customers.event_semantics."""

    name: str
    category: str
    label: str

    @property
    def signal(self) -> EventSignal:
        return event_signal(self.name)


CANONICAL_TYPES: dict[str, EventType] = {
    item.name: item
    for item in (
        EventType("payment.failed", "COMPLAINT", "Payment failed"),
        EventType("payment.succeeded", "FEEDBACK", "Payment succeeded"),
        EventType("payment.method_expired", "INQUIRY", "Payment method expiring"),
        EventType("subscription.payment_failed", "COMPLAINT", "Subscription payment failed"),
        EventType("subscription.cancelled", "ORDER_CANCELLED", "Subscription cancelled"),
        EventType("subscription.cancel_scheduled", "ORDER_CANCELLED", "Cancellation scheduled"),
        EventType("subscription.reactivated", "FEEDBACK", "Subscription kept"),
        EventType("refund.requested", "COMPLAINT", "Refund requested"),
        EventType("dispute.created", "COMPLAINT", "Payment disputed"),
        EventType("order.placed", "FEEDBACK", "Order placed"),
        EventType("order.shipped", "FEEDBACK", "Order shipped"),
        EventType("order.delayed", "ORDER_DELAYED", "Order delayed"),
        EventType("order.cancelled", "ORDER_CANCELLED", "Order cancelled"),
        EventType("order.delivered", "FEEDBACK", "Order delivered"),
        EventType("shipment.delayed", "ORDER_DELAYED", "Shipment delayed"),
        EventType("shipment.failed", "ORDER_DELAYED", "Delivery failed"),
        EventType("return.initiated", "COMPLAINT", "Return started"),
        EventType("cart.abandoned", "INQUIRY", "Cart abandoned"),
        EventType("product.out_of_stock", "INQUIRY", "Product out of stock"),
        EventType("product.back_in_stock", "INQUIRY", "Product back in stock"),
        EventType("nps.detractor", "COMPLAINT", "NPS detractor"),
        EventType("nps.passive", "FEEDBACK", "NPS passive"),
        EventType("nps.promoter", "FEEDBACK", "NPS promoter"),
        EventType("review.negative", "COMPLAINT", "Negative review"),
        EventType("review.positive", "FEEDBACK", "Positive review"),
        EventType("support.ticket.created", "INQUIRY", "Ticket opened"),
        EventType("support.ticket.escalated", "COMPLAINT", "Ticket escalated"),
        EventType("support.ticket.updated", "INQUIRY", "Ticket updated"),
        EventType("support.ticket.commented", "INQUIRY", "Ticket comment"),
        EventType("support.ticket.resolved", "FEEDBACK", "Ticket resolved"),
        EventType("satisfaction.bad", "COMPLAINT", "Support rated bad"),
        EventType("satisfaction.good", "FEEDBACK", "Support rated good"),
        EventType("app.inactive", "INQUIRY", "Inactive in the app"),
        EventType("email.unsubscribe", "FEEDBACK", "Unsubscribed from email"),
        EventType("email.subscribed", "FEEDBACK", "Subscribed to email"),
    )
}

# A new canonical type must say what it means for the customer's signals before it is used:
# undeclared, it would silently count as neutral.
_UNDECLARED = sorted(set(CANONICAL_TYPES) - set(EVENT_SIGNALS))
if _UNDECLARED:
    raise RuntimeError(f"declare what {', '.join(_UNDECLARED)} mean(s) in customers/event_semantics.py EVENT_SIGNALS")


@dataclass(frozen=True)
class CustomerRef:
    """How the provider names the customer: ours (customer_id), an email, or its own id; or,
    for a payload that by the provider's design names nobody (a Stripe dispute or refund, a
    Shopify refund), the provider's objects it concerns (`related`: (fact key, id) pairs such
    as ("charge_id", "ch_...") or ("order_id", "450789469")).
    ProCX matches in that order: customer_id, then email, then a stored provider mapping, then
    an earlier event from the same provider whose facts name one of the related objects (the
    charge a dispute is about was paid by someone ProCX already knows)."""

    customer_id: str = ""
    email: str = ""
    provider_customer_id: str = ""
    related: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.customer_id or self.email or self.provider_customer_id or self.related)


@dataclass(frozen=True)
class CanonicalEvent:
    """One delivery, read.

    `delivery_id` is the provider's idempotency key (Stripe event id, Standard Webhooks
    `webhook-id`, `X-Shopify-Webhook-Id`, Zendesk event id, Qualtrics response id): the same
    delivery twice is stored once. `content_key`, when an adapter sets it, says which facts make
    two deliveries the same event although their bodies differ (a Shopify customers/update sent
    for every change of the customer, read only for its marketing consent); otherwise the body's
    hash does, so a replay under a new unsigned id is stored once too. `data` holds the normalised facts, JSON-ready: money as a
    string of major units ("2499.99") with `currency` (ISO 4217, upper case), ids as strings,
    times as ISO 8601 UTC strings; see events.providers for the keys each type may carry.
    """

    source: str
    event_type: str
    native_type: str
    delivery_id: str
    occurred_at: dt.datetime
    customer: CustomerRef
    data: dict[str, Any] = field(default_factory=dict)
    content_key: str = ""

    @property
    def category(self) -> str:
        return CANONICAL_TYPES[self.event_type].category


class PayloadError(ValueError):
    """A field ProCX needs is missing or wrong ("data.object.customer: is required"). The message
    names the field. A verified delivery with such a field is the provider's and a retry would
    send the same bytes, so it is kept in the inbox (202) with this reason, never refused."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}" if field_name else message)
        self.field_name = field_name
        self.message = message


class UnreadableBody(PayloadError):
    """The body is not a JSON object at all (not JSON, nested too deeply, a NUL, an array):
    answered 400, naming what is wrong; nothing of it can be read or kept as an event."""


class UnknownEventType(ValueError):
    """A well-formed delivery that ProCX does not map (yet): a type it does not handle or, with
    `why`, a handled type whose body says nothing ProCX records or contradicts its topic.
    Answered 202 and kept in the inbox with the reason, never lost. `native_type` is the
    provider's type or topic alone, as the log shows it."""

    def __init__(self, source: str, native_type: str, why: str = "") -> None:
        if why:
            message = f"{source} {native_type}: {why}"
        else:
            message = f"{source} event type {native_type!r} is not one ProCX handles"
        super().__init__(message)
        self.source = source
        self.native_type = native_type
        self.why = why


class SignatureError(ValueError):
    """The delivery's signature or timestamp does not verify: answered 401 and only logged."""
