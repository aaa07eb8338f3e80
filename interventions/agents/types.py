"""What the four stages hand each other: typed, validated, JSON-ready (pydantic).

Context -> Pattern -> Decision -> Empathy. Every stage's input and output is one of these
models, so a stage can be run by code or by a model and checked the same way, and each
AgentStep record stores the stage's output as `model_dump(mode="json")`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["email", "sms", "call"]
Priority = Literal["low", "medium", "high", "critical"]
Severity = Literal["low", "medium", "high"]
PRIORITY_ORDER: tuple[str, ...] = ("low", "medium", "high", "critical")

# What the outreach is for. Only `win_back` and `service_recovery` may carry an offer.
Action = Literal[
    "payment_assistance",  # a payment failed: help them pay, never a discount
    "service_recovery",  # something went wrong (delay, cancellation, complaint): fix it, make it good
    "win_back",  # they are going quiet or spending less: remind them why they came
    "personal_call",  # a valuable customer at high risk: an account manager calls
    "answer_inquiry",  # they asked something: answer it
    "thank_you",  # they are happy: thank them
    "hold",  # contacted recently and not critical: no new outreach
]

PatternName = Literal[
    "payment_trouble",
    "going_quiet",
    "service_failures",
    "falling_satisfaction",
    "spending_decline",
    "delivery_problems",
]

TriggerKind = Literal["scan", "webhook", "demo"]
TriggerCategory = Literal["COMPLAINT", "INQUIRY", "ORDER_CANCELLED", "ORDER_DELAYED", "FEEDBACK", ""]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- Context ------------------------------------------------------------------------------


class Trigger(_Frozen):
    """Why the pipeline runs for this customer: a scan finding, a webhook event or a demo scenario."""

    kind: TriggerKind
    description: str
    category: TriggerCategory = ""
    customer_text: str = ""  # the customer's own words (a complaint, a survey answer), if any
    order_id: str = ""  # the order the trigger is about, if it names one


class LanguageView(_Frozen):
    """The language to write in and how it was chosen (see interventions.language)."""

    code: str
    source: Literal["profile", "detected", "fallback"]
    detected: str | None = None
    mismatch: bool = False
    note: str = ""


class Profile(_Frozen):
    customer_id: str
    first_name: str
    last_name: str = ""
    email: str
    phone: str = ""
    segment: str
    loyalty_tier: str
    lifetime_value: float
    avg_order_value: float
    country: str = ""
    city: str = ""
    preferred_category: str = ""
    profile_language: str = ""
    opt_in_marketing: bool
    signup_date: dt.date
    last_active_date: dt.date

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def has_phone(self) -> bool:
        return bool(self.phone.strip())


class FactorView(_Frozen):
    factor: str
    label: str
    points: float
    max_points: float
    no_data: bool
    reason: str


class Health(_Frozen):
    """The stored score behind the risk: None fields when the customer was never scored."""

    score: float | None = None
    band: str = ""
    trend: str = ""
    churn_risk: float | None = None
    risk_source: str = ""  # "model" or "health"
    factors: tuple[FactorView, ...] = ()


class OrderView(_Frozen):
    order_id: str
    order_date: dt.datetime
    total_amount: float
    items_count: int
    order_status: str
    payment_status: str
    estimated_delivery_date: dt.date | None = None  # None for an order a webhook placed
    actual_delivery_date: dt.date | None = None
    delivery_delay_days: float | None = None


class PaymentView(_Frozen):
    payment_id: str
    order_id: str
    payment_date: dt.datetime
    amount: float
    payment_method: str
    status: str
    failure_reason: str = ""


class TicketView(_Frozen):
    ticket_id: str
    order_id: str = ""
    created_at: dt.datetime
    category: str
    priority: str
    status: str
    escalation: bool
    sentiment_score: float | None = None
    csat_score: int | None = None
    initial_message: str = ""


class NpsView(_Frozen):
    survey_id: str
    date: dt.datetime
    nps_score: int
    feedback_text: str = ""


class EventView(_Frozen):
    event_id: str
    event_time: dt.datetime
    event_type: str
    category: str = ""
    description: str = ""


class CustomerContext(_Frozen):
    """Everything the later stages may use about one customer, read from the database by code.

    Lists are newest first and bounded (see agents.context): a stage reasons over the recent
    story, not the whole history.
    """

    as_of: dt.datetime
    trigger: Trigger
    profile: Profile
    language: LanguageView
    health: Health
    orders: tuple[OrderView, ...] = ()
    payments: tuple[PaymentView, ...] = ()
    tickets: tuple[TicketView, ...] = ()
    nps: tuple[NpsView, ...] = ()
    events: tuple[EventView, ...] = ()
    last_contacted_at: dt.datetime | None = None  # the last outreach actually sent
    currency: str = "USD"  # ISO 4217; Babel writes it the way the reader's language does


# --- Pattern ------------------------------------------------------------------------------


class Pattern(_Frozen):
    """A named churn pattern and the facts that show it (each a sentence with the real numbers)."""

    name: PatternName
    label: str
    severity: Severity
    evidence: tuple[str, ...] = Field(min_length=1)
    references: tuple[str, ...] = ()  # order, payment and ticket ids the evidence names


class PatternReport(_Frozen):
    patterns: tuple[Pattern, ...] = ()

    def named(self, name: str) -> Pattern | None:
        return next((pattern for pattern in self.patterns if pattern.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(pattern.name for pattern in self.patterns)


# --- Decision -----------------------------------------------------------------------------


class Decision(_Frozen):
    """What to do. `reasons` say why, one sentence each; `corrections` list what the policy
    changed in a model's proposal (empty for the offline rules, which follow it already)."""

    channel: Channel
    action: Action
    offer: str = ""  # in words, e.g. "15% off the next order"; "" when none
    offer_percent: int = Field(default=0, ge=0, le=100)
    priority: Priority
    escalate: bool = False
    escalation_reason: str = ""
    reasons: tuple[str, ...] = ()
    corrections: tuple[str, ...] = ()


# --- Empathy ------------------------------------------------------------------------------


# The longest SMS body: the model is told it, and the offline drafts are cut to it.
SMS_MAX_CHARS = 320


class Message(_Frozen):
    """The outreach itself. For SMS the subject is empty; for a call the body is the talking points."""

    subject: str = ""
    body: str = Field(min_length=1)
    language: str
