"""django-q2 tasks: thin wrappers that call one service."""

from __future__ import annotations

from customers.models import ScanRun
from events.processing import events_process
from events.services import deliveries_prune
from events.tasks import process_events as process_events
from interventions.services.scans import proactive_scan_run


def scheduled_scan() -> int:
    """The scan the schedule runs every few minutes, then drafts for its top findings; returns the ScanRun id.

    Webhook events whose processing failed earlier are retried first, so the scan sees them, and
    the webhook log is pruned to PROCX_WEBHOOK_LOG_DAYS.
    """
    events_process()
    deliveries_prune()
    scan, _ = proactive_scan_run(trigger=ScanRun.Trigger.SCHEDULE)
    return scan.pk


def requested_scan(scan_id: int) -> int | None:
    """A scan staff asked for ("Run scan now"): runs the queued ScanRun; returns its id, or None
    if it is no longer queued (it ran already)."""
    scan = ScanRun.objects.filter(pk=scan_id, status=ScanRun.Status.QUEUED).first()
    if scan is None:
        return None
    proactive_scan_run(trigger=ScanRun.Trigger.MANUAL, queued=scan)
    return scan.pk


# `process_events` is imported above so a task queued under its old name before an upgrade
# (interventions.tasks.process_events) still runs; it lives in events.tasks now.
