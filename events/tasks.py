"""django-q2 tasks of the events app: thin wrappers that call one service."""

from __future__ import annotations

import time

from events.processing import events_process

# A task never waits longer than this for events stored after it was queued.
MAX_SETTLE_SECONDS = 60.0


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
