"""django-q2 tasks: thin wrappers that call one service."""

from __future__ import annotations

from customers.models import ScanRun
from interventions.services import events_process, proactive_scan_run


def scheduled_scan() -> int:
    """The scan the schedule runs every few minutes, then drafts for its top findings; returns the ScanRun id.

    Webhook events whose processing failed earlier are retried first, so the scan sees them.
    """
    events_process()
    scan, _ = proactive_scan_run(trigger=ScanRun.Trigger.SCHEDULE)
    return scan.pk


def process_events(event_ids: list[str]) -> int:
    """Queued after the commit that stored webhook events; returns how many were processed."""
    return len(events_process(event_ids=event_ids).processed)
