"""The Decision stage's outreach policy: the offline rules and their enforcement on any decision."""

from __future__ import annotations

import pytest

from interventions.agents.patterns import patterns_find
from interventions.agents.policy import OutreachPolicy, decision_offline, policy_enforce
from interventions.agents.types import Decision, Trigger
from tests.interventions.builders import context, days_ago, order, payment, profile

POLICY = OutreachPolicy(offer_caps={"VIP": 20, "Loyal": 15, "Regular": 10}, cooldown_days=7)


def decide(ctx, policy: OutreachPolicy = POLICY) -> Decision:
    return decision_offline(context=ctx, patterns=patterns_find(ctx), policy=policy)


def enforce(decision: Decision, ctx, policy: OutreachPolicy = POLICY) -> Decision:
    return policy_enforce(decision=decision, context=ctx, patterns=patterns_find(ctx), policy=policy)


@pytest.mark.parametrize(
    ("segment", "tier"),
    [("VIP", "Gold"), ("Regular", "Platinum"), ("VIP", "Platinum")],
    ids=["vip", "platinum", "both"],
)
def test_it_calls_and_escalates_a_top_customer_at_high_risk(segment, tier) -> None:
    decision = decide(context(risk=0.85, profile=profile(segment=segment, loyalty_tier=tier)))
    assert (decision.channel, decision.priority, decision.escalate) == ("call", "critical", True)
    assert decision.action == "personal_call"
    assert "85%" in decision.escalation_reason


def test_it_does_not_treat_a_top_customer_below_080_as_critical() -> None:
    decision = decide(context(risk=0.79, profile=profile(segment="VIP")))
    assert decision.priority != "critical"
    assert decision.channel != "call"
    assert not decision.escalate


def test_it_treats_a_regular_gold_customer_at_090_as_not_critical() -> None:
    decision = decide(context(risk=0.9, profile=profile(segment="Regular", loyalty_tier="Gold")))
    assert decision.priority == "high"
    assert not decision.escalate


def test_a_critical_customer_without_a_phone_is_escalated_by_email() -> None:
    decision = decide(context(risk=0.9, profile=profile(segment="VIP", phone="")))
    assert (decision.channel, decision.escalate) == ("email", True)
    assert any("No phone number" in reason for reason in decision.reasons)


def test_a_failed_payment_gets_payment_help_and_never_a_discount() -> None:
    ctx = context(risk=0.75, profile=profile(segment="VIP"), payments=(payment(),))
    decision = decide(ctx)
    assert decision.action == "payment_assistance"
    assert (decision.offer, decision.offer_percent) == ("", 0)
    assert "P500001" in decision.reasons[0]


def test_a_critical_customer_with_a_failed_payment_is_called_without_a_discount() -> None:
    decision = decide(context(risk=0.9, profile=profile(segment="VIP"), payments=(payment(),)))
    assert (decision.channel, decision.escalate, decision.offer_percent) == ("call", True, 0)


def test_a_customer_who_opted_out_of_marketing_gets_no_offer() -> None:
    quiet = (order("O300001", 200), order("O300000", 230))
    opted_in = decide(context(risk=0.75, orders=quiet))
    opted_out = decide(context(risk=0.75, orders=quiet, profile=profile(opt_in_marketing=False)))
    assert opted_in.action == opted_out.action == "win_back"
    assert opted_in.offer_percent == 10
    assert (opted_out.offer, opted_out.offer_percent) == ("", 0)
    assert any("no promotional offer" in reason for reason in opted_out.reasons)


def test_an_order_delay_goes_by_sms_only_with_a_phone() -> None:
    delay = Trigger(kind="webhook", description="Order delayed by 5 days", category="ORDER_DELAYED", order_id="O300002")
    with_phone = decide(context(trigger=delay))
    without_phone = decide(context(trigger=delay, profile=profile(phone="")))
    assert with_phone.channel == "sms"
    assert without_phone.channel == "email"
    assert any("No phone number" in reason for reason in without_phone.reasons)


def test_offers_are_capped_per_segment_by_the_setting(settings) -> None:
    settings.PROCX_OFFER_CAPS = {"VIP": 5}
    quiet = (order("O300001", 200), order("O300000", 230))
    vip = decide(context(risk=0.75, orders=quiet, profile=profile(segment="VIP")), OutreachPolicy.from_settings())
    regular = decide(context(risk=0.75, orders=quiet), OutreachPolicy.from_settings())
    assert (vip.offer_percent, vip.offer) == (5, "5% off the next order")
    assert regular.offer_percent == 0


def test_a_customer_contacted_recently_is_held_unless_critical() -> None:
    recent = days_ago(3)
    held = decide(context(risk=0.75, last_contacted_at=recent))
    critical = decide(context(risk=0.9, profile=profile(segment="VIP"), last_contacted_at=recent))
    long_ago = decide(context(risk=0.75, last_contacted_at=days_ago(30)))
    assert held.action == "hold"
    assert "Contacted 3 days ago" in held.reasons[0]
    assert critical.action == "personal_call"
    assert long_ago.action != "hold"


def test_an_inquiry_is_answered_and_feedback_is_thanked() -> None:
    inquiry = Trigger(kind="demo", description="asks about shipping", category="INQUIRY")
    feedback = Trigger(kind="demo", description="loved it", category="FEEDBACK")
    assert decide(context(risk=0.2, trigger=inquiry)).action == "answer_inquiry"
    thanks = decide(context(risk=0.2, trigger=feedback))
    assert (thanks.action, thanks.offer_percent) == ("thank_you", 0)


def test_a_vip_complaint_is_escalated_to_a_person() -> None:
    complaint = Trigger(kind="demo", description="unhappy", category="COMPLAINT", customer_text="Third time!")
    decision = decide(context(risk=0.5, trigger=complaint, profile=profile(segment="VIP")))
    assert decision.escalate
    assert "complained" in decision.escalation_reason
    assert (decision.action, decision.channel) == ("service_recovery", "call")


def test_the_offline_decision_needs_no_correction() -> None:
    for ctx in (
        context(risk=0.9, profile=profile(segment="VIP", phone="")),
        context(risk=0.75, payments=(payment(),)),
        context(risk=0.75, profile=profile(opt_in_marketing=False)),
    ):
        assert decide(ctx).corrections == ()


def test_enforcement_corrects_a_proposal_that_breaks_every_rule() -> None:
    ctx = context(
        risk=0.75, profile=profile(segment="Regular", phone="", opt_in_marketing=False), payments=(payment(),)
    )
    proposal = Decision(
        channel="sms", action="win_back", offer="50% off", offer_percent=50, priority="critical", reasons=("model",)
    )
    decision = enforce(proposal, ctx)
    assert decision.channel == "email"
    assert decision.action == "payment_assistance"
    assert (decision.offer, decision.offer_percent) == ("", 0)
    assert decision.priority == "high"
    text = " | ".join(decision.corrections)
    for expected in ("no phone number", "not a win-back", "not a discount", "only a VIP or Platinum"):
        assert expected in text


def test_enforcement_caps_an_offer_and_rewrites_its_words() -> None:
    proposal = Decision(
        channel="email", action="win_back", offer="30% off everything", offer_percent=30, priority="high"
    )
    decision = enforce(proposal, context(risk=0.75))
    assert (decision.offer_percent, decision.offer) == (10, "10% off the next order")
    assert any("above the Regular cap of 10%" in correction for correction in decision.corrections)


def test_enforcement_makes_a_critical_case_a_call_by_a_person() -> None:
    proposal = Decision(channel="email", action="service_recovery", priority="high")
    decision = enforce(proposal, context(risk=0.95, profile=profile(loyalty_tier="Platinum")))
    assert (decision.channel, decision.priority, decision.escalate) == ("call", "critical", True)
    assert decision.escalation_reason


def test_enforcement_refuses_a_hold_without_recent_contact_and_forces_one_with_it() -> None:
    hold = Decision(channel="email", action="hold", priority="low")
    not_held = enforce(hold, context(risk=0.75))
    assert not_held.action != "hold"
    proposal = Decision(channel="email", action="win_back", priority="medium")
    held = enforce(proposal, context(risk=0.75, last_contacted_at=days_ago(2)))
    assert held.action == "hold"


def test_enforcement_strips_an_offer_from_an_action_that_cannot_carry_one() -> None:
    proposal = Decision(channel="email", action="thank_you", offer="10% off", offer_percent=10, priority="low")
    decision = enforce(proposal, context(risk=0.3))
    assert decision.offer_percent == 0
    assert decision.offer == ""


def test_the_policy_in_words_names_every_rule() -> None:
    text = POLICY.as_text()
    for phrase in ("80%", "never a discount", "opt_in_marketing false", "without a phone", "VIP 20%", "7 days"):
        assert phrase in text
