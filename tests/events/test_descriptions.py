"""The sentence staff read for each canonical event type, and money in its currency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from events.descriptions import event_description, money
from events.webhook_types import CANONICAL_TYPES, CanonicalEvent, CustomerRef


def _event(event_type: str, data: dict[str, Any]) -> CanonicalEvent:
    return CanonicalEvent(
        source="procx",
        event_type=event_type,
        native_type=event_type,
        delivery_id="msg_1",
        occurred_at=dt.datetime(2025, 10, 8, 14, 32, tzinfo=dt.UTC),
        customer=CustomerRef(customer_id="C100109"),
        data=data,
    )


# Realistic facts for every canonical type, and the exact sentence they make.
REALISTIC: dict[str, tuple[dict[str, Any], str]] = {
    "payment.failed": (
        {
            "amount": "2499.99",
            "currency": "USD",
            "order_id": "ORD-2025-789",
            "reason": "insufficient_funds",
            "payment_method": "card_****1234",
            "attempt": 2,
        },
        "Payment of $2,499.99 failed for order ORD-2025-789 - insufficient funds. "
        "Customer may need assistance with payment method. This is attempt #2.",
    ),
    "payment.succeeded": (
        {
            "amount": "2499.99",
            "currency": "USD",
            "order_id": "O300789",
            "payment_method": "Visa ending 4242",
            "attempt": 3,
        },
        "Payment of $2,499.99 received for order O300789 by Visa ending 4242. "
        "It went through on attempt #3: any outreach about the earlier failure can stop.",
    ),
    "subscription.cancel_scheduled": (
        {
            "plan": "Pro",
            "amount": "49.00",
            "currency": "EUR",
            "interval": "month",
            "cancel_at": "2025-11-08T00:00:00Z",
            "reason": "too_expensive",
            "comment": "I use it less now",
        },
        "The customer asked to cancel the Pro subscription (€49.00/month); it ends on 8 Nov 2025 - too expensive. "
        'The customer wrote: "I use it less now." There is still time to talk before it ends.',
    ),
    "subscription.reactivated": (
        {"plan": "Pro"},
        "The customer kept the Pro subscription: the scheduled cancellation was withdrawn. "
        "Outreach about cancelling can stop.",
    ),
    "order.placed": (
        {
            "order_name": "#1001",
            "amount": "199.00",
            "currency": "USD",
            "item_count": 2,
            "items": ["IPod Nano - 8gb", "Case"],
        },
        "The customer placed order #1001 ($199.00, 2 items): IPod Nano - 8gb and Case. They are buying again.",
    ),
    "order.shipped": (
        {"order_name": "#1001", "carrier": "UPS", "tracking_number": "1Z2345"},
        "Order #1001 was shipped (UPS 1Z2345).",
    ),
    "shipment.failed": (
        {"order_name": "#1001", "carrier": "UPS", "tracking_number": "1Z2345", "reason": "failure"},
        "The carrier could not deliver order #1001 (UPS 1Z2345) - delivery failed. "
        "Contact the customer to arrange delivery before they ask.",
    ),
    "support.ticket.updated": (
        {
            "ticket_id": "35436",
            "subject": "My order",
            "status": "pending",
            "priority": "high",
            "previous_priority": "normal",
        },
        'Support ticket #35436 "My order" is now waiting on the customer and priority changed from normal to high.',
    ),
    "support.ticket.commented": (
        {"ticket_id": "35436", "author": "customer", "comment": "Still nothing arrived"},
        'The customer wrote on Support ticket #35436: "Still nothing arrived."',
    ),
    "satisfaction.bad": (
        {"ticket_id": "35436", "comment": "Nobody answered"},
        'The customer rated the support on Support ticket #35436 as bad and wrote: "Nobody answered." '
        "Reach out to put right what the ticket left wrong.",
    ),
    "satisfaction.good": (
        {"ticket_id": "35436"},
        "The customer rated the support on Support ticket #35436 as good. A good moment to ask for a review.",
    ),
    "email.subscribed": ({}, "The customer subscribed to marketing email."),
    "payment.method_expired": (
        {"payment_method": "Visa ending 4242", "exp_month": 4, "exp_year": 2026},
        "The Visa ending 4242 on file expires 04/2026. Ask the customer to update it before the next payment is due.",
    ),
    "subscription.payment_failed": (
        {
            "amount": "49.00",
            "currency": "EUR",
            "plan": "Pro",
            "reason": "card_declined",
            "attempt": 2,
            "next_attempt_at": "2025-10-11T14:32:00Z",
        },
        "Subscription payment of €49.00 failed for the Pro plan - card declined. "
        "The subscription may lapse unless the payment method is updated. This is attempt #2. "
        "The next automatic retry is on 11 Oct 2025.",
    ),
    "subscription.cancelled": (
        {
            "plan": "Pro",
            "amount": "49.00",
            "currency": "USD",
            "interval": "month",
            "reason": "too_expensive",
            "comment": "Cheaper elsewhere",
        },
        'The Pro subscription ($49.00/month) was cancelled - too expensive. The customer wrote: "Cheaper elsewhere." '
        "Consider a win-back offer if the reason can be addressed.",
    ),
    "refund.requested": (
        {
            "amount": "1499.00",
            "currency": "INR",
            "order_id": "O300123",
            "reason": "requested_by_customer",
            "refund_status": "pending",
        },
        "Refund of ₹1,499.00 requested for order O300123 - requested by the customer. "
        "Confirm the refund and its timeline with the customer.",
    ),
    "dispute.created": (
        {
            "amount": "80.00",
            "currency": "GBP",
            "order_id": "O300456",
            "reason": "product_not_received",
            "evidence_due_by": "2025-10-24T23:59:59Z",
        },
        "The customer disputed a payment of £80.00 for order O300456 - product not received. "
        "Evidence is due by 24 Oct 2025. Respond to the bank with evidence and reach out to the customer.",
    ),
    "order.delayed": (
        {"order_id": "O300789", "delay_days": 3, "reason": "carrier backlog", "expected_delivery": "2025-10-15"},
        "Order O300789 is running 3 days late - carrier backlog. New estimated delivery: 15 Oct 2025. "
        "Let the customer know before they have to ask.",
    ),
    "order.cancelled": (
        {
            "order_name": "#1001",
            "order_id": "5923871244581",
            "amount": "129.50",
            "currency": "USD",
            "reason": "inventory",
        },
        "Order #1001 ($129.50) was cancelled - items unavailable. Check whether a refund or a replacement is due.",
    ),
    "order.delivered": (
        {
            "order_name": "#1001",
            "delivered_at": "2025-10-09T12:00:00Z",
            "carrier": "UPS",
            "tracking_number": "1Z999AA10123456784",
        },
        "Order #1001 was delivered on 9 Oct 2025 (UPS 1Z999AA10123456784). A good moment to ask how it went.",
    ),
    "shipment.delayed": (
        {"order_name": "#1001", "carrier": "UPS", "tracking_number": "1Z999", "reason": "attempted_delivery"},
        "The shipment for order #1001 is delayed (UPS 1Z999) - delivery attempt failed. "
        "Keep the customer informed and offer an alternative if it does not arrive soon.",
    ),
    "return.initiated": (
        {"order_id": "O300321", "item_count": 2, "amount": "59.00", "currency": "SGD", "reason": "wrong size"},
        "Return started for order O300321 (2 items, SGD 59.00) - wrong size. "
        "Make sure the return label and the refund timeline are clear.",
    ),
    "cart.abandoned": (
        {
            "amount": "151.17",
            "currency": "USD",
            "item_count": 5,
            "items": ["Trail Runner 2 Shoes", "Water Bottle", "Socks", "Cap"],
        },
        "A cart worth $151.17 with 5 items (Trail Runner 2 Shoes, Water Bottle, Socks and 1 more) was left at checkout. "
        "A reminder with the checkout link may bring the customer back.",
    ),
    "product.out_of_stock": (
        {"product_id": "P200215", "product_title": "Trail Runner 2 Shoes"},
        "Trail Runner 2 Shoes is out of stock. Customers waiting on it may need an update or an alternative.",
    ),
    "product.back_in_stock": (
        {"product_id": "P200215", "product_title": "Trail Runner 2 Shoes", "quantity": 24},
        "Trail Runner 2 Shoes is back in stock (24 available). Customers who asked about it can be told.",
    ),
    "nps.detractor": (
        {"nps_score": 3, "feedback": "Delivery took two weeks and nobody answered my emails"},
        'The customer gave an NPS score of 3/10 (detractor) and wrote: "Delivery took two weeks and nobody '
        'answered my emails." Reach out personally to understand what went wrong.',
    ),
    "nps.passive": (
        {"nps_score": 7},
        "The customer gave an NPS score of 7/10 (passive). A small gesture could turn them into a promoter.",
    ),
    "nps.promoter": (
        {"nps_score": 10, "feedback": "Great service!"},
        'The customer gave an NPS score of 10/10 (promoter) and wrote: "Great service!" '
        "A good moment to ask for a review or a referral.",
    ),
    "review.negative": (
        {
            "rating": 2,
            "product_title": "Silk Scarf",
            "platform": "Trustpilot",
            "review_text": "Colour faded after one wash.",
        },
        'The customer left a 2-star review of Silk Scarf on Trustpilot: "Colour faded after one wash." '
        "Reply publicly and offer to make it right.",
    ),
    "review.positive": (
        {"rating": 5, "product_title": "Silk Scarf"},
        "The customer left a 5-star review of Silk Scarf. Thank them; they may be happy to refer a friend.",
    ),
    "support.ticket.created": (
        {"ticket_id": "4711", "subject": "Where is my order O300789?", "priority": "high", "channel": "email"},
        'Support ticket #4711 "Where is my order O300789?" was opened (high priority, via email). '
        "Check whether it relates to a recent order or payment.",
    ),
    "support.ticket.escalated": (
        {
            "ticket_id": "4711",
            "subject": "Refund still missing",
            "escalation_reason": "priority raised from normal to urgent",
        },
        'Support ticket #4711 "Refund still missing" was escalated - priority raised from normal to urgent. '
        "A senior agent should own it and update the customer today.",
    ),
    "support.ticket.resolved": (
        {"ticket_id": "T700123", "subject": "Refund still missing", "status": "solved"},
        'Support ticket T700123 "Refund still missing" was solved. Check in later to confirm the customer is satisfied.',
    ),
    "app.inactive": (
        {"days_inactive": 30, "last_active_at": "2025-09-08"},
        "The customer has not opened the app for 30 days (last active 8 Sep 2025). "
        "A timely nudge with something relevant may bring them back.",
    ),
    "email.unsubscribe": (
        {"list": "marketing email"},
        "The customer unsubscribed from marketing email. Keep any further outreach to service messages.",
    ),
}

# What each type says with no facts at all.
MINIMAL = {
    "payment.failed": "A payment failed. Customer may need assistance with payment method.",
    "payment.succeeded": "A payment succeeded.",
    "payment.method_expired": "A payment method on file is expiring.",
    "subscription.payment_failed": "A subscription payment failed.",
    "subscription.cancelled": "A subscription was cancelled.",
    "refund.requested": "A refund was requested.",
    "dispute.created": "The customer disputed a payment.",
    "order.delayed": "An order is delayed.",
    "order.cancelled": "An order was cancelled.",
    "order.delivered": "An order was delivered.",
    "shipment.delayed": "A shipment is delayed.",
    "return.initiated": "A return was started.",
    "cart.abandoned": "A cart was left at checkout.",
    "product.out_of_stock": "A product is out of stock.",
    "product.back_in_stock": "A product is back in stock.",
    "nps.detractor": "The customer answered the NPS survey as a detractor.",
    "nps.passive": "The customer answered the NPS survey as a passive.",
    "nps.promoter": "The customer answered the NPS survey as a promoter.",
    "review.negative": "The customer left a negative review.",
    "review.positive": "The customer left a positive review.",
    "support.ticket.created": "A support ticket was opened.",
    "support.ticket.escalated": "A support ticket was escalated.",
    "support.ticket.resolved": "A support ticket was resolved.",
    "app.inactive": "The customer has gone quiet in the app.",
    "email.unsubscribe": "The customer unsubscribed from email.",
    "subscription.cancel_scheduled": "The customer asked to cancel a subscription at the end of the period.",
    "subscription.reactivated": "The customer kept their subscription",
    "order.placed": "The customer placed an order.",
    "order.shipped": "An order was shipped.",
    "shipment.failed": "The carrier could not deliver a parcel.",
    "support.ticket.updated": "A support ticket was updated.",
    "support.ticket.commented": "Someone wrote on a support ticket.",
    "satisfaction.bad": "The customer rated the support on a support ticket as bad.",
    "satisfaction.good": "The customer rated the support on a support ticket as good.",
    "email.subscribed": "The customer subscribed to marketing email.",
}

# Every key a writer reads, with the empty values a payload or a spreadsheet may hold.
EMPTY_FACTS: dict[str, Any] = {
    key: value
    for key, value in zip(
        [
            "amount", "currency", "order_id", "order_name", "invoice_id", "reason", "attempt", "next_attempt_at",
            "payment_method", "exp_month", "exp_year", "plan", "interval", "comment", "refund_status", "items",
            "item_count", "evidence_due_by", "delay_days", "expected_delivery", "carrier", "tracking_number",
            "delivered_at", "product_title", "product_id", "quantity", "nps_score", "feedback", "rating",
            "max_rating", "platform", "review_text", "ticket_id", "subject", "priority", "channel", "status",
            "escalation_reason", "days_inactive", "last_active_at", "list", "cancel_at", "previous_priority",
            "author",
        ],
        [None, "", "None", "nan", float("nan"), "  ", "null", [], None, "", "NaN"] * 4,
        strict=False,
    )
}  # fmt: skip


def test_every_canonical_type_has_a_realistic_and_a_minimal_case() -> None:
    assert set(REALISTIC) == set(CANONICAL_TYPES)
    assert set(MINIMAL) == set(CANONICAL_TYPES)


@pytest.mark.parametrize("event_type", list(CANONICAL_TYPES))
def test_each_type_is_described_from_its_facts(event_type) -> None:
    data, sentence = REALISTIC[event_type]
    assert event_description(_event(event_type, data)) == sentence


@pytest.mark.parametrize("event_type", list(CANONICAL_TYPES))
def test_each_type_reads_as_a_whole_sentence_without_facts(event_type) -> None:
    description = event_description(_event(event_type, {}))
    assert description.startswith(MINIMAL[event_type])
    _assert_clean(description)


@pytest.mark.parametrize("event_type", list(CANONICAL_TYPES))
def test_empty_values_are_left_out_rather_than_shown(event_type) -> None:
    description = event_description(_event(event_type, dict(EMPTY_FACTS)))
    assert description.startswith(MINIMAL[event_type])
    _assert_clean(description)


@pytest.mark.parametrize("event_type", list(CANONICAL_TYPES))
def test_realistic_descriptions_are_clean_too(event_type) -> None:
    _assert_clean(event_description(_event(event_type, REALISTIC[event_type][0])))


def _assert_clean(description: str) -> None:
    assert description
    assert description[0].isupper() or description[0] == '"'
    assert description.endswith((".", '."', '!"', '?"'))
    for bad in ("None", "nan", "NaN", "null", "  ", " .", " ,", "$0.00", "()", '""', "..", " - ."):
        assert bad not in description, f"{bad!r} in {description!r}"


def test_a_one_off_payment_failure_without_an_order_names_the_invoice_and_the_next_retry() -> None:
    data = {"amount": "10", "currency": "USD", "invoice_id": "in_1Q", "next_attempt_at": "2025-10-11T09:00:00Z"}
    assert event_description(_event("payment.failed", data)) == (
        "Payment of $10.00 failed for invoice in_1Q. Customer may need assistance with payment method. "
        "The next automatic retry is on 11 Oct 2025."
    )


@pytest.mark.parametrize(
    ("reason", "phrase"),
    [
        ("insufficient_funds", "insufficient funds"),
        ("do_not_honor", "declined by the bank"),
        ("expired_card", "card expired"),
        ("fraud_suspected", "suspected fraud"),
        ("transaction_not_allowed", "transaction not allowed"),
        ("Your card has insufficient funds.", "Your card has insufficient funds"),
    ],
)
def test_reasons_are_written_in_words(reason, phrase) -> None:
    description = event_description(_event("payment.failed", {"reason": reason}))
    assert description.startswith(f"A payment failed - {phrase}. ")


def test_a_reason_that_says_nothing_is_left_out() -> None:
    assert event_description(_event("order.cancelled", {"order_name": "#1001", "reason": "other"})) == (
        "Order #1001 was cancelled. Check whether a refund or a replacement is due."
    )


def test_a_first_attempt_that_succeeds_does_not_mention_attempts() -> None:
    assert event_description(_event("payment.succeeded", {"amount": "5", "currency": "USD", "attempt": 1})) == (
        "Payment of $5.00 received."
    )


def test_an_automatically_updated_card_needs_no_action() -> None:
    data = {"payment_method": "Mastercard ending 4444", "exp_month": 8, "exp_year": 2029, "automatically_updated": True}
    assert event_description(_event("payment.method_expired", data)) == (
        "The card network updated the card on file: it is now the Mastercard ending 4444, expiring 08/2029. "
        "No action is needed unless the next payment fails."
    )


@pytest.mark.parametrize(
    ("status", "start", "follow_up"),
    [
        ("issued", "Partial refund of $20.00 issued for order #1001 (Silk Scarf)", "Let the customer know"),
        ("failed", "Partial refund of $20.00 failed for order #1001 (Silk Scarf)", "issue the refund another way"),
    ],
)
def test_a_refund_says_whether_it_was_issued_or_failed(status, start, follow_up) -> None:
    data = {
        "amount": "20",
        "currency": "USD",
        "order_name": "#1001",
        "refund_status": status,
        "partial": True,
        "items": ["Silk Scarf"],
    }
    description = event_description(_event("refund.requested", data))
    assert description.startswith(start + ".")
    assert follow_up in description


def test_long_feedback_is_shortened_at_a_word() -> None:
    feedback = "The parcel arrived late " * 20
    description = event_description(_event("nps.detractor", {"nps_score": 2, "feedback": feedback}))
    quoted = description.split('"')[1]
    assert quoted.endswith("…")
    assert len(quoted) <= 200
    assert quoted[:-1].split()[-1] in {"The", "parcel", "arrived", "late"}  # cut between words


def test_a_single_day_and_a_single_item_are_singular() -> None:
    assert event_description(_event("order.delayed", {"order_id": "O300001", "delay_days": 1})).startswith(
        "Order O300001 is running 1 day late."
    )
    assert event_description(_event("cart.abandoned", {"item_count": 1, "items": ["Cap"]})).startswith(
        "A cart with 1 item (Cap) was left at checkout."
    )


def test_an_out_of_range_score_is_not_shown() -> None:
    assert event_description(_event("nps.promoter", {"nps_score": 42})).startswith(
        "The customer answered the NPS survey as a promoter."
    )


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("2499.99", "USD", "$2,499.99"),
        (Decimal("1234.5"), "EUR", "€1,234.50"),
        ("4999", "INR", "₹4,999.00"),
        ("5000", "JPY", "¥5,000"),
        ("5000.00", "jpy", "¥5,000"),
        ("1.25", "BHD", "BHD 1.250"),
        ("1250.5", "KWD", "KWD 1,250.500"),
        ("1234.5", "AED", "AED 1,234.50"),
        ("1234.5", "XYZ", "XYZ 1,234.50"),
        ("1234.5", None, "1,234.50"),
        ("-12.5", "GBP", "\u2212£12.50"),  # a real minus sign, as every amount ProCX writes
        ("10.555", "USD", "$10.555"),
        (2499.99, "USD", "$2,499.99"),
        (0, "USD", "$0.00"),
    ],
)
def test_money_is_written_in_its_currency(amount, currency, text) -> None:
    assert money(amount, currency) == text


@pytest.mark.parametrize("amount", [None, "", "abc", "nan", float("nan"), "Infinity", True])
def test_money_without_a_usable_amount_is_empty(amount) -> None:
    assert money(amount, "USD") == ""


def test_an_automatically_updated_card_without_details_still_reads_well() -> None:
    assert event_description(_event("payment.method_expired", {"automatically_updated": True})) == (
        "The card network updated the card on file. No action is needed unless the next payment fails."
    )
