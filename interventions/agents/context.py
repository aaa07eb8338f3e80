"""Stage 1, Context: everything about one customer the later stages may use, read by code.

A bounded, recent slice of the customer's story (the last year of orders and payments, the
last tickets, NPS answers and events), the stored health breakdown behind the risk, the
language to write in, and when ProCX last actually sent them something. One query per table,
so drafting stays fast when the scan hands over its top findings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from customers.health import health_band
from customers.models import Customer, CustomerEvent, HealthScore, NpsResponse, Order, Payment, SupportTicket
from customers.selectors import factor_rows
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
    contexts = contexts_build(triggers={customer_id: trigger}, as_of=as_of)
    if customer_id not in contexts:
        raise Customer.DoesNotExist(f"no customer {customer_id}")
    return contexts[customer_id]


def _rows_by_customer(queryset: QuerySet, fields: tuple[str, ...], limit: int) -> dict[str, list[dict[str, Any]]]:
    """The rows of `queryset` (ordered newest first) grouped per customer, at most `limit` each."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in queryset.values("customer_id", *fields):
        rows = grouped[row.pop("customer_id")]
        if len(rows) < limit:
            rows.append(row)
    return grouped


ORDER_FIELDS = tuple(OrderView.model_fields)
PAYMENT_FIELDS = tuple(PaymentView.model_fields)
TICKET_FIELDS = tuple(TicketView.model_fields)
NPS_FIELDS = tuple(NpsView.model_fields)
EVENT_FIELDS = tuple(EventView.model_fields)


def contexts_build(*, triggers: Mapping[str, Trigger], as_of: dt.datetime) -> dict[str, CustomerContext]:
    """Read the contexts of many customers at once: one query per table, whatever their number.

    `triggers` maps each customer id to why the pipeline runs for them; unknown ids are left
    out of the result. This is what keeps drafting for a scan's top findings fast: the
    per-customer cost is building the typed objects, not SQL.
    """
    ids = list(triggers)
    since = as_of - dt.timedelta(days=HISTORY_DAYS)
    snapshots_of = HealthScore.objects.filter(customer_id=OuterRef("pk")).order_by("-as_of", "-pk").values("pk")
    customers = list(
        Customer.objects.filter(pk__in=ids).annotate(
            snapshot_pk=Subquery(snapshots_of.filter(as_of__lte=as_of)[:1]),
            any_snapshot_pk=Subquery(snapshots_of[:1]),
            last_sent_at=Subquery(
                Intervention.objects.filter(customer_id=OuterRef("pk"), status=Status.SENT)
                .order_by("-sent_at")
                .values("sent_at")[:1]
            ),
        )
    )
    snapshots = HealthScore.objects.in_bulk(
        [customer.snapshot_pk or customer.any_snapshot_pk for customer in customers if customer.any_snapshot_pk]
    )
    orders = _rows_by_customer(
        Order.objects.filter(customer_id__in=ids, order_date__gte=since, order_date__lte=as_of).order_by(
            "customer_id", "-order_date"
        ),
        ORDER_FIELDS,
        MAX_ORDERS,
    )
    payments = _rows_by_customer(
        Payment.objects.filter(customer_id__in=ids, payment_date__gte=since, payment_date__lte=as_of).order_by(
            "customer_id", "-payment_date"
        ),
        PAYMENT_FIELDS,
        MAX_PAYMENTS,
    )
    tickets = _rows_by_customer(
        SupportTicket.objects.filter(customer_id__in=ids, created_at__lte=as_of).order_by("customer_id", "-created_at"),
        TICKET_FIELDS,
        MAX_TICKETS,
    )
    answers = _rows_by_customer(
        NpsResponse.objects.filter(customer_id__in=ids, date__lte=as_of).order_by("customer_id", "-date"),
        NPS_FIELDS,
        MAX_NPS,
    )
    events = _rows_by_customer(
        CustomerEvent.objects.filter(customer_id__in=ids, event_time__gte=since, event_time__lte=as_of).order_by(
            "customer_id", "-event_time"
        ),
        EVENT_FIELDS,
        MAX_EVENTS,
    )
    contexts = {}
    for customer in customers:
        customer_id = customer.pk
        trigger = triggers[customer_id]
        snapshot = snapshots.get(customer.snapshot_pk or customer.any_snapshot_pk)
        contexts[customer_id] = _context(
            customer,
            trigger=trigger,
            as_of=as_of,
            snapshot=snapshot,
            orders=orders.get(customer_id, ()),
            payments=payments.get(customer_id, ()),
            tickets=tickets.get(customer_id, ()),
            answers=answers.get(customer_id, ()),
            events=events.get(customer_id, ()),
        )
    return contexts


def _context(
    customer: Customer,
    *,
    trigger: Trigger,
    as_of: dt.datetime,
    snapshot: HealthScore | None,
    orders: Iterable[dict[str, Any]],
    payments: Iterable[dict[str, Any]],
    tickets: Iterable[dict[str, Any]],
    answers: Iterable[dict[str, Any]],
    events: Iterable[dict[str, Any]],
) -> CustomerContext:
    choice = resolve_language(profile_language=customer.language, text=trigger.customer_text or None)
    for row in tickets:
        row["order_id"] = row["order_id"] or ""
        row["initial_message"] = _clip(row["initial_message"])
    for row in answers:
        row["feedback_text"] = _clip(row["feedback_text"])
    for row in events:
        row["description"] = _clip(row["description"])
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
            code=choice.code,
            source=choice.source,  # type: ignore[arg-type]  # a str in interventions.language, one of the same three values
            detected=choice.detected,
            mismatch=choice.mismatch,
            note=choice.note,
        ),
        health=_health(customer, snapshot),
        orders=tuple(OrderView(**row) for row in orders),
        payments=tuple(PaymentView(**row) for row in payments),
        tickets=tuple(TicketView(**row) for row in tickets),
        nps=tuple(NpsView(**row) for row in answers),
        events=tuple(EventView(**row) for row in events),
        last_contacted_at=customer.last_sent_at,  # type: ignore[attr-defined]  # a queryset annotation the stubs cannot see
    )


def _health(customer: Customer, snapshot: HealthScore | None) -> Health:
    if snapshot is None:
        return Health()
    return Health(
        score=snapshot.score,
        band=health_band(snapshot.score),
        trend=customer.health_trend,
        churn_risk=snapshot.churn_risk,
        risk_source=snapshot.risk_source,
        factors=tuple(FactorView(**dataclasses.asdict(row)) for row in factor_rows(snapshot)),
    )
