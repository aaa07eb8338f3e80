"""The events app: webhook ingestion. Storing an event queues its processing on the worker."""

from __future__ import annotations

import math
import threading
import time

from django.apps import AppConfig


class _EventBatch:
    """When this process last queued the processing of webhook events (monotonic seconds)."""

    lock = threading.Lock()
    queued_at = -math.inf


def queue_event_processing(**kwargs: object) -> None:
    """Webhook events are being stored: have the worker process them once they are committed
    (the provider is not kept waiting, and the worker never looks for events not there yet).

    Queued after commit, outside the storing transaction, so SQLite's write lock is held only
    for the event and its log row. One task serves every event this process stores within
    PROCX_EVENT_BATCH_SECONDS: it processes all pending events and, before it ends, waits out
    that window and looks once more, so an event stored just after it was queued is not left
    behind. Should the process die between a commit and the queueing, the event stays pending
    and the next scheduled scan processes it first.
    """
    from django.db import transaction

    transaction.on_commit(_queue_batch)


def _queue_batch() -> None:
    from django.conf import settings
    from django_q.tasks import async_task

    window = settings.PROCX_EVENT_BATCH_SECONDS
    with _EventBatch.lock:
        now = time.monotonic()
        if window and now - _EventBatch.queued_at < window:
            return  # the task queued less than a window ago will look after this event too
        _EventBatch.queued_at = now
    async_task(
        "events.tasks.process_events",
        settle_until=time.time() + window,
        task_name="process webhook events",
    )


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"

    def ready(self) -> None:
        from events.signals import customer_events_stored

        customer_events_stored.connect(queue_event_processing, dispatch_uid="procx-queue-event-processing")
