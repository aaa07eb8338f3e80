"""Stage 1, Context: everything about one customer the later stages may use, read by code.

A bounded, recent slice of the customer's story (the last year of orders and payments, the
last tickets, NPS answers and events), the stored health breakdown behind the risk, the
language to write in, and when ProCX last actually sent them something. One query per table,
so drafting stays fast when the scan hands over its top findings.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from customers.health import factor_reasons, health_band
from customers.models import Customer, HealthScore, NpsResponse, Order, Payment, SupportTicket
from events.models import CustomerEvent
from interventions.agents.types import (
    CustomerContext,
    EventView,
    FactorView,
    Health,
    LanguageView,
    NpsView,
    OrderView,
    PaymentView,
    Profile,
    TicketView,
    Trigger,
)
from interventions.language import resolve_language
from interventions.models import Intervention, Status

# How much history the stages see: a year covers the spending windows the Pattern stage
# compares (two quarters) and the usual gap between orders; the caps keep one prolific
# customer from making the context (and a model prompt) huge.
HISTORY_DAYS = 365
MAX_ORDERS = 40
MAX_PAYMENTS = 40
MAX_TICKETS = 15
MAX_NPS = 5
MAX_EVENTS = 15
MAX_TEXT = 500  # characters of a ticket's or survey's free text


def _clip(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"


def context_build(*, customer_id: str, trigger: Trigger, as_of: dt.datetime) -> CustomerContext:
    """Read one customer's context as of `as_of` (nothing after it is seen).

    Raises Customer.DoesNotExist for an unknown id.
    """
    customer = Customer.objects.get(pk=customer_id)
    since = as_of - dt.timedelta(days=HISTORY_DAYS)

    orders = Order.objects.filter(customer_id=customer_id, order_date__gte=since, order_date__lte=as_of).order_by(
        "-order_date"
    )[:MAX_ORDERS]
    payments = Payment.objects.filter(
        customer_id=customer_id, payment_date__gte=since, payment_date__lte=as_of
    ).order_by("-payment_date")[:MAX_PAYMENTS]
    tickets = SupportTicket.objects.filter(customer_id=customer_id, created_at__lte=as_of).order_by("-created_at")[
        :MAX_TICKETS
    ]
    answers = NpsResponse.objects.filter(customer_id=customer_id, date__lte=as_of).order_by("-date")[:MAX_NPS]
    events = CustomerEvent.objects.filter(customer_id=customer_id, event_time__lte=as_of).order_by("-event_time")[
        :MAX_EVENTS
    ]
    snapshot = (
        HealthScore.objects.filter(customer_id=customer_id, as_of__lte=as_of).order_by("-as_of", "-pk").first()
        or HealthScore.objects.filter(customer_id=customer_id).order_by("-as_of", "-pk").first()
    )
    last_sent = Intervention.objects.filter(customer_id=customer_id, status=Status.SENT).aggregate(Max("sent_at"))[
        "sent_at__max"
    ]

    choice = resolve_language(profile_language=customer.language, text=trigger.customer_text or None)
    return CustomerContext(
        as_of=as_of,
        trigger=trigger,
        profile=Profile(
            customer_id=customer.customer_id,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            phone=customer.phone,
            segment=customer.segment,
            loyalty_tier=customer.loyalty_tier,
            lifetime_value=float(customer.lifetime_value),
            avg_order_value=float(customer.avg_order_value),
            country=customer.country,
            city=customer.city,
            preferred_category=customer.preferred_category,
            profile_language=customer.language,
            opt_in_marketing=customer.opt_in_marketing,
            signup_date=customer.signup_date,
            last_active_date=customer.last_active_date,
        ),
        language=LanguageView(
            code=choice.code, source=choice.source, detected=choice.detected, mismatch=choice.mismatch, note=choice.note
        ),
        health=_health(customer, snapshot),
        orders=tuple(
            OrderView(
                order_id=order.order_id,
                order_date=order.order_date,
                total_amount=float(order.total_amount),
                items_count=order.items_count,
                order_status=order.order_status,
                payment_status=order.payment_status,
                estimated_delivery_date=order.estimated_delivery_date,
                actual_delivery_date=order.actual_delivery_date,
                delivery_delay_days=order.delivery_delay_days,
            )
            for order in orders
        ),
        payments=tuple(
            PaymentView(
                payment_id=payment.payment_id,
                order_id=payment.order_id,
                payment_date=payment.payment_date,
                amount=float(payment.amount),
                payment_method=payment.payment_method,
                status=payment.status,
                failure_reason=payment.failure_reason,
            )
            for payment in payments
        ),
        tickets=tuple(
            TicketView(
                ticket_id=ticket.ticket_id,
                order_id=ticket.order_id or "",
                created_at=ticket.created_at,
                category=ticket.category,
                priority=ticket.priority,
                status=ticket.status,
                escalation=ticket.escalation,
                sentiment_score=ticket.sentiment_score,
                csat_score=ticket.csat_score,
                initial_message=_clip(ticket.initial_message),
            )
            for ticket in tickets
        ),
        nps=tuple(
            NpsView(
                survey_id=answer.survey_id,
                date=answer.date,
                nps_score=answer.nps_score,
                feedback_text=_clip(answer.feedback_text),
            )
            for answer in answers
        ),
        events=tuple(
            EventView(
                event_id=event.event_id,
                event_time=event.event_time,
                event_type=event.event_type,
                category=event.category,
                description=_clip(event.description),
            )
            for event in events
        ),
        last_contacted_at=last_sent,
    )


def _health(customer: Customer, snapshot: HealthScore | None) -> Health:
    if snapshot is None:
        return Health()
    no_data = set(snapshot.no_data or [])
    reasons = factor_reasons(snapshot.points, snapshot.inputs, {name: name in no_data for name in snapshot.points})
    return Health(
        score=snapshot.score,
        band=health_band(snapshot.score),
        trend=customer.health_trend,
        churn_risk=snapshot.churn_risk,
        risk_source=snapshot.risk_source,
        factors=tuple(
            FactorView(
                factor=item["factor"],
                label=item["label"],
                points=item["points"],
                max_points=item["max_points"],
                no_data=item["no_data"],
                reason=item["reason"],
            )
            for item in reasons
        ),
    )
