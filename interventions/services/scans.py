"""The proactive scan followed by drafts for its top findings, and "Run scan now" from the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from customers.models import ScanRun
from customers.scan import scan_run
from interventions.services.drafting import DraftOutcome, Progress, interventions_from_scan


def proactive_scan_run(
    *,
    as_of: dt.datetime | dt.date | None = None,
    min_risk: float | None = None,
    min_ltv: float | None = None,
    trigger: str = ScanRun.Trigger.MANUAL,
    top_n: int | None = None,
    progress: Progress | None = None,
    queued: ScanRun | None = None,
) -> tuple[ScanRun, list[DraftOutcome]]:
    """The proactive scan, then drafts for its top findings, pending review. `queued`: a run
    staff asked for from the scans page (`scan_request`), which this fills in."""
    scan = scan_run(as_of=as_of, min_risk=min_risk, min_ltv=min_ltv, trigger=trigger, progress=progress, queued=queued)
    return scan, interventions_from_scan(scan=scan, top_n=top_n, progress=progress)


def scans_abandoned_close(*, now: dt.datetime | None = None) -> int:
    """Mark queued or running scans older than the task timeout as failed: the worker that had
    them stopped (or never came), and they must not block "Run scan now" forever."""
    cutoff = (now or timezone.now()) - dt.timedelta(
        seconds=int(cast("dict[str, Any]", settings.Q_CLUSTER).get("timeout", 600))
    )
    return ScanRun.objects.filter(
        status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING], started_at__lt=cutoff
    ).update(
        status=ScanRun.Status.FAILED,
        error="abandoned: no worker finished it within the task timeout (is manage.py qcluster running?)",
        finished_at=timezone.now(),
    )


def scan_request(*, user: User) -> tuple[ScanRun, bool]:
    """ "Run scan now": a queued ScanRun, run by the worker after commit; returns it and whether it
    is new. While a scan is queued or running, asking again returns that one: scans do not pile up.
    One left behind by a stopped worker is closed as failed first."""
    from django_q.tasks import async_task

    scans_abandoned_close()
    active = (
        ScanRun.objects.select_for_update()
        .filter(status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING])
        .order_by("-started_at")
        .first()
    )
    if active is not None:
        return active, False
    scan = ScanRun.objects.create(
        as_of=timezone.now(),
        status=ScanRun.Status.QUEUED,
        trigger=ScanRun.Trigger.MANUAL,
        requested_by=user,
        progress="Waiting for the worker",
    )
    transaction.on_commit(
        lambda: async_task("interventions.tasks.requested_scan", scan.pk, task_name=f"scan {scan.pk} (requested)")
    )
    return scan, True
