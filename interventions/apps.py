from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

if TYPE_CHECKING:
    from django.core.checks import CheckMessage

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


REVIEWERS_GROUP = "Reviewers"


def ensure_reviewers_group(**kwargs: object) -> None:
    """The reviewer role: a group holding the permission to approve, reject, edit and send.

    Staff who only look need no group; put reviewers in this one (Django admin, Users).
    """
    from django.contrib.auth.models import Group, Permission

    permission = Permission.objects.filter(
        content_type__app_label="interventions", codename="review_intervention"
    ).first()
    if permission is not None:  # created by the auth app's own post_migrate, which runs first
        Group.objects.get_or_create(name=REVIEWERS_GROUP)[0].permissions.add(permission)


def check_channel_backends(**kwargs: Any) -> list[CheckMessage]:
    """A system check: the SMS and call backends in settings can be imported."""
    from django.conf import settings
    from django.core.checks import Error
    from django.utils.module_loading import import_string

    errors: list[CheckMessage] = []
    for setting in ("PROCX_SMS_BACKEND", "PROCX_CALL_BACKEND"):
        path = getattr(settings, setting)
        try:
            backend = import_string(path)
        except ImportError as error:
            errors.append(Error(f"{setting} is {path!r}, which cannot be imported ({error})", id="procx.E001"))
            continue
        if not callable(getattr(backend, "send", None)):
            errors.append(Error(f"{setting} is {path!r}, which has no send(message) method", id="procx.E002"))
    return errors


class InterventionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "interventions"

    def ready(self) -> None:
        from django.core import checks

        from events.signals import customer_events_processed
        from interventions.receivers import outreach_for_complaints

        post_migrate.connect(ensure_scan_schedule, sender=self)
        post_migrate.connect(ensure_reviewers_group, sender=self)
        checks.register(check_channel_backends)
        customer_events_processed.connect(outreach_for_complaints, dispatch_uid="procx-outreach-for-complaints")
