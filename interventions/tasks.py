"""django-q2 tasks: thin wrappers that call one service."""

from __future__ import annotations

import time

from customers.models import ScanRun
from interventions.services import events_process, proactive_scan_run

# A task never waits longer than this for events stored after it was queued.
MAX_SETTLE_SECONDS = 60.0


def scheduled_scan() -> int:
    """The scan the schedule runs every few minutes, then drafts for its top findings; returns the ScanRun id.

    Webhook events whose processing failed earlier are retried first, so the scan sees them.
    """
    events_process()
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


def process_events(event_ids: list[str] | None = None, *, settle_until: float | None = None) -> int:
    """Queued after the commit that stored webhook events: processes every pending event (or
    those in `event_ids`; one that failed before is left to the scheduled scan), then, if `settle_until` (a Unix time) is still ahead, waits for it
    and processes what was stored meanwhile; returns how many were processed."""
    processed = len(events_process(event_ids=event_ids, retry_failed=False).processed)
    if settle_until is not None and event_ids is None:
        wait = min(settle_until - time.time(), MAX_SETTLE_SECONDS)
        if wait > 0:
            time.sleep(wait)
            processed += len(events_process(retry_failed=False).processed)
    return processed
