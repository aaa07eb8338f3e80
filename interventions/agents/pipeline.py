"""The four stages in a row, each timed and traced: Context -> Pattern -> Decision -> Empathy.

The Context stage (agents.context) reads the database, many customers at a time; this
module runs the rest for one customer. Context and Pattern are code. Decision and Empathy use the model when one is configured and
the offline backend otherwise; whenever the model fails (an error, a refusal, an invalid or
policy-breaking answer, a message that scores too low twice) that stage falls back to the
offline backend and the trace says why. The result is not saved here: services turn it
into an Intervention with its AgentStep records.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from interventions.agents.llm import ModelUnavailable, OpenAIBackend
from interventions.agents.patterns import patterns_find
from interventions.agents.policy import OutreachPolicy, decision_offline, policy_enforce
from interventions.agents.templates import message_facts, offline_message
from interventions.agents.types import CustomerContext, Decision, Message, PatternReport
from interventions.empathy import (
    DIMENSIONS,
    EMPATHY_THRESHOLD,
    EmpathyScore,
    MessageFacts,
    combine_model_ratings,
    score_message,
)

OFFLINE = "offline"
CODE = "code"
FALLBACK = "offline (fallback)"
# A dimension the model rated below this is named in the feedback for the one regeneration.
WEAK_DIMENSION = 0.6


@dataclass
class StepRecord:
    """One stage as it ran (becomes an AgentStep)."""

    stage: str
    backend: str
    duration_ms: float
    output: dict[str, Any]
    error: str = ""


@dataclass
class PipelineResult:
    context: CustomerContext
    patterns: PatternReport
    decision: Decision
    message: Message | None  # None when the decision is to hold
    empathy: EmpathyScore | None
    backend: str  # who wrote the message: "offline" or the model's name
    steps: list[StepRecord] = field(default_factory=list)
    facts: MessageFacts | None = None  # what the empathy rubric checked the message against

    @property
    def held(self) -> bool:
        return self.decision.action == "hold"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json")


def pipeline_run(
    *,
    context: CustomerContext,
    policy: OutreachPolicy,
    model: OpenAIBackend | None = None,
    context_ms: float = 0.0,
) -> PipelineResult:
    """Run the stages after Context for one customer whose context is built (see agents.context).

    `context_ms` is the time it took to read the context, recorded on the Context step.
    """
    steps = [StepRecord("context", CODE, round(context_ms, 3), _dump(context))]

    started = time.perf_counter()
    patterns = patterns_find(context)
    steps.append(StepRecord("pattern", CODE, _ms(started), _dump(patterns)))

    decision = _decide(context, patterns, policy, model, steps)
    if decision.action == "hold":
        return PipelineResult(context, patterns, decision, None, None, OFFLINE if model is None else model.name, steps)

    facts = message_facts(context=context, patterns=patterns, decision=decision)
    message, empathy, backend = _write(context, patterns, decision, facts, model, steps)
    return PipelineResult(context, patterns, decision, message, empathy, backend, steps, facts)


def _decide(
    context: CustomerContext,
    patterns: PatternReport,
    policy: OutreachPolicy,
    model: OpenAIBackend | None,
    steps: list[StepRecord],
) -> Decision:
    error = ""
    elapsed = 0.0
    if model is not None:
        started = time.perf_counter()
        try:
            proposed = model.decide(context=context, patterns=patterns, policy_text=policy.as_text())
        except ModelUnavailable as failure:
            error = f"model {model.name} failed: {failure}; decided by the offline rules"
            elapsed = _ms(started)
        else:
            decision = policy_enforce(decision=proposed, context=context, patterns=patterns, policy=policy)
            output = _dump(decision)
            if decision.corrections:
                output["proposed"] = _dump(proposed)
            steps.append(StepRecord("decision", model.name, _ms(started), output))
            return decision
    started = time.perf_counter()
    decision = decision_offline(context=context, patterns=patterns, policy=policy)
    duration = _ms(started) + elapsed
    steps.append(StepRecord("decision", FALLBACK if error else OFFLINE, duration, _dump(decision), error))
    return decision


def _weak_dimensions(score: EmpathyScore) -> str:
    labels = {dimension.name: dimension.label for dimension in DIMENSIONS}
    weak = [labels[item.name].lower() for item in score.dimensions if item.score < WEAK_DIMENSION]
    return ", ".join(weak)


def _empathy_output(message: Message, score: EmpathyScore, **extra: Any) -> dict[str, Any]:
    return {"message": _dump(message), "empathy": score.as_dict(), **extra}


def _write(
    context: CustomerContext,
    patterns: PatternReport,
    decision: Decision,
    facts: MessageFacts,
    model: OpenAIBackend | None,
    steps: list[StepRecord],
) -> tuple[Message, EmpathyScore, str]:
    language = context.language.code
    error = ""
    if model is not None:
        feedback = ""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                draft = model.write_message(context=context, patterns=patterns, decision=decision, feedback=feedback)
            except ModelUnavailable as failure:
                error = f"model {model.name} failed: {failure}"
                steps.append(StepRecord("empathy", model.name, _ms(started), {"attempt": attempt}, error))
                break
            message = draft.message(language)
            score = combine_model_ratings(draft.ratings_map(), message=f"{message.subject}\n{message.body}")
            # The rubric reads the same text as a cross-check a reviewer can compare with the model's ratings.
            rubric = score_message(subject=message.subject, body=message.body, language=language, facts=facts)
            output = _empathy_output(message, score, attempt=attempt, rubric_check=rubric.total)
            if score.total >= EMPATHY_THRESHOLD:
                steps.append(StepRecord("empathy", model.name, _ms(started), output))
                return message, score, model.name
            weak = _weak_dimensions(score)
            error = f"empathy {score.total} is below {EMPATHY_THRESHOLD}" + (f" (weak: {weak})" if weak else "")
            steps.append(
                StepRecord(
                    "empathy",
                    model.name,
                    _ms(started),
                    output,
                    error + ("; regenerating once" if attempt == 1 else "; using the offline template"),
                )
            )
            feedback = f"Your previous draft scored {score.total}/100 on the empathy rubric. Improve: {weak or 'all'}."
    started = time.perf_counter()
    message = offline_message(context=context, patterns=patterns, decision=decision)
    score = score_message(subject=message.subject, body=message.body, language=language, facts=facts)
    output = _empathy_output(message, score)
    note = error if error else ""
    if score.total < EMPATHY_THRESHOLD:
        note = "; ".join(filter(None, [note, f"the offline template scored {score.total}, below {EMPATHY_THRESHOLD}"]))
    steps.append(StepRecord("empathy", FALLBACK if error else OFFLINE, _ms(started), output, note))
    return message, score, OFFLINE
