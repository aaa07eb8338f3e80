"""Linking a provider's customer from the inbox: an entry that waits because no customer matched
the provider's id ("Zendesk requester 8447388090494") is linked to a ProCX customer, and it and
every other delivery waiting for that id are stored as that customer's events.

Three steps, each a plain GET or POST that works without JavaScript on the link page; on the
Events page HTMX swaps the same fragments into the inbox row: find the customer (a short list
of radio buttons), confirm (the customer chosen and how many waiting deliveries will be
re-processed, and whom the id is linked to now if anyone), link (POST; the answer is the inbox
with what happened, or, without JavaScript, a redirect with the same sentence as a message).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from customers.models import Customer
from customers.selectors import customers_search
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.services import (
    LinkRefused,
    ProviderCustomerLinked,
    WaitingFor,
    deliveries_waiting_for,
    delivery_waiting_for,
    provider_customer_link,
)
from procx_site.auth import signed_in_user
from staff.permissions import HtmxHttpRequest, reviewer_required
from staff.selectors import inbox_count, inbox_deliveries

TEMPLATE = "staff/inbox_link.html"
EVENTS_TEMPLATE = "staff/events.html"
SEARCH_RESULTS = 8  # a short list to choose from; more means the search should say more
REASONS_SHOWN = 3


def _nothing_to_link(delivery: WebhookDelivery) -> str:
    """Why a delivery offers no link (a stale page, a colleague was quicker, another reason)."""
    if delivery.outcome != DeliveryOutcome.INBOX:
        return f"Nothing to link: delivery #{delivery.pk} is {delivery.get_outcome_display().lower()} now."
    return f"Nothing to link: delivery #{delivery.pk} waits for something else ({delivery.error})."


def _safe_next(request: HtmxHttpRequest) -> str:
    """The `next` page to go back to, if it is on this site; else empty."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


def _panel(request: HtmxHttpRequest, context: dict[str, Any], *, fragment: str = "panel") -> HttpResponse:
    """The link page, or on the Events page (HTMX) the fragment it swaps into the row."""
    context = {**context, "inline": bool(request.htmx)}
    return render(request, f"{TEMPLATE}#{fragment}" if request.htmx else TEMPLATE, context)


def _confirmation(waiting_for: WaitingFor, customer: Customer) -> dict[str, Any]:
    """What the confirm step shows: the customer, how many deliveries wait, whom the id is linked to now."""
    mapping = (
        ProviderCustomer.objects.filter(
            source=waiting_for.source, provider_customer_id=waiting_for.provider_customer_id
        )
        .select_related("customer")
        .first()
    )
    return {
        "customer": customer,
        "waiting_count": len(
            deliveries_waiting_for(source=waiting_for.source, provider_customer_id=waiting_for.provider_customer_id)
        ),
        "linked_to": mapping.customer if mapping else None,
    }


@require_GET
@reviewer_required
def link_form(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Find the customer (`q`), then confirm the one chosen (`customer`)."""
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    waiting_for = delivery_waiting_for(delivery)
    if waiting_for is None:
        return _panel(request, {"delivery": delivery, "gone": _nothing_to_link(delivery)})
    term = request.GET.get("q", "").strip()[:100]
    chosen = request.GET.get("customer", "").strip()[:32]
    context: dict[str, Any] = {
        "delivery": delivery,
        "waiting_for": waiting_for,
        "term": term,
        "next": _safe_next(request),
    }
    if "customer" in request.GET and not chosen:
        context["error"] = "Choose a customer from the list."
    elif chosen:
        customer = Customer.objects.filter(pk=chosen).first()
        if customer is None:
            context["error"] = f"No ProCX customer has the id {chosen!r}."
        else:
            return _panel(request, {**context, **_confirmation(waiting_for, customer)})
    if term:
        found = list(customers_search(term)[: SEARCH_RESULTS + 1])
        context["results"] = found[:SEARCH_RESULTS]
        context["more"] = len(found) > SEARCH_RESULTS
    if request.htmx and request.htmx.target == f"link-results-{delivery.pk}":
        return _panel(request, context, fragment="results")
    return _panel(request, context)


def link_summary(linked: ProviderCustomerLinked, waiting_for: WaitingFor) -> str:
    """'Linked Zendesk requester 8447388090494; 3 waiting deliveries stored as events for Anna
    Lee (C100109); 1 still waiting: #12: ...': what a link did, in one sentence."""
    if not linked.changed:
        opening = f"{waiting_for.label} was already linked to {linked.customer}"
    elif linked.previous_customer_id:
        opening = f"Moved {waiting_for.label} from {linked.previous_customer_id}"
    else:
        opening = f"Linked {waiting_for.label}"
    count = len(linked.stored)
    if count:
        stored = ngettext(
            "%(count)d waiting delivery stored as an event for %(customer)s",
            "%(count)d waiting deliveries stored as events for %(customer)s",
            count,
        ) % {"count": count, "customer": linked.customer}
    else:
        stored = f"no waiting delivery to store for {linked.customer}"
    parts = [opening, stored]
    if linked.waiting:
        reasons = "; ".join(f"#{delivery.pk}: {delivery.error}" for delivery in linked.waiting[:REASONS_SHOWN])
        more = len(linked.waiting) - REASONS_SHOWN
        parts.append(f"{len(linked.waiting)} still waiting: {reasons}" + (f" (and {more} more)" if more > 0 else ""))
    return "; ".join(parts) + "."


@require_POST
@reviewer_required
def link(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Link the provider's customer this delivery waits for to `customer_id` (`replace` to move
    an existing link), and store every delivery waiting for it."""
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    waiting_for = delivery_waiting_for(delivery)
    if waiting_for is None:  # e.g. a second click after a link stored an entry that predates the recorded id
        return _linked(request, _nothing_to_link(delivery), warning=True)
    customer_id = request.POST.get("customer_id", "").strip()[:32]
    try:
        linked = provider_customer_link(
            source=waiting_for.source,
            provider_customer_id=waiting_for.provider_customer_id,
            customer_id=customer_id,
            user=signed_in_user(request),
            replace=request.POST.get("replace") == "1",
        )
    except LinkRefused as refused:
        context: dict[str, Any] = {
            "delivery": delivery,
            "waiting_for": waiting_for,
            "term": request.POST.get("q", "").strip()[:100],
            "next": _safe_next(request),
            "error": str(refused),
        }
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer is not None:  # refused for the link it has now: confirm again, with the choice to move it
            context.update(_confirmation(waiting_for, customer))
        response = _panel(request, context)
        if request.htmx:  # the form aims at the inbox; an error belongs in the row's panel
            response = reswap(retarget(response, f"#link-{delivery.pk}"), "innerHTML")
        return response
    return _linked(request, link_summary(linked, waiting_for), warning=bool(linked.waiting))


def _linked(request: HtmxHttpRequest, summary: str, *, warning: bool) -> HttpResponse:
    """After a link: the inbox as it is now with what happened on top (HTMX), or back to the
    page the staff member came from (same site only) with it as a message."""
    if not request.htmx:
        messages.add_message(request, messages.WARNING if warning else messages.SUCCESS, summary)
        return redirect(_safe_next(request) or reverse("events"))
    return render(
        request,
        f"{EVENTS_TEMPLATE}#inbox",
        {
            "inbox": inbox_deliveries(),
            "inbox_total": inbox_count(),
            "reviewer": True,
            "link_result": summary,
            "link_warning": warning,
        },
    )
