"""Reviewing a draft: edit it, score an edit, approve (which sends), reject; one or many."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from interventions.empathy import EmpathyScore, MessageFacts, score_message
from interventions.language import SUPPORTED_LANGUAGES
from interventions.models import Activity, Intervention, InvalidTransition, Status
from interventions.services.sending import intervention_send


class StaleVersion(InvalidTransition):
    """The reviewer acted on words that have changed since (another reviewer's edit, a re-draft):
    nothing was saved or sent, and the page shows the current words."""


def _check_version(locked: Intervention, seen_version: int | None) -> None:
    if seen_version is None or locked.version == seen_version:
        return
    by = f" by {locked.edited_by.get_username()}" if locked.edited_by_id and locked.edited_by else ""
    raise StaleVersion(
        f"the message changed{by} since you opened it (you saw version {seen_version}, it is now version "
        f"{locked.version}): nothing was sent or saved; read the current text"
    )


def _edit_locked(
    locked: Intervention, *, user: User, subject: str, body: str, language: str | None, note: str = ""
) -> bool:
    """Apply staff's words to a locked pending draft: kept as theirs (the draft stays in drafted_*),
    scored by the rubric against the draft's facts, a new version, and the change in the audit
    trail. Returns whether anything changed (an identical edit is not a new version)."""
    if not body.strip():
        raise InvalidTransition("the message body cannot be empty")
    language = (language or locked.message_language).strip()
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidTransition(f"language {language!r} is not one ProCX writes in ({', '.join(SUPPORTED_LANGUAGES)})")
    changed = [
        name
        for name, old, new in (
            ("subject", locked.subject, subject.strip()),
            ("body", locked.body, body.strip()),
            ("language", locked.message_language, language),
        )
        if old != new
    ]
    score = message_score(intervention=locked, subject=subject, body=body, language=language)
    before = locked.empathy_score
    locked.subject = subject.strip()
    locked.body = body.strip()
    locked.message_language = language
    locked.empathy_score = score.total
    locked.empathy_breakdown = score.as_dict()
    locked.edited_by = user
    locked.edited_at = timezone.now()
    if changed:
        locked.version += 1
    locked.save()
    Activity.objects.create(
        intervention=locked,
        actor=user,
        action=Activity.Action.EDITED,
        detail=f"changed the {', '.join(changed) or 'message (no difference)'}{note}; empathy {before} -> {score.total}",
    )
    return bool(changed)


def _locked_pending(intervention: Intervention, verb: str) -> Intervention:
    locked = (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("customer", "edited_by")
        .get(pk=intervention.pk)
    )
    if locked.status != Status.PENDING_REVIEW:
        raise InvalidTransition(
            f"intervention {locked.pk} is {locked.get_status_display().lower()}: it cannot be {verb}"
        )
    return locked


def intervention_edit(
    *,
    intervention: Intervention,
    user: User,
    subject: str,
    body: str,
    language: str | None = None,
    seen_version: int | None = None,
) -> Intervention:
    """Staff change a pending draft's words (and, optionally, the language it is written in):
    kept as theirs (the draft stays in drafted_*), the empathy score recomputed by the same
    rubric against the same facts, and the change kept in the audit trail.

    Raises InvalidTransition unless the intervention is pending review, the body is empty or
    the language is not one the rubric knows; StaleVersion if `seen_version` (the version the
    editor was opened on) is no longer the current one: a later edit is never overwritten unseen.
    """
    with transaction.atomic():
        locked = _locked_pending(intervention, "edited")
        _check_version(locked, seen_version)
        _edit_locked(locked, user=user, subject=subject, body=body, language=language)
    return locked


def message_score(*, intervention: Intervention, subject: str, body: str, language: str) -> EmpathyScore:
    """The empathy rubric for a message about this intervention, against the draft's own facts:
    what the editor shows while staff type, and what an edit stores."""
    facts = MessageFacts(
        **{**intervention.empathy_facts, "references": tuple(intervention.empathy_facts.get("references", ()))}
    )
    return score_message(subject=subject, body=body, language=language, facts=facts)


def intervention_approve(
    *,
    intervention: Intervention,
    user: User,
    seen_version: int | None = None,
    subject: str | None = None,
    body: str | None = None,
    language: str | None = None,
) -> Intervention:
    """A reviewer approves a pending draft, and it is sent at once through its channel: the
    words on the reviewer's screen, exactly.

    `subject`/`body`/`language`, when the approval carries them (the page's editor posts them),
    are saved with the approval, so an unsaved edit is what goes out. `seen_version` is the
    version the reviewer's screen showed: if the words changed since (another reviewer's edit,
    a re-draft), nothing is approved or sent (StaleVersion) and the page shows the new words.
    All of it under the row's lock, so an edit committing meanwhile waits and is then refused.
    Approving twice, or two reviewers at once, approves and sends once: the second gets
    InvalidTransition. A send that fails leaves it failed, with the reason, to retry.
    """
    with transaction.atomic():
        locked = _locked_pending(intervention, "approved")
        _check_version(locked, seen_version)
        if body is not None:
            _edit_locked(
                locked,
                user=user,
                subject=locked.subject if subject is None else subject,
                body=body,
                language=language,
                note=" with the approval",
            )
        locked.approve(user=user)
        Activity.objects.create(intervention=locked, actor=user, action=Activity.Action.APPROVED)
    return intervention_send(intervention=locked, user=user)


class Approval(enum.Enum):
    SENT = "sent"
    SEND_FAILED = "send failed"  # approved, but the message did not go out
    NOT_APPROVED = "not approved"  # not pending (already reviewed, ...): left as it was


@dataclass(frozen=True)
class ApprovalOutcome:
    """What bulk approval did with one intervention, and why when it did not send."""

    approval: Approval
    reason: str = ""  # the send error, or why it was not approved


def interventions_approve(
    *, intervention_ids: Sequence[int], user: User, seen_versions: Mapping[int, int] | None = None
) -> dict[int, ApprovalOutcome]:
    """Bulk approval: each pending one is approved and sent; returns, per id, what happened.
    `seen_versions` (id -> the version the list showed) refuses any whose words changed since."""
    outcomes: dict[int, ApprovalOutcome] = {}
    seen = seen_versions or {}
    for intervention in Intervention.objects.select_related("customer").filter(pk__in=list(intervention_ids)):
        try:
            done = intervention_approve(intervention=intervention, user=user, seen_version=seen.get(intervention.pk))
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
