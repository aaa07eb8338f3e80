"""django-q2 tasks: thin wrappers that call one service."""

from __future__ import annotations

from customers.models import ScanRun
from customers.scan import scan_run


def scheduled_scan() -> int:
    """The proactive scan the schedule runs every few minutes; returns the ScanRun id."""
    return scan_run(trigger=ScanRun.Trigger.SCHEDULE).pk
