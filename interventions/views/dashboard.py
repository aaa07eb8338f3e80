"""The dashboard: the latest scan's figures, its health histogram and findings, value at risk over time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.scan import HISTOGRAM_EDGES
from interventions.charts import histogram_svg, line_chart_svg
from interventions.selectors import dashboard_read
from interventions.views.access import staff_required

AT_RISK_BELOW = 60  # health under this reads "at risk" or "critical" (customers.health.health_band)


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = dashboard_read()
    latest = data.latest_scan
    histogram = histogram_svg(
        latest.health_histogram if latest and latest.health_histogram else [],
        edges=HISTOGRAM_EDGES,
        title="Health scores in the latest scan",
        x_label="health score",
        highlight_below=AT_RISK_BELOW,
    )
    value_chart = line_chart_svg(
        [(scan.started_at, float(scan.value_at_risk)) for scan in data.recent_scans],
        title="Value at risk, recent scans",
        value_format=lambda value: f"${value:,.0f}",
        y_min=0,
    )
    return render(
        request,
        "interventions/dashboard.html",
        {
            "data": data,
            "latest": latest,
            "histogram": histogram,
            "value_chart": value_chart,
            "at_risk_below": AT_RISK_BELOW,
        },
    )
