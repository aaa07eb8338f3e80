"""The dashboard: the latest scan's figures, its health histogram and at-risk list, value at risk over time."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from customers.health import HEALTH_BANDS, health_band
from customers.selectors import selection_rule
from procx_site.formats import money
from staff.charts import band_legend, histogram_svg, line_chart_svg
from staff.permissions import HtmxHttpRequest, staff_required
from staff.selectors import dashboard_read


@require_GET
@staff_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    data = dashboard_read()
    latest = data.latest_scan
    histogram = data.histogram
    chart = histogram_svg(
        histogram.counts,
        edges=histogram.edges,
        title="Health scores in the latest scan",
        x_label="health score",
        bands=HEALTH_BANDS,
        selected=histogram.selected or None,
    )
    for finding in data.top_findings:
        finding.band = health_band(finding.health_score)  # type: ignore[attr-defined]
    value_chart = line_chart_svg(
        [(scan.started_at, float(scan.value_at_risk)) for scan in data.recent_scans],
        title="Value at risk, recent scans",
        value_format=lambda value: money(value, whole=True),
        y_min=0,
    )
    return render(
        request,
        "staff/dashboard.html",
        {
            "data": data,
            "latest": latest,
            "histogram": chart,
            "legend": band_legend(histogram.counts, edges=histogram.edges) if any(histogram.counts) else [],
            "value_chart": value_chart,
            "selection_rule": selection_rule(latest),
        },
    )
