"""Customers: a search list, and one customer's page (profile, health over time and what moved,
one timeline of everything that happened, their interventions)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.health import HEALTH_BANDS, health_band
from customers.models import Customer
from customers.selectors import at_risk_ranks, customers_search, latest_finished_scan, selection_rule
from staff.charts import gauge_svg, line_chart_svg
from staff.permissions import HtmxHttpRequest, staff_required
from staff.selectors import customer_page_read
from staff.views import factors_chart

PAGE_SIZE = 50
CRITICAL_BELOW = HEALTH_BANDS[0][0]  # the health chart shades the first band, critical


def _moved_text(moved: list[dict]) -> str:
    """'Recency -8, Support tickets +3': the factors that moved a score, biggest first."""
    return ", ".join(f"{entry['label']} {entry['change']:+g}" for entry in moved[:3])


def _with_band(customer: Customer) -> Customer:
    customer.band = health_band(customer.health_score) if customer.health_score is not None else ""  # type: ignore[attr-defined]
    return customer


@require_GET
@staff_required
def customer_list(request: HtmxHttpRequest) -> HttpResponse:
    term = request.GET.get("q", "")[:100]
    at_risk_only = request.GET.get("at_risk") == "1"
    scan = latest_finished_scan()
    customers = customers_search(term, scan=scan, at_risk_only=at_risk_only)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    ranks = {} if at_risk_only else at_risk_ranks(scan, [customer.pk for customer in page])
    for customer in page:
        _with_band(customer)
        if not at_risk_only:
            customer.at_risk_rank = ranks.get(customer.pk)  # type: ignore[attr-defined]
    template = "staff/customers.html"
    if request.htmx and request.htmx.target == "customer-table":
        template += "#table"
    return render(
        request,
        template,
        {
            "page": page,
            "term": term,
            "at_risk_only": at_risk_only,
            "scan": scan,
            "selection_rule": selection_rule(scan),
        },
    )


@require_GET
@staff_required
def customer_page(request: HtmxHttpRequest, customer_id: str) -> HttpResponse:
    try:
        data = customer_page_read(customer_id=customer_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer") from None
    chronological = list(reversed(data.history))
    chart = line_chart_svg(
        [(entry["snapshot"].as_of, entry["snapshot"].score) for entry in chronological],
        title="Health score over time",
        value_format=lambda value: f"{value:.0f}",
        y_min=0,
        y_max=100,
        annotations=[_moved_text(entry["moved"]) or None for entry in chronological],
        band=(0, CRITICAL_BELOW),
    )
    customer = _with_band(data.customer)
    return render(
        request,
        "staff/customer.html",
        {
            "data": data,
            "customer": customer,
            "chart": chart,
            "critical_below": CRITICAL_BELOW,
            "selection_rule": selection_rule(data.scan),
            "gauge": gauge_svg(customer.health_score, title="Health score"),
            "factors_chart": factors_chart(data.factors),
            "changes": [
                {"entry": entry, "moved": _moved_text(entry["moved"])}
                for entry in data.history[:12]
                if entry["moved"] and entry["trend"] != "steady"
            ],
        },
    )
