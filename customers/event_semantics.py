"""What each kind of customer event means for the customer's signals, declared once.

Every event type ProCX knows (the canonical webhook types in events/webhook_types.py and the
activity types of the workbook's customer_events sheet) is one of:

- engagement: something the customer chose to do that shows they are still buying or visiting.
  Only these count for recency (`last_event_at`, `last_activity_at`) and `events_last_30`.
- trouble: something went wrong for the customer. It never counts for recency; it reaches the
  factor it concerns through what the event writes to the sheets (a failed Payment, a ticket, a
  detractor's answer, a cancelled order) and is counted in `trouble_events_last_90`.
- leaving: the customer stepped away (stopped opening the app, unsubscribed, cancelled their
  subscription). Never engagement; counted in `leaving_signals_last_90`, a churn-model feature.
- neutral: says nothing either way about the customer's engagement; any fact it carries still
  reaches its own factor (a passive NPS answer is the latest NPS).

An event type not in the table (a workbook may carry its own activity types) is neutral: it
neither raises recency nor counts as trouble until someone declares what it means here.

customers.selectors.customer_signals (and its point-in-time mirror) read this table, and
nothing else decides; events.webhook_types checks at import that every canonical type is here.
Pure: no ORM, no imports from events (customers sits below events).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventSignal(StrEnum):
    """What an event says about the customer (see the module docstring)."""

    ENGAGEMENT = "engagement"
    TROUBLE = "trouble"
    LEAVING = "leaving"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class EventMeaning:
    """One event type's meaning and, in one line, why."""

    signal: EventSignal
    why: str


# Short names for the table below.
ENGAGEMENT = EventSignal.ENGAGEMENT
TROUBLE = EventSignal.TROUBLE
LEAVING = EventSignal.LEAVING
NEUTRAL = EventSignal.NEUTRAL

# The workbook's customer_events sheet: what the customer did on the site or in the app.
WORKBOOK_ACTIVITY_TYPES: tuple[str, ...] = ("view", "search", "add_to_cart", "wishlist_add", "click_promo", "purchase")

EVENT_SIGNALS: dict[str, EventMeaning] = {
    # Webhook types (events/webhook_types.py CANONICAL_TYPES), grouped as there.
    "payment.failed": EventMeaning(
        TROUBLE, "a payment did not go through: a failed Payment, and an unpaid order stops counting as spend"
    ),
    "payment.succeeded": EventMeaning(ENGAGEMENT, "the customer paid: money arrived, the plainest sign of buying"),
    "payment.method_expired": EventMeaning(
        TROUBLE, "a provider's notice that the card on file expired: the next payment will fail unless they act"
    ),
    "subscription.payment_failed": EventMeaning(TROUBLE, "a renewal payment did not go through, as payment.failed"),
    "subscription.cancelled": EventMeaning(LEAVING, "the customer ended their subscription: a step out of the door"),
    "subscription.cancel_scheduled": EventMeaning(
        LEAVING, "the customer asked to end their subscription at the period's end: leaving, with time to talk"
    ),
    "subscription.reactivated": EventMeaning(
        ENGAGEMENT, "the customer undid a scheduled cancellation: they chose to stay and keep paying"
    ),
    "refund.requested": EventMeaning(TROUBLE, "money is going back: something about the order went wrong"),
    "dispute.created": EventMeaning(
        TROUBLE, "a chargeback: the strongest complaint a customer can make about a payment"
    ),
    "order.placed": EventMeaning(ENGAGEMENT, "the customer placed an order: buying, the plainest sign they are here"),
    "order.shipped": EventMeaning(
        NEUTRAL, "the shop sent an order on its way: the shop's act; placing it already counted as engagement"
    ),
    "order.delayed": EventMeaning(
        TROUBLE, "the shop is late with an order: the shop's failure, not the customer's act"
    ),
    "order.cancelled": EventMeaning(TROUBLE, "an order that will not arrive: it leaves orders and spend"),
    "order.delivered": EventMeaning(
        NEUTRAL,
        "the shop fulfilled an order; placing it already counted as engagement, delivering it is the shop's act",
    ),
    "shipment.delayed": EventMeaning(TROUBLE, "a parcel is late: delivery trouble, as order.delayed"),
    "shipment.failed": EventMeaning(
        TROUBLE, "the carrier could not deliver the parcel: the customer is still waiting for what they paid for"
    ),
    "return.initiated": EventMeaning(TROUBLE, "the customer is sending goods back: they did not get what they wanted"),
    "cart.abandoned": EventMeaning(
        TROUBLE, "a purchase started and not finished: friction (price, shipping, payment), not a sign of buying"
    ),
    "product.out_of_stock": EventMeaning(TROUBLE, "the shop could not sell the customer what they wanted"),
    "product.back_in_stock": EventMeaning(NEUTRAL, "a notice about a product; it says nothing about the customer"),
    "nps.detractor": EventMeaning(TROUBLE, "an unhappy answer (0-6), recorded as the latest NPS"),
    "nps.passive": EventMeaning(
        NEUTRAL, "a lukewarm answer (7-8): recorded as the latest NPS, which scores it; neither praise nor trouble"
    ),
    "nps.promoter": EventMeaning(ENGAGEMENT, "the customer chose to say they would recommend the shop (9-10)"),
    "review.negative": EventMeaning(TROUBLE, "the customer complained in public"),
    "review.positive": EventMeaning(ENGAGEMENT, "the customer chose to write in praise of the shop"),
    "support.ticket.created": EventMeaning(
        TROUBLE, "the customer needed help: counted among tickets; contact about a problem is not engagement"
    ),
    "support.ticket.escalated": EventMeaning(TROUBLE, "a problem support could not settle at first contact"),
    "support.ticket.resolved": EventMeaning(
        NEUTRAL, "support closed a ticket: the problem is settled, but closing it is the shop's act, not the customer's"
    ),
    "support.ticket.updated": EventMeaning(
        NEUTRAL,
        "support changed a ticket's status or priority: the ticket sheet records it, and the ticket "
        "already counted when it was opened",
    ),
    "support.ticket.commented": EventMeaning(
        NEUTRAL, "a message on a ticket already counted: the ticket is the trouble, a reply is not a new one"
    ),
    "satisfaction.bad": EventMeaning(TROUBLE, "the customer rated the help they got as bad"),
    "satisfaction.good": EventMeaning(ENGAGEMENT, "the customer chose to rate the help they got as good"),
    "app.inactive": EventMeaning(LEAVING, "the app reports the customer stopped opening it"),
    "email.unsubscribe": EventMeaning(LEAVING, "the customer asked for no more email from the shop"),
    "email.subscribed": EventMeaning(
        NEUTRAL,
        "marketing consent given; shops also set it in bulk (imports, checkout defaults), so it is recorded "
        "on the customer but not read as a choice to engage",
    ),
    # The workbook's activity types: browsing and buying the customer chose.
    "view": EventMeaning(ENGAGEMENT, "the customer looked at a product"),
    "search": EventMeaning(ENGAGEMENT, "the customer searched the shop"),
    "add_to_cart": EventMeaning(ENGAGEMENT, "the customer put a product in their cart"),
    "wishlist_add": EventMeaning(ENGAGEMENT, "the customer saved a product for later"),
    "click_promo": EventMeaning(ENGAGEMENT, "the customer followed a promotion"),
    "purchase": EventMeaning(ENGAGEMENT, "the customer bought"),
}


def event_signal(event_type: str) -> EventSignal:
    """What `event_type` means; a type not in the table is neutral."""
    meaning = EVENT_SIGNALS.get(event_type)
    return meaning.signal if meaning is not None else EventSignal.NEUTRAL


def event_types_with(signal: EventSignal | str) -> tuple[str, ...]:
    """The declared event types with this meaning, in table order. For neutral, only the declared
    ones: an undeclared type is neutral too, so count neutral events as "none of the others"."""
    wanted = EventSignal(signal)
    return tuple(name for name, meaning in EVENT_SIGNALS.items() if meaning.signal == wanted)
