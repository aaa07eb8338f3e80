from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate

SCAN_SCHEDULE_NAME = "ProCX proactive scan"


def ensure_scan_schedule(**kwargs: object) -> None:
    """The proactive scan's django-q2 schedule, every PROCX_SCAN_INTERVAL_MINUTES minutes.

    Run after every migrate, so a changed interval setting takes effect on the next deploy.
    It lives here, at the end of the data flow, because the scheduled task is the scan
    followed by drafting outreach for its top findings.
    """
    from django.conf import settings
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SCAN_SCHEDULE_NAME,
        defaults={
            "func": "interventions.tasks.scheduled_scan",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.PROCX_SCAN_INTERVAL_MINUTES,
            "repeats": -1,
        },
    )


def queue_event_processing(*, event_ids: list[str], **kwargs: object) -> None:
    """Webhook events are being stored: process them on the worker (the provider is not kept waiting).

    With the ORM broker the queue is a table in this database, so the task is queued in the
    storing transaction: it commits with the events or not at all, and costs no second
    transaction (measured: a quarter of a delivery's time on SQLite). With Redis it is queued
    after commit, so the worker never looks for events that are not there yet.
    """
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, transaction
    from django_q.tasks import async_task

    def queue() -> None:
        async_task("interventions.tasks.process_events", event_ids, task_name=f"process events {event_ids[0]}"[:100])

    if settings.Q_CLUSTER.get("orm") == DEFAULT_DB_ALIAS:
        queue()
    else:
        transaction.on_commit(queue)


class InterventionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interventions"

    def ready(self) -> None:
        from events.signals import customer_events_stored

        post_migrate.connect(ensure_scan_schedule, sender=self)
        customer_events_stored.connect(queue_event_processing, dispatch_uid="procx-queue-event-processing")
