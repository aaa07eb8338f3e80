"""django-q2 tasks: thin wrappers that call one service."""

from __future__ import annotations

from customers.models import ScanRun
from interventions.services import proactive_scan_run


def scheduled_scan() -> int:
    """The scan the schedule runs every few minutes, then drafts for its top findings; returns the ScanRun id."""
    scan, _ = proactive_scan_run(trigger=ScanRun.Trigger.SCHEDULE)
    return scan.pk
