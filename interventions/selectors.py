"""Reads for the staff pages: each page's data in a fixed number of queries, whatever the data size.

The dashboard reads what the latest scan stored (counts, the health histogram, its findings)
rather than recomputing it; lists are paginated or cut at a limit, so a page costs the same
with a hundred customers or a hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from customers.health import FACTORS, factor_reasons
from customers.models import Customer, HealthScore, NpsResponse, Order, Payment, ScanFinding, ScanRun, SupportTicket
from customers.selectors import current_churn_model, customer_health_history
from events.models import CustomerEvent, DeliveryOutcome, WebhookDelivery
from interventions.models import Intervention, Status

RECENT_SCANS = 30
TOP_AT_RISK = 10
TIMELINE_LIMIT = 100  # newest entries of a customer's timeline shown
HEALTH_HISTORY_DAYS = 90  # the customer page charts one point a day
FEED_LIMIT = 50


@dataclass
class Dashboard:
    latest_scan: ScanRun | None
    active_scan: ScanRun | None
    recent_scans: list[ScanRun]
    top_findings: list[ScanFinding]
    status_counts: dict[str, int]
    events_last_day: int
    value_pending: Decimal

    @property
    def pending(self) -> int:
        return self.status_counts.get(Status.PENDING_REVIEW, 0)


def status_counts() -> dict[str, int]:
    """How many interventions are in each status (one grouped query)."""
    counts = {status: 0 for status in Status.values}
    for row in Intervention.objects.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    return counts


def dashboard_read(*, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    finished = ScanRun.objects.filter(status=ScanRun.Status.FINISHED).order_by("-started_at")
    recent = list(
        finished.only("pk", "started_at", "value_at_risk", "at_risk_count", "customers_scanned")[:RECENT_SCANS]
    )
    latest = finished.first() if recent else None
    return Dashboard(
        latest_scan=latest,
        active_scan=active_scan(),
        recent_scans=list(reversed(recent)),
        top_findings=(
            list(ScanFinding.objects.filter(scan=latest).select_related("customer").order_by("rank")[:TOP_AT_RISK])
            if latest
            else []
        ),
        status_counts=status_counts(),
        events_last_day=CustomerEvent.objects.filter(event_time__gte=now - dt.timedelta(hours=24)).count(),
        value_pending=Intervention.objects.filter(status=Status.PENDING_REVIEW)
        .order_by()
        .aggregate(total=Sum("value_at_risk"))["total"]
        or Decimal("0"),
    )


def active_scan() -> ScanRun | None:
    """A scan queued or running now, if any (the newest); not one older than the task timeout,
    which a stopped worker left behind."""
    cutoff = timezone.now() - dt.timedelta(seconds=int(settings.Q_CLUSTER.get("timeout", 600)))
    return (
        ScanRun.objects.filter(status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING], started_at__gte=cutoff)
        .order_by("-started_at")
        .first()
    )


# --- The queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, from the query string; blank means any. Status defaults to pending."""

    status: str = Status.PENDING_REVIEW
    channel: str = ""
    segment: str = ""
    language: str = ""
    priority: str = ""
    origin: str = ""
    search: str = ""

    FIELDS = ("status", "channel", "segment", "language", "priority", "origin", "search")

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        values = {name: str(query.get(name, "")).strip()[:100] for name in cls.FIELDS}
        if "status" not in query:
            values["status"] = Status.PENDING_REVIEW
        return cls(**values)

    def as_query(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.FIELDS}


def queue_queryset(filters: QueueFilters) -> QuerySet[Intervention]:
    """Interventions matching the filters, the most value at risk first."""
    queryset = Intervention.objects.select_related("customer", "reviewed_by")
    for name, lookup in (
        ("status", "status"),
        ("channel", "channel"),
        ("segment", "customer__segment"),
        ("language", "message_language"),
        ("priority", "priority"),
        ("origin", "origin"),
    ):
        value = getattr(filters, name)
        if value:
            queryset = queryset.filter(**{lookup: value})
    if filters.search:
        queryset = queryset.filter(customer_matches(filters.search, through="customer__"))
    return queryset.order_by("-value_at_risk", "-pk")


# --- One intervention ----------------------------------------------------------------------


@dataclass
class FactorRow:
    label: str
    points: float
    maximum: float
    no_data: bool
    reason: str


def factor_rows(snapshot: HealthScore | None) -> list[FactorRow]:
    """The ten factors of a stored score, each with what decided it; empty without a score."""
    if snapshot is None:
        return []
    points = {factor.name: float(snapshot.points.get(factor.name, 0.0)) for factor in FACTORS}
    inputs = {factor.name: (snapshot.inputs or {}).get(factor.name) for factor in FACTORS}
    no_data = {factor.name: factor.name in (snapshot.no_data or []) for factor in FACTORS}
    return [
        FactorRow(
            label=entry["label"],
            points=entry["points"],
            maximum=entry["max_points"],
            no_data=entry["no_data"],
            reason=entry["reason"],
        )
        for entry in factor_reasons(points, inputs, no_data)
    ]


@dataclass
class InterventionPage:
    intervention: Intervention
    snapshot: HealthScore | None
    factors: list[FactorRow]
    steps: list[Any]
    activities: list[Any]
    outbox: list[Any]
    model_auc: float | None


def intervention_page_read(*, pk: int) -> InterventionPage:
    intervention = Intervention.objects.select_related(
        "customer", "reviewed_by", "edited_by", "scan_finding", "event"
    ).get(pk=pk)
    snapshot = HealthScore.objects.filter(customer_id=intervention.customer_id).order_by("-as_of", "-pk").first()
    model = current_churn_model() if intervention.risk_source == "model" else None
    auc = (model.metrics or {}).get("roc_auc") if model is not None else None
    return InterventionPage(
        intervention=intervention,
        snapshot=snapshot,
        factors=factor_rows(snapshot),
        steps=list(intervention.steps.order_by("position")),
        activities=list(intervention.activities.select_related("actor").order_by("-at", "-pk")),
        outbox=list(intervention.outbox.select_related("sent_by").order_by("-created_at")),
        model_auc=float(auc) if isinstance(auc, int | float) else None,
    )


# --- One customer ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # order, payment, ticket, nps, event
    title: str
    detail: str = ""
    tone: str = ""  # "bad", "good" or "": how the entry reads for the customer's health
    link: str = ""


@dataclass
class CustomerPage:
    customer: Customer
    history: list[dict[str, Any]]
    factors: list[FactorRow]
    timeline: list[TimelineEntry]
    interventions: list[Intervention]
    counts: dict[str, int] = field(default_factory=dict)


def _aware(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def customer_timeline(customer: Customer, *, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """Orders, payments, tickets, NPS answers and events merged, newest first: one query each,
    each cut at `limit`, so the merged list's newest `limit` entries are exact."""
    entries: list[TimelineEntry] = []
    for order in Order.objects.filter(customer=customer).order_by("-order_date")[:limit]:
        delay = f", {order.delivery_delay_days:g} days late" if order.delivery_delay_days else ""
        entries.append(
            TimelineEntry(
                at=_aware(order.order_date),
                kind="order",
                title=f"Order {order.pk}: ${order.total_amount:,.2f}, {order.items_count} item(s)",
                detail=f"{order.get_order_status_display()}{delay}; payment {order.get_payment_status_display().lower()}",
                tone="bad" if order.order_status in ("cancelled", "returned") or order.delivery_delay_days else "",
            )
        )
    for payment in Payment.objects.filter(customer=customer).order_by("-payment_date")[:limit]:
        failed = payment.status == "failed"
        entries.append(
            TimelineEntry(
                at=_aware(payment.payment_date),
                kind="payment",
                title=f"Payment {payment.pk}: ${payment.amount:,.2f} {payment.get_status_display().lower()}",
                detail=(f"{payment.get_payment_method_display()}" + (f", {payment.failure_reason}" if failed else "")),
                tone="bad" if failed else "",
            )
        )
    for ticket in SupportTicket.objects.filter(customer=customer).order_by("-created_at")[:limit]:
        escalated = " (escalated)" if ticket.escalation else ""
        entries.append(
            TimelineEntry(
                at=_aware(ticket.created_at),
                kind="ticket",
                title=f"Ticket {ticket.pk}: {ticket.get_category_display()}, {ticket.get_priority_display().lower()} "
                f"priority{escalated}",
                detail=ticket.initial_message,
                tone="bad" if ticket.escalation or ticket.is_unresolved else "",
            )
        )
    for answer in NpsResponse.objects.filter(customer=customer).order_by("-date")[:limit]:
        entries.append(
            TimelineEntry(
                at=_aware(answer.date),
                kind="nps",
                title=f"NPS {answer.nps_score} ({answer.category})",
                detail=answer.feedback_text,
                tone="bad" if answer.nps_score <= 6 else ("good" if answer.nps_score >= 9 else ""),
            )
        )
    for event in CustomerEvent.objects.filter(customer=customer).order_by("-event_time")[:limit]:
        webhook = event.delivery_key is not None
        entries.append(
            TimelineEntry(
                at=_aware(event.event_time),
                kind="event",
                title=event.event_type if not webhook else f"{event.event_type} (from {event.source})",
                detail=event.description or (f"product {event.product_id}" if event.product_id else ""),
                tone="bad" if event.category in ("COMPLAINT", "ORDER_CANCELLED", "ORDER_DELAYED") else "",
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def customer_page_read(*, customer_id: str) -> CustomerPage:
    customer = Customer.objects.get(pk=customer_id)
    history = customer_health_history(customer.pk, limit=HEALTH_HISTORY_DAYS, per_day=True)
    return CustomerPage(
        customer=customer,
        history=history,
        factors=factor_rows(history[0]["snapshot"] if history else None),
        timeline=customer_timeline(customer),
        interventions=list(customer.interventions.select_related("reviewed_by").order_by("-created_at")[:50]),
    )


def customer_matches(term: str, *, through: str = "") -> Q:
    """What staff type to find a customer: the id or email exactly, or the start of a name
    (`through` reaches the customer from another model, e.g. "customer__")."""
    term = term.strip()
    return (
        Q(**{f"{through}customer_id__iexact": term})
        | Q(**{f"{through}email__iexact": term})
        | Q(**{f"{through}first_name__istartswith": term})
        | Q(**{f"{through}last_name__istartswith": term})
    )


def customers_search(term: str) -> QuerySet[Customer]:
    """Customers for the search box, least healthy first."""
    queryset = Customer.objects.all()
    if term.strip():
        queryset = queryset.filter(customer_matches(term))
    return queryset.order_by("health_score", "customer_id")


# --- Events -------------------------------------------------------------------------------


def webhook_events(*, after: dt.datetime | None = None, limit: int = FEED_LIMIT) -> list[CustomerEvent]:
    """Webhook events newest first (received after `after`, for the feed's polling)."""
    queryset = CustomerEvent.objects.filter(received_at__isnull=False).select_related("customer")
    if after is not None:
        queryset = queryset.filter(received_at__gt=after)
    return list(queryset.order_by("-received_at", "-pk")[:limit])


def inbox_deliveries(*, limit: int = FEED_LIMIT) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX)
        .defer("body")
        .order_by("-received_at", "-pk")[:limit]
    )


def inbox_count() -> int:
    return WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX).count()


# --- Scans -------------------------------------------------------------------------------


def drafted_per_scan(scan_ids: list[int]) -> dict[int, int]:
    """How many interventions each scan's findings led to."""
    rows = (
        Intervention.objects.filter(scan_finding__scan_id__in=scan_ids)
        .order_by()
        .values("scan_finding__scan_id")
        .annotate(count=Count("pk"))
    )
    return {row["scan_finding__scan_id"]: row["count"] for row in rows}
