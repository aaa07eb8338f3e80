"""The webhook endpoints end to end: signed deliveries per provider, the provider contract
(401, 400, 413, 202 and the inbox, duplicates), and what a stored event then does: the sheets,
the re-score with health before and after, outreach for an at-risk complaint, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from customers.models import Customer, CustomerEvent, NpsResponse, Order, Payment, SupportTicket
from customers.scan import customer_rescore
from events import services as event_services
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.processing import events_process
from events.providers.procx import sign_standard_webhook
from events.providers.qualtrics import sign_qualtrics
from events.providers.shopify import sign_shopify
from events.providers.stripe import sign_stripe
from events.providers.zendesk import sign_zendesk
from interventions.models import Intervention
from tests.factories import make_customer, make_order, make_payment

pytestmark = pytest.mark.django_db

SECRETS = {
    "procx": "whsec_" + "dGVzdC1zdGFuZGFyZC13ZWJob29rcy1rZXk=",
    "stripe": "whsec_test_stripe_secret",
    "shopify": "test-shopify-secret",
    "zendesk": "test-zendesk-secret",
    "qualtrics": "test-qualtrics-secret",
}
OLD_SECRETS = {
    "procx": "whsec_" + "b2xkLXN0YW5kYXJkLXdlYmhvb2tzLWtleQ==",
    "stripe": "whsec_old_stripe_secret",
    "shopify": "old-shopify-secret",
    "zendesk": "old-zendesk-secret",
    "qualtrics": "old-qualtrics-secret",
}
URLS = {
    "procx": "/api/webhooks/events/",
    "stripe": "/api/webhooks/stripe/",
    "shopify": "/api/webhooks/shopify/",
    "zendesk": "/api/webhooks/zendesk/",
    "qualtrics": "/api/webhooks/qualtrics/",
}


@pytest.fixture(autouse=True)
def _webhook_settings(settings) -> None:
    settings.PROCX_WEBHOOK_SECRETS = {source: [secret] for source, secret in SECRETS.items()}
    settings.PROCX_WEBHOOKS_ALLOW_UNSIGNED = False
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture(autouse=True)
def _tasks_run_inline(monkeypatch) -> None:
    """django-q runs queued tasks at once, so what happens after commit can be checked."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def customer() -> Customer:
    customer = make_customer(customer_id="C100109", email="priya@example.com", last_active_date=timezone.now().date())
    order = make_order(customer, order_id="O300789", order_date=timezone.now() - dt.timedelta(days=5))
    make_payment(order)
    return customer


# --- Signed deliveries, one builder per provider --------------------------------------------

Delivery = tuple[bytes, dict[str, str]]


def _now() -> int:
    return int(time.time())


def procx_delivery(secret: str = SECRETS["procx"], *, at: int | None = None, **data: Any) -> Delivery:
    body = json.dumps(
        {
            "event_type": data.pop("event_type", "payment.failed"),
            "timestamp": dt.datetime.fromtimestamp(at or _now(), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": "stripe",
            "data": {
                "customer_id": "C100109",
                "amount": 2499.99,
                "currency": "USD",
                "order_id": "O300789",
                "reason": "insufficient_funds",
                "attempt": 2,
                **data,
            },
        }
    ).encode()
    message_id = f"msg_{uuid.uuid4().hex}"
    return body, sign_standard_webhook(body=body, secret=secret, message_id=message_id, timestamp=at or _now())


def stripe_delivery(secret: str = SECRETS["stripe"], *, at: int | None = None, event_id: str = "") -> Delivery:
    body = json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": "invoice.payment_failed",
            "created": _now(),
            "data": {
                "object": {
                    "id": "in_1OabcDEF",
                    "object": "invoice",
                    "customer": "cus_Pq1",
                    "customer_email": "priya@example.com",
                    "amount_due": 249999,
                    "currency": "usd",
                    "attempt_count": 2,
                    "metadata": {"order_id": "O300789"},
                }
            },
        }
    ).encode()
    return body, {"Stripe-Signature": sign_stripe(body=body, secret=secret, timestamp=at or _now())["Stripe-Signature"]}


def shopify_delivery(secret: str = SECRETS["shopify"], *, at: int | None = None) -> Delivery:
    body = json.dumps(
        {
            "id": 820982911946154508,
            "email": "priya@example.com",
            "completed_at": None,
            "abandoned_checkout_url": "https://shop.example.com/checkouts/abc/recover",
            "total_price": "199.00",
            "currency": "USD",
            "updated_at": "2025-10-08T10:00:00-04:00",
            "line_items": [{"title": "Silk scarf", "quantity": 1, "price": "199.00"}],
            "customer": {"id": 115310627314723954, "email": "priya@example.com"},
        }
    ).encode()
    headers = {
        "X-Shopify-Topic": "checkouts/update",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Shop-Domain": "shop.example.com",
        **sign_shopify(body=body, secret=secret),
    }
    return body, headers


def zendesk_delivery(secret: str = SECRETS["zendesk"], *, at: int | None = None) -> Delivery:
    body = json.dumps(
        {
            "type": "zen:event-type:ticket.created",
            "account_id": 22129848,
            "id": str(uuid.uuid4()),
            "time": "2025-10-08T14:32:00Z",
            "zendesk_event_version": "2022-11-06",
            "subject": "zen:ticket:4711",
            "detail": {
                "id": "4711",
                "subject": "Where is my order O300789?",
                "description": "It was due last week.",
                "priority": "HIGH",
                "status": "OPEN",
                "requester_id": "9873843",
                "requester_email": "priya@example.com",
            },
            "event": {},
        }
    ).encode()
    stamp = dt.datetime.fromtimestamp(at or _now(), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return body, sign_zendesk(body=body, secret=secret, timestamp=stamp)


def qualtrics_delivery(secret: str = SECRETS["qualtrics"], *, at: int | None = None) -> Delivery:
    body = json.dumps(
        {
            "response_id": f"R_{uuid.uuid4().hex[:15]}",
            "survey_id": "SV_nps",
            "recorded_at": "2025-10-08T14:32:00Z",
            "customer_id": "C100109",
            "nps_score": 3,
            "feedback": "Delivery is always late.",
        }
    ).encode()
    return body, sign_qualtrics(body=body, secret=secret)


BUILDERS: dict[str, Callable[..., Delivery]] = {
    "procx": procx_delivery,
    "stripe": stripe_delivery,
    "shopify": shopify_delivery,
    "zendesk": zendesk_delivery,
    "qualtrics": qualtrics_delivery,
}
TIMESTAMPED = ("procx", "stripe", "zendesk")
SIGNATURE_HEADERS = {
    "procx": "webhook-signature",
    "stripe": "Stripe-Signature",
    "shopify": "X-Shopify-Hmac-Sha256",
    "zendesk": "X-Zendesk-Webhook-Signature",
    "qualtrics": "X-ProCX-Signature",
}


def post(source: str, body: bytes, headers: dict[str, str], client: Client | None = None) -> Any:
    """Post one delivery and run what its commit queues (the test's transaction never commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return (client or Client()).post(URLS[source], data=body, content_type="application/json", headers=headers)


def stored() -> int:
    return CustomerEvent.objects.exclude(delivery_key=None).count()


# --- Signatures through the endpoints ---------------------------------------------------------


@pytest.mark.parametrize("source", list(BUILDERS))
def test_a_validly_signed_delivery_is_stored_as_a_customer_event(source, customer) -> None:
    response = post(source, *BUILDERS[source]())
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert event.customer_id == "C100109"
    assert event.source == source
    assert event.description == response.json()["detail"]
    assert "None" not in event.description
    assert event.event_id.startswith("EVT_")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.status_code, delivery.signature_verified) == ("accepted", 200, True)
    assert delivery.event == event


@pytest.mark.parametrize("source", list(BUILDERS))
def test_a_tampered_body_is_rejected_and_only_logged(source, customer) -> None:
    body, headers = BUILDERS[source]()
    response = post(source, body.replace(b"C100109", b"C100110").replace(b"priya", b"priyb"), headers)
    assert response.status_code == 401
    assert stored() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.status_code) == ("rejected", 401)
    assert delivery.error


@pytest.mark.parametrize("source", list(BUILDERS))
def test_a_delivery_signed_with_a_wrong_secret_is_rejected(source, customer) -> None:
    response = post(source, *BUILDERS[source]("whsec_" + "d3JvbmctdGVzdC1rZXk=" if source == "procx" else "wrong"))
    assert response.status_code == 401
    assert stored() == 0
    assert SECRETS[source] not in response.json()["detail"]


@pytest.mark.parametrize("source", TIMESTAMPED)
def test_a_stale_timestamp_is_rejected(source, customer) -> None:
    response = post(source, *BUILDERS[source](at=_now() - 3600))
    assert response.status_code == 401
    assert stored() == 0


@pytest.mark.parametrize("source", list(BUILDERS))
def test_a_missing_signature_header_is_rejected_and_named(source, customer) -> None:
    body, headers = BUILDERS[source]()
    name = SIGNATURE_HEADERS[source]
    response = post(source, body, {key: value for key, value in headers.items() if key.lower() != name.lower()})
    assert response.status_code == 401
    assert name.lower() in response.json()["detail"].lower()


@pytest.mark.parametrize("source", list(BUILDERS))
def test_a_delivery_signed_with_the_old_secret_is_accepted_during_rotation(source, customer, settings) -> None:
    settings.PROCX_WEBHOOK_SECRETS = {key: [SECRETS[key], OLD_SECRETS[key]] for key in SECRETS}
    response = post(source, *BUILDERS[source](OLD_SECRETS[source]))
    assert response.status_code == 200, response.json()


def test_unsigned_deliveries_pass_only_when_the_setting_allows_and_the_log_says_so(customer, settings) -> None:
    body, _ = stripe_delivery()
    assert post("stripe", body, {}).status_code == 401
    settings.PROCX_WEBHOOKS_ALLOW_UNSIGNED = True
    assert post("stripe", body, {}).status_code == 200
    delivery = WebhookDelivery.objects.get(outcome="accepted")
    assert (delivery.signature_verified, delivery.unsigned_allowed) == (False, True)
    assert "PROCX_WEBHOOKS_ALLOW_UNSIGNED" in delivery.error


# --- The provider contract --------------------------------------------------------------------


def test_the_same_delivery_twice_is_acknowledged_and_stored_once(customer) -> None:
    body, headers = stripe_delivery(event_id="evt_same")
    first, second = post("stripe", body, headers), post("stripe", body, headers)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["status"] == "duplicate"
    assert second.json()["event_id"] == first.json()["event_id"]
    assert stored() == 1
    assert list(WebhookDelivery.objects.order_by("pk").values_list("outcome", flat=True)) == ["accepted", "duplicate"]


def test_two_copies_arriving_at_the_same_moment_are_stored_once(customer, monkeypatch) -> None:
    body, headers = stripe_delivery(event_id="evt_race")
    match = event_services.customer_match
    raced = []

    def the_other_copy_lands_first(event):  # between our checks and our insert
        if not raced:
            raced.append(None)
            raced[0] = post("stripe", body, headers)
        return match(event)

    monkeypatch.setattr(event_services, "customer_match", the_other_copy_lands_first)
    response = post("stripe", body, headers)
    assert raced[0].json()["status"] == "accepted"
    assert (response.status_code, response.json()["status"]) == (200, "duplicate")
    assert stored() == 1


def test_malformed_json_is_a_400_naming_the_body(customer) -> None:
    body = b'{"event_type": "payment.failed", '
    headers = sign_standard_webhook(body=body, secret=SECRETS["procx"], message_id="msg_1", timestamp=_now())
    response = post("procx", body, headers)
    assert response.status_code == 400
    assert response.json()["field"] == "body"
    assert WebhookDelivery.objects.get().outcome == "invalid"


def test_a_signed_delivery_missing_a_required_field_is_kept_in_the_inbox_naming_it(customer) -> None:
    # Signed, it is the provider's: a 400 would only make it retry the same bytes and then drop them.
    body = json.dumps({"timestamp": "2025-10-08T14:32:00Z", "data": {"customer_id": "C100109"}}).encode()
    headers = sign_standard_webhook(body=body, secret=SECRETS["procx"], message_id="msg_2", timestamp=_now())
    response = post("procx", body, headers)
    assert response.status_code == 202
    assert response.json()["field"] == "event_type"
    assert "event_type" in response.json()["detail"]
    assert stored() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, delivery.body) == ("inbox", body.decode())
    assert delivery.error.startswith("could not be read: event_type")


def test_a_body_over_256_kb_is_a_413(customer) -> None:
    body, headers = procx_delivery(note="x" * (300 * 1024))
    response = post("procx", body, headers)
    assert response.status_code == 413
    assert stored() == 0
    assert WebhookDelivery.objects.get().outcome == "too_large"


def test_an_unknown_event_type_is_a_202_kept_in_the_inbox(customer) -> None:
    body, headers = procx_delivery(event_type="loyalty.points_expired")
    response = post("procx", body, headers)
    assert response.status_code == 202
    assert stored() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.outcome == "inbox"
    assert "loyalty.points_expired" in delivery.error


def test_an_unknown_customer_waits_in_the_inbox_and_is_stored_once_they_exist() -> None:
    body, headers = procx_delivery(customer_id="C100200", order_id="")
    response = post("procx", body, headers)
    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get()
    assert (delivery.outcome, stored()) == ("inbox", 0)
    assert "C100200" in delivery.error

    still = event_services.delivery_reprocess(delivery=delivery)
    assert still.outcome == "inbox"

    make_customer(customer_id="C100200")
    done = event_services.delivery_reprocess(delivery=delivery)
    assert done.outcome == DeliveryOutcome.REPROCESSED
    assert done.event.customer_id == "C100200"
    assert stored() == 1


@pytest.mark.django_db(transaction=True)
def test_a_customer_deleted_between_the_match_and_the_insert_sends_the_delivery_to_the_inbox(
    customer, monkeypatch
) -> None:
    def match_then_delete(event):
        found = match(event)
        Customer.objects.filter(pk=found).delete()
        return found

    match = event_services.customer_match
    monkeypatch.setattr(event_services, "customer_match", match_then_delete)
    body, headers = procx_delivery()
    response = post("procx", body, headers)
    assert (response.status_code, response.json()["status"]) == (202, "inbox")
    assert stored() == 0
    assert WebhookDelivery.objects.get().outcome == DeliveryOutcome.INBOX


def test_a_provider_id_learnt_once_finds_the_customer_later(customer) -> None:
    post("stripe", *stripe_delivery())
    assert ProviderCustomer.objects.get(source="stripe").customer_id == "C100109"
    customer.email = "changed@example.com"
    customer.save()
    response = post("stripe", *stripe_delivery())
    assert response.status_code == 200


# --- After commit: the sheets, the re-score, the outreach -----------------------------------


def test_a_payment_failure_lowers_health_and_the_event_keeps_before_and_after(customer) -> None:
    # The order is waiting for its payment, which then fails: no order, no money.
    Payment.objects.filter(order_id="O300789").delete()
    Order.objects.filter(pk="O300789").update(payment_status="pending", order_status="processing")
    customer_rescore(customer_id=customer.pk)
    before = Customer.objects.get(pk=customer.pk).health_score
    response = post("procx", *procx_delivery())
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert event.processed_at is not None
    assert event.health_before == before
    assert event.health_after < event.health_before
    failed = Payment.objects.get(order_id="O300789", status="failed")
    assert failed.amount == Decimal("2499.99")
    assert Order.objects.get(pk="O300789").payment_status == "failed"
    assert any("payment" in effect for effect in event.metadata["effects"])


def test_a_payment_failure_for_a_paid_order_is_recorded_without_unpaying_the_order(customer) -> None:
    customer_rescore(customer_id=customer.pk)
    order_before = Order.objects.filter(pk="O300789").values().get()
    response = post("procx", *procx_delivery())
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert event.health_after <= event.health_before
    assert Order.objects.filter(pk="O300789").values().get() == order_before
    assert list(Payment.objects.filter(order_id="O300789").values_list("status", flat=True).order_by("status")) == [
        "failed",
        "success",
    ]
    assert "order O300789 already paid: its payment status stays success" in event.metadata["effects"]


def test_an_nps_answer_and_a_ticket_are_written_to_their_sheets(customer) -> None:
    post("qualtrics", *qualtrics_delivery())
    post("zendesk", *zendesk_delivery())
    answer = NpsResponse.objects.get(customer=customer)
    assert (answer.nps_score, answer.feedback_text) == (3, "Delivery is always late.")
    ticket = SupportTicket.objects.get(customer=customer)
    assert (ticket.status, ticket.priority, ticket.csat_score) == ("open", "high", None)


def test_a_complaint_from_a_customer_now_at_risk_queues_outreach(customer, settings) -> None:
    settings.PROCX_SCAN_MIN_RISK = 0.0  # whatever the score, this customer counts as at risk
    response = post("procx", *procx_delivery())
    intervention = Intervention.objects.get(customer=customer)
    assert intervention.origin == "webhook"
    assert intervention.event_id == response.json()["event_id"]
    assert intervention.action == "payment_assistance"


def test_no_delivery_is_lost_when_the_rescore_raises(customer, monkeypatch) -> None:
    def broken(**kwargs):
        raise RuntimeError("scoring is down")

    monkeypatch.setattr("events.processing.customer_rescore", broken)
    response = post("procx", *procx_delivery())
    assert response.status_code == 200
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert event.processed_at is None
    assert "scoring is down" in event.processing_error

    monkeypatch.undo()
    result = events_process()
    assert [item.pk for item in result.processed] == [event.pk]
    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.processing_error == ""


def test_no_delivery_is_lost_when_the_pipeline_raises(customer, settings, monkeypatch) -> None:
    settings.PROCX_SCAN_MIN_RISK = 0.0

    def broken(**kwargs):
        raise RuntimeError("pipeline is down")

    monkeypatch.setattr("interventions.receivers.interventions_draft", broken)
    response = post("procx", *procx_delivery())
    assert response.status_code == 200
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    assert event.processed_at is not None  # the re-score happened
    assert "outreach not drafted" in event.processing_error


def test_the_openapi_schema_describes_the_five_endpoints(admin_client) -> None:
    response = admin_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "ProCX webhook API"
    assert set(URLS.values()) <= set(schema["paths"])
    stripe = schema["paths"]["/api/webhooks/stripe/"]["post"]
    assert {"200", "202", "400", "401", "413"} <= set(stripe["responses"])


def test_trouble_reported_by_webhook_is_not_engagement(customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(last_active_date=timezone.now().date() - dt.timedelta(days=120))
    Order.objects.filter(customer=customer).update(order_date=timezone.now() - dt.timedelta(days=120))
    Payment.objects.filter(customer=customer).update(payment_date=timezone.now() - dt.timedelta(days=120))
    customer_rescore(customer_id=customer.pk)
    response = post("qualtrics", *qualtrics_delivery())
    event = CustomerEvent.objects.get(pk=response.json()["event_id"])
    recency = customer_rescore(customer_id=customer.pk).points["recency"]
    assert recency == 0  # still 120 days since they last engaged
    assert event.health_after < event.health_before  # a detractor's answer does not make them healthier


def test_only_an_inbox_delivery_can_be_reprocessed(customer) -> None:
    post("stripe", *stripe_delivery())
    with pytest.raises(ValueError, match="is accepted, not in the inbox"):
        event_services.delivery_reprocess(delivery=WebhookDelivery.objects.get())


def test_staff_reprocess_the_inbox_from_the_admin(admin_client) -> None:
    post("procx", *procx_delivery(customer_id="C100300", order_id=""))
    waiting = WebhookDelivery.objects.get(outcome="inbox")
    url = "/admin/events/webhookdelivery/"
    response = admin_client.post(url, {"action": "reprocess_selected", "_selected_action": [waiting.pk]}, follow=True)
    assert "Still in the inbox" in response.content.decode()
    make_customer(customer_id="C100300")
    response = admin_client.post(url, {"action": "reprocess_selected", "_selected_action": [waiting.pk]}, follow=True)
    assert "Stored 1 delivery(ies) as customer events." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.outcome == "reprocessed"
    assert waiting.event.customer_id == "C100300"
