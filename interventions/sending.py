"""How an approved message leaves ProCX: one backend per channel, chosen in settings.

- Email goes through Django's email framework (`EMAIL_BACKEND`: the console by default, SMTP
  when `EMAIL_HOST` is set), from `DEFAULT_FROM_EMAIL`.
- SMS and calls go to `PROCX_SMS_BACKEND` and `PROCX_CALL_BACKEND`, dotted paths to a class
  with a `name` and a `send(message) -> reference` method. The default, `OutboxBackend`,
  hands the message to no carrier: it is recorded in the outbox (every sent message is), and
  the outbox on the intervention page is what staff call or text from.

A backend raises to say the message did not go; `intervention_send` keeps the reason and the
intervention can be retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string


class SendRefused(Exception):
    """ProCX will not send this message now (an opt-out, no address); the reason says which."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one customer, as a backend receives it."""

    intervention_id: int
    channel: str  # email, sms or call
    recipient: str  # an email address, or a phone number in E.164
    subject: str
    body: str
    language: str


class ChannelBackend(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, message: OutgoingMessage) -> str:
        """Hand the message on; return the backend's reference for it. Raise if it did not go."""


class EmailBackend:
    """Email through Django's email framework, whichever EMAIL_BACKEND the settings choose."""

    @property
    def name(self) -> str:
        return f"email ({settings.EMAIL_BACKEND.rsplit('.', 2)[-2]})"

    def send(self, message: OutgoingMessage) -> str:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Content-Language": message.language, "X-ProCX-Intervention": str(message.intervention_id)},
        )
        email.send(fail_silently=False)
        return str(email.extra_headers.get("Message-ID", "")) or f"intervention-{message.intervention_id}"


class OutboxBackend:
    """No carrier: the message is recorded in the outbox for staff to text or call from."""

    name = "outbox (recorded, not sent to a carrier)"

    def send(self, message: OutgoingMessage) -> str:
        return ""


def channel_backend(channel: str) -> ChannelBackend:
    """The backend for a channel, from settings."""
    if channel == "email":
        return EmailBackend()
    setting = {"sms": "PROCX_SMS_BACKEND", "call": "PROCX_CALL_BACKEND"}.get(channel)
    if setting is None:
        raise ImproperlyConfigured(f"no backend sends the {channel!r} channel")
    path = getattr(settings, setting)
    try:
        return import_string(path)()
    except ImportError as error:
        raise ImproperlyConfigured(f"{setting} is {path!r}, which cannot be imported ({error})") from error
