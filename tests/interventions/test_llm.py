"""The model backend: structured answers become pipeline types, and every way a model can fail
becomes ModelUnavailable with the right kind. The SDK runs for real against a fake HTTP
transport that answers like the chat completions API; nothing reaches the network."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, get_args

import httpx2
import pytest
from openai.lib._pydantic import to_strict_json_schema

from interventions.agents.llm import (
    DecisionProposal,
    DimensionName,
    DraftRating,
    ModelConfig,
    ModelDraft,
    ModelUnavailable,
    OpenAIBackend,
    model_backend,
)
from interventions.agents.types import (
    CustomerContext,
    Decision,
    FactorView,
    Health,
    LanguageView,
    OrderView,
    Pattern,
    PatternReport,
    PaymentView,
    Profile,
    Trigger,
)
from interventions.empathy import DIMENSION_NAMES, DIMENSIONS, combine_model_ratings
from tests.interventions.fake_model import FakeModelServer, completion_response, error_response

API_KEY = "sk-test-4f2b9c1d8e7a"
MODEL = "gpt-4o-mini"
AS_OF = dt.datetime(2025, 10, 1, 12, 0, tzinfo=dt.UTC)
TRIGGER_DESCRIPTION = "Order O300123 is 4 days late"

# --- Builders -----------------------------------------------------------------------------


def make_context(*, first_name: str = "Priya", language: str = "en", **trigger: Any) -> CustomerContext:
    return CustomerContext(
        as_of=AS_OF,
        trigger=Trigger(
            kind="webhook",
            description=trigger.pop("description", TRIGGER_DESCRIPTION),
            category=trigger.pop("category", "ORDER_DELAYED"),
            customer_text=trigger.pop("customer_text", ""),
            order_id="O300123",
        ),
        profile=Profile(
            customer_id="C100001",
            first_name=first_name,
            last_name="Sharma",
            email="priya@example.com",
            phone="+91 98765 43210",
            segment="VIP",
            loyalty_tier="Gold",
            lifetime_value=4210.5,
            avg_order_value=140.35,
            opt_in_marketing=True,
            signup_date=dt.date(2022, 3, 14),
            last_active_date=dt.date(2025, 9, 28),
        ),
        language=LanguageView(code=language, source="profile"),
        health=Health(
            score=41.0,
            band="at_risk",
            trend="falling",
            churn_risk=0.72,
            risk_source="model",
            factors=(
                FactorView(
                    factor="delivery",
                    label="Delivery",
                    points=4.0,
                    max_points=15.0,
                    no_data=False,
                    reason="2 of the last 3 orders arrived late",
                ),
            ),
        ),
        orders=(
            OrderView(
                order_id="O300123",
                order_date=dt.datetime(2025, 9, 20, 9, 30, tzinfo=dt.UTC),
                total_amount=189.99,
                items_count=3,
                order_status="Shipped",
                payment_status="Paid",
                estimated_delivery_date=dt.date(2025, 9, 27),
            ),
        ),
        payments=(
            PaymentView(
                payment_id="P500321",
                order_id="O300123",
                payment_date=dt.datetime(2025, 9, 20, 9, 31, tzinfo=dt.UTC),
                amount=189.99,
                payment_method="card",
                status="Success",
            ),
        ),
    )


def make_patterns() -> PatternReport:
    return PatternReport(
        patterns=(
            Pattern(
                name="delivery_problems",
                label="Delivery problems",
                severity="high",
                evidence=("Order O300123 is 4 days past its estimated delivery of 27 Sep.",),
                references=("O300123",),
            ),
        )
    )


def make_decision(**overrides: Any) -> Decision:
    values: dict[str, Any] = {
        "channel": "email",
        "action": "service_recovery",
        "offer": "15% off the next order",
        "offer_percent": 15,
        "priority": "high",
        "reasons": ("Order O300123 is 4 days late for a VIP customer.",),
    }
    return Decision(**{**values, **overrides})


DECISION_ANSWER: dict[str, Any] = {
    "channel": "email",
    "action": "service_recovery",
    "offer": "15% off the next order",
    "offer_percent": 15,
    "priority": "high",
    "escalate": False,
    "escalation_reason": "",
    "reasons": ["Order O300123 is 4 days late.", "A VIP customer whose churn risk is 72%."],
}

DRAFT_BODY = (
    "Dear Priya, I'm so sorry order O300123 is late; I understand how frustrating that is. "
    "I have asked the courier to prioritise it and will email you the tracking link by 5 pm tomorrow."
)
DRAFT_ANSWER: dict[str, Any] = {
    "subject": "Your order O300123",
    "body": DRAFT_BODY,
    "ratings": [
        {"dimension": "acknowledges_feelings", "rating": 0.9, "evidence": "I understand how frustrating that is"},
        {"dimension": "apologises", "rating": 1.0, "evidence": "I'm so sorry"},
        {"dimension": "takes_ownership", "rating": 0.8, "evidence": "I have asked the courier"},
        {"dimension": "personal", "rating": 1.0, "evidence": "Dear Priya"},
        {"dimension": "next_step_with_time", "rating": 1.0, "evidence": "by 5 pm tomorrow"},
        {"dimension": "respectful_tone", "rating": 1.0, "evidence": ""},
    ],
}


def make_config(**overrides: Any) -> ModelConfig:
    values: dict[str, Any] = {
        "api_key": API_KEY,
        "base_url": "",
        "model": MODEL,
        "timeout_seconds": 5.0,
        "max_retries": 0,
    }
    return ModelConfig(**{**values, **overrides})


def make_backend(server: FakeModelServer, **config: Any) -> OpenAIBackend:
    return OpenAIBackend(make_config(**config), http_client=server.client())


def decide(backend: OpenAIBackend, policy_text: str = "Offers only for win_back and service_recovery.") -> Decision:
    return backend.decide(context=make_context(), patterns=make_patterns(), policy_text=policy_text)


def write(backend: OpenAIBackend, *, context: CustomerContext | None = None, **kwargs: Any) -> ModelDraft:
    return backend.write_message(
        context=context or make_context(), patterns=make_patterns(), decision=make_decision(), **kwargs
    )


@pytest.fixture(autouse=True)
def _no_openai_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK reads these when an argument is None; a developer's shell must not change the tests.
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_CUSTOM_HEADERS", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)


# --- Answers --------------------------------------------------------------------------------


def test_a_valid_structured_decision_is_parsed_into_a_decision() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    decision = decide(make_backend(server))

    assert decision == Decision(
        channel="email",
        action="service_recovery",
        offer="15% off the next order",
        offer_percent=15,
        priority="high",
        reasons=("Order O300123 is 4 days late.", "A VIP customer whose churn risk is 72%."),
        corrections=(),
    )


def test_a_proposal_the_decision_type_rejects_is_invalid_output() -> None:
    server = FakeModelServer(completion_response({**DECISION_ANSWER, "offer_percent": 150}))

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server))

    assert caught.value.kind == "invalid_output"
    assert "offer_percent" in caught.value.detail


def test_the_decision_is_not_policed_here() -> None:
    # A payment problem must never get a discount, but enforcing that is the caller's job.
    answer = {**DECISION_ANSWER, "action": "payment_assistance", "offer": "50% off", "offer_percent": 50}
    server = FakeModelServer(completion_response(answer))

    decision = decide(make_backend(server))

    assert (decision.action, decision.offer_percent, decision.corrections) == ("payment_assistance", 50, ())


def test_a_valid_draft_is_parsed_and_its_ratings_map_feeds_combine_model_ratings() -> None:
    server = FakeModelServer(completion_response(DRAFT_ANSWER))

    draft = write(make_backend(server))

    message = draft.message("en")
    assert (message.subject, message.body, message.language) == ("Your order O300123", DRAFT_BODY, "en")
    ratings = draft.ratings_map()
    assert ratings["apologises"] == (1.0, "I'm so sorry")
    score = combine_model_ratings(ratings)
    # 15*0.9 + 15*1 + 15*0.8 + 20*1 + 20*1 + 15*1 = 95.5, rounded by the rubric.
    assert score.total == 96
    assert score.dimension("takes_ownership").evidence == "I have asked the courier"


def test_a_dimension_rated_twice_keeps_its_lower_rating() -> None:
    draft = ModelDraft(
        subject="",
        body="Hi Priya",
        ratings=[
            DraftRating(dimension="apologises", rating=0.2, evidence=""),
            DraftRating(dimension="apologises", rating=1.0, evidence="sorry"),
        ],
    )

    assert draft.ratings_map() == {"apologises": (0.2, "")}


def test_an_out_of_range_rating_is_kept_for_the_rubric_to_clamp() -> None:
    answer = {**DRAFT_ANSWER, "ratings": [{"dimension": "personal", "rating": 1.4, "evidence": "Dear Priya"}]}
    server = FakeModelServer(completion_response(answer))

    score = combine_model_ratings(write(make_backend(server)).ratings_map())

    assert score.dimension("personal").score == 1.0
    assert "clamped" in score.dimension("personal").reason


# --- Failures -------------------------------------------------------------------------------


def test_a_refusal_is_model_unavailable_refusal() -> None:
    server = FakeModelServer(completion_response(None, refusal="I can't help with that request."))

    with pytest.raises(ModelUnavailable) as caught:
        write(make_backend(server))

    assert caught.value.kind == "refusal"
    assert "I can't help with that request." in caught.value.detail


def test_a_content_filter_stop_is_a_refusal() -> None:
    server = FakeModelServer(completion_response(None, finish_reason="content_filter"))

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server))

    assert caught.value.kind == "refusal"


def test_a_timeout_is_model_unavailable_timeout() -> None:
    def time_out(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    server = FakeModelServer(time_out)

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server, timeout_seconds=7.5))

    assert caught.value.kind == "timeout"
    assert "7.5 s" in caught.value.detail
    assert len(server.requests) == 1


def test_a_refused_connection_is_model_unavailable_connection() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)

    server = FakeModelServer(refuse)

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server, base_url="http://localhost:11434/v1", model="llama3"))

    assert caught.value.kind == "connection"
    assert "Connection refused" in caught.value.detail
    assert "http://localhost:11434/v1" in caught.value.detail


def test_a_500_is_an_http_error_naming_500() -> None:
    server = FakeModelServer(error_response(500, "The server had an error while processing your request."))

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server))

    assert caught.value.kind == "http_error"
    assert caught.value.detail == (
        "HTTP 500 from the model server: The server had an error while processing your request."
    )
    assert str(caught.value) == f"http_error: {caught.value.detail}"


@pytest.mark.parametrize(
    ("status", "message"),
    [(429, "Rate limit reached for gpt-4o-mini"), (400, "Invalid schema for response_format")],
)
def test_other_error_statuses_are_http_errors_naming_the_status(status: int, message: str) -> None:
    server = FakeModelServer(error_response(status, message))

    with pytest.raises(ModelUnavailable) as caught:
        write(make_backend(server))

    assert caught.value.kind == "http_error"
    assert caught.value.detail == f"HTTP {status} from the model server: {message}"


def test_a_failed_request_is_retried_when_retries_are_configured() -> None:
    server = FakeModelServer(
        error_response(500, "The server had an error.", **{"retry-after-ms": "1"}),
        completion_response(DECISION_ANSWER),
    )

    decision = decide(make_backend(server, max_retries=1))

    assert decision.action == "service_recovery"
    assert len(server.requests) == 2


def test_without_retries_a_failed_request_is_sent_once() -> None:
    server = FakeModelServer(error_response(500, "The server had an error."), completion_response(DECISION_ANSWER))

    with pytest.raises(ModelUnavailable):
        decide(make_backend(server, max_retries=0))

    assert len(server.requests) == 1


def test_an_answer_cut_off_at_the_token_limit_is_truncated() -> None:
    server = FakeModelServer(completion_response('{"subject": "Your order", "body": "Dear Pri', finish_reason="length"))

    with pytest.raises(ModelUnavailable) as caught:
        write(make_backend(server))

    assert caught.value.kind == "truncated"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(completion_response("Sure! Here is the message: Dear Priya ..."), id="not-json"),
        pytest.param(completion_response({"subject": "Hello", "body": "Dear Priya"}), id="missing-ratings"),
        pytest.param(
            completion_response({**DRAFT_ANSWER, "ratings": [{"dimension": "charm", "rating": 1, "evidence": ""}]}),
            id="unknown-dimension",
        ),
        pytest.param(completion_response(None), id="no-content"),
        pytest.param(completion_response(""), id="empty-content"),
        pytest.param(httpx2.Response(200, json={"object": "list", "data": []}), id="not-a-completion"),
        pytest.param(
            httpx2.Response(
                200, text="<html><body>502 Bad Gateway</body></html>", headers={"content-type": "text/html"}
            ),
            id="html-page",
        ),
        pytest.param(
            httpx2.Response(
                200, content=b'{"id": "chatcmpl-1", "choices": [', headers={"content-type": "application/json"}
            ),
            id="broken-json-body",
        ),
        pytest.param(
            httpx2.Response(
                200, json={"id": "x", "object": "chat.completion", "created": 1, "model": MODEL, "choices": []}
            ),
            id="no-choices",
        ),
    ],
)
def test_output_that_breaks_the_schema_is_invalid_output(reply: httpx2.Response) -> None:
    server = FakeModelServer(reply)

    with pytest.raises(ModelUnavailable) as caught:
        write(make_backend(server))

    assert caught.value.kind == "invalid_output"


def test_an_empty_message_body_is_invalid_output() -> None:
    server = FakeModelServer(completion_response({**DRAFT_ANSWER, "body": "  \n "}))

    with pytest.raises(ModelUnavailable) as caught:
        write(make_backend(server))

    assert caught.value.kind == "invalid_output"
    assert "empty" in caught.value.detail


def test_a_decision_answer_with_a_channel_we_do_not_have_is_invalid_output() -> None:
    server = FakeModelServer(completion_response({**DECISION_ANSWER, "channel": "whatsapp"}))

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server))

    assert caught.value.kind == "invalid_output"


# --- The request ----------------------------------------------------------------------------


def test_the_request_carries_the_model_name_the_openai_url_and_the_key() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    decide(make_backend(server, model="gpt-4.1-mini"))

    request = server.requests[0]
    assert request.method == "POST"
    assert (request.url.host, request.url.path) == ("api.openai.com", "/v1/chat/completions")
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert server.body()["model"] == "gpt-4.1-mini"


def test_the_request_goes_to_the_configured_base_url() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    decide(make_backend(server, base_url="http://models.internal:8000/v1", model="llama3"))

    request = server.requests[0]
    assert (request.url.host, request.url.port, request.url.path) == ("models.internal", 8000, "/v1/chat/completions")
    assert server.body()["model"] == "llama3"


def test_a_local_server_without_a_key_gets_a_placeholder_key() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    decide(make_backend(server, api_key="", base_url="http://localhost:11434/v1"))

    assert server.requests[0].headers["Authorization"] == "Bearer not-needed"


def test_the_error_detail_never_contains_the_api_key() -> None:
    # OpenAI masks the key in its 401 message; a self-hosted server may echo it whole.
    server = FakeModelServer(error_response(401, f"Incorrect API key provided: {API_KEY}."))

    with pytest.raises(ModelUnavailable) as caught:
        decide(make_backend(server))

    assert caught.value.kind == "http_error"
    assert "401" in caught.value.detail
    assert API_KEY not in caught.value.detail
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value)


def test_the_request_asks_for_a_strict_json_schema() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER), completion_response(DRAFT_ANSWER))
    backend = make_backend(server)

    decide(backend)
    write(backend)

    for index, name in ((0, "DecisionProposal"), (1, "ModelDraft")):
        response_format = server.body(index)["response_format"]
        assert response_format["type"] == "json_schema"
        assert response_format["json_schema"]["name"] == name
        assert response_format["json_schema"]["strict"] is True
        assert response_format["json_schema"]["schema"]["additionalProperties"] is False


def test_the_decision_prompt_carries_the_policy_and_the_case() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    decide(make_backend(server), policy_text="No offer above 20% for VIP customers.")

    system = server.prompt("system")
    assert "senior customer-success manager" in system
    assert "No offer above 20% for VIP customers." in system
    assert "enforces the policy" in system
    case = json.loads(server.prompt("user"))
    assert case["trigger"]["description"] == TRIGGER_DESCRIPTION
    assert case["health"]["churn_risk"] == 0.72
    assert case["patterns"][0]["name"] == "delivery_problems"


def test_the_case_leaves_out_empty_lists_and_contact_details() -> None:
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    decide(make_backend(server))

    user = server.prompt("user")
    case = json.loads(user)
    assert "tickets" not in case
    assert "nps" not in case
    assert "customer_text" not in case["trigger"]
    assert case["profile"]["has_phone"] is True
    assert "priya@example.com" not in user
    assert "98765" not in user
    assert user == json.dumps(case, ensure_ascii=False, separators=(",", ":"))  # no padding


def test_the_message_prompt_names_the_customer_the_trigger_and_the_language() -> None:
    server = FakeModelServer(completion_response(DRAFT_ANSWER))
    complaint = "मेरा ऑर्डर अभी तक नहीं आया"
    context = make_context(first_name="प्रिया", language="hi", customer_text=complaint)

    write(make_backend(server), context=context)

    system, user = server.prompt("system"), server.prompt("user")
    assert "Write in Hindi (language code hi), in its native script" in system
    # Sent as the characters themselves, not \u escapes, so the model reads them as written.
    assert "प्रिया" in user
    assert complaint in user
    assert TRIGGER_DESCRIPTION in user
    assert json.loads(user)["decision"]["offer"] == "15% off the next order"


def test_the_message_prompt_asks_for_a_rating_on_every_rubric_dimension() -> None:
    server = FakeModelServer(completion_response(DRAFT_ANSWER))

    write(make_backend(server))

    system = server.prompt("system")
    for dimension in DIMENSIONS:
        assert f"{dimension.name}: {dimension.label}" in system


def test_an_sms_is_asked_for_without_subject_and_within_320_characters() -> None:
    server = FakeModelServer(completion_response({**DRAFT_ANSWER, "subject": ""}))

    backend = make_backend(server)
    backend.write_message(
        context=make_context(),
        patterns=make_patterns(),
        decision=make_decision(channel="sms", offer="", offer_percent=0),
    )

    assert 'This is an SMS: subject "", body at most 320 characters.' in server.prompt("system")


def test_feedback_on_a_regeneration_is_appended_to_the_prompt() -> None:
    server = FakeModelServer(completion_response(DRAFT_ANSWER))
    backend = make_backend(server)

    write(backend)
    write(backend, feedback="Low: next_step_with_time (no time given), personal (order id missing).")

    assert "previous draft" not in server.prompt("system", index=0)
    assert server.prompt("system", index=1).endswith(
        "Low: next_step_with_time (no time given), personal (order id missing)."
    )


# --- Schemas --------------------------------------------------------------------------------


def _objects(schema: Any) -> list[dict[str, Any]]:
    """Every object schema inside a JSON schema."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            found.append(schema)
        for value in schema.values():
            found.extend(_objects(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_objects(value))
    return found


@pytest.mark.parametrize("answer_type", [DecisionProposal, ModelDraft])
def test_the_answer_schemas_meet_strict_mode(answer_type: type) -> None:
    schema = to_strict_json_schema(answer_type)

    objects = _objects(schema)
    assert objects
    for item in objects:
        assert item["additionalProperties"] is False
        # Strict mode needs every property required; a default would mean the model may leave it out.
        assert sorted(item["required"]) == sorted(item["properties"])
        assert not any("default" in prop for prop in item["properties"].values())


def test_the_decision_proposal_mirrors_decision_without_corrections() -> None:
    assert set(DecisionProposal.model_fields) == set(Decision.model_fields) - {"corrections"}


def test_the_draft_dimensions_are_the_rubric_dimensions() -> None:
    assert get_args(DimensionName) == DIMENSION_NAMES


# --- Configuration --------------------------------------------------------------------------


def test_model_backend_is_none_without_a_key_or_a_base_url(settings: Any) -> None:
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""

    assert model_backend() is None


def test_model_backend_with_only_a_base_url_returns_a_backend(settings: Any) -> None:
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = "http://localhost:11434/v1"
    settings.PROCX_OPENAI_MODEL = "llama3"
    settings.PROCX_OPENAI_TIMEOUT_SECONDS = 12.0
    settings.PROCX_OPENAI_MAX_RETRIES = 0
    server = FakeModelServer(completion_response(DECISION_ANSWER))

    backend = model_backend(http_client=server.client())

    assert backend is not None
    assert backend.name == "llama3"
    assert backend.config == ModelConfig(
        api_key="", base_url="http://localhost:11434/v1", model="llama3", timeout_seconds=12.0, max_retries=0
    )
    decide(backend)
    assert server.requests[0].url.host == "localhost"


def test_model_backend_with_a_key_uses_openai(settings: Any) -> None:
    settings.OPENAI_API_KEY = API_KEY
    settings.OPENAI_BASE_URL = ""

    backend = model_backend()

    assert backend is not None
    assert backend.config.describe() == f"OpenAI model {settings.PROCX_OPENAI_MODEL}"


@pytest.mark.parametrize(
    ("api_key", "base_url", "described"),
    [
        (API_KEY, "", "OpenAI model gpt-4o-mini"),
        ("", "http://localhost:11434/v1", "model gpt-4o-mini at http://localhost:11434/v1"),
        (API_KEY, "https://llm.example.com/v1", "model gpt-4o-mini at https://llm.example.com/v1"),
        ("", "", "offline backend (no OPENAI_API_KEY or OPENAI_BASE_URL set)"),
    ],
)
def test_model_config_describe(api_key: str, base_url: str, described: str) -> None:
    config = make_config(api_key=api_key, base_url=base_url)

    assert config.describe() == described
    assert config.enabled == (described != "offline backend (no OPENAI_API_KEY or OPENAI_BASE_URL set)")
    assert API_KEY not in config.describe()


def test_the_config_repr_hides_the_key() -> None:
    assert API_KEY not in repr(make_config())
