"""Stage 3, Decision: channel, action, offer, priority and escalation, within ProCX's outreach policy.

The policy is code. `decision_offline` is the offline backend's decision, made by the rules;
`policy_enforce` checks any decision (a model's, or the offline one) against the same rules
and corrects what breaks them, saying what it changed. A model may choose within the
policy; it can never send a discount to a customer whose payment failed, call someone with
no phone, or skip the human call a top customer at high risk gets.

The rules:
- VIP segment or Platinum tier with churn risk >= 0.8 is critical: a call by a person.
- A failed payment gets help with the payment, never a discount.
- opt_in_marketing false: service messages only, no promotional offer.
- No SMS or call without a phone number.
- An offer is at most the customer's segment cap (PROCX_OFFER_CAPS); a segment without a cap gets none.
- No new outreach to a customer sent one within PROCX_OUTREACH_COOLDOWN_DAYS, unless critical.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from interventions.agents.types import Action, Channel, CustomerContext, Decision, PatternReport, Priority

CRITICAL_RISK = 0.8
HIGH_RISK = 0.7
MEDIUM_RISK = 0.5
TOP_SEGMENT = "VIP"
TOP_TIER = "Platinum"
OFFER_ACTIONS = ("win_back", "service_recovery", "personal_call")
TROUBLE_CATEGORIES = ("COMPLAINT", "ORDER_CANCELLED")


@dataclass(frozen=True)
class OutreachPolicy:
    offer_caps: Mapping[str, int] = field(default_factory=dict)
    cooldown_days: int = 7

    @classmethod
    def from_settings(cls) -> OutreachPolicy:
        return cls(offer_caps=dict(settings.PROCX_OFFER_CAPS), cooldown_days=settings.PROCX_OUTREACH_COOLDOWN_DAYS)

    def cap(self, segment: str) -> int:
        return int(self.offer_caps.get(segment, 0))

    def as_text(self) -> str:
        """The rules in words, for a model's instructions."""
        caps = ", ".join(f"{segment} {percent}%" for segment, percent in self.offer_caps.items()) or "none"
        return (
            "Outreach policy (binding):\n"
            f"- A VIP-segment or Platinum-tier customer with churn risk >= {CRITICAL_RISK:.0%} is critical: "
            "channel call, escalate to a human, priority critical. Nobody else is critical.\n"
            "- A customer with a failed payment gets help with the payment (action payment_assistance), "
            "never a discount.\n"
            "- A customer with opt_in_marketing false gets service messages only: no offer.\n"
            "- No sms or call without a phone number: use email.\n"
            f"- Offers only with win_back, service_recovery or personal_call, at most the segment cap: {caps}; "
            "other segments get no offer.\n"
            f"- Action hold (no outreach) only when the customer was contacted in the last {self.cooldown_days} "
            "days and the case is not critical.\n"
            "- Escalate to a human when critical, when a VIP or Platinum customer complains or cancels, or "
            "when an escalated ticket is still unresolved; say why."
        )


def _risk(context: CustomerContext) -> float:
    health = context.health
    if health.churn_risk is not None:
        return health.churn_risk
    if health.score is not None:
        return 1 - health.score / 100
    return 0.0


def _top_customer(context: CustomerContext) -> str:
    """ "VIP customer", "Platinum-tier customer", "VIP, Platinum-tier customer", or ""."""
    labels = []
    if context.profile.segment == TOP_SEGMENT:
        labels.append("VIP")
    if context.profile.loyalty_tier == TOP_TIER:
        labels.append("Platinum-tier")
    return f"{', '.join(labels)} customer" if labels else ""


def is_critical(context: CustomerContext) -> bool:
    return bool(_top_customer(context)) and _risk(context) >= CRITICAL_RISK


def _days_since_contact(context: CustomerContext) -> int | None:
    if context.last_contacted_at is None:
        return None
    return max(0, (context.as_of - context.last_contacted_at).days)


def _in_cooldown(context: CustomerContext, policy: OutreachPolicy) -> bool:
    days = _days_since_contact(context)
    return days is not None and days < policy.cooldown_days


def _escalated_ticket(context: CustomerContext) -> str:
    for ticket in context.tickets:
        if ticket.status in ("open", "in_progress", "escalated") and (
            ticket.escalation or ticket.status == "escalated"
        ):
            return ticket.ticket_id
    return ""


def _escalation(context: CustomerContext) -> str:
    """Why a human must take this, or "" when no rule asks for one."""
    who = _top_customer(context)
    if is_critical(context):
        return f"{who} with churn risk {_risk(context):.0%}: an account manager should call personally."
    if who and context.trigger.category in TROUBLE_CATEGORIES:
        what = "complained" if context.trigger.category == "COMPLAINT" else "cancelled an order"
        return f"A {who} {what}: a person should follow up, not only a message."
    ticket = _escalated_ticket(context)
    if ticket:
        return f"Ticket {ticket} is escalated and still unresolved: the agent who owns it should be in the loop."
    return ""


def _offer_text(percent: int) -> str:
    return f"{percent}% off the next order" if percent else ""


def _priority(context: CustomerContext, patterns: PatternReport) -> Priority:
    if is_critical(context):
        return "critical"
    risk = _risk(context)
    high_pattern = any(pattern.severity == "high" for pattern in patterns.patterns)
    if context.trigger.category in TROUBLE_CATEGORIES or high_pattern or risk >= HIGH_RISK:
        return "high"
    if context.trigger.category == "ORDER_DELAYED" or patterns.patterns or risk >= MEDIUM_RISK:
        return "medium"
    return "low"


def decision_offline(*, context: CustomerContext, patterns: PatternReport, policy: OutreachPolicy) -> Decision:
    """The offline backend's decision: the policy's rules, then the most fitting action for the case."""
    reasons: list[str] = []
    priority = _priority(context, patterns)
    escalation_reason = _escalation(context)
    profile = context.profile
    category = context.trigger.category
    critical = priority == "critical"

    if _in_cooldown(context, policy) and not critical:
        days = _days_since_contact(context)
        return Decision(
            channel="email",
            action="hold",
            priority=priority,
            reasons=(
                f"Contacted {days} days ago; no new outreach within {policy.cooldown_days} days unless critical.",
            ),
        )

    payment = patterns.named("payment_trouble")
    action: Action
    if category == "INQUIRY":
        action = "answer_inquiry"
        reasons.append("The customer asked a question: answer it first.")
    elif category == "FEEDBACK" and not critical:
        action = "thank_you"
        reasons.append("The customer sent feedback: thank them for it.")
    elif critical:
        action = "personal_call"
        reasons.append(escalation_reason)
    elif payment is not None:
        action = "payment_assistance"
        reasons.append(f"{payment.evidence[0]} Help with the payment, not a discount.")
    elif category in ("COMPLAINT", "ORDER_DELAYED", "ORDER_CANCELLED") or patterns.named("delivery_problems"):
        action = "service_recovery"
        reasons.append("Something went wrong for the customer: put it right and say what happens next.")
    elif patterns.named("service_failures") or patterns.named("falling_satisfaction"):
        action = "service_recovery"
        reasons.append("The customer's experience with us has gone wrong: fix it before anything else.")
    else:
        action = "win_back"
        quiet = patterns.named("going_quiet") or patterns.named("spending_decline")
        reasons.append(
            f"{quiet.evidence[0]} Remind them why they came." if quiet else "At risk with no single cause: check in."
        )

    offer_percent = 0
    if action in OFFER_ACTIONS and priority in ("high", "critical", "medium"):
        cap = policy.cap(profile.segment)
        offer_percent = cap if priority in ("high", "critical") else (cap // 2) // 5 * 5
    if payment is not None and offer_percent:
        offer_percent = 0
    if not profile.opt_in_marketing and offer_percent:
        offer_percent = 0
        reasons.append("Opted out of marketing: a service message with no promotional offer.")
    elif offer_percent:
        reasons.append(f"Offer {offer_percent}% (the {profile.segment} cap is {policy.cap(profile.segment)}%).")

    channel: Channel
    if critical or (escalation_reason and action in ("service_recovery", "personal_call")):
        channel = "call"
    elif category == "ORDER_DELAYED" and priority != "critical":
        channel = "sms"
        reasons.append("An order update is time-sensitive: a short SMS reaches them first.")
    else:
        channel = "email"
    if channel != "email" and not profile.has_phone:
        reasons.append(f"No phone number on file: email instead of {'a call' if channel == 'call' else 'SMS'}.")
        channel = "email"

    decision = Decision(
        channel=channel,
        action=action,
        offer=_offer_text(offer_percent),
        offer_percent=offer_percent,
        priority=priority,
        escalate=bool(escalation_reason),
        escalation_reason=escalation_reason,
        reasons=tuple(reason for reason in reasons if reason),
    )
    # The rules above follow the policy; enforcing it here too keeps the two from drifting apart.
    return policy_enforce(decision=decision, context=context, patterns=patterns, policy=policy)


def policy_enforce(
    *, decision: Decision, context: CustomerContext, patterns: PatternReport, policy: OutreachPolicy
) -> Decision:
    """`decision` corrected to the policy; each correction is named in `corrections`."""
    changes: dict[str, object] = {}
    corrections: list[str] = []
    profile = context.profile
    critical = is_critical(context)

    def current(name: str) -> Any:  # a Decision field's value, whichever field is named
        return changes.get(name, getattr(decision, name))

    def correct(why: str, **values: object) -> None:
        changes.update(values)
        corrections.append(why)

    in_cooldown = _in_cooldown(context, policy) and not critical
    if in_cooldown and decision.action != "hold":
        correct(
            f"contacted {_days_since_contact(context)} days ago: no new outreach within {policy.cooldown_days} days",
            action="hold",
        )
    if not in_cooldown and decision.action == "hold":
        fallback = decision_offline(context=context, patterns=patterns, policy=policy)
        correct("hold is only for customers contacted recently: used the policy's action", action=fallback.action)

    if critical:
        if decision.priority != "critical":
            correct("a VIP or Platinum customer at risk >= 80% is critical", priority="critical")
        if not decision.escalate:
            correct(
                "a VIP or Platinum customer at risk >= 80% goes to a human",
                escalate=True,
                escalation_reason=_escalation(context),
            )
        if decision.channel != "call" and profile.has_phone:
            correct("a VIP or Platinum customer at risk >= 80% gets a call", channel="call")
    elif decision.priority == "critical":
        correct("only a VIP or Platinum customer at risk >= 80% is critical", priority="high")
    if current("escalate") and not str(current("escalation_reason")).strip():
        changes["escalation_reason"] = _escalation(context) or "The decision asked for a person to follow up."

    if current("channel") in ("sms", "call") and not profile.has_phone:
        correct(f"no phone number on file: email instead of {current('channel')}", channel="email")

    if patterns.named("payment_trouble") is not None:
        if current("action") == "win_back":
            correct("a failed payment gets help with the payment, not a win-back", action="payment_assistance")
        if decision.offer_percent or decision.offer:
            correct("a failed payment gets help with the payment, not a discount", offer_percent=0, offer="")
    if not profile.opt_in_marketing and (current("offer_percent") or current("offer")):
        correct("opted out of marketing: no promotional offer", offer_percent=0, offer="")
    if current("offer_percent") and current("action") not in OFFER_ACTIONS:
        correct(f"no offer with action {current('action')}", offer_percent=0, offer="")
    cap = policy.cap(profile.segment)
    if int(current("offer_percent")) > cap:
        correct(
            f"offer {current('offer_percent')}% is above the {profile.segment} cap of {cap}%",
            offer_percent=cap,
            offer=_offer_text(cap),
        )
    percent = int(current("offer_percent"))
    if str(current("offer")).strip() and not percent:
        correct("an offer needs a percentage within the cap", offer="")
    elif percent and current("offer") != _offer_text(percent):
        changes["offer"] = _offer_text(percent)  # the words always match the number staff approve

    if not changes:
        return decision
    return decision.model_copy(update={**changes, "corrections": (*decision.corrections, *corrections)})
