"""Small builders of pipeline types for pure stage tests (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from interventions.agents.types import (
    CustomerContext,
    Health,
    LanguageView,
    NpsView,
    OrderView,
    PaymentView,
    Profile,
    TicketView,
    Trigger,
)

AS_OF = dt.datetime(2025, 10, 9, 12, 0, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=days)


def profile(**overrides: Any) -> Profile:
    values = {
        "customer_id": "C100001",
        "first_name": "Ananya",
        "last_name": "Sen",
        "email": "ananya@example.com",
        "phone": "+919831882064",
        "segment": "Regular",
        "loyalty_tier": "Gold",
        "lifetime_value": 4200.0,
        "avg_order_value": 210.0,
        "opt_in_marketing": True,
        "profile_language": "en",
        "signup_date": dt.date(2022, 1, 5),
        "last_active_date": dt.date(2025, 10, 1),
    }
    return Profile(**{**values, **overrides})


def order(order_id: str = "O300001", days: float = 20, **overrides: Any) -> OrderView:
    values = {
        "order_id": order_id,
        "order_date": days_ago(days),
        "total_amount": 250.0,
        "items_count": 2,
        "order_status": "delivered",
        "payment_status": "success",
        "estimated_delivery_date": days_ago(days - 5).date(),
        "actual_delivery_date": days_ago(days - 5).date(),
        "delivery_delay_days": 0.0,
    }
    return OrderView(**{**values, **overrides})


def payment(payment_id: str = "P500001", days: float = 10, **overrides: Any) -> PaymentView:
    values = {
        "payment_id": payment_id,
        "order_id": "O300001",
        "payment_date": days_ago(days),
        "amount": 2499.99,
        "payment_method": "card",
        "status": "failed",
        "failure_reason": "insufficient_funds",
    }
    return PaymentView(**{**values, **overrides})


def ticket(ticket_id: str = "T700001", days: float = 12, **overrides: Any) -> TicketView:
    values = {
        "ticket_id": ticket_id,
        "created_at": days_ago(days),
        "category": "delivery",
        "priority": "high",
        "status": "open",
        "escalation": False,
        "sentiment_score": -0.2,
        "csat_score": 3,
        "initial_message": "Where is my parcel?",
    }
    return TicketView(**{**values, **overrides})


def nps(survey_id: str = "S900001", days: float = 15, score: int = 8, **overrides: Any) -> NpsView:
    return NpsView(**{"survey_id": survey_id, "date": days_ago(days), "nps_score": score, **overrides})


def context(
    *,
    risk: float | None = 0.65,
    score: float | None = 45.0,
    trigger: Trigger | None = None,
    language: str = "en",
    **overrides: Any,
) -> CustomerContext:
    values: dict[str, Any] = {
        "as_of": AS_OF,
        "trigger": trigger or Trigger(kind="scan", description="Proactive scan finding"),
        "profile": profile(),
        "language": LanguageView(code=language, source="profile", note=f"profile language {language}"),
        "health": Health(score=score, band="at risk", churn_risk=risk, risk_source="model"),
        "orders": (order("O300002", 20), order("O300001", 50)),
    }
    return CustomerContext(**{**values, **overrides})
