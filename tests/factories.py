"""Small factories: one saved row with sensible defaults, any field overridable.

Ids come from counters in the workbook's style (C100000, O300000 ...), so rows made in one
test never collide. `contract_frames` builds a tiny workbook in the data contract's layout.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pandas as pd

from customers.models import ChurnLabel, Customer, CustomerEvent, NpsResponse, Order, Payment, SupportTicket

_numbers = itertools.count(1)

NOW = dt.datetime(2025, 10, 1, 12, 0, tzinfo=dt.UTC)


def _next(prefix: str, base: int) -> str:
    return f"{prefix}{base + next(_numbers)}"


def make_customer(**overrides: Any) -> Customer:
    customer_id = overrides.pop("customer_id", None) or _next("C", 100_000)
    values: dict[str, Any] = {
        "first_name": "Asha",
        "last_name": "Rao",
        "email": f"{customer_id.lower()}@example.com",
        "phone": "+919831882064",
        "signup_date": dt.date(2023, 1, 15),
        "country": "India",
        "city": "Chennai",
        "segment": "Regular",
        "lifetime_value": Decimal("1250.00"),
        "avg_order_value": Decimal("125.00"),
        "preferred_category": "Books",
        "last_active_date": dt.date(2025, 9, 30),
        "loyalty_tier": "Silver",
        "opt_in_marketing": True,
        "language": "en",
    }
    values.update(overrides)
    return Customer.objects.create(customer_id=customer_id, **values)


def make_order(customer: Customer, **overrides: Any) -> Order:
    values: dict[str, Any] = {
        "order_id": _next("O", 300_000),
        "order_date": NOW - dt.timedelta(days=10),
        "items_count": 2,
        "product_ids": "P200215,P200160",
        "total_amount": Decimal("250.00"),
        "payment_method": "card",
        "payment_status": "success",
        "order_status": "delivered",
        "estimated_delivery_date": dt.date(2025, 9, 25),
        "actual_delivery_date": dt.date(2025, 9, 27),
        "delivery_delay_days": 2.0,
        "promo_code": "",
    }
    values.update(overrides)
    return Order.objects.create(customer=customer, **values)


def make_payment(order: Order, **overrides: Any) -> Payment:
    values: dict[str, Any] = {
        "payment_id": _next("PM", 400_000),
        "customer": order.customer,
        "payment_date": order.order_date,
        "amount": order.total_amount,
        "payment_method": order.payment_method,
        "status": "success",
        "failure_reason": "",
    }
    values.update(overrides)
    return Payment.objects.create(order=order, **values)


def make_ticket(customer: Customer, **overrides: Any) -> SupportTicket:
    values: dict[str, Any] = {
        "ticket_id": _next("T", 700_000),
        "order": None,
        "created_at": NOW - dt.timedelta(days=5),
        "channel": "email",
        "category": "delivery",
        "priority": "high",
        "assigned_agent_id": "A100",
        "status": "open",
        "resolution_time_hours": None,
        "escalation": False,
        "escalated_to": "",
        "sentiment_score": -0.4,
        "initial_message": "Where is my order?",
        "final_message_summary": "",
        "csat_score": 2,
    }
    values.update(overrides)
    return SupportTicket.objects.create(customer=customer, **values)


def make_nps_response(customer: Customer, **overrides: Any) -> NpsResponse:
    values: dict[str, Any] = {
        "survey_id": _next("NPS", 1_300_000),
        "date": NOW - dt.timedelta(days=3),
        "nps_score": 4,
        "feedback_text": "Delivery was late again.",
    }
    values.update(overrides)
    return NpsResponse.objects.create(customer=customer, **values)


def make_churn_label(customer: Customer, **overrides: Any) -> ChurnLabel:
    values: dict[str, Any] = {
        "is_churn": False,
        "churn_date": None,
        "churn_reason": "",
        "predicted_churn_score": 0.2,
    }
    values.update(overrides)
    return ChurnLabel.objects.create(customer=customer, **values)


def make_event(customer: Customer, **overrides: Any) -> CustomerEvent:
    values: dict[str, Any] = {
        "event_id": _next("E", 1_000_000),
        "event_type": "view",
        "event_time": NOW - dt.timedelta(hours=6),
        "product_id": "P200215",
        "session_id": "S1",
        "device": "web",
    }
    values.update(overrides)
    return CustomerEvent.objects.create(customer=customer, **values)


def contract_frames(customers: int = 2) -> dict[str, pd.DataFrame]:
    """A tiny, valid workbook in the contract's layout: every sheet, `customers` customers,
    each with one order, payment, ticket, NPS answer, churn label and event."""
    ids = [f"C{100_000 + number}" for number in range(customers)]
    orders = [f"O{300_000 + number}" for number in range(customers)]
    return {
        "customers": pd.DataFrame(
            {
                "customer_id": ids,
                "first_name": [f"First{number}" for number in range(customers)],
                "last_name": [f"Last{number}" for number in range(customers)],
                "email": [f"{customer_id.lower()}@example.com" for customer_id in ids],
                "phone": [919831882064 + number for number in range(customers)],
                "signup_date": ["2023-01-15"] * customers,
                "country": ["India"] * customers,
                "city": ["Chennai"] * customers,
                "segment": ["VIP"] * customers,
                "lifetime_value": [1250.5] * customers,
                "avg_order_value": [125.0] * customers,
                "preferred_category": ["Books"] * customers,
                "last_active_date": ["2025-09-30"] * customers,
                "loyalty_tier": ["Gold"] * customers,
                "opt_in_marketing": [True] * customers,
                "language": ["hi"] * customers,
            }
        ),
        "orders": pd.DataFrame(
            {
                "order_id": orders,
                "customer_id": ids,
                "order_date": ["2025-09-20T10:00:00"] * customers,
                "items_count": [2] * customers,
                "product_ids": ["P200215,P200160"] * customers,
                "total_amount": [250.0] * customers,
                "payment_method": ["upi"] * customers,
                "payment_status": ["success"] * customers,
                "order_status": ["delivered"] * customers,
                "estimated_delivery_date": ["2025-09-25"] * customers,
                "actual_delivery_date": ["2025-09-27"] * customers,
                "delivery_delay_days": [2.0] * customers,
                "promo_code": [None] * customers,
            }
        ),
        "payments": pd.DataFrame(
            {
                "payment_id": [f"PM{400_000 + number}" for number in range(customers)],
                "order_id": orders,
                "customer_id": ids,
                "payment_date": ["2025-09-20T10:01:00"] * customers,
                "amount": [250.0] * customers,
                "payment_method": ["upi"] * customers,
                "status": ["success"] * customers,
                "failure_reason": [None] * customers,
            }
        ),
        "support_tickets": pd.DataFrame(
            {
                "ticket_id": [f"T{700_000 + number}" for number in range(customers)],
                "customer_id": ids,
                "order_id": orders,
                "created_at": ["2025-09-28T09:00:00"] * customers,
                "channel": ["chat"] * customers,
                "category": ["delivery"] * customers,
                "priority": ["high"] * customers,
                "assigned_agent_id": ["A100"] * customers,
                "status": ["open"] * customers,
                "resolution_time_hours": [None] * customers,
                "escalation": ["N"] * customers,
                "escalated_to": [None] * customers,
                "sentiment_score": [-0.5] * customers,
                "initial_message": ["My parcel is late"] * customers,
                "final_message_summary": [None] * customers,
                "csat_score": [2] * customers,
            }
        ),
        "nps_survey": pd.DataFrame(
            {
                "survey_id": [f"NPS{1_300_000 + number}" for number in range(customers)],
                "customer_id": ids,
                "date": ["2025-09-29T12:00:00"] * customers,
                "nps_score": [3] * customers,
                "feedback_text": ["Slow delivery"] * customers,
            }
        ),
        "churn_labels": pd.DataFrame(
            {
                "customer_id": ids,
                "is_churn": [0] * customers,
                "churn_date": [None] * customers,
                "churn_reason": [None] * customers,
                "predicted_churn_score": [0.3] * customers,
            }
        ),
        "customer_events": pd.DataFrame(
            {
                "event_id": [f"E{1_000_000 + number}" for number in range(customers)],
                "customer_id": ids,
                "event_type": ["view"] * customers,
                "event_time": ["2025-09-30T08:00:00"] * customers,
                "product_id": ["P200215"] * customers,
                "session_id": [f"S{number}" for number in range(customers)],
                "device": ["android_app"] * customers,
            }
        ),
    }
