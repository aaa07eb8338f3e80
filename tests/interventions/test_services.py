"""Drafting interventions from the database: the trace, languages, the scan feeding the pipeline,
one pending draft per customer and origin, review transitions, and the model path with fallbacks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx2
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from customers.models import Customer, ScanRun
from customers.scan import customer_rescore
from customers.services import workbook_import
from customers.workbook_files import workbook_write
from demo.dataset import dataset_generate
from interventions.agents.llm import ModelConfig, OpenAIBackend
from interventions.agents.types import Trigger
from interventions.apps import SCAN_SCHEDULE_NAME
from interventions.empathy import DIMENSION_NAMES, EMPATHY_THRESHOLD
from interventions.language import detect_text_language
from interventions.models import AgentStep, Intervention, InvalidTransition, Origin, Status
from interventions.services.drafting import DraftRequest, intervention_draft, interventions_draft
from interventions.services.review import intervention_edit
from interventions.services.scans import proactive_scan_run
from tests.factories import NOW, make_customer, make_nps_response, make_order, make_payment, make_ticket
from tests.interventions.fake_model import FakeModelServer, completion_response, error_response

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 10, 9)
COMPLAINT = Trigger(
    kind="webhook",
    description="Complaint about a late order",
    category="COMPLAINT",
    customer_text="My order is late again and nobody answers.",
)


@pytest.fixture
def shop(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    workbook_write(dataset_generate(customers=300, seed=5, as_of=AS_OF), path)
    workbook_import(path=path)


def troubled_customer(**overrides: object):
    """A VIP with a late order, a failed payment, an open ticket and a detractor answer, scored."""
    customer = make_customer(**{"segment": "VIP", "lifetime_value": "8200.00", **overrides})
    order = make_order(customer, delivery_delay_days=6.0)
    make_payment(order, status="failed", failure_reason="card_declined", payment_date=NOW - dt.timedelta(days=4))
    make_ticket(customer, order=order)
    make_nps_response(customer, nps_score=3)
    customer_rescore(customer_id=customer.pk, as_of=NOW)
    return customer


def draft(customer, trigger: Trigger = COMPLAINT, origin: str = Origin.WEBHOOK, **kwargs: object):
    return intervention_draft(customer_id=customer.pk, origin=origin, trigger=trigger, as_of=NOW, model=None, **kwargs)


def test_a_draft_keeps_the_case_the_decision_the_message_and_a_four_stage_trace() -> None:
    customer = troubled_customer(first_name="Meera")
    outcome = draft(customer)
    intervention = outcome.intervention
    assert outcome.created
    assert intervention.status == Status.PENDING_REVIEW
    assert intervention.backend == "offline"
    assert {pattern["name"] for pattern in intervention.patterns} >= {"payment_trouble", "service_failures"}
    assert intervention.action == "payment_assistance"
    assert intervention.offer_percent == 0
    assert "Meera" in intervention.body
    assert intervention.body == intervention.drafted_body
    assert intervention.empathy_score >= EMPATHY_THRESHOLD
    assert [item["name"] for item in intervention.empathy_breakdown["dimensions"]] == list(DIMENSION_NAMES)
    assert float(intervention.value_at_risk) == pytest.approx(
        float(intervention.lifetime_value) * intervention.churn_risk, abs=0.01
    )
    steps = list(intervention.steps.values_list("stage", "backend"))
    assert steps == [("context", "code"), ("pattern", "code"), ("decision", "offline"), ("empathy", "offline")]
    context_output = AgentStep.objects.get(intervention=intervention, stage="context").output
    assert context_output["profile"]["customer_id"] == customer.pk
    assert len(context_output["health"]["factors"]) == 10


@pytest.mark.parametrize("language", ["bn", "hi", "es"])
def test_a_customer_gets_the_message_in_their_language_and_script(language) -> None:
    customer = troubled_customer(language=language)
    intervention = draft(customer).intervention
    assert intervention.language == intervention.message_language == language
    assert intervention.language_source == "profile"
    assert detect_text_language(intervention.body).code == language
    assert intervention.language_detected == "en"  # the complaint was written in English ...
    assert "English" in intervention.language_note  # ... and the mismatch is noted


def test_an_unsupported_profile_language_falls_back_to_english_and_says_so() -> None:
    intervention = draft(troubled_customer(language="sw")).intervention
    assert intervention.language == "en"
    assert intervention.language_source == "fallback"
    assert "not supported" in intervention.language_note


def test_redrafting_updates_the_pending_intervention_and_its_trace_instead_of_duplicating() -> None:
    customer = troubled_customer()
    first = draft(customer).intervention
    second = draft(customer)
    assert second.updated
    assert second.intervention.pk == first.pk
    assert Intervention.objects.count() == 1
    assert AgentStep.objects.filter(intervention=first).count() == 4
    other_origin = draft(customer, origin=Origin.DEMO)
    assert other_origin.created
    assert Intervention.objects.count() == 2


def test_a_draft_staff_edited_is_left_as_it_is() -> None:
    customer = troubled_customer()
    intervention = draft(customer).intervention
    Intervention.objects.filter(pk=intervention.pk).update(body="Edited by a person.", edited_at=NOW)
    outcome = draft(customer)
    assert "edited by staff" in outcome.skipped
    intervention.refresh_from_db()
    assert intervention.body == "Edited by a person."


def test_a_customer_sent_outreach_recently_gets_no_new_draft() -> None:
    customer = troubled_customer(segment="Regular")
    intervention = draft(customer).intervention
    Intervention.objects.filter(pk=intervention.pk).update(status=Status.SENT, sent_at=NOW - dt.timedelta(days=2))
    outcome = draft(customer)
    assert outcome.intervention is None
    assert "Contacted 2 days ago" in outcome.skipped
    assert Intervention.objects.count() == 1


def test_approving_twice_or_rejecting_without_a_reason_is_refused() -> None:
    reviewer = User.objects.create_user("reviewer")
    intervention = draft(troubled_customer()).intervention
    with pytest.raises(InvalidTransition, match="needs a reason"):
        intervention.reject(user=reviewer, reason="  ")
    intervention.approve(user=reviewer)
    stale = Intervention.objects.get(pk=intervention.pk)
    stale.status = Status.PENDING_REVIEW  # a second reviewer's page, loaded before the first approved
    with pytest.raises(InvalidTransition, match="approved"):
        stale.approve(user=reviewer)
    intervention.refresh_from_db()
    assert (intervention.status, intervention.reviewed_by) == (Status.APPROVED, reviewer)
    intervention.claim_for_sending()
    intervention.mark_sent()
    assert Intervention.objects.get(pk=intervention.pk).sent_at is not None


def test_the_scan_feeds_its_top_findings_to_the_pipeline_and_a_rescan_never_duplicates(shop, settings) -> None:
    settings.PROCX_OUTREACH_CAPACITY = 3
    scan, outcomes = proactive_scan_run(as_of=AS_OF, min_risk=0.3, min_ltv=500)
    assert len(outcomes) == 3
    assert all(outcome.created for outcome in outcomes)
    top = list(scan.findings.order_by("rank")[:3])
    pending = Intervention.objects.filter(origin=Origin.SCAN, status=Status.PENDING_REVIEW)
    assert sorted(pending.values_list("scan_finding_id", flat=True)) == sorted(finding.pk for finding in top)
    for intervention in pending:
        assert intervention.trigger_description.startswith(f"Proactive scan #{scan.pk}, rank ")
        assert intervention.steps.count() == 4

    again, outcomes = proactive_scan_run(as_of=AS_OF, min_risk=0.3, min_ltv=500)
    assert all(outcome.updated for outcome in outcomes)
    assert Intervention.objects.filter(origin=Origin.SCAN).count() == 3
    assert set(pending.values_list("scan_finding__scan", flat=True)) == {again.pk}


def test_the_schedule_runs_the_scan_and_the_drafts(shop, settings) -> None:
    from interventions.tasks import scheduled_scan

    schedule = Schedule.objects.get(name=SCAN_SCHEDULE_NAME)
    assert schedule.func == "interventions.tasks.scheduled_scan"
    assert schedule.minutes == settings.PROCX_SCAN_INTERVAL_MINUTES == 5
    settings.PROCX_SCAN_MIN_RISK = 0.3
    settings.PROCX_SCAN_MIN_LTV = 500
    scan = ScanRun.objects.get(pk=scheduled_scan())
    assert (scan.status, scan.trigger) == ("finished", "schedule")
    assert Intervention.objects.filter(origin=Origin.SCAN).count() == min(10, scan.at_risk_count) > 0


# --- The model path ------------------------------------------------------------------------


def model(*replies) -> tuple[OpenAIBackend, FakeModelServer]:
    server = FakeModelServer(*replies)
    config = ModelConfig(api_key="sk-test", base_url="", model="gpt-test", timeout_seconds=5, max_retries=0)
    return OpenAIBackend(config, http_client=server.client()), server


def decision_reply(**overrides: object) -> httpx2.Response:
    values = {
        "channel": "email",
        "action": "payment_assistance",
        "offer": "",
        "offer_percent": 0,
        "priority": "high",
        "escalate": False,
        "escalation_reason": "",
        "reasons": ["The card was declined four days ago."],
    }
    return completion_response({**values, **overrides})


def draft_reply(body: str, rating: float = 0.9) -> httpx2.Response:
    return completion_response(
        {
            "subject": "About your payment",
            "body": body,
            "ratings": [{"dimension": name, "rating": rating, "evidence": body[:30]} for name in DIMENSION_NAMES],
        }
    )


MODEL_BODY = "Dear Asha, I understand how frustrating the declined card must be. I am sorry. I will call you today."


def steps_of(intervention: Intervention) -> list[tuple[str, str, str]]:
    return list(intervention.steps.values_list("stage", "backend", "error"))


def test_a_valid_model_answer_is_used_and_traced() -> None:
    backend, server = model(decision_reply(), draft_reply(MODEL_BODY))
    customer = troubled_customer(segment="Regular")
    intervention = intervention_draft(
        customer_id=customer.pk, origin=Origin.WEBHOOK, trigger=COMPLAINT, as_of=NOW, model=backend
    ).intervention
    assert intervention.backend == "gpt-test"
    assert intervention.body == MODEL_BODY
    assert intervention.empathy_score == 90  # the model's ratings, weighted in code
    assert [stage[:2] for stage in steps_of(intervention)][2:] == [("decision", "gpt-test"), ("empathy", "gpt-test")]
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (completion_response(None, refusal="I can't help with that."), "refusal"),
        (lambda request: (_ for _ in ()).throw(httpx2.ReadTimeout("slow", request=request)), "timeout"),
        (error_response(500, "The server had an error"), "http_error"),
    ],
    ids=["refusal", "timeout", "500"],
)
def test_a_failing_model_falls_back_to_the_offline_backend_for_each_stage(reply, kind) -> None:
    backend, _ = model(reply)
    customer = troubled_customer(segment="Regular")
    intervention = intervention_draft(
        customer_id=customer.pk, origin=Origin.WEBHOOK, trigger=COMPLAINT, as_of=NOW, model=backend
    ).intervention
    assert intervention.backend == "offline"
    decision_step = intervention.steps.get(stage="decision")
    assert decision_step.backend == "offline (fallback)"
    assert f"model gpt-test failed: {kind}" in decision_step.error
    empathy_steps = list(intervention.steps.filter(stage="empathy"))
    assert empathy_steps[-1].backend == "offline (fallback)"
    assert kind in empathy_steps[-1].error
    assert intervention.empathy_score >= EMPATHY_THRESHOLD


def test_a_policy_breaking_model_decision_is_corrected_and_the_trace_keeps_the_proposal() -> None:
    backend, _ = model(
        decision_reply(action="win_back", channel="sms", offer="40% off", offer_percent=40),
        draft_reply(MODEL_BODY),
    )
    customer = troubled_customer(segment="Regular", phone="")
    intervention = intervention_draft(
        customer_id=customer.pk, origin=Origin.WEBHOOK, trigger=COMPLAINT, as_of=NOW, model=backend
    ).intervention
    assert (intervention.channel, intervention.action, intervention.offer_percent) == ("email", "payment_assistance", 0)
    assert len(intervention.policy_corrections) >= 3
    step = intervention.steps.get(stage="decision")
    assert step.backend == "gpt-test"
    assert step.output["proposed"]["offer_percent"] == 40
    assert step.output["corrections"] == intervention.policy_corrections


def test_a_model_message_below_the_threshold_is_regenerated_once_then_replaced_by_the_template() -> None:
    backend, server = model(decision_reply(), draft_reply("Pay now.", 0.2), draft_reply("Pay now please.", 0.3))
    customer = troubled_customer(segment="Regular")
    intervention = intervention_draft(
        customer_id=customer.pk, origin=Origin.WEBHOOK, trigger=COMPLAINT, as_of=NOW, model=backend
    ).intervention
    empathy = list(intervention.steps.filter(stage="empathy").values_list("backend", "error"))
    assert [backend for backend, _ in empathy] == ["gpt-test", "gpt-test", "offline (fallback)"]
    assert "regenerating once" in empathy[0][1]
    assert "using the offline template" in empathy[1][1]
    assert intervention.backend == "offline"
    assert intervention.body not in ("Pay now.", "Pay now please.")
    assert intervention.empathy_score >= EMPATHY_THRESHOLD
    feedback = json.loads(server.requests[2].content)["messages"]
    assert any("scored 20/100" in message["content"] for message in feedback)


def test_drafting_many_costs_the_same_queries_as_drafting_few() -> None:
    def queries_to_draft(count: int) -> int:
        customers = [troubled_customer(segment="Regular") for _ in range(count)]
        requests = [DraftRequest(customer.pk, COMPLAINT) for customer in customers]
        with CaptureQueriesContext(connection) as queries:
            outcomes = interventions_draft(requests=requests, origin=Origin.WEBHOOK, as_of=NOW, model=None)
        assert all(outcome.created for outcome in outcomes)
        return len(queries)

    assert queries_to_draft(2) == queries_to_draft(6)


def test_a_batch_skips_an_unknown_customer_and_a_repeated_one_and_drafts_the_rest() -> None:
    customer = troubled_customer()
    requests = [
        DraftRequest(customer.pk, COMPLAINT),
        DraftRequest("C999999", COMPLAINT),
        DraftRequest(customer.pk, COMPLAINT),
    ]
    outcomes = interventions_draft(requests=requests, origin=Origin.WEBHOOK, as_of=NOW, model=None)
    assert outcomes[0].created
    assert outcomes[1].skipped == "no such customer"
    assert outcomes[2].skipped == "already drafted in this batch"
    assert Intervention.objects.count() == 1
    with pytest.raises(Customer.DoesNotExist):
        draft(Customer(pk="C999999"))


def test_a_staff_edit_is_kept_as_theirs_and_rescored_against_the_same_facts() -> None:
    editor = User.objects.create_user("editor")
    customer = troubled_customer(first_name="Meera", segment="Regular")
    intervention = draft(customer).intervention
    drafted_body, drafted_score = intervention.body, intervention.empathy_score
    assert intervention.empathy_facts["customer_name"] == "Meera"

    edited = intervention_edit(intervention=intervention, user=editor, subject="Payment", body="PAY NOW.")
    assert (edited.body, edited.drafted_body) == ("PAY NOW.", drafted_body)
    assert (edited.edited_by, edited.is_edited) == (editor, True)
    assert edited.empathy_score < 40 < drafted_score
    respectful = {item["name"]: item for item in edited.empathy_breakdown["dimensions"]}["respectful_tone"]
    assert respectful["score"] < 1

    warm = f"Dear Meera, I am so sorry about {edited.empathy_facts['references'][0]}. I understand how frustrating it is; I will call you today."
    rescored = intervention_edit(intervention=edited, user=editor, subject="", body=warm)
    assert rescored.empathy_score > edited.empathy_score


def test_an_edit_needs_a_body_and_a_pending_intervention() -> None:
    editor = User.objects.create_user("editor")
    intervention = draft(troubled_customer()).intervention
    with pytest.raises(InvalidTransition, match="cannot be empty"):
        intervention_edit(intervention=intervention, user=editor, subject="x", body="  ")
    intervention.approve(user=editor)
    with pytest.raises(InvalidTransition, match="approved: it cannot be edited"):
        intervention_edit(intervention=intervention, user=editor, subject="x", body="Hello")


def test_a_draft_approved_but_not_sent_or_rejected_lately_is_not_redrafted_from_the_same_origin() -> None:
    reviewer = User.objects.create_user("reviewer")
    approved_customer, rejected_customer = troubled_customer(), troubled_customer()
    draft(approved_customer).intervention.approve(user=reviewer)
    draft(rejected_customer).intervention.reject(user=reviewer, reason="Already called them")

    waiting, turned_down = draft(approved_customer), draft(rejected_customer)
    assert "is approved and waiting to be sent" in waiting.skipped
    assert "was rejected on" in turned_down.skipped
    assert "not drafted again within 7 days" in turned_down.skipped
    assert Intervention.objects.count() == 2
    assert draft(rejected_customer, origin=Origin.DEMO).created  # another origin is another case

    Intervention.objects.filter(status=Status.REJECTED).update(reviewed_at=NOW - dt.timedelta(days=30))
    assert draft(rejected_customer).created


def test_a_failed_send_is_kept_and_can_be_retried_but_a_pending_draft_cannot_be_sent() -> None:
    reviewer = User.objects.create_user("reviewer")
    intervention = draft(troubled_customer()).intervention
    with pytest.raises(InvalidTransition, match="pending review"):
        intervention.claim_for_sending()
    with pytest.raises(InvalidTransition, match="pending review"):
        intervention.mark_sent()
    intervention.approve(user=reviewer)
    intervention.claim_for_sending()
    with pytest.raises(InvalidTransition, match="sending"):  # a second sender finds it taken
        Intervention.objects.get(pk=intervention.pk).claim_for_sending()
    intervention.mark_failed(error="SMTP 421: try later")
    failed = Intervention.objects.get(pk=intervention.pk)
    assert (failed.status, failed.send_error) == (Status.FAILED, "SMTP 421: try later")
    with pytest.raises(InvalidTransition, match="failed"):
        failed.mark_failed(error="again")
    failed.claim_for_sending()
    failed.mark_sent()
    sent = Intervention.objects.get(pk=intervention.pk)
    assert (sent.status, sent.send_error) == (Status.SENT, "")
    assert sent.sent_at is not None
