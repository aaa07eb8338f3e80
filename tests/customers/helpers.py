"""Helpers the import and export tests share."""

from __future__ import annotations

from customers.models import ChurnLabel, Customer, CustomerEvent, NpsResponse, Order, Payment, SupportTicket

MODELS = {
    "customers": Customer,
    "orders": Order,
    "payments": Payment,
    "support_tickets": SupportTicket,
    "nps_survey": NpsResponse,
    "churn_labels": ChurnLabel,
    "customer_events": CustomerEvent,
}


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {name: sorted(model.objects.values_list()) for name, model in MODELS.items()}
