"""Events stored the way webhook ingestion stores them, for tests of what they then do to the
sheets and the score (events_process does the same: event_effects_apply, then customer_rescore)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from customers.event_semantics import WORKBOOK_ACTIVITY_TYPES
from customers.models import Customer, CustomerEvent
from events.descriptions import event_description
from events.services import event_id_for
from events.webhook_types import CanonicalEvent, CustomerRef
from tests.factories import make_event

PAYMENT_TYPES = ("payment.failed", "subscription.payment_failed", "payment.succeeded")
DELAY_TYPES = ("order.delayed", "shipment.delayed")
NPS_SCORES = {"nps.detractor": 3, "nps.passive": 7, "nps.promoter": 10}
NEW_TICKET_ID = "ZD-90001"  # a ticket ProCX has not seen


def event_metadata(event_type: str, *, order_id: str | None, ticket_id: str | None) -> dict[str, Any]:
    """The facts an adapter gives an event of this type (events.providers), naming `order_id`
    (when given) and, for ticket events other than a new ticket, `ticket_id`."""
    data: dict[str, Any] = {"order_id": order_id} if order_id else {}
    if event_type in PAYMENT_TYPES or event_type in ("refund.requested", "dispute.created", "return.initiated"):
        data |= {"amount": "100.00", "currency": "USD"}
    if event_type in ("payment.failed", "subscription.payment_failed"):
        data |= {"reason": "card_declined", "attempt": 1}
    if event_type == "subscription.payment_failed":
        data["subscription_id"] = "sub_1Q2w3E"
    if event_type in DELAY_TYPES:
        data["delay_days"] = 3
    if event_type in NPS_SCORES:
        data |= {"nps_score": NPS_SCORES[event_type], "feedback": "It was fine."}
    if event_type.startswith("support.ticket."):
        data |= {"ticket_id": NEW_TICKET_ID if event_type.endswith(".created") else ticket_id, "priority": "high"}
    return data


def store_event(
    customer: Customer, event_type: str, data: dict[str, Any], *, at: dt.datetime, source: str = "procx"
) -> CustomerEvent:
    """A workbook activity row for the workbook's types; otherwise a webhook event as ingestion
    stores it (id, category, description, metadata, delivery key), not yet processed."""
    if event_type in WORKBOOK_ACTIVITY_TYPES:
        return make_event(customer, event_type=event_type, event_time=at)
    canonical = CanonicalEvent(
        source=source,
        event_type=event_type,
        native_type=event_type,
        delivery_id=f"msg_{uuid.uuid4().hex}",
        occurred_at=at,
        customer=CustomerRef(customer_id=customer.pk),
        data=data,
    )
    return make_event(
        customer,
        event_id=event_id_for(canonical),
        event_type=event_type,
        event_time=at,
        product_id="",
        session_id="",
        device="",
        source=source,
        category=canonical.category,
        description=event_description(canonical),
        metadata={**data, "native_type": event_type},
        delivery_key=f"{source}:{canonical.delivery_id}",
        received_at=at,
    )
