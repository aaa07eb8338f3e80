"""Per-customer behaviour columns (not Django signals): the one table the health score, the
churn model and the scan descriptions all read (pure definitions;
`customers.selectors.customer_signals` builds it from the database with a fixed number of
aggregate queries).

One row per customer, indexed by customer_id. Times are naive UTC `datetime64`; windows
count back from the scan's `as_of`: "last 90 days" is (as_of - 90 days, as_of].
"""

from __future__ import annotations

# column -> meaning (and its empty value)
SIGNAL_COLUMNS: dict[str, str] = {
    "segment": "Segment value (VIP, Loyal, Regular, Occasional)",
    "loyalty_tier": "LoyaltyTier value (Platinum, Gold, Silver, Bronze)",
    "lifetime_value": "float, as the workbook says",
    "signup_date": "datetime64",
    "last_active_date": "datetime64, as the workbook says",
    "last_activity_at": "datetime64: the later of last_active_date and last_engagement_at",
    "last_engagement_at": "datetime64: the latest engagement in the rows: any order placed (order_date, whatever "
    "became of it), a successful payment (status success), or an event whose type is engagement in "
    "customers.event_semantics (any source); NaT without any",
    "orders_total": "int: orders ever placed, whatever became of them (cancelled and failed payments included)",
    "orders_last_90": "int: orders in the last 90 days that are not cancelled and whose payment_status is not failed",
    "orders_prev_90": "int: the same for the 90 days before those",
    "spend_last_90": "float: total_amount of the orders orders_last_90 counts (pending payments included), 0 without",
    "spend_prev_90": "float: the same for the 90 days before",
    "last_order_at": "datetime64: the latest order placed (any status), NaT when the customer never ordered",
    "tickets_last_90": "int: support tickets opened in the last 90 days",
    "unresolved_tickets": "int: tickets open, in progress or escalated (any age)",
    "mean_ticket_sentiment": "float in [-1, 1]: mean over all tickets, NaN without tickets",
    "mean_csat": "float in [1, 5]: mean over all tickets, NaN without tickets",
    "latest_nps": "float 0-10: the latest answer, NaN when never answered",
    "previous_nps": "float 0-10: the answer before the latest, NaN when fewer than two",
    "payments_last_30": "int: payment attempts (Payment rows, any status) in the last 30 days",
    "failed_payments_last_30": "int: of those, failed",
    "payments_last_90": "int: payment attempts (Payment rows, any status) in the last 90 days",
    "failed_payments_last_90": "int: of those, failed",
    "payment_reliability_90": "float 0-1: of payments_last_90, the share with status success (pending is not "
    "success); NaN without attempts",
    "events_last_30": "int: events in the last 30 days whose type is engagement in customers.event_semantics "
    "(any source)",
    "leaving_signals_last_90": "int: events in the last 90 days whose type is leaving in customers.event_semantics",
    "trouble_events_last_90": "int: events in the last 90 days whose type is trouble in customers.event_semantics",
    "churn_label": "float: 1 churned, 0 retained, NaN unlabelled (churn_labels)",
}

# The columns that count rows: 0, never missing, for a customer without any.
COUNT_COLUMNS: tuple[str, ...] = tuple(
    column for column, meaning in SIGNAL_COLUMNS.items() if meaning.startswith("int")
)
