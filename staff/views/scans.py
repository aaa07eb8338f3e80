"""Past scans with their counts and durations, and "Run scan now": the scan is queued on the
worker and the page follows its progress until it finishes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from customers.churn import METRIC_DISPLAY, MODEL_FAMILIES
from customers.models import ChurnModel, ScanRun
from customers.selectors import current_churn_model, latest_finished_scan
from interventions.selectors import drafted_per_scan
from interventions.services.scans import scan_request
from procx_site.auth import signed_in_user
from staff.charts import reliability_svg
from staff.permissions import HtmxHttpRequest, staff_required
from staff.selectors import active_scan

TEMPLATE = "staff/scans.html"
PAGE_SIZE = 20


@require_GET
@staff_required
def scans_page(request: HtmxHttpRequest) -> HttpResponse:
    page = Paginator(ScanRun.objects.select_related("requested_by").order_by("-started_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    drafted = drafted_per_scan([scan.pk for scan in page])
    model = current_churn_model(with_estimator=False)
    latest = latest_finished_scan()
    return render(
        request,
        TEMPLATE,
        {
            "page": page,
            "rows": [(scan, drafted.get(scan.pk, 0)) for scan in page],
            "active": active_scan(),
            "model": model,
            "model_figures": churn_model_figures(model),
            "reliability": reliability_svg(model.reliability, title="Reliability of the churn model, held out")
            if model and model.reliability
            else None,
            "selection_summary": latest.selection_summary() if latest else "",
        },
    )


def churn_model_figures(model: ChurnModel | None) -> dict[str, object]:
    """The model's held-out figures as table rows: each family tried, then the health score."""
    if model is None or not model.family_metrics:
        return {}
    families = [family for family in MODEL_FAMILIES if family in model.family_metrics]
    rows = []
    for key, label, shown in METRIC_DISPLAY:
        values = [model.family_metrics[family].get(key) for family in families] + [model.baseline_metrics.get(key)]
        rows.append(
            {
                "label": label[0].upper() + label[1:],
                "values": ["—" if value is None else shown.format(value) for value in values],
            }
        )
    return {
        "columns": [MODEL_FAMILIES[family] for family in families] + ["health score"],
        "chosen": MODEL_FAMILIES.get(model.family, ""),
        "rows": rows,
    }


@require_POST
@staff_required
def scan_now(request: HtmxHttpRequest) -> HttpResponse:
    with transaction.atomic():
        scan, created = scan_request(user=signed_in_user(request))
    if not request.htmx:
        return redirect("scans")
    return render(request, f"{TEMPLATE}#progress", {"active": scan, "already": not created})


@require_GET
@staff_required
def scan_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The progress panel of one scan; it keeps polling while the scan is queued or running."""
    scan = get_object_or_404(ScanRun, pk=pk)
    drafted = drafted_per_scan([scan.pk]).get(scan.pk, 0)
    return render(request, f"{TEMPLATE}#progress", {"active": scan, "drafted_count": drafted})
