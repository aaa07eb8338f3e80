"""Stage 2, Pattern: the named churn patterns a customer's recent story shows, with evidence.

Code, not a model: each pattern has a rule over the Context and is reported only when the
rule holds, with sentences that carry the real ids, dates and amounts, so a reviewer can
check every one against the customer's record. Pure functions over a CustomerContext.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

from interventions.agents.types import CustomerContext, OrderView, Pattern, PatternReport, Severity
from procx_site.formats import money

# The evidence sentences are English, for the staff who review the case.
STAFF_LANGUAGE = "en"

UNRESOLVED = ("open", "in_progress", "escalated")
FAILED = "failed"

# Thresholds, each named once.
PAYMENT_WINDOW_DAYS = 90  # failed payments older than a quarter are history, not trouble
QUIET_MIN_DAYS = 60  # no order for two months ...
QUIET_GAP_RATIO = 2.0  # ... and more than twice the customer's usual gap between orders
INACTIVE_MIN_DAYS = 30  # not seen at all for a month
TICKET_WINDOW_DAYS = 90
LOW_CSAT = 2  # 1-5 scale
DETRACTOR_MAX = 6  # NPS 0-6
NPS_DROP = 3  # points between the two latest answers
NEGATIVE_SENTIMENT = -0.4
SPEND_WINDOW_DAYS = 90
SPEND_DROP = 0.25  # a quarter less than the quarter before
DELIVERY_WINDOW_DAYS = 90


def days_between(later: dt.datetime | dt.date, earlier: dt.datetime | dt.date) -> int:
    if isinstance(later, dt.datetime) and isinstance(earlier, dt.datetime):
        return (later - earlier).days
    later_day = later.date() if isinstance(later, dt.datetime) else later
    earlier_day = earlier.date() if isinstance(earlier, dt.datetime) else earlier
    return (later_day - earlier_day).days


def money_text(context: CustomerContext, amount: float, *, language: str = STAFF_LANGUAGE) -> str:
    """An amount in the customer's currency as `language` writes it (CLDR, through Babel):
    "$2,499.99" in English, "2.499,99\u00a0$" in German. The evidence here is for staff, in
    English; the offline message asks for the customer's language. Rounded half up, as every
    amount ProCX writes (procx_site.formats.money)."""
    return money(amount, context.currency, locale=language)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _payment_trouble(context: CustomerContext) -> Pattern | None:
    recent = [
        payment
        for payment in context.payments
        if payment.status == FAILED and days_between(context.as_of, payment.payment_date) <= PAYMENT_WINDOW_DAYS
    ]
    if not recent:
        return None
    evidence = []
    for payment in recent[:3]:
        reason = payment.failure_reason.replace("_", " ") if payment.failure_reason else "no reason given"
        evidence.append(
            f"Payment {payment.payment_id} of {money_text(context, payment.amount)} for order {payment.order_id} "
            f"failed on {payment.payment_date:%Y-%m-%d} ({reason}, {payment.payment_method})."
        )
    if len(recent) > 1:
        evidence.insert(0, f"{_plural(len(recent), 'failed payment')} in the last {PAYMENT_WINDOW_DAYS} days.")
    latest_days = days_between(context.as_of, recent[0].payment_date)
    severity: Severity = "high" if len(recent) >= 2 or latest_days <= 30 else "medium"
    references = tuple(dict.fromkeys(ref for payment in recent for ref in (payment.payment_id, payment.order_id)))
    return Pattern(
        name="payment_trouble",
        label="Payment trouble",
        severity=severity,
        evidence=tuple(evidence),
        references=references,
    )


def _usual_gap_days(orders: tuple[OrderView, ...]) -> float | None:
    dates = sorted(order.order_date for order in orders)
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(dates)]
    return statistics.median(gaps) if gaps else None


def _going_quiet(context: CustomerContext) -> Pattern | None:
    evidence = []
    references: tuple[str, ...] = ()
    severity: Severity = "medium"
    if context.orders:
        last = context.orders[0]
        since = days_between(context.as_of, last.order_date)
        usual = _usual_gap_days(context.orders)
        threshold = max(QUIET_MIN_DAYS, QUIET_GAP_RATIO * usual) if usual is not None else QUIET_MIN_DAYS
        if since > threshold:
            usual_text = f" (usually every {usual:.0f} days)" if usual is not None else ""
            evidence.append(
                f"No order for {since} days{usual_text}; the last was {last.order_id} on {last.order_date:%Y-%m-%d}."
            )
            references = (last.order_id,)
            if since > 2 * threshold:
                severity = "high"
    elif days_between(context.as_of, context.profile.signup_date) > QUIET_MIN_DAYS:
        evidence.append(f"No order in the last year (customer since {context.profile.signup_date:%Y-%m-%d}).")
    inactive = days_between(context.as_of, context.profile.last_active_date)
    if inactive > INACTIVE_MIN_DAYS:
        evidence.append(f"Last active {inactive} days ago ({context.profile.last_active_date:%Y-%m-%d}).")
    if not evidence:
        return None
    return Pattern(
        name="going_quiet", label="Going quiet", severity=severity, evidence=tuple(evidence), references=references
    )


def _service_failures(context: CustomerContext) -> Pattern | None:
    evidence = []
    references = []
    unresolved = [ticket for ticket in context.tickets if ticket.status in UNRESOLVED]
    escalated = [ticket for ticket in unresolved if ticket.escalation or ticket.status == "escalated"]
    recent = [
        ticket for ticket in context.tickets if days_between(context.as_of, ticket.created_at) <= TICKET_WINDOW_DAYS
    ]
    unhappy = [
        ticket
        for ticket in recent
        if ticket.status not in UNRESOLVED and ticket.csat_score is not None and ticket.csat_score <= LOW_CSAT
    ]
    for ticket in unresolved[:3]:
        escalated_text = ", escalated" if ticket in escalated else ""
        order_text = f" about order {ticket.order_id}" if ticket.order_id else ""
        evidence.append(
            f"Ticket {ticket.ticket_id} ({ticket.category}, {ticket.priority} priority{escalated_text}){order_text} "
            f"has been {ticket.status.replace('_', ' ')} for {days_between(context.as_of, ticket.created_at)} days."
        )
        references.append(ticket.ticket_id)
    for ticket in unhappy[:2]:
        evidence.append(f"Ticket {ticket.ticket_id} was closed with a satisfaction score of {ticket.csat_score}/5.")
        references.append(ticket.ticket_id)
    if not evidence:
        return None
    severity: Severity = "high" if escalated or len(unresolved) >= 2 else "medium"
    return Pattern(
        name="service_failures",
        label="Service failures",
        severity=severity,
        evidence=tuple(evidence),
        references=tuple(dict.fromkeys(references)),
    )


def _falling_satisfaction(context: CustomerContext) -> Pattern | None:
    evidence = []
    severity: Severity = "medium"
    references = []
    if context.trigger.category == "COMPLAINT":
        words = context.trigger.customer_text or context.trigger.description
        evidence.append(f'The customer complained: "{words}"')
        severity = "high"
    if context.nps:
        latest = context.nps[0]
        if latest.nps_score <= DETRACTOR_MAX:
            said = f': "{latest.feedback_text}"' if latest.feedback_text else ""
            evidence.append(f"Latest NPS {latest.nps_score} (detractor) on {latest.date:%Y-%m-%d}{said or '.'}")
            references.append(latest.survey_id)
            if latest.nps_score <= 3:
                severity = "high"
        if len(context.nps) > 1:
            previous = context.nps[1]
            drop = previous.nps_score - latest.nps_score
            if drop >= NPS_DROP:
                evidence.append(f"NPS fell from {previous.nps_score} to {latest.nps_score}.")
                if drop >= 5:
                    severity = "high"
    recent = [
        ticket for ticket in context.tickets if days_between(context.as_of, ticket.created_at) <= TICKET_WINDOW_DAYS
    ]
    rated = [ticket.sentiment_score for ticket in recent if ticket.sentiment_score is not None]
    if rated:
        sentiment = sum(rated) / len(rated)
        if sentiment <= NEGATIVE_SENTIMENT:
            evidence.append(
                f"Average sentiment of the last {_plural(len(rated), 'ticket')} is {sentiment:+.2f} (-1 to +1)."
            )
    if not evidence:
        return None
    return Pattern(
        name="falling_satisfaction",
        label="Falling satisfaction",
        severity=severity,
        evidence=tuple(evidence),
        references=tuple(references),
    )


def _is_spend(order: OrderView) -> bool:
    """Money that arrived: not a cancelled or returned order, nor one whose payment failed."""
    return order.order_status not in ("cancelled", "returned") and order.payment_status != FAILED


def _spending_decline(context: CustomerContext) -> Pattern | None:
    last = [o for o in context.orders if days_between(context.as_of, o.order_date) < SPEND_WINDOW_DAYS]
    before = [
        o
        for o in context.orders
        if SPEND_WINDOW_DAYS <= days_between(context.as_of, o.order_date) < 2 * SPEND_WINDOW_DAYS
    ]
    spent_last = sum(o.total_amount for o in last if _is_spend(o))
    spent_before = sum(o.total_amount for o in before if _is_spend(o))
    if spent_before <= 0 or len(before) < 2:
        return None
    change = (spent_last - spent_before) / spent_before
    if change > -SPEND_DROP:
        return None
    earlier = (
        f"{money_text(context, spent_before)} on {_plural(len(before), 'order')} in the {SPEND_WINDOW_DAYS} days before"
    )
    if last:
        statement = (
            f"Spent {money_text(context, spent_last)} on {_plural(len(last), 'order')} in the last {SPEND_WINDOW_DAYS} "
            f"days against {earlier} ({change:.0%})."
        )
    else:
        statement = f"No orders in the last {SPEND_WINDOW_DAYS} days, against {earlier}."
    evidence = [statement]
    severity: Severity = "high" if change <= -0.6 else "medium"
    return Pattern(name="spending_decline", label="Spending decline", severity=severity, evidence=tuple(evidence))


def _order_late_days(context: CustomerContext, order: OrderView) -> int:
    """How late an order is or was: the recorded delay, or past its estimate and still not delivered."""
    if order.delivery_delay_days is not None and order.delivery_delay_days > 0:
        return round(order.delivery_delay_days)
    if order.estimated_delivery_date is None:
        return 0  # a webhook's order carries no estimate: it cannot be called late
    if order.actual_delivery_date is not None:
        return max(0, (order.actual_delivery_date - order.estimated_delivery_date).days)
    if order.order_status in ("placed", "processing", "shipped"):
        return max(0, days_between(context.as_of, order.estimated_delivery_date))
    return 0


def _delivery_problems(context: CustomerContext) -> Pattern | None:
    evidence = []
    references = []
    if context.trigger.category in ("ORDER_DELAYED", "ORDER_CANCELLED"):
        order_id = context.trigger.order_id
        order_text = f" (order {order_id})" if order_id and order_id not in context.trigger.description else ""
        evidence.append(f"{context.trigger.description}{order_text}")
        if context.trigger.order_id:
            references.append(context.trigger.order_id)
    for order in context.orders:
        if days_between(context.as_of, order.order_date) > DELIVERY_WINDOW_DAYS or len(references) >= 4:
            break
        if order.order_id in references:
            continue
        if order.order_status == "cancelled":
            evidence.append(f"Order {order.order_id} of {money_text(context, order.total_amount)} was cancelled.")
            references.append(order.order_id)
            continue
        late = _order_late_days(context, order)
        if late > 0:
            still = order.actual_delivery_date is None and order.order_status != "delivered"
            verb = "is" if still else "arrived"
            due = f" (due {order.estimated_delivery_date:%Y-%m-%d})" if order.estimated_delivery_date else ""
            evidence.append(
                f"Order {order.order_id} of {money_text(context, order.total_amount)} {verb} "
                f"{_plural(late, 'day')} late{due}."
            )
            references.append(order.order_id)
    if not evidence:
        return None
    severity: Severity = (
        "high" if len(references) >= 2 or context.trigger.category in ("ORDER_DELAYED", "ORDER_CANCELLED") else "medium"
    )
    return Pattern(
        name="delivery_problems",
        label="Delivery problems",
        severity=severity,
        evidence=tuple(evidence),
        references=tuple(references),
    )


RULES = (
    _payment_trouble,
    _service_failures,
    _delivery_problems,
    _falling_satisfaction,
    _spending_decline,
    _going_quiet,
)


def patterns_find(context: CustomerContext) -> PatternReport:
    """Every pattern whose rule holds, the most severe first (ties in the order of RULES)."""
    found = [pattern for rule in RULES if (pattern := rule(context)) is not None]
    rank = {"high": 0, "medium": 1, "low": 2}
    found.sort(key=lambda pattern: rank[pattern.severity])
    return PatternReport(patterns=tuple(found))
