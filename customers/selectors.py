"""Reads shared by services, commands and views."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils.text import smart_split, unescape_string_literal

from customers.behaviour import COUNT_COLUMNS, SIGNAL_COLUMNS
from customers.event_semantics import EventSignal, event_types_with
from customers.health import FACTORS, factor_reasons, health_trend
from customers.models import (
    UNRESOLVED_TICKET_STATUSES,
    ChurnLabel,
    ChurnModel,
    Customer,
    CustomerEvent,
    HealthScore,
    NpsResponse,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    ScanFinding,
    ScanRun,
    SupportTicket,
)
from customers.point_in_time import SheetHistory
from procx_site.formats import money


def customer_signals(*, as_of: dt.datetime, customer_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """The signals table (see customers/behaviour.py) at `as_of`, one row per customer.

    One aggregate query per sheet, whatever the number of customers: the database groups,
    Python never loops over customers. Rows dated after `as_of` are left out, so a scan of
    a past date sees what was known then. `customer_ids` limits the rows (a re-score).
    """
    ids = None if customer_ids is None else list(customer_ids)

    def scoped(queryset: QuerySet) -> QuerySet:
        return queryset if ids is None else queryset.filter(customer_id__in=ids)

    days = dt.timedelta(days=1)
    last_30, last_90, prev_90 = as_of - 30 * days, as_of - 90 * days, as_of - 180 * days

    customers = _frame(
        scoped(Customer.objects.all()).values_list(
            "customer_id", "segment", "loyalty_tier", "lifetime_value", "signup_date", "last_active_date"
        ),
        ["customer_id", "segment", "loyalty_tier", "lifetime_value", "signup_date", "last_active_date"],
    ).set_index("customer_id")
    customers["lifetime_value"] = customers["lifetime_value"].astype(float)
    for column in ("signup_date", "last_active_date"):
        customers[column] = pd.to_datetime(customers[column])

    in_last_90 = Q(order_date__gt=last_90)
    in_prev_90 = Q(order_date__gt=prev_90, order_date__lte=last_90)
    # A cancelled order, or one whose payment failed, is neither an order nor spend in a window;
    # orders_total still counts every order placed, so "never ordered" means exactly that.
    kept = ~Q(order_status=OrderStatus.CANCELLED) & ~Q(payment_status=PaymentStatus.FAILED)
    orders = _grouped(
        scoped(Order.objects.filter(order_date__lte=as_of)),
        orders_total=Count("pk"),
        orders_last_90=Count("pk", filter=in_last_90 & kept),
        orders_prev_90=Count("pk", filter=in_prev_90 & kept),
        spend_last_90=Sum("total_amount", filter=in_last_90 & kept),
        spend_prev_90=Sum("total_amount", filter=in_prev_90 & kept),
        last_order_at=Max("order_date"),
    )
    failed = Q(status=PaymentStatus.FAILED)
    payments = _grouped(
        scoped(Payment.objects.filter(payment_date__lte=as_of)),
        payments_last_30=Count("pk", filter=Q(payment_date__gt=last_30)),
        failed_payments_last_30=Count("pk", filter=Q(payment_date__gt=last_30) & failed),
        payments_last_90=Count("pk", filter=Q(payment_date__gt=last_90)),
        failed_payments_last_90=Count("pk", filter=Q(payment_date__gt=last_90) & failed),
        succeeded_payments_last_90=Count("pk", filter=Q(payment_date__gt=last_90, status=PaymentStatus.SUCCESS)),
        last_payment_at=Max("payment_date", filter=Q(status=PaymentStatus.SUCCESS)),
    )
    tickets = _grouped(
        scoped(SupportTicket.objects.filter(created_at__lte=as_of)),
        tickets_last_90=Count("pk", filter=Q(created_at__gt=last_90)),
        unresolved_tickets=Count("pk", filter=Q(status__in=UNRESOLVED_TICKET_STATUSES)),
        mean_ticket_sentiment=Avg("sentiment_score"),
        mean_csat=Avg("csat_score"),
        last_ticket_at=Max("created_at"),
    )
    # What an event means is its type's (customers.event_semantics), whatever its source: a
    # re-imported export carries webhook types with source "workbook".
    engagement = Q(event_type__in=event_types_with(EventSignal.ENGAGEMENT))
    leaving = Q(event_type__in=event_types_with(EventSignal.LEAVING))
    trouble = Q(event_type__in=event_types_with(EventSignal.TROUBLE))
    events = _grouped(
        scoped(CustomerEvent.objects.filter(event_time__lte=as_of)),
        events_last_30=Count("pk", filter=Q(event_time__gt=last_30) & engagement),
        leaving_signals_last_90=Count("pk", filter=Q(event_time__gt=last_90) & leaving),
        trouble_events_last_90=Count("pk", filter=Q(event_time__gt=last_90) & trouble),
        last_event_at=Max("event_time", filter=engagement),
    )
    nps = _latest_two_nps(scoped(NpsResponse.objects.filter(date__lte=as_of)))
    labels = _frame(
        scoped(ChurnLabel.objects.all()).values_list("customer_id", "is_churn"), ["customer_id", "churn_label"]
    ).set_index("customer_id")

    signals = customers.join([orders, payments, tickets, events, nps, labels], how="left")
    for column in COUNT_COLUMNS:
        signals[column] = signals[column].fillna(0).astype(int)
    for column in ("spend_last_90", "spend_prev_90"):
        signals[column] = signals[column].astype(float).fillna(0.0)
    for column in ("mean_ticket_sentiment", "mean_csat", "latest_nps", "previous_nps", "churn_label"):
        signals[column] = signals[column].astype(float)
    succeeded = signals["succeeded_payments_last_90"].fillna(0).astype(float)
    attempts = signals["payments_last_90"].astype(float)
    signals["payment_reliability_90"] = succeeded / attempts.where(attempts > 0)
    for column in ("last_order_at", "last_payment_at", "last_ticket_at", "nps_at", "last_event_at"):
        signals[column] = _naive_utc(signals[column])
    # Recency is engagement the customer chose: placing an order, paying, engagement events. A
    # failed payment, a ticket, a survey answer or trouble reported by webhook is contact about a
    # problem, not engagement: counting it would make a detractor's answer raise their health.
    signals["last_engagement_at"] = signals[["last_order_at", "last_payment_at", "last_event_at"]].max(axis=1)
    signals["last_activity_at"] = signals[["last_active_date", "last_engagement_at"]].max(axis=1)
    return signals[list(SIGNAL_COLUMNS)]


def _frame(rows: Iterable[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def _grouped(queryset: QuerySet, **aggregates: object) -> pd.DataFrame:
    rows = queryset.order_by().values("customer_id").annotate(**aggregates)
    frame = pd.DataFrame.from_records(list(rows), columns=["customer_id", *aggregates])
    return frame.set_index("customer_id")


def _latest_two_nps(queryset: QuerySet) -> pd.DataFrame:
    """Each customer's latest NPS answer and the one before it."""
    answers = _frame(
        queryset.order_by("customer_id", "date", "pk").values_list("customer_id", "date", "nps_score"),
        ["customer_id", "date", "nps_score"],
    )
    if answers.empty:
        return pd.DataFrame(columns=["latest_nps", "previous_nps", "nps_at"], index=pd.Index([], name="customer_id"))
    grouped = answers.groupby("customer_id", sort=False)
    latest = grouped.tail(1).set_index("customer_id")
    previous = grouped.nth(-2).set_index("customer_id")
    return pd.DataFrame(
        {
            "latest_nps": latest["nps_score"].astype(float),
            "previous_nps": previous["nps_score"].astype(float),
            "nps_at": latest["date"],
        }
    )


def _naive_utc(values: pd.Series) -> pd.Series:
    converted = pd.to_datetime(values, utc=True)
    return converted.dt.tz_localize(None).astype("datetime64[us]")


def current_churn_model(*, with_estimator: bool = True) -> ChurnModel | None:
    """The latest churn model; without its pickled estimator (a page that only shows its figures)."""
    models = ChurnModel.objects.order_by("-trained_at")
    return (models if with_estimator else models.defer("estimator")).first()


def customer_health_history(customer_id: str, *, limit: int = 60, per_day: bool = False) -> list[dict[str, Any]]:
    """A customer's snapshots, newest first, each with its trend and what moved since the one before.

    `per_day`: one point a day (the day's last snapshot) over the `limit` days up to the newest,
    for a chart: a scan every few minutes keeps a day of its snapshots (scan_history_prune), so
    the newest `limit` snapshots alone could span a few hours.
    """
    queryset = HealthScore.objects.filter(customer_id=customer_id).order_by("-as_of", "-pk")
    if per_day:
        newest = queryset.values_list("as_of", flat=True).first()
        if newest is None:
            return []
        recent = queryset.filter(as_of__gte=newest - dt.timedelta(days=limit + 1))
        by_day: dict[dt.date, HealthScore] = {}
        for snapshot in recent:
            by_day.setdefault(snapshot.as_of.date(), snapshot)  # newest first: the day's last
        snapshots = list(by_day.values())[: limit + 1]
    else:
        snapshots = list(queryset[: limit + 1])
    history: list[dict[str, Any]] = []
    for current, before in zip(snapshots, [*snapshots[1:], None], strict=False):
        if len(history) == limit:
            break
        trend, moved = health_trend(
            before.points if before else None, current.points, before.score if before else None, current.score
        )
        history.append({"snapshot": current, "trend": trend, "moved": moved})
    return history


def customer_history(*, as_of: dt.datetime) -> SheetHistory:
    """The sheets' rows up to `as_of`, for measuring signals at past cut-offs (customers.point_in_time).

    One query per sheet and only the columns the signals read; times as naive UTC. Heavier
    than `customer_signals` (rows, not aggregates): the churn model's training reads it, the
    scan does not.
    """

    def rows(queryset: QuerySet, columns: list[str]) -> pd.DataFrame:
        # The database's own values, not the ORM's: Django converts each value in Python (every
        # datetime made aware, one at a time), which was half of training at 100,000 customers;
        # pandas parses each column at once below.
        sql, params = queryset.order_by().values_list(*columns).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)

    def times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        for column in columns:
            # SQLite hands back ISO 8601 text in UTC, PostgreSQL aware datetimes.
            parsed = pd.to_datetime(frame[column], utc=True, format="ISO8601")
            frame[column] = parsed.dt.tz_localize(None).astype("datetime64[us]")
        return frame

    def dates(values: pd.Series) -> pd.Series:
        return pd.to_datetime(values, format="ISO8601").astype("datetime64[us]")

    customers = rows(
        Customer.objects.all(), ["customer_id", "segment", "loyalty_tier", "lifetime_value", "signup_date"]
    )
    customers["lifetime_value"] = customers["lifetime_value"].astype(float)
    customers["signup_date"] = dates(customers["signup_date"])
    orders = rows(
        Order.objects.filter(order_date__lte=as_of),
        ["customer_id", "order_date", "total_amount", "order_status", "payment_status"],
    )
    orders["total_amount"] = orders["total_amount"].astype(float)
    labels = rows(ChurnLabel.objects.all(), ["customer_id", "is_churn", "churn_date"])
    labels["is_churn"] = labels["is_churn"].astype(float)  # PostgreSQL booleans, SQLite 0 and 1
    labels["churn_date"] = dates(labels["churn_date"])
    return SheetHistory(
        customers=customers.set_index("customer_id"),
        orders=times(orders, "order_date"),
        payments=times(
            rows(Payment.objects.filter(payment_date__lte=as_of), ["customer_id", "payment_date", "status"]),
            "payment_date",
        ),
        tickets=times(
            rows(
                SupportTicket.objects.filter(created_at__lte=as_of),
                ["customer_id", "created_at", "status", "resolution_time_hours", "sentiment_score", "csat_score"],
            ),
            "created_at",
        ),
        nps=times(rows(NpsResponse.objects.filter(date__lte=as_of), ["customer_id", "date", "nps_score"]), "date"),
        events=times(
            rows(CustomerEvent.objects.filter(event_time__lte=as_of), ["customer_id", "event_time", "event_type"]),
            "event_time",
        ),
        labels=labels.set_index("customer_id"),
        as_of=pd.Timestamp(as_of.astimezone(dt.UTC).replace(tzinfo=None)),
    )


def latest_finished_scan() -> ScanRun | None:
    """The scan whose selection is the at-risk list: the newest that finished (a queued,
    running or failed scan selects nobody)."""
    return ScanRun.objects.filter(status=ScanRun.Status.FINISHED).order_by("-started_at", "-pk").first()


def at_risk_findings(scan: ScanRun | None, *, limit: int | None = None) -> list[ScanFinding]:
    """The scan's selection, ranked (most value at risk first), with each customer; without those
    who have left it since (an event re-scored them out of the rule: `ScanFinding.left_at`), here
    and in every at-risk selector below."""
    if scan is None:
        return []
    findings = ScanFinding.objects.filter(scan=scan, left_at=None).select_related("customer").order_by("rank")
    return list(findings[:limit] if limit is not None else findings)


def at_risk_customer_ids(scan: ScanRun | None) -> QuerySet[ScanFinding, str]:
    """The ids of the customers in the scan's selection, lazily: `set(...)` it, or filter a
    customer list with `pk__in=` it in one query."""
    findings = ScanFinding.objects.filter(scan=scan, left_at=None) if scan is not None else ScanFinding.objects.none()
    return findings.values_list("customer_id", flat=True)


def customer_at_risk(customer_id: str, scan: ScanRun | None) -> ScanFinding | None:
    """The customer's finding in the scan's selection: they are at risk exactly when there is one."""
    if scan is None:
        return None
    return ScanFinding.objects.filter(scan=scan, customer_id=customer_id, left_at=None).first()


def at_risk_ranks(scan: ScanRun | None, customer_ids: list[str]) -> dict[str, int]:
    """Customer id -> rank in the scan's selection, for those of `customer_ids` in it."""
    if scan is None or not customer_ids:
        return {}
    return dict(
        ScanFinding.objects.filter(scan=scan, customer_id__in=customer_ids, left_at=None).values_list(
            "customer_id", "rank"
        )
    )


def at_risk_rank(scan: ScanRun | None, *, customer: str = "pk") -> Subquery | Value:
    """An annotation: the customer's rank in the scan's selection, or None when not in it.

    `customer` names the customer's id on the annotated model ("pk" for Customer,
    "customer_id" for an intervention), so any list can show the badge in its own query.
    """
    if scan is None:
        return Value(None, output_field=IntegerField())
    return Subquery(
        ScanFinding.objects.filter(scan=scan, customer_id=OuterRef(customer), left_at=None).values("rank")[:1],
        output_field=IntegerField(),
    )


def selection_rule(scan: ScanRun | None) -> str:
    """What the scan selected, in words (customers/scan.py's rule): "churn risk over 60 % and
    lifetime value over $1,000, not labelled churned"."""
    parameters = (scan.parameters if scan is not None else None) or {}
    min_risk = float(parameters.get("min_risk", settings.PROCX_SCAN_MIN_RISK))
    min_ltv = float(parameters.get("min_ltv", settings.PROCX_SCAN_MIN_LTV))
    return f"churn risk over {min_risk * 100:.0f} % and lifetime value over {money(min_ltv, whole=True)}, not labelled churned"


def customer_matches(term: str, *, through: str = "") -> Q:
    """The one customer search (the staff pages' search box, the review queue, the admin): every
    word must match the customer's first or last name or email, in part, or, for a word shaped
    like an id, the start of their id (C1000 finds C100000 to C100099). So a pasted full name
    ("Madhavi Bedi"), part of an email or an id prefix all find the customer. Quoted phrases
    stay one word, as the admin splits them. `through` reaches the customer from another model
    (e.g. "customer__")."""
    matches = Q()
    for word in _search_words(term):
        word_matches = (
            Q(**{f"{through}first_name__icontains": word})
            | Q(**{f"{through}last_name__icontains": word})
            | Q(**{f"{through}email__icontains": word})
        )
        if _ID_PATTERN.match(word):
            word_matches |= Q(**{f"{through}customer_id__startswith": word.upper()})
        matches &= word_matches
    return matches


# Workbook ids are a letter prefix and digits (C100000, O300000, NPS1300000, E1000000).
_ID_PATTERN = re.compile(r"^[A-Za-z]*[0-9]+$")


def _search_words(search_term: str) -> list[str]:
    """The words of a search, as the admin splits them (quoted phrases stay together)."""
    words = []
    for word in smart_split(search_term):
        if word[:1] in {'"', "'"} and word[-1:] == word[:1]:
            word = unescape_string_literal(word)
        if word.strip():
            words.append(word.strip())
    return words


def customers_search(term: str, *, scan: ScanRun | None = None, at_risk_only: bool = False) -> QuerySet[Customer]:
    """Customers for the search box, least healthy first; `at_risk_only` keeps `scan`'s
    selection (the at-risk list), in its order, each with `at_risk_rank`. (For a page of the
    whole list, at_risk_ranks gives its rows' ranks in one query: an annotation would be
    computed for every customer the search matches before the page is cut.)"""
    queryset = Customer.objects.all()
    if term.strip():
        queryset = queryset.filter(customer_matches(term))
    if at_risk_only:
        return (
            queryset.filter(pk__in=at_risk_customer_ids(scan))
            .annotate(at_risk_rank=at_risk_rank(scan))
            .order_by("at_risk_rank", "customer_id")
        )
    return queryset.order_by("health_score", "customer_id")


@dataclass(frozen=True)
class FactorRow:
    """One of the ten factors of a stored score: its points of its maximum, and why, in words.
    Built once here for every reader (the staff pages, the admin, the agents' context)."""

    factor: str
    label: str
    points: float
    max_points: float
    no_data: bool
    reason: str


def factor_rows(snapshot: HealthScore | None) -> list[FactorRow]:
    """The ten factors of a stored score, in FACTORS order, each with what decided it; empty
    without a score. A factor the stored score lacks (an older score) counts 0 points."""
    if snapshot is None:
        return []
    points = {factor.name: float((snapshot.points or {}).get(factor.name, 0.0)) for factor in FACTORS}
    inputs = {factor.name: (snapshot.inputs or {}).get(factor.name) for factor in FACTORS}
    no_data = {factor.name: factor.name in (snapshot.no_data or []) for factor in FACTORS}
    return [
        FactorRow(
            factor=entry["factor"],
            label=entry["label"],
            points=entry["points"],
            max_points=entry["max_points"],
            no_data=entry["no_data"],
            reason=entry["reason"],
        )
        for entry in factor_reasons(points, inputs, no_data)
    ]
