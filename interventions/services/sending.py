"""Sending an approved intervention through its channel (email, or the SMS and call backends
of `interventions.sending`), exactly once, and recording what the channel answered."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.db import transaction

from customers.models import CustomerEvent
from interventions.models import Activity, Intervention, OutboxMessage
from interventions.sending import OutgoingMessage, SendRefused, channel_backend

logger = logging.getLogger(__name__)


def _refusal(intervention: Intervention) -> str:
    """Why this message must not go out now (opt-outs, no address), or "" if it may."""
    customer = intervention.customer
    if (intervention.offer_percent or intervention.offer) and not customer.opt_in_marketing:
        return (
            f"{customer.full_name} does not accept marketing, and this message makes an offer: "
            "reject it and let ProCX draft a service message"
        )
    if intervention.channel == "email":
        if not customer.email:
            return f"{customer.full_name} has no email address"
        unsubscribed = (
            CustomerEvent.objects.filter(customer_id=customer.pk, event_type="email.unsubscribe")
            .order_by("-event_time")
            .values_list("event_time", flat=True)
            .first()
        )
        if unsubscribed is not None:
            return f"{customer.full_name} unsubscribed from email on {unsubscribed:%d %b %Y}: choose another channel"
    elif not customer.phone:
        return f"{customer.full_name} has no phone number for {intervention.get_channel_display()}"
    return ""


def intervention_send(*, intervention: Intervention, user: User | None) -> Intervention:
    """Send an approved intervention (or retry a failed one) through its channel's backend, once.

    The intervention is claimed first (approved or failed -> sending, a conditional UPDATE),
    so only one sender sends it however many clicks or reviewers; then the backend is called
    outside any transaction (SMTP can be slow); then the outbox row, the status and the audit
    trail are written together. Opt-outs are checked at this moment, not at drafting: a
    customer who unsubscribed since is not written to. A refusal or a backend error leaves the
    intervention failed with the reason, to retry. Raises InvalidTransition if it cannot be
    claimed (not approved, or already being sent).
    """
    intervention.claim_for_sending()
    customer = intervention.customer
    refusal = _refusal(intervention)
    message = OutgoingMessage(
        intervention_id=intervention.pk,
        channel=intervention.channel,
        recipient=customer.email if intervention.channel == "email" else customer.phone,
        subject=intervention.subject,
        body=intervention.body,
        language=intervention.message_language,
    )
    backend = None
    reference = ""
    try:
        if refusal:
            raise SendRefused(refusal)
        backend = channel_backend(intervention.channel)
        reference = backend.send(message)
    except Exception as error:  # any backend's failure is kept on the intervention, to retry
        reason = str(error) if isinstance(error, SendRefused) else f"{type(error).__name__}: {error}"
        if not isinstance(error, SendRefused):
            logger.exception("sending intervention %s failed", intervention.pk)
        with transaction.atomic():
            intervention.mark_failed(error=reason[:2000])
            Activity.objects.create(
                intervention=intervention, actor=user, action=Activity.Action.SEND_FAILED, detail=reason[:2000]
            )
        return intervention
    with transaction.atomic():
        OutboxMessage.objects.create(
            intervention=intervention,
            channel=message.channel,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            backend=backend.name,
            reference=str(reference or "")[:200],
            sent_by=user,
        )
        intervention.mark_sent()
        Activity.objects.create(
            intervention=intervention,
            actor=user,
            action=Activity.Action.SENT,
            detail=f"{intervention.get_channel_display()} to {message.recipient} through {backend.name}",
        )
    return intervention
