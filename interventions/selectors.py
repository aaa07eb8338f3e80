"""Reads of interventions that pages, the admin and commands share: the review queue and its
filters, counts by status, drafts per scan. "At risk" comes from customers.selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from customers.models import (
    ScanRun,
)
from customers.selectors import at_risk_rank, customer_matches
from interventions.models import Intervention, Status


def status_counts() -> dict[str, int]:
    """How many interventions are in each status (one grouped query)."""
    counts = {status: 0 for status in Status.values}
    for row in Intervention.objects.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    return counts


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


def queue_rows(scan: ScanRun | None) -> QuerySet[Intervention]:
    """Interventions as the queue shows them: with the customer, the reviewer, and
    `at_risk_rank`, the customer's rank in `scan`'s selection (None when not in it)."""
    return Intervention.objects.select_related("customer", "reviewed_by").annotate(
        at_risk_rank=at_risk_rank(scan, customer="customer_id")
    )


def queue_queryset(filters: QueueFilters, *, scan: ScanRun | None = None) -> QuerySet[Intervention]:
    """Interventions matching the filters, the most value at risk first (see queue_rows)."""
    queryset = queue_rows(scan)
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


def drafted_per_scan(scan_ids: list[int]) -> dict[int, int]:
    """How many interventions each scan's findings led to."""
    rows = (
        Intervention.objects.filter(scan_finding__scan_id__in=scan_ids)
        .order_by()
        .values("scan_finding__scan_id")
        .annotate(count=Count("pk"))
    )
    return {row["scan_finding__scan_id"]: row["count"] for row in rows}
