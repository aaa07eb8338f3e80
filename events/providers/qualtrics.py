"""Qualtrics (NPS): answers forwarded from a Qualtrics workflow, signed in the header ProCX
documents, X-ProCX-Signature, at /api/webhooks/qualtrics/.

X-ProCX-Signature is the hex HMAC-SHA256 of the raw body keyed with the secret shared with the
workflow, optionally written `sha256=<hex>`; there is no signed timestamp.

The payload: JSON that a Qualtrics workflow ("Web service" task) posts, in this format:
    {"response_id": "R_1abcDEF",            required: the delivery id
     "survey_id": "SV_9xyz",                optional
     "recorded_at": "2025-01-10T14:32:00Z", optional ISO 8601 (UTC if no zone); else received_at
     "customer_id": "C100109",              customer_id or email (at least one)
     "email": "customer@example.com",
     "nps_score": 3,                        required, an integer 0-10 (a string of digits is read too)
     "feedback": "Delivery took two weeks."}  optional
    0-6 nps.detractor, 7-8 nps.passive, 9-10 nps.promoter. Qualtrics' own event
    subscription (form-encoded Topic, Status, SurveyID, ResponseID, CompletedDate) carries
    no score: it goes to the inbox with a note to forward the answer from a workflow.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from events.providers.base import (
    Example,
    Facts,
    SigningScheme,
    WebhookView,
    _decoded_signatures,
    _hex_bytes,
    _hmac_sha256,
    _identifier,
    _json_object,
    _optional_time,
    _require_header,
    _require_match,
    _require_secrets,
    _text,
    _utc,
    _utf8_key,
    endpoint_schema,
)
from events.webhook_types import CanonicalEvent, CustomerRef, PayloadError, UnknownEventType

# The header ProCX documents for Qualtrics workflows: hex HMAC-SHA256 of the raw body.
QUALTRICS_SIGNATURE_HEADER = "X-ProCX-Signature"
HEADERS = (QUALTRICS_SIGNATURE_HEADER,)

SIGNING_SCHEME = SigningScheme(
    name="QualtricsSignature",
    header=QUALTRICS_SIGNATURE_HEADER,
    description=(
        "X-ProCX-Signature: the hex HMAC-SHA256 of the raw body (also accepted as `sha256=<hex>`) keyed with "
        "the secret shared with the Qualtrics workflow. Secret: PROCX_QUALTRICS_WEBHOOK_SECRET (comma-separated "
        "to rotate)."
    ),
)


# Verifying and signing ----------------------------------------------------------------------


def verify_qualtrics(*, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """A Qualtrics workflow's JSON, signed with the shared secret: hex HMAC-SHA256 of the raw body,
    optionally written `sha256=<hex>`. No signed timestamp, so `now` is unused."""
    keys = [_utf8_key(secret, index) for index, secret in enumerate(_require_secrets(secrets, "qualtrics"))]
    encoded = _require_header(headers, QUALTRICS_SIGNATURE_HEADER)
    encoded = encoded.removeprefix("sha256=")
    signatures = _decoded_signatures([encoded], _hex_bytes, QUALTRICS_SIGNATURE_HEADER)
    _require_match(body, keys=keys, signatures=signatures)


def sign_qualtrics(*, body: bytes, secret: str) -> dict[str, str]:
    """Headers for a valid delivery (tests, the demo command and the benchmark build them)."""
    return {QUALTRICS_SIGNATURE_HEADER: _hmac_sha256(_utf8_key(secret, 0), body).hex()}


# Reading the payload ------------------------------------------------------------------------


QUALTRICS_SUBSCRIPTION_TYPE = "surveyengine.completedResponse (no score: forward the answer from a workflow)"


def _nps_score(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,2}\s*", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError("nps_score", f"must be an integer from 0 to 10, not {value!r}")
    if not 0 <= value <= 10:
        raise PayloadError("nps_score", f"must be from 0 to 10, not {value}")
    return value


def _nps_group(score: int) -> str:
    if score <= 6:
        return "nps.detractor"
    return "nps.passive" if score <= 8 else "nps.promoter"


def _adapt_qualtrics(headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    if body.lstrip()[:1] not in (b"{", b"["):
        # Qualtrics' own event subscription posts a form; it names the response but not the score.
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            form = {}
        if "Topic" in form:
            raise UnknownEventType("qualtrics", QUALTRICS_SUBSCRIPTION_TYPE)
    payload = _json_object(body)
    delivery_id = _identifier(payload, "response_id", "response_id", required=True)
    customer = CustomerRef(
        customer_id=_identifier(payload, "customer_id", "customer_id"),
        email=_text(payload, "email", "email"),
    )
    if "nps_score" not in payload or payload["nps_score"] is None:
        raise PayloadError("nps_score", "is required (an integer from 0 to 10)")
    score = _nps_score(payload["nps_score"])
    if customer.is_empty:
        raise PayloadError("customer_id", "is required (or email)")
    occurred_at = _optional_time(payload, "recorded_at", "recorded_at") or _utc(received_at)
    facts: Facts = {"nps_score": score, "response_id": delivery_id}
    if survey_id := _identifier(payload, "survey_id", "survey_id"):
        facts["survey_id"] = survey_id
    if feedback := _text(payload, "feedback", "feedback"):
        facts["feedback"] = feedback
    return CanonicalEvent(
        source="qualtrics",
        event_type=_nps_group(score),
        native_type="workflow.nps_response",
        delivery_id=delivery_id,
        occurred_at=occurred_at,
        customer=customer,
        data=facts,
    )


# The endpoint -------------------------------------------------------------------------------


@endpoint_schema(
    source="qualtrics",
    summary="NPS answers forwarded from a Qualtrics workflow",
    accepts=(
        "An NPS answer forwarded as JSON from a Qualtrics workflow: response_id, customer_id or email, "
        "nps_score (0-10), optionally survey_id, recorded_at and feedback."
    ),
    signing_scheme=SIGNING_SCHEME,
    examples=(Example("workflow_nps_detractor.json", "A detractor's answer, forwarded by a workflow"),),
)
class QualtricsWebhookView(WebhookView):
    """POST /api/webhooks/qualtrics/: NPS answers from a Qualtrics workflow, signed in X-ProCX-Signature."""

    source = "qualtrics"
    signing_scheme = SIGNING_SCHEME
