"""Reads for the staff pages: each page's data in a fixed number of queries, whatever the data size.

The dashboard reads what the latest scan stored (counts, scores, its findings) rather than
recomputing it; lists are paginated or cut at a limit, so a page costs the same with a hundred
customers or a hundred thousand. "At risk" is the latest finished
scan's selection, read through customers.selectors and nowhere else.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from customers.health import HEALTH_BANDS
from customers.models import (
    Customer,
    CustomerEvent,
    HealthScore,
    NpsResponse,
    Order,
    Payment,
    ScanFinding,
    ScanRun,
    SupportTicket,
)
from customers.scan import HISTOGRAM_EDGES
from customers.selectors import (
    FactorRow,
    at_risk_findings,
    current_churn_model,
    customer_at_risk,
    customer_health_history,
    factor_rows,
    latest_finished_scan,
)
from events.models import DeliveryOutcome, WebhookDelivery
from events.services import UNKNOWN_CUSTOMER, delivery_waiting_for
from interventions.models import Intervention, Status
from interventions.selectors import status_counts
from procx_site.formats import money

RECENT_SCANS = 30


TOP_AT_RISK = 10


TIMELINE_LIMIT = 100  # newest entries of a customer's timeline shown


HEALTH_HISTORY_DAYS = 90  # the customer page charts one point a day


FEED_LIMIT = 50


@dataclass(frozen=True)
class HealthHistogram:
    """How many customers the scan scored in each bin of health, and how many of each bin are
    in its at-risk selection. Bins split at every health band edge, so each lies in one band,
    except when only the scan's stored tenths are left (see health_histogram_read)."""

    edges: tuple[float, ...]
    counts: list[int]
    selected: list[int]


@dataclass
class Dashboard:
    latest_scan: ScanRun | None
    active_scan: ScanRun | None
    recent_scans: list[ScanRun]
    top_findings: list[ScanFinding]
    at_risk_count: int
    histogram: HealthHistogram
    status_counts: dict[str, int]
    events_last_day: int
    value_pending: Decimal

    @property
    def pending(self) -> int:
        return self.status_counts.get(Status.PENDING_REVIEW, 0)


# Scans stored before HISTOGRAM_EDGES were split at the band edges counted plain tenths.
LEGACY_TENTHS: tuple[float, ...] = tuple(float(edge) for edge in range(0, 101, 10))


def histogram_edges() -> tuple[float, ...]:
    """The scan's tenths of 0-100, split at every health band edge (70-75 and 75-80, not 70-80),
    so that every bin is coloured by exactly one band."""
    low, high = float(HISTOGRAM_EDGES[0]), float(HISTOGRAM_EDGES[-1])
    band_edges = {float(upper) for upper, _ in HEALTH_BANDS if low < upper < high}
    return tuple(sorted({float(edge) for edge in HISTOGRAM_EDGES} | band_edges))


def bin_counts(values: list[float], edges: tuple[float, ...]) -> list[int]:
    """numpy.histogram's rule: each bin holds [lower, upper), the last one its upper edge too;
    a value outside the edges counts in the nearest bin, so every value is counted once."""
    counts = [0] * (len(edges) - 1)
    for value in values:
        index = bisect.bisect_right(edges, value) - 1
        counts[min(max(index, 0), len(counts) - 1)] += 1
    return counts


def health_histogram_read(scan: ScanRun | None) -> HealthHistogram:
    """The scan's health histogram with its at-risk selection per bin (two queries at most).

    The scan stores its counts per bin of HISTOGRAM_EDGES, which are split at every band edge, so
    they are used as they are. A scan stored with other edges (tenths only, before the band
    edges were added) is counted again from its stored scores, so that no bin straddles two
    bands; only where those scores were pruned are its stored tenths shown as they are, and the
    chart draws a straddling bin as mixed.
    """
    edges = histogram_edges()
    if scan is None:
        return HealthHistogram(edges=edges, counts=[], selected=[])
    stored = [int(count) for count in scan.health_histogram or []]
    tenths = tuple(float(edge) for edge in HISTOGRAM_EDGES)
    if edges == tenths and len(stored) == len(edges) - 1:
        counts = stored
    else:
        conditions = [Q(score__gte=low, score__lt=high) for low, high in itertools.pairwise(edges)]
        conditions[-1] = Q(score__gte=edges[-2], score__lte=edges[-1])
        totals = HealthScore.objects.filter(scan=scan).aggregate(
            **{f"bin_{index}": Count("pk", filter=condition) for index, condition in enumerate(conditions)}
        )
        counts = [int(totals[f"bin_{index}"] or 0) for index in range(len(conditions))]
        if not any(counts):
            # The scores were pruned: show the stored counts by the edges they were stored with.
            for stored_edges in (tenths, LEGACY_TENTHS):
                if len(stored) == len(stored_edges) - 1:
                    edges, counts = stored_edges, stored
                    break
    scores = list(ScanFinding.objects.filter(scan=scan, left_at=None).values_list("health_score", flat=True))
    return HealthHistogram(edges=edges, counts=counts, selected=bin_counts(scores, edges))


def dashboard_read(*, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    finished = ScanRun.objects.filter(status=ScanRun.Status.FINISHED).order_by("-started_at", "-pk")
    recent = list(
        finished.only("pk", "started_at", "value_at_risk", "at_risk_count", "customers_scanned")[:RECENT_SCANS]
    )
    latest = latest_finished_scan() if recent else None
    histogram = health_histogram_read(latest)
    return Dashboard(
        latest_scan=latest,
        active_scan=active_scan(),
        recent_scans=list(reversed(recent)),
        top_findings=at_risk_findings(latest, limit=TOP_AT_RISK),
        at_risk_count=sum(histogram.selected),
        histogram=histogram,
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
    cutoff = timezone.now() - dt.timedelta(seconds=int(settings.Q_CLUSTER.get("timeout", 600)))  # type: ignore[call-overload]  # settings are untyped dicts to the stubs
    return (
        ScanRun.objects.filter(status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING], started_at__gte=cutoff)
        .order_by("-started_at")
        .first()
    )


@dataclass
class InterventionPage:
    intervention: Intervention
    snapshot: HealthScore | None
    factors: list[FactorRow]
    steps: list[Any]
    activities: list[Any]
    outbox: list[Any]
    model_auc: float | None
    scan: ScanRun | None = None  # the latest finished scan, whose selection is the at-risk list
    at_risk: ScanFinding | None = None  # the customer's place in that selection, if they have one


def intervention_page_read(*, pk: int) -> InterventionPage:
    intervention = Intervention.objects.select_related(
        "customer", "reviewed_by", "edited_by", "scan_finding", "event"
    ).get(pk=pk)
    snapshot = HealthScore.objects.filter(customer_id=intervention.customer_id).order_by("-as_of", "-pk").first()
    model = current_churn_model() if intervention.risk_source == "model" else None
    auc = (model.metrics or {}).get("roc_auc") if model is not None else None
    scan = latest_finished_scan()
    return InterventionPage(
        intervention=intervention,
        snapshot=snapshot,
        factors=factor_rows(snapshot),
        steps=list(intervention.steps.order_by("position")),
        activities=list(intervention.activities.select_related("actor").order_by("-at", "-pk")),
        outbox=list(intervention.outbox.select_related("sent_by").order_by("-created_at")),
        model_auc=float(auc) if isinstance(auc, int | float) else None,
        scan=scan,
        at_risk=customer_at_risk(intervention.customer_id, scan),
    )


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
    scan: ScanRun | None = None  # the latest finished scan, whose selection is the at-risk list
    at_risk: ScanFinding | None = None  # the customer's place in that selection, if they have one
    left: ScanFinding | None = None  # or the place they left since the scan (an event re-scored them out)
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
                title=f"Order {order.pk}: {money(order.total_amount)}, {order.items_count} item(s)",
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
                title=f"Payment {payment.pk}: {money(payment.amount)} {payment.get_status_display().lower()}",
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
    scan = latest_finished_scan()
    return CustomerPage(
        customer=customer,
        history=history,
        factors=factor_rows(history[0]["snapshot"] if history else None),
        timeline=customer_timeline(customer),
        interventions=list(customer.interventions.select_related("reviewed_by").order_by("-created_at")[:50]),
        scan=scan,
        at_risk=customer_at_risk(customer.pk, scan),
        left=(
            ScanFinding.objects.filter(scan=scan, customer=customer, left_at__isnull=False).first()
            if scan is not None
            else None
        ),
    )


def webhook_events(*, after: dt.datetime | None = None, limit: int = FEED_LIMIT) -> list[CustomerEvent]:
    """Webhook events newest first (received after `after`, for the feed's polling)."""
    queryset = CustomerEvent.objects.filter(received_at__isnull=False).select_related("customer")
    if after is not None:
        queryset = queryset.filter(received_at__gt=after)
    return list(queryset.order_by("-received_at", "-pk")[:limit])


def inbox_deliveries(*, limit: int = FEED_LIMIT) -> list[WebhookDelivery]:
    """The newest inbox deliveries, each with `waiting_for`: the provider customer it waits
    for, when that is why it waits (see with_waiting_for)."""
    return with_waiting_for(
        list(
            WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX)
            .defer("body")
            .order_by("-received_at", "-pk")[:limit]
        )
    )


def with_waiting_for(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    """Set `waiting_for` (events.services.WaitingFor or None) on each delivery. An entry logged
    before the id was recorded is read again from its body: those bodies are loaded in one
    query, not one each."""
    legacy = [
        delivery
        for delivery in deliveries
        if delivery.outcome == DeliveryOutcome.INBOX
        and not delivery.provider_customer_id
        and delivery.error.startswith(UNKNOWN_CUSTOMER)
        and "body" in delivery.get_deferred_fields()
    ]
    if legacy:
        bodies = dict(
            WebhookDelivery.objects.filter(pk__in=[delivery.pk for delivery in legacy]).values_list("pk", "body")
        )
        for delivery in legacy:
            delivery.body = bodies.get(delivery.pk, "")
    for delivery in deliveries:
        delivery.waiting_for = delivery_waiting_for(delivery)  # type: ignore[attr-defined]
    return deliveries


def inbox_count() -> int:
    return WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX).count()
