"""Customers: a search list, and one customer's page (profile, health over time and what moved,
one timeline of everything that happened, their interventions)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.health import health_band
from customers.models import Customer
from interventions.charts import FactorBar, factor_bars_svg, gauge_svg, line_chart_svg
from interventions.selectors import customer_page_read, customers_search
from interventions.views.access import staff_required

PAGE_SIZE = 50


def _moved_text(moved: list[dict]) -> str:
    """'Recency -8, Support tickets +3': the factors that moved a score, biggest first."""
    return ", ".join(f"{entry['label']} {entry['change']:+g}" for entry in moved[:3])


@require_GET
@staff_required
def customer_list(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("q", "")[:100]
    page = Paginator(customers_search(term), PAGE_SIZE).get_page(request.GET.get("page"))
    template = "interventions/customers.html"
    if request.htmx and request.htmx.target == "customer-table":
        template += "#table"
    return render(request, template, {"page": page, "term": term})


@require_GET
@staff_required
def customer_page(request: HttpRequest, customer_id: str) -> HttpResponse:
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
        band=(0, 40),
    )
    customer = data.customer
    return render(
        request,
        "interventions/customer.html",
        {
            "data": data,
            "customer": customer,
            "band": health_band(customer.health_score) if customer.health_score is not None else "",
            "chart": chart,
            "gauge": gauge_svg(
                customer.health_score, title="Health score", bands=((40, "risk"), (60, "watch"), (100, "good"))
            ),
            "factors_chart": factor_bars_svg(
                [
                    FactorBar(
                        label=row.label, points=row.points, maximum=row.maximum, detail=row.reason, no_data=row.no_data
                    )
                    for row in data.factors
                ],
                title="The ten health factors",
            ),
            "changes": [
                {"entry": entry, "moved": _moved_text(entry["moved"])}
                for entry in data.history[:12]
                if entry["moved"] and entry["trend"] != "steady"
            ],
        },
    )
