"""The intervention queue and one intervention's page: review, edit, approve, reject and send.

Queue actions answer with the row they changed (HTMX swaps it in place) and the status
counters out of band; the intervention page's actions answer with the panel they changed.
Without JavaScript the same forms post normally and are redirected back.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.health import health_band
from customers.models import Segment
from customers.selectors import latest_finished_scan, selection_rule
from interventions.empathy import EMPATHY_THRESHOLD
from interventions.language import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from interventions.models import Channel, Intervention, InvalidTransition, Origin, Priority, Status
from interventions.selectors import QueueFilters, queue_queryset, queue_rows, status_counts
from interventions.services.review import (
    Approval,
    ApprovalOutcome,
    StaleVersion,
    intervention_approve,
    intervention_edit,
    intervention_reject,
    interventions_approve,
    message_score,
)
from interventions.services.sending import intervention_send
from procx_site.auth import signed_in_user
from staff.charts import gauge_svg
from staff.permissions import HtmxHttpRequest, is_reviewer, reviewer_required, staff_required
from staff.selectors import intervention_page_read
from staff.views import factors_chart

PAGE_SIZE = 25
QUEUE_TEMPLATE = "staff/queue.html"
PAGE_TEMPLATE = "staff/intervention.html"


def empathy_rows(breakdown: dict[str, Any]) -> list[dict[str, Any]]:
    """Each rubric dimension with the points it earned of its weight, for the breakdown table."""
    return [
        {**item, "points": round(float(item.get("score", 0)) * int(item.get("weight", 0)))}
        for item in (breakdown or {}).get("dimensions", [])
    ]


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in SUPPORTED_LANGUAGES]


def _row(
    request: HtmxHttpRequest, intervention: Intervention, *, notice: str = "", editing: bool = False
) -> HttpResponse:
    """One queue row, and the status counters swapped out of band."""
    context = {
        "intervention": intervention,
        "notice": notice,
        "reviewer": is_reviewer(request),
        "languages": _languages(),
        "counts": status_counts(),
        "oob": True,
    }
    html = render_to_string(f"{QUEUE_TEMPLATE}#{'editor' if editing else 'row'}", context, request=request)
    html += render_to_string(f"{QUEUE_TEMPLATE}#counts", context, request=request)
    return HttpResponse(html)


def _seen_version(request: HtmxHttpRequest, name: str = "version") -> int | None:
    """The version of the words the reviewer's screen showed (None from a client that sends none)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def _kept(request: HtmxHttpRequest, error: InvalidTransition) -> str:
    """When words on screen were refused because newer ones were saved meanwhile, they are shown
    back with the refusal (the page now shows the newer words), so nothing typed is lost."""
    body = request.POST.get("body", "").strip()
    if not isinstance(error, StaleVersion) or not body:
        return ""
    return f" Your text, not sent or saved, to copy if you still want it: \u201c{body}\u201d"


def _reload(intervention: Intervention) -> Intervention:
    return queue_rows(latest_finished_scan()).get(pk=intervention.pk)


def _answer(request: HtmxHttpRequest, intervention: Intervention, *, notice: str = "") -> HttpResponse:
    """What an action answers: the row (queue), the page's panels (intervention page), or a redirect."""
    intervention = _reload(intervention)
    if request.htmx and request.POST.get("view") == "page":
        return _page_panels(request, intervention.pk, notice=notice)
    if request.htmx:
        return _row(request, intervention, notice=notice)
    return redirect(request.POST.get("next") or reverse("intervention", args=[intervention.pk]))


@require_GET
@staff_required
def queue(request: HtmxHttpRequest) -> HttpResponse:
    filters = QueueFilters.from_query(request.GET)
    page = Paginator(queue_queryset(filters, scan=latest_finished_scan()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {name: value for name, value in filters.as_query().items() if value}
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "query": query,
        "counts": status_counts(),
        "reviewer": is_reviewer(request),
        "languages": _languages(),
        "choices": {
            "status": Status.choices,
            "channel": Channel.choices,
            "segment": Segment.choices,
            "priority": Priority.choices,
            "origin": Origin.choices,
        },
    }
    if request.htmx and request.htmx.target == "queue-table":
        return render(request, f"{QUEUE_TEMPLATE}#table", context)
    return render(request, QUEUE_TEMPLATE, context)


@require_POST
@reviewer_required
def approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    intervention = get_object_or_404(Intervention.objects.select_related("customer"), pk=pk)
    # The page's editor posts the words on screen with the approval (an unsaved edit goes out as
    # shown); every approve form posts the version it showed.
    words = (
        {"subject": request.POST.get("subject", "")[:300], "body": request.POST["body"]}
        if "body" in request.POST
        else {}
    )
    try:
        intervention = intervention_approve(
            intervention=intervention,
            user=signed_in_user(request),
            seen_version=_seen_version(request),
            language=request.POST.get("language") or None,
            **words,
        )
    except InvalidTransition as error:
        return _answer(request, intervention, notice=f"Not approved: {error}.{_kept(request, error)}")
    if intervention.status == Status.SENT:
        notice = f"Approved and sent by {intervention.get_channel_display().lower()}."
    else:
        notice = f"Approved, but sending failed: {intervention.send_error}"
    return _answer(request, intervention, notice=notice)


@require_POST
@reviewer_required
def reject(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    intervention = get_object_or_404(Intervention.objects.select_related("customer"), pk=pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return _answer(request, intervention, notice="Not rejected: say why (the reason is kept for the team).")
    try:
        intervention_reject(intervention=intervention, user=signed_in_user(request), reason=reason[:2000])
    except InvalidTransition as error:
        return _answer(request, intervention, notice=f"Not rejected: {error}.")
    return _answer(request, intervention, notice="Rejected.")


@require_POST
@reviewer_required
def send(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Send an approved intervention that has not gone yet, or retry a failed one."""
    intervention = get_object_or_404(Intervention.objects.select_related("customer"), pk=pk)
    try:
        intervention = intervention_send(intervention=intervention, user=signed_in_user(request))
    except InvalidTransition as error:
        return _answer(request, intervention, notice=f"Not sent: {error}.")
    notice = "Sent." if intervention.status == Status.SENT else f"Sending failed: {intervention.send_error}"
    return _answer(request, intervention, notice=notice)


@require_http_methods(["GET", "POST"])
@reviewer_required
def edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the row's inline editor. POST: save the edit (subject, body, language)."""
    intervention = get_object_or_404(queue_rows(latest_finished_scan()), pk=pk)
    if request.method == "GET":
        if not request.htmx:  # without JavaScript the intervention page is the editor
            return redirect("intervention", pk=intervention.pk)
        if request.GET.get("cancel"):
            return _row(request, intervention)
        return _row(request, intervention, editing=True)
    try:
        intervention = intervention_edit(
            intervention=intervention,
            user=signed_in_user(request),
            subject=request.POST.get("subject", "")[:300],
            body=request.POST.get("body", ""),
            language=request.POST.get("language") or None,
            seen_version=_seen_version(request),
        )
    except InvalidTransition as error:
        notice = f"Not saved: {error}.{_kept(request, error)}"
        if request.htmx and request.POST.get("view") != "page":
            return _row(request, _reload(intervention), notice=notice, editing=True)
        return _answer(request, intervention, notice=notice)
    return _answer(request, intervention, notice=f"Saved. Empathy {intervention.empathy_score}/100.")


@require_POST
@staff_required
def score(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The empathy breakdown of the words in the editor, as they are typed (nothing is saved)."""
    intervention = get_object_or_404(Intervention, pk=pk)
    language = request.POST.get("language") or intervention.message_language
    if language not in SUPPORTED_LANGUAGES:
        language = intervention.message_language
    result = message_score(
        intervention=intervention,
        subject=request.POST.get("subject", "")[:300],
        body=request.POST.get("body", ""),
        language=language,
    )
    return render(
        request,
        f"{PAGE_TEMPLATE}#empathy",
        {
            "empathy": empathy_rows(result.as_dict()),
            "empathy_total": result.total,
            "threshold": EMPATHY_THRESHOLD,
            "live": True,
        },
    )


@require_POST
@reviewer_required
def bulk_approve(request: HtmxHttpRequest) -> HttpResponse:
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    if not ids:
        message = "Select the interventions to approve first."
        outcomes: dict[int, ApprovalOutcome] = {}
    else:
        versions = {pk: version for pk in ids if (version := _seen_version(request, f"version-{pk}")) is not None}
        outcomes = interventions_approve(intervention_ids=ids, user=signed_in_user(request), seen_versions=versions)
        sent = sum(1 for outcome in outcomes.values() if outcome.approval is Approval.SENT)
        failed = sum(1 for outcome in outcomes.values() if outcome.approval is Approval.SEND_FAILED)
        skipped = len(ids) - sent - failed
        message = f"{sent} approved and sent" + (f", {failed} failed to send" if failed else "")
        message += (
            f", {skipped} not approved (already reviewed, or changed since the list was shown)" if skipped else ""
        )
        message += "."
    if not request.htmx:
        return redirect(request.POST.get("next") or reverse("queue"))
    context = {
        "reviewer": is_reviewer(request),
        "counts": status_counts(),
        "oob": True,
        "row_oob": True,  # each changed row swaps itself in, wherever it is on the page
        "message": message,
    }
    html = render_to_string(f"{QUEUE_TEMPLATE}#bulk-result", context, request=request)
    for intervention in queue_rows(latest_finished_scan()).filter(pk__in=list(outcomes)):
        outcome = outcomes[intervention.pk]
        notice = f"Not approved: {outcome.reason}." if outcome.approval is Approval.NOT_APPROVED else ""
        html += render_to_string(
            f"{QUEUE_TEMPLATE}#row", {**context, "intervention": intervention, "notice": notice}, request=request
        )
    html += render_to_string(f"{QUEUE_TEMPLATE}#counts", context, request=request)
    return HttpResponse(html)


# --- One intervention -----------------------------------------------------------------------


def _page_context(request: HtmxHttpRequest, pk: int, *, notice: str = "") -> dict[str, Any]:
    try:
        data = intervention_page_read(pk=pk)
    except Intervention.DoesNotExist:
        raise Http404("No such intervention") from None
    intervention = data.intervention
    score = data.snapshot.score if data.snapshot else intervention.health_score
    factors = factors_chart(data.factors)
    return {
        "data": data,
        "intervention": intervention,
        "customer": intervention.customer,
        "gauge": gauge_svg(score, title="Health score"),
        "band": health_band(score) if score is not None else "",
        "selection_rule": selection_rule(data.scan),
        "factors_chart": factors,
        "empathy": empathy_rows(intervention.empathy_breakdown),
        "empathy_total": intervention.empathy_score,
        "threshold": EMPATHY_THRESHOLD,
        "reviewer": is_reviewer(request),
        "languages": _languages(),
        "notice": notice,
    }


def _page_panels(request: HtmxHttpRequest, pk: int, *, notice: str = "") -> HttpResponse:
    context = _page_context(request, pk, notice=notice)
    return render(request, f"{PAGE_TEMPLATE}#panels", context)


@require_GET
@staff_required
def intervention_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return render(request, PAGE_TEMPLATE, _page_context(request, pk))
