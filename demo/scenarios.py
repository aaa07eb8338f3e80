"""The five demo scenarios `run_demo` shows, each run for a real customer from the database."""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass

from customers.models import Customer, Order, Segment
from interventions.agents.types import Trigger, TriggerCategory


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    segment: str
    category: TriggerCategory
    customer_text: str
    about_an_order: bool  # the text is about the customer's latest order
    # Prefer a customer who speaks this language, so the demo shows a message in their own
    # script; any customer of the segment when none does.
    prefer_language: str = ""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "vip_complaint",
        "VIP complaint",
        Segment.VIP,
        "COMPLAINT",
        "Extremely unhappy with delayed premium order. This is the third time!",
        about_an_order=True,
        prefer_language="hi",
    ),
    Scenario(
        "loyal_order_delay",
        "Loyal customer, order delayed",
        Segment.LOYAL,
        "ORDER_DELAYED",
        "Order delayed by 5 days. Need it urgently for a gift.",
        about_an_order=True,
        prefer_language="bn",
    ),
    Scenario(
        "new_customer_inquiry",
        "New customer inquiry",
        Segment.OCCASIONAL,
        "INQUIRY",
        "First time buyer asking about shipping times and return policy.",
        about_an_order=False,
        prefer_language="es",
    ),
    Scenario(
        "high_value_at_risk",
        "High-value customer at risk",
        Segment.VIP,
        "ORDER_CANCELLED",
        "Cancelled order due to poor experience. Considering switching to competitor.",
        about_an_order=True,
    ),
    Scenario(
        "positive_feedback",
        "Positive feedback",
        Segment.LOYAL,
        "FEEDBACK",
        "Absolutely loved the recent purchase! Best customer service ever.",
        about_an_order=True,
    ),
)


def scenario_customer(*, scenario: Scenario, rng: random.Random, exclude: Collection[str] = ()) -> Customer | None:
    """A customer for the scenario: of its segment (any segment if it has none), preferring its
    language, never one in `exclude` (so five scenarios show five customers). Chosen by `rng`
    from the ids in order, so the same seed and data pick the same customers."""
    customers = Customer.objects.exclude(pk__in=list(exclude))
    for queryset in (
        customers.filter(segment=scenario.segment, language=scenario.prefer_language)
        if scenario.prefer_language
        else None,
        customers.filter(segment=scenario.segment),
        customers,
    ):
        if queryset is None:
            continue
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        if ids:
            return Customer.objects.get(pk=rng.choice(ids))
    return None


def scenario_trigger(*, scenario: Scenario, customer: Customer) -> Trigger:
    """The scenario as the pipeline sees it: the customer's words, about their latest order where it says so."""
    order_id = ""
    if scenario.about_an_order:
        latest = Order.objects.filter(customer=customer).order_by("-order_date").values_list("pk", flat=True).first()
        order_id = latest or ""
    about = f", about order {order_id}" if order_id else ""
    kind = scenario.category.lower().replace("_", " ")
    return Trigger(
        kind="demo",
        description=f'{scenario.title} ({kind}{about}): "{scenario.customer_text}"',
        category=scenario.category,
        customer_text=scenario.customer_text,
        order_id=order_id,
    )
