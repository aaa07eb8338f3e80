"""Who may see and do what: every page needs a signed-in staff member; changing outreach
(approving, rejecting, editing, sending), re-processing deliveries and linking a provider's
customer from the inbox need the reviewer permission (`interventions.review_intervention`,
held by the Reviewers group)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from interventions.models import REVIEW_PERMISSION


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `request.htmx` says whether HTMX sent
    it and what it targets (the type the staff views take, as django-htmx's docs suggest)."""

    htmx: HtmxDetails


View = Callable[..., HttpResponse]


def _sign_in(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        # A fragment request whose session ran out: send the whole page to sign in, not the row.
        from django.conf import settings
        from django.shortcuts import resolve_url
        from django.utils.http import urlencode

        target = request.headers.get("HX-Current-URL") or request.get_full_path()
        return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': target})}")
    return redirect_to_login(request.get_full_path())


def staff_required(view: View) -> View:
    """Signed in, active and staff; else to the sign-in page (or 403 for a non-staff user)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return _sign_in(request)
        if not (user.is_active and user.is_staff):
            raise PermissionDenied("ProCX is for customer-success staff; ask an administrator for access.")
        return view(request, *args, **kwargs)

    return wrapped


def reviewer_required(view: View) -> View:
    """staff_required, and the reviewer permission; else 403."""

    @wraps(view)
    @staff_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied("Approving, rejecting, editing and sending outreach need the reviewer role.")
        return view(request, *args, **kwargs)

    return wrapped


def is_reviewer(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.has_perm(REVIEW_PERMISSION))
