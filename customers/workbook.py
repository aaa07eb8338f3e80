"""The seven sheets of the ProCX workbook: their columns, types and rules.

This is `DATA_CONTRACT.md` as code. The importer validates against it, the exporter and the
dataset generator write in its layout. Column names equal the models' attribute names
(and database columns), so one spec serves reading, writing and the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from customers import models as customer_models

ColumnKind = Literal[
    "text",  # free text, kept as given
    "id",  # text key with a letter prefix; integers are accepted and kept as text
    "phone",  # integer or text, normalised to E.164 "+<digits>"
    "date",  # YYYY-MM-DD text or a native date cell
    "timestamp",  # YYYY-MM-DDTHH:MM:SS text (UTC) or a native date-time cell
    "decimal",  # money, two decimal places
    "integer",
    "number",  # a float
    "boolean",  # True/False cells (also "true"/"false", 1/0, yes/no)
    "yes_no",  # "Y"/"N" text (also booleans)
    "flag",  # 0/1 (also booleans)
    "enum",  # one of `choices`, matched trimmed and case-insensitively
]


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    nullable: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False
    references: str | None = None  # the sheet whose key this column must name


@dataclass(frozen=True)
class Sheet:
    name: str
    model_label: str  # "app_label.ModelName"
    key: str  # the natural key column (also the primary key)
    columns: tuple[Column, ...]
    activity_column: str | None = None  # the date that counts as "activity" for --shift-to-today
    may_be_empty: bool = True  # a shop may have no tickets yet; a workbook without customers is a mistake

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _values(choices: type[customer_models.models.TextChoices]) -> tuple[str, ...]:
    return tuple(choices.values)


PAYMENT_METHODS = _values(customer_models.PaymentMethod)
PAYMENT_STATUSES = _values(customer_models.PaymentStatus)

CUSTOMERS = Sheet(
    name="customers",
    model_label="customers.Customer",
    key="customer_id",
    activity_column="last_active_date",
    may_be_empty=False,
    columns=(
        Column("customer_id", "id", unique=True),
        Column("first_name", "text"),
        Column("last_name", "text", nullable=True),
        Column("email", "text", unique=True),
        Column("phone", "phone", nullable=True),
        Column("signup_date", "date"),
        Column("country", "text", nullable=True),
        Column("city", "text", nullable=True),
        Column("segment", "enum", choices=_values(customer_models.Segment)),
        Column("lifetime_value", "decimal", minimum=0),
        Column("avg_order_value", "decimal", minimum=0),
        Column("preferred_category", "text", nullable=True),
        Column("last_active_date", "date"),
        Column("loyalty_tier", "enum", choices=_values(customer_models.LoyaltyTier)),
        Column("opt_in_marketing", "boolean"),
        Column("language", "text"),
    ),
)

ORDERS = Sheet(
    name="orders",
    model_label="customers.Order",
    key="order_id",
    activity_column="order_date",
    columns=(
        Column("order_id", "id", unique=True),
        Column("customer_id", "id", references="customers"),
        Column("order_date", "timestamp"),
        Column("items_count", "integer", minimum=1),
        Column("product_ids", "text", nullable=True),
        Column("total_amount", "decimal", minimum=0),
        Column("payment_method", "enum", choices=PAYMENT_METHODS),
        Column("payment_status", "enum", choices=PAYMENT_STATUSES),
        Column("order_status", "enum", choices=_values(customer_models.OrderStatus)),
        Column("estimated_delivery_date", "date"),
        Column("actual_delivery_date", "date", nullable=True),
        Column("delivery_delay_days", "number", nullable=True),
        Column("promo_code", "text", nullable=True),
    ),
)

PAYMENTS = Sheet(
    name="payments",
    model_label="customers.Payment",
    key="payment_id",
    activity_column="payment_date",
    columns=(
        Column("payment_id", "id", unique=True),
        Column("order_id", "id", references="orders"),
        Column("customer_id", "id", references="customers"),
        Column("payment_date", "timestamp"),
        Column("amount", "decimal", minimum=0),
        Column("payment_method", "enum", choices=PAYMENT_METHODS),
        Column("status", "enum", choices=PAYMENT_STATUSES),
        Column("failure_reason", "text", nullable=True),
    ),
)

SUPPORT_TICKETS = Sheet(
    name="support_tickets",
    model_label="customers.SupportTicket",
    key="ticket_id",
    activity_column="created_at",
    columns=(
        Column("ticket_id", "id", unique=True),
        Column("customer_id", "id", references="customers"),
        Column("order_id", "id", nullable=True, references="orders"),
        Column("created_at", "timestamp"),
        Column("channel", "enum", choices=_values(customer_models.TicketChannel)),
        Column("category", "enum", choices=_values(customer_models.TicketCategory)),
        Column("priority", "enum", choices=_values(customer_models.TicketPriority)),
        Column("assigned_agent_id", "id", nullable=True),
        Column("status", "enum", choices=_values(customer_models.TicketStatus)),
        Column("resolution_time_hours", "number", nullable=True, minimum=0),
        Column("escalation", "yes_no"),
        Column("escalated_to", "text", nullable=True),
        Column("sentiment_score", "number", nullable=True, minimum=-1, maximum=1),
        Column("initial_message", "text"),
        Column("final_message_summary", "text", nullable=True),
        Column("csat_score", "integer", nullable=True, minimum=1, maximum=5),
    ),
)

NPS_SURVEY = Sheet(
    name="nps_survey",
    model_label="customers.NpsResponse",
    key="survey_id",
    activity_column="date",
    columns=(
        Column("survey_id", "id", unique=True),
        Column("customer_id", "id", references="customers"),
        Column("date", "timestamp"),
        Column("nps_score", "integer", minimum=0, maximum=10),
        Column("feedback_text", "text", nullable=True),
    ),
)

CHURN_LABELS = Sheet(
    name="churn_labels",
    model_label="customers.ChurnLabel",
    key="customer_id",
    columns=(
        Column("customer_id", "id", unique=True, references="customers"),
        Column("is_churn", "flag"),
        Column("churn_date", "date", nullable=True),
        Column("churn_reason", "text", nullable=True),
        Column("predicted_churn_score", "number", nullable=True, minimum=0, maximum=1),
    ),
)

CUSTOMER_EVENTS = Sheet(
    name="customer_events",
    model_label="customers.CustomerEvent",
    key="event_id",
    activity_column="event_time",
    columns=(
        Column("event_id", "id", unique=True),
        Column("customer_id", "id", references="customers"),
        Column("event_type", "text"),
        Column("event_time", "timestamp"),
        Column("product_id", "id", nullable=True),
        Column("session_id", "id", nullable=True),
        Column("device", "text", nullable=True),
    ),
)

# In dependency order: a sheet only refers to sheets before it.
SHEETS: tuple[Sheet, ...] = (
    CUSTOMERS,
    ORDERS,
    PAYMENTS,
    SUPPORT_TICKETS,
    NPS_SURVEY,
    CHURN_LABELS,
    CUSTOMER_EVENTS,
)
SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
