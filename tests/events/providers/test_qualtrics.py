"""Qualtrics: the X-ProCX-Signature a workflow sends, and its NPS answers read into canonical events."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from events.providers.qualtrics import QUALTRICS_SIGNATURE_HEADER, sign_qualtrics, verify_qualtrics
from events.webhook_types import CustomerRef
from tests.events.providers.support import (
    BODY,
    NOW,
    OTHER_SECRET,
    SECRET,
    _read,
    _refused,
    _sample,
    _set_aside,
    rejection,
)

# --- Qualtrics ------------------------------------------------------------------------------


def test_it_accepts_a_qualtrics_signature_computed_independently_with_hmac() -> None:
    digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()

    verify_qualtrics(body=BODY, headers={"x-procx-signature": digest}, secrets=[SECRET], now=NOW)
    assert sign_qualtrics(body=BODY, secret=SECRET) == {QUALTRICS_SIGNATURE_HEADER: digest}


def test_it_accepts_a_qualtrics_signature_with_a_sha256_prefix() -> None:
    digest = sign_qualtrics(body=BODY, secret=SECRET)[QUALTRICS_SIGNATURE_HEADER]

    verify_qualtrics(body=BODY, headers={"X-ProCX-Signature": f"sha256={digest}"}, secrets=[SECRET], now=NOW)


def test_it_rejects_a_tampered_qualtrics_body() -> None:
    headers = sign_qualtrics(body=BODY, secret=SECRET)

    assert rejection(verify_qualtrics, body=b"{}", headers=headers, secrets=[SECRET]) == (
        "no signature matches any configured secret"
    )


def test_it_rejects_a_qualtrics_signature_made_with_the_wrong_secret() -> None:
    headers = sign_qualtrics(body=BODY, secret=OTHER_SECRET)

    assert "no signature matches" in rejection(verify_qualtrics, headers=headers, secrets=[SECRET])


def test_it_rejects_a_qualtrics_delivery_without_its_signature_header() -> None:
    assert rejection(verify_qualtrics, headers={}, secrets=[SECRET]) == "missing header X-ProCX-Signature"


def test_it_rejects_a_qualtrics_signature_that_is_not_hex() -> None:
    message = rejection(verify_qualtrics, headers={"X-ProCX-Signature": "sha256=zzzz"}, secrets=[SECRET])

    assert message == "header X-ProCX-Signature is malformed: its signature does not decode"


def test_it_accepts_a_qualtrics_delivery_signed_with_the_rotated_secret() -> None:
    headers = sign_qualtrics(body=BODY, secret=OTHER_SECRET)

    verify_qualtrics(body=BODY, headers=headers, secrets=[SECRET, OTHER_SECRET], now=NOW)


# --- qualtrics -------------------------------------------------------------------------------


def _answer(**changes: Any) -> dict[str, Any]:
    payload, _ = _sample("qualtrics_nps_detractor")
    return payload | changes


@pytest.mark.parametrize(
    ("score", "event_type"),
    [
        (0, "nps.detractor"),
        (6, "nps.detractor"),
        (7, "nps.passive"),
        (8, "nps.passive"),
        (9, "nps.promoter"),
        (10, "nps.promoter"),
        ("9", "nps.promoter"),
        (8.0, "nps.passive"),
    ],
)
def test_an_nps_score_picks_its_group(score, event_type) -> None:
    event = _read("qualtrics", _answer(nps_score=score))
    assert event.event_type == event_type
    assert event.data["nps_score"] == int(score)


def test_an_nps_answer_keeps_feedback_and_survey_and_is_keyed_by_response() -> None:
    event = _read("qualtrics", _answer())
    assert event.delivery_id == "R_3kVbQ8mZp2LtX7a"
    assert event.data == {
        "nps_score": 3,
        "response_id": "R_3kVbQ8mZp2LtX7a",
        "survey_id": "SV_6xQzN1yT8rLk2pE",
        "feedback": "Delivery took two weeks and nobody answered my emails.",
    }


def test_an_nps_answer_by_email_alone_names_the_customer() -> None:
    payload = _answer()
    del payload["customer_id"]
    assert _read("qualtrics", payload).customer == CustomerRef(email="customer@example.com")


@pytest.mark.parametrize("score", [-1, 11, 7.5, "seven", "", True, None, [9], {"value": 9}])
def test_a_score_that_is_not_an_integer_from_0_to_10_is_refused(score) -> None:
    assert _refused("qualtrics", _answer(nps_score=score)).field_name == "nps_score"


def test_an_answer_without_a_score_is_refused_naming_it() -> None:
    payload = _answer()
    del payload["nps_score"]
    assert _refused("qualtrics", payload).field_name == "nps_score"


@pytest.mark.parametrize(
    ("drop", "field"),
    [(("response_id",), "response_id"), (("customer_id", "email"), "customer_id")],
)
def test_qualtrics_payload_errors_name_the_field(drop, field) -> None:
    payload = {key: value for key, value in _answer().items() if key not in drop}
    assert _refused("qualtrics", payload).field_name == field


def test_a_bad_recorded_at_is_refused_naming_it() -> None:
    assert _refused("qualtrics", _answer(recorded_at="last week")).field_name == "recorded_at"


def test_the_form_encoded_event_subscription_is_set_aside_for_lack_of_a_score() -> None:
    body = (
        b"Topic=surveyengine.completedResponse.SV_6xQzN1yT8rLk2pE&Status=Complete&SurveyID=SV_6xQzN1yT8rLk2pE"
        b"&ResponseID=R_3kVbQ8mZp2LtX7a&CompletedDate=2025-10-08+17%3A48%3A21&BrandID=procx"
    )
    error = _set_aside("qualtrics", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert (error.source, error.native_type) == (
        "qualtrics",
        "surveyengine.completedResponse (no score: forward the answer from a workflow)",
    )


def test_a_body_that_is_neither_json_nor_the_subscription_form_is_refused() -> None:
    assert _refused("qualtrics", b"score=9&who=me").field_name == "body"
