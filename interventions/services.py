"""Drafting interventions: run the agent pipeline for a customer and keep the result for review.

`interventions_draft` is the one way interventions come to be, whatever started them (scan
findings, a webhook event, a demo scenario; `intervention_draft` is its one-customer form); `proactive_scan_run` is the scan followed by
drafts for its top findings, which the schedule and `run_proactive` call.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import Customer, CustomerEvent, ScanFinding, ScanRun
from customers.scan import scan_run
from interventions.agents.context import contexts_build
from interventions.agents.llm import OpenAIBackend, model_backend
from interventions.agents.pipeline import PipelineResult, pipeline_run
from interventions.agents.policy import OutreachPolicy
from interventions.agents.types import Trigger
from interventions.empathy import SUPPORTED_LANGUAGES, EmpathyScore, MessageFacts, score_message
from interventions.models import Activity, AgentStep, Intervention, InvalidTransition, Origin, OutboxMessage, Status
from interventions.sending import OutgoingMessage, SendRefused, channel_backend

Progress = Callable[[str], None]
logger = logging.getLogger(__name__)

NO_SUCH_CUSTOMER = "no such customer"

# `model=DEFAULT_MODEL` means "whatever the settings configure"; None means offline.
DEFAULT_MODEL = object()


@dataclass
class DraftOutcome:
    """What drafting did for one customer: created, updated, or skipped and why."""

    customer_id: str
    intervention: Intervention | None
    result: PipelineResult | None
    created: bool = False
    updated: bool = False
    skipped: str = ""

    @property
    def summary(self) -> str:
        if self.skipped:
            return f"{self.customer_id}: skipped, {self.skipped}"
        verb = "created" if self.created else "updated"
        return f"{self.customer_id}: {verb} intervention {self.intervention.pk}"  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _fields(result: PipelineResult) -> dict[str, object]:
    context, decision, message, empathy = result.context, result.decision, result.message, result.empathy
    risk = context.health.churn_risk
    return {
        "health_score": context.health.score,
        "churn_risk": risk,
        "risk_source": context.health.risk_source,
        "lifetime_value": _money(context.profile.lifetime_value),
        "value_at_risk": _money((risk or 0.0) * context.profile.lifetime_value),
        "trigger_description": context.trigger.description,
        "language": context.language.code,
        "language_source": context.language.source,
        "language_detected": context.language.detected or "",
        "language_note": context.language.note,
        "patterns": [pattern.model_dump(mode="json") for pattern in result.patterns.patterns],
        "channel": decision.channel,
        "action": decision.action,
        "offer": decision.offer,
        "offer_percent": decision.offer_percent,
        "priority": decision.priority,
        "escalate": decision.escalate,
        "escalation_reason": decision.escalation_reason,
        "decision_reasons": list(decision.reasons),
        "policy_corrections": list(decision.corrections),
        "subject": message.subject,  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "body": message.body,  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "message_language": message.language,  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "drafted_subject": message.subject,  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "drafted_body": message.body,  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "empathy_score": empathy.total,  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "empathy_breakdown": empathy.as_dict(),  # type: ignore[union-attr]  # Optional in DraftOutcome/PipelineResult, set on this path; not narrowed yet
        "empathy_facts": dataclasses.asdict(result.facts),  # type: ignore[arg-type]  # Optional in PipelineResult, set on this path; not narrowed yet
        "backend": result.backend,
    }


def _steps(intervention: Intervention, result: PipelineResult) -> list[AgentStep]:
    return [
        AgentStep(
            intervention=intervention,
            position=position,
            stage=step.stage,
            backend=step.backend,
            duration_ms=step.duration_ms,
            output=step.output,
            error=step.error,
        )
        for position, step in enumerate(result.steps, start=1)
    ]


@dataclass(frozen=True)
class DraftRequest:
    """One customer to draft for, why, and what to link the draft to."""

    customer_id: str
    trigger: Trigger
    scan_finding: ScanFinding | None = None
    event: CustomerEvent | None = None
    scenario: str = ""

    def links(self) -> dict[str, object]:
        return {"scan_finding": self.scan_finding, "event": self.event, "scenario": self.scenario}


def interventions_draft(
    *,
    requests: Sequence[DraftRequest],
    origin: str,
    as_of: dt.datetime | None = None,
    model: OpenAIBackend | object | None = DEFAULT_MODEL,
    policy: OutreachPolicy | None = None,
) -> list[DraftOutcome]:
    """Run the pipeline for each request and keep each draft as the customer's pending intervention.

    One pending intervention per customer and origin: an existing one is updated in place
    with the new draft, unless staff already edited it (their words win; it is skipped).
    A decision to hold (contacted recently) drafts nothing, nor does a draft approved and not
    yet sent or one rejected within the cooldown; an unknown customer is skipped.
    Contexts are read for all requests at once and the drafts written in one transaction,
    so drafting many costs a handful of queries, not a handful per customer.
    Returns one outcome per request, in order.
    """
    as_of = as_of or timezone.now()
    backend = model_backend() if model is DEFAULT_MODEL else model
    policy = policy or OutreachPolicy.from_settings()
    first: dict[str, DraftRequest] = {}
    for request in requests:
        first.setdefault(request.customer_id, request)
    started = time.perf_counter()
    contexts = contexts_build(triggers={key: request.trigger for key, request in first.items()}, as_of=as_of)
    context_ms = (time.perf_counter() - started) * 1000 / max(1, len(first))
    blocked = _reviewed_recently(customer_ids=list(first), origin=origin, policy=policy)

    outcomes: list[DraftOutcome] = []
    to_save: list[tuple[DraftRequest, PipelineResult, DraftOutcome]] = []
    for request in requests:
        customer_id = request.customer_id
        if first[customer_id] is not request:
            outcomes.append(DraftOutcome(customer_id, None, None, skipped="already drafted in this batch"))
            continue
        if customer_id not in contexts:
            outcomes.append(DraftOutcome(customer_id, None, None, skipped=NO_SUCH_CUSTOMER))
            continue
        if customer_id in blocked:
            intervention, reason = blocked[customer_id]
            outcomes.append(DraftOutcome(customer_id, intervention, None, skipped=reason))
            continue
        result = pipeline_run(context=contexts[customer_id], policy=policy, model=backend, context_ms=context_ms)  # type: ignore[arg-type]  # the DEFAULT_MODEL sentinel makes model typed object
        outcome = DraftOutcome(customer_id, None, result)
        outcomes.append(outcome)
        if result.held:
            outcome.skipped = "; ".join(result.decision.reasons)
        else:
            to_save.append((request, result, outcome))
    if to_save:
        try:
            with transaction.atomic():
                _save(to_save, origin=origin)
        except IntegrityError:
            # Another drafter created a pending intervention for one of these customers between
            # our read and our insert: save one at a time, so only that one is skipped.
            for item in to_save:
                item[2].created = item[2].updated = False
                item[2].intervention = None
                try:
                    with transaction.atomic():
                        _save([item], origin=origin)
                except IntegrityError:
                    item[2].skipped = "a pending intervention was drafted at the same moment"
    return outcomes


def _reviewed_recently(
    *, customer_ids: list[str], origin: str, policy: OutreachPolicy
) -> dict[str, tuple[Intervention, str]]:
    """Customers not to draft for again from this origin, and why: staff approved a draft that
    is not sent yet, or rejected one within the cooldown (a scan every five minutes must not
    put back what a reviewer just turned down)."""
    since = timezone.now() - dt.timedelta(days=policy.cooldown_days)
    reviewed = (
        Intervention.objects.filter(customer_id__in=customer_ids, origin=origin)
        .filter(Q(status=Status.APPROVED) | Q(status=Status.REJECTED, reviewed_at__gte=since))
        .order_by("customer_id", "-reviewed_at")
    )
    blocked: dict[str, tuple[Intervention, str]] = {}
    for intervention in reviewed:
        if intervention.customer_id in blocked:
            continue
        if intervention.status == Status.APPROVED:
            reason = f"intervention {intervention.pk} is approved and waiting to be sent"
        else:
            reason = (
                f"intervention {intervention.pk} was rejected on {intervention.reviewed_at:%Y-%m-%d}; "
                f"not drafted again within {policy.cooldown_days} days"
            )
        blocked[intervention.customer_id] = (intervention, reason)
    return blocked


def _save(items: list[tuple[DraftRequest, PipelineResult, DraftOutcome]], *, origin: str) -> None:
    pending = {
        intervention.customer_id: intervention
        for intervention in Intervention.objects.select_for_update().filter(
            customer_id__in=[request.customer_id for request, _, _ in items],
            origin=origin,
            status=Status.PENDING_REVIEW,
        )
    }
    created: list[tuple[Intervention, PipelineResult, DraftOutcome]] = []
    updated: list[tuple[Intervention, PipelineResult]] = []
    for request, result, outcome in items:
        existing = pending.get(request.customer_id)
        fields = {**_fields(result), **request.links()}
        if existing is not None and existing.is_edited:
            outcome.intervention = existing
            outcome.skipped = f"pending intervention {existing.pk} was edited by staff and is left as it is"
        elif existing is not None:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            outcome.intervention, outcome.updated = existing, True
            updated.append((existing, result))
        else:
            intervention = Intervention(customer_id=request.customer_id, origin=origin, **fields)
            outcome.intervention, outcome.created = intervention, True
            created.append((intervention, result, outcome))
    # SQLite (3.35+) and PostgreSQL return the new ids, which the steps below point to.
    Intervention.objects.bulk_create([intervention for intervention, _, _ in created])
    AgentStep.objects.filter(intervention__in=[intervention for intervention, _ in updated]).delete()
    AgentStep.objects.bulk_create(
        step
        for intervention, result in [*updated, *((intervention, result) for intervention, result, _ in created)]
        for step in _steps(intervention, result)
    )
    Activity.objects.bulk_create(
        Activity(
            intervention=intervention,
            action=Activity.Action.DRAFTED,
            detail=f"{'drafted' if is_new else 'drafted again'} by the {intervention.backend} backend "
            f"({intervention.get_origin_display().lower()})",
        )
        for intervention, is_new in [
            *((intervention, True) for intervention, _, _ in created),
            *((intervention, False) for intervention, _ in updated),
        ]
    )


def intervention_draft(
    *,
    customer_id: str,
    origin: str,
    trigger: Trigger,
    as_of: dt.datetime | None = None,
    scan_finding: ScanFinding | None = None,
    event: CustomerEvent | None = None,
    scenario: str = "",
    model: OpenAIBackend | object | None = DEFAULT_MODEL,
    policy: OutreachPolicy | None = None,
) -> DraftOutcome:
    """Draft for one customer (see interventions_draft). Raises Customer.DoesNotExist for an unknown id."""
    request = DraftRequest(customer_id, trigger, scan_finding=scan_finding, event=event, scenario=scenario)
    (outcome,) = interventions_draft(requests=[request], origin=origin, as_of=as_of, model=model, policy=policy)
    if outcome.skipped == NO_SUCH_CUSTOMER:
        raise Customer.DoesNotExist(f"no customer {customer_id}")
    return outcome


def interventions_from_scan(
    *,
    scan: ScanRun,
    top_n: int | None = None,
    model: OpenAIBackend | object | None = DEFAULT_MODEL,
    progress: Progress | None = None,
) -> list[DraftOutcome]:
    """Draft an intervention for each of the scan's top N findings (PROCX_OUTREACH_CAPACITY by default)."""
    say = progress or (lambda message: None)
    top_n = settings.PROCX_OUTREACH_CAPACITY if top_n is None else top_n
    backend = model_backend() if model is DEFAULT_MODEL else model
    policy = OutreachPolicy.from_settings()
    findings = list(scan.findings.order_by("rank")[:top_n])
    if findings:
        writer = backend.config.describe() if backend is not None else "the offline backend"  # type: ignore[attr-defined]  # the DEFAULT_MODEL sentinel makes model typed object
        say(f"Drafting outreach for the top {len(findings)} findings with {writer}")
    requests = [
        DraftRequest(
            finding.customer_id,
            Trigger(kind="scan", description=f"Proactive scan #{scan.pk}, rank {finding.rank}: {finding.description}"),
            scan_finding=finding,
        )
        for finding in findings
    ]
    return interventions_draft(requests=requests, origin=Origin.SCAN, as_of=scan.as_of, model=backend, policy=policy)


@transaction.atomic
def intervention_edit(
    *, intervention: Intervention, user: object, subject: str, body: str, language: str | None = None
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
        locked.edited_by = user  # type: ignore[assignment]  # user is request.user, typed object here; the field wants a User
        locked.edited_at = timezone.now()
        locked.save()
        Activity.objects.create(  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
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


def intervention_approve(*, intervention: Intervention, user: object) -> Intervention:
    """A reviewer approves a pending draft, and it is sent at once through its channel.

    Approving twice, or two reviewers at once, approves and sends once: the second gets
    InvalidTransition. A send that fails leaves it failed, with the reason, to retry.
    """
    with transaction.atomic():
        intervention.approve(user=user)
        Activity.objects.create(intervention=intervention, actor=user, action=Activity.Action.APPROVED)  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
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


def interventions_approve(*, intervention_ids: Sequence[int], user: object) -> dict[int, ApprovalOutcome]:
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


def intervention_reject(*, intervention: Intervention, user: object, reason: str) -> Intervention:
    """A reviewer rejects a pending draft, with a reason (kept, and in the audit trail)."""
    with transaction.atomic():
        intervention.reject(user=user, reason=reason)
        Activity.objects.create(  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
            intervention=intervention, actor=user, action=Activity.Action.REJECTED, detail=reason.strip()
        )
    return intervention


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


def intervention_send(*, intervention: Intervention, user: object | None) -> Intervention:
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
            Activity.objects.create(  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
                intervention=intervention, actor=user, action=Activity.Action.SEND_FAILED, detail=reason[:2000]
            )
        return intervention
    with transaction.atomic():
        OutboxMessage.objects.create(  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
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
        Activity.objects.create(  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
            intervention=intervention,
            actor=user,
            action=Activity.Action.SENT,
            detail=f"{intervention.get_channel_display()} to {message.recipient} through {backend.name}",
        )
    return intervention


def proactive_scan_run(
    *,
    as_of: dt.datetime | dt.date | None = None,
    min_risk: float | None = None,
    min_ltv: float | None = None,
    trigger: str = ScanRun.Trigger.MANUAL,
    top_n: int | None = None,
    progress: Progress | None = None,
    queued: ScanRun | None = None,
) -> tuple[ScanRun, list[DraftOutcome]]:
    """The proactive scan, then drafts for its top findings, pending review. `queued`: a run
    staff asked for from the scans page (`scan_request`), which this fills in."""
    scan = scan_run(as_of=as_of, min_risk=min_risk, min_ltv=min_ltv, trigger=trigger, progress=progress, queued=queued)
    return scan, interventions_from_scan(scan=scan, top_n=top_n, progress=progress)


def scans_abandoned_close(*, now: dt.datetime | None = None) -> int:
    """Mark queued or running scans older than the task timeout as failed: the worker that had
    them stopped (or never came), and they must not block "Run scan now" forever."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=int(settings.Q_CLUSTER.get("timeout", 600)))  # type: ignore[call-overload]  # settings are untyped dicts to the stubs
    return ScanRun.objects.filter(
        status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING], started_at__lt=cutoff
    ).update(
        status=ScanRun.Status.FAILED,
        error="abandoned: no worker finished it within the task timeout (is manage.py qcluster running?)",
        finished_at=timezone.now(),
    )


def scan_request(*, user: object) -> tuple[ScanRun, bool]:
    """ "Run scan now": a queued ScanRun, run by the worker after commit; returns it and whether it
    is new. While a scan is queued or running, asking again returns that one: scans do not pile up.
    One left behind by a stopped worker is closed as failed first."""
    from django_q.tasks import async_task

    scans_abandoned_close()
    active = (
        ScanRun.objects.select_for_update()
        .filter(status__in=[ScanRun.Status.QUEUED, ScanRun.Status.RUNNING])
        .order_by("-started_at")
        .first()
    )
    if active is not None:
        return active, False
    scan = ScanRun.objects.create(  # type: ignore[misc]  # user is request.user, typed object here; the field wants a User
        as_of=timezone.now(),
        status=ScanRun.Status.QUEUED,
        trigger=ScanRun.Trigger.MANUAL,
        requested_by=user,
        progress="Waiting for the worker",
    )
    transaction.on_commit(
        lambda: async_task("interventions.tasks.requested_scan", scan.pk, task_name=f"scan {scan.pk} (requested)")
    )
    return scan, True
