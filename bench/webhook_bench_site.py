"""Settings and URLconf for bench/webhook_bench.py only: ProCX as it is, plus the baseline view.

The baseline is the least a Django view that stores a request can do: read the body and insert
one row (a Session, through the ORM, in autocommit), no signature, no parsing. It is served by
the same gunicorn, the same settings and the same database as the webhook endpoint, so the
two throughputs can be compared.

    gunicorn procx_site.wsgi --env DJANGO_SETTINGS_MODULE=bench.webhook_bench_site
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from procx_site.settings import *  # noqa: F403

ROOT_URLCONF = "bench.webhook_bench_site"


@csrf_exempt
@require_POST
def minimal_view(request: HttpRequest) -> JsonResponse:
    from django.contrib.sessions.models import Session

    Session.objects.create(
        session_key=uuid.uuid4().hex,
        session_data=request.body.decode("utf-8", errors="replace"),
        expire_date=timezone.now() + dt.timedelta(days=1),
    )
    return JsonResponse({"status": "stored"})


def __getattr__(name: str) -> Any:
    # This module is the settings too, and the project's URLconf imports the admin, which needs
    # the app registry: so the URL patterns are built when Django first asks for them.
    if name == "urlpatterns":
        from django.urls import path

        from procx_site.urls import urlpatterns

        return [*urlpatterns, path("bench/minimal/", minimal_view)]
    raise AttributeError(name)
