"""Reviewing a draft: edit it, score an edit, approve (which sends), reject; one or many."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from interventions.empathy import EmpathyScore, MessageFacts, score_message
from interventions.language import SUPPORTED_LANGUAGES
from interventions.models import Activity, Intervention, InvalidTransition, Status
from interventions.services.sending import intervention_send


@transaction.atomic
def intervention_edit(
    *, intervention: Intervention, user: User, subject: str, body: str, language: str | None = None
) -> Intervention:
    """Staff change a pending draft's words (and, optionally, the language it is written in):
    kept as theirs (the draft stays in drafted_*), the empathy score recomputed by the same
    rubric against the same facts, and the change kept in the audit trail.

    Raises InvalidTransition unless the intervention is pending review, the body is empty or
    the language is not one the rubric knows.
    """
    if not body.strip():
        raise InvalidTransition("the message body cannot be empty")
    language = (language or intervention.message_language).strip()
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidTransition(f"language {language!r} is not one ProCX writes in ({', '.join(SUPPORTED_LANGUAGES)})")
    score = message_score(intervention=intervention, subject=subject, body=body, language=language)
    with transaction.atomic():
        locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
        if locked.status != Status.PENDING_REVIEW:
            raise InvalidTransition(
                f"intervention {locked.pk} is {locked.get_status_display().lower()}: it cannot be edited"
            )
        before = locked.empathy_score
        changed = [
            name
            for name, old, new in (
                ("subject", locked.subject, subject.strip()),
                ("body", locked.body, body.strip()),
                ("language", locked.message_language, language),
            )
            if old != new
        ]
        locked.subject = subject.strip()
        locked.body = body.strip()
        locked.message_language = language
        locked.empathy_score = score.total
        locked.empathy_breakdown = score.as_dict()
        locked.edited_by = user
        locked.edited_at = timezone.now()
        locked.save()
        Activity.objects.create(
            intervention=locked,
            actor=user,
            action=Activity.Action.EDITED,
            detail=f"changed the {', '.join(changed) or 'message (no difference)'}; empathy {before} -> {score.total}",
        )
    return locked


def message_score(*, intervention: Intervention, subject: str, body: str, language: str) -> EmpathyScore:
    """The empathy rubric for a message about this intervention, against the draft's own facts:
    what the editor shows while staff type, and what an edit stores."""
    facts = MessageFacts(
        **{**intervention.empathy_facts, "references": tuple(intervention.empathy_facts.get("references", ()))}
    )
    return score_message(subject=subject, body=body, language=language, facts=facts)


def intervention_approve(*, intervention: Intervention, user: User) -> Intervention:
    """A reviewer approves a pending draft, and it is sent at once through its channel.

    Approving twice, or two reviewers at once, approves and sends once: the second gets
    InvalidTransition. A send that fails leaves it failed, with the reason, to retry.
    """
    with transaction.atomic():
        intervention.approve(user=user)
        Activity.objects.create(intervention=intervention, actor=user, action=Activity.Action.APPROVED)
    return intervention_send(intervention=intervention, user=user)


class Approval(enum.Enum):
    SENT = "sent"
    SEND_FAILED = "send failed"  # approved, but the message did not go out
    NOT_APPROVED = "not approved"  # not pending (already reviewed, ...): left as it was


@dataclass(frozen=True)
class ApprovalOutcome:
    """What bulk approval did with one intervention, and why when it did not send."""

    approval: Approval
    reason: str = ""  # the send error, or why it was not approved


def interventions_approve(*, intervention_ids: Sequence[int], user: User) -> dict[int, ApprovalOutcome]:
    """Bulk approval: each pending one is approved and sent; returns, per id, what happened."""
    outcomes: dict[int, ApprovalOutcome] = {}
    for intervention in Intervention.objects.select_related("customer").filter(pk__in=list(intervention_ids)):
        try:
            done = intervention_approve(intervention=intervention, user=user)
        except InvalidTransition as error:
            outcomes[intervention.pk] = ApprovalOutcome(Approval.NOT_APPROVED, str(error))
            continue
        outcomes[intervention.pk] = (
            ApprovalOutcome(Approval.SENT)
            if done.status == Status.SENT
            else ApprovalOutcome(Approval.SEND_FAILED, done.send_error)
        )
    return outcomes


def intervention_reject(*, intervention: Intervention, user: User, reason: str) -> Intervention:
    """A reviewer rejects a pending draft, with a reason (kept, and in the audit trail)."""
    with transaction.atomic():
        intervention.reject(user=user, reason=reason)
        Activity.objects.create(
            intervention=intervention, actor=user, action=Activity.Action.REJECTED, detail=reason.strip()
        )
    return intervention
