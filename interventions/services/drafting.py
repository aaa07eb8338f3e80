"""Drafting interventions: run the agent pipeline for a customer and keep the result for review.

`interventions_draft` is the one way interventions come to be, whatever started them (scan
findings, a webhook event, a demo scenario; `intervention_draft` is its one-customer form).
`interventions_from_scan` drafts for a scan's top findings; `services.scans.proactive_scan_run`
runs the scan and then it, for the schedule and `run_proactive`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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
from interventions.agents.context import contexts_build
from interventions.agents.llm import OpenAIBackend, model_backend
from interventions.agents.pipeline import PipelineResult, pipeline_run
from interventions.agents.policy import OutreachPolicy
from interventions.agents.types import Trigger
from interventions.models import Activity, AgentStep, Intervention, Origin, Status

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
        number = self.intervention.pk if self.intervention is not None else "?"
        return f"{self.customer_id}: {verb} intervention {number}"


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _fields(result: PipelineResult) -> dict[str, object]:
    context, decision, message, empathy = result.context, result.decision, result.message, result.empathy
    if message is None or empathy is None or result.facts is None:
        # A held decision writes no message, and held results are never saved (_save skips them).
        raise ValueError(f"{context.profile.customer_id}: a held decision has no message to keep")
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
        "subject": message.subject,
        "body": message.body,
        "message_language": message.language,
        "drafted_subject": message.subject,
        "drafted_body": message.body,
        "empathy_score": empathy.total,
        "empathy_breakdown": empathy.as_dict(),
        "empathy_facts": dataclasses.asdict(result.facts),
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


# What a reviewer reads before approving: a change to any of them is a new version.
VERSIONED_FIELDS = ("subject", "body", "message_language", "channel")


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
            before = [getattr(existing, name) for name in VERSIONED_FIELDS]
            for name, value in fields.items():
                setattr(existing, name, value)
            if [getattr(existing, name) for name in VERSIONED_FIELDS] != before:
                existing.version += 1  # a reviewer looking at the old words must not approve these unseen
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
    findings = list(scan.findings.filter(left_at=None).order_by("rank")[:top_n])
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
