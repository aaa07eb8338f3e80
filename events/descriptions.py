"""The sentence a person reads for an event: what happened, from the payload's own facts, and
where it helps, what staff might do next.

`event_description` has one writer per canonical type (CANONICAL_TYPES). A writer only says
what the data holds: a missing fact is left out of the sentence, never shown as "None" or
invented ("$0.00"), and with no facts at all each type still reads as a whole sentence
("A payment failed."). The data keys are the ones the provider modules in events.providers fill;
amounts are strings of major units with `currency` beside them.

`money` formats an amount in its currency ("$2,499.99", "¥5,000", "BHD 1.250") with Babel.
Pure: no ORM, no request, no clock.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from events.webhook_types import CANONICAL_TYPES, CanonicalEvent
from procx_site.formats import MINUS, finite_decimal

# Staff read English: amounts in descriptions are written the English way whatever the currency.
STAFF_LOCALE = "en"

# ISO 4217 minor units, where they are not 2.
_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])


def currency_exponent(currency: str | None) -> int:
    """How many decimals an amount in `currency` is written with (ISO 4217; 2 when unknown)."""
    code = (currency or "").strip().upper()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    return 2


def money(amount: str | Decimal | float | int | None, currency: str | None) -> str:
    """The amount as an English reader writes it in its currency (CLDR, through Babel); "" when
    there is no usable amount.

    "$2,499.99", "€1,234.50", "₹4,999.00", "¥5,000", "BHD 1.250", "CHF 12.00"; a code CLDR does
    not know stands for itself ("XYZ 1,234.50"). Decimals the currency does not have are kept
    rather than rounded away ("$10.555"): the figure is the provider's, not ours to change.
    """
    value = finite_decimal(amount)
    if value is None:
        return ""
    if value < 0:  # a minus sign, as every amount ProCX writes (procx_site.formats)
        return MINUS + money(-value, currency)
    code = (currency or "").strip().upper()
    places = currency_exponent(code)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
        places = -exponent
    number = "#,##0" + ("." + "0" * places if places else "")
    if not code:
        return format_decimal(value, format=number, locale=STAFF_LOCALE)
    # CLDR's currency spacing: a symbol that ends in a letter ("BHD", "CHF") is kept apart
    # from the digits; Babel leaves that to the caller.
    spacing = " " if get_currency_symbol(code, locale=STAFF_LOCALE)[-1:].isalpha() else ""
    return format_currency(value, code, format=f"¤{spacing}{number}", locale=STAFF_LOCALE, currency_digits=False)


# Provider codes a person should not have to decode. Anything else is read with its
# underscores as spaces ("card_velocity_exceeded" -> "card velocity exceeded").
# None means "say nothing": the code carries no information ("other").
_PHRASES: dict[str, str | None] = {
    # payments (Stripe failure and decline codes, the workbook's failure_reason)
    "insufficient_funds": "insufficient funds",
    "card_declined": "card declined",
    "generic_decline": "declined by the bank",
    "do_not_honor": "declined by the bank",
    "expired_card": "card expired",
    "card_expired": "card expired",
    "incorrect_cvc": "incorrect CVC",
    "incorrect_number": "incorrect card number",
    "processing_error": "processing error",
    "network_error": "network error",
    "lost_card": "card reported lost",
    "stolen_card": "card reported stolen",
    "fraudulent": "suspected fraud",
    "fraud_suspected": "suspected fraud",
    "authentication_required": "the bank asked for authentication",
    "card_velocity_exceeded": "card limit reached",
    # subscriptions (Stripe cancellation_details)
    "cancellation_requested": "requested by the customer",
    "payment_failed": "payment failed",
    "payment_disputed": "payment disputed",
    "too_expensive": "too expensive",
    "missing_features": "missing features",
    "switched_service": "switched to another service",
    "unused": "not using it enough",
    "customer_service": "unhappy with customer service",
    "too_complex": "too complex",
    "low_quality": "quality not as expected",
    # refunds and disputes (Stripe)
    "requested_by_customer": "requested by the customer",
    "duplicate": "duplicate payment",
    "product_not_received": "product not received",
    "product_unacceptable": "product unacceptable",
    "subscription_canceled": "subscription cancelled",
    "credit_not_processed": "credit not processed",
    "unrecognized": "charge not recognised",
    "general": None,
    # orders (Shopify cancel_reason, shipment_status)
    "customer": "requested by the customer",
    "inventory": "items unavailable",
    "declined": "payment declined",
    "staff": "cancelled by staff",
    "attempted_delivery": "delivery attempt failed",
    "failure": "delivery failed",
    "delayed": "delayed by the carrier",
    "other": None,
}

_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def _text(data: Mapping[str, Any], key: str) -> str:
    """The value as clean text, "" when absent or empty ("None", "nan" and blanks count as absent)."""
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return ""  # absent, or a list or object where a single fact belongs
    if (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        return ""
    text = " ".join(str(value).split())
    return "" if text.lower() in {"none", "null", "nan", "n/a"} else text


def _number(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number != int(number):
        return None
    return int(number)


def _phrase(value: str) -> str:
    """A provider code in words: "insufficient_funds" -> "insufficient funds"; free text is kept."""
    text = " ".join(value.split()).rstrip(".")
    if not text:
        return ""
    if _CODE.match(text):
        key = text.lower().replace("-", "_")
        if key in _PHRASES:
            return _PHRASES[key] or ""
        return key.replace("_", " ")
    return text


def _reason(data: Mapping[str, Any], key: str = "reason") -> str:
    phrase = _phrase(_text(data, key))
    return f" - {phrase}" if phrase else ""


def _date(value: str) -> str:
    """An ISO date or time as "12 Jan 2025"; text that is not one is shown as it is."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    # Babel, not strftime: %b follows the process's C locale, which a server may set to anything.
    return format_date(moment.date(), "d MMM y", locale=STAFF_LOCALE)


def _quote(text: str, limit: int = 200) -> str:
    """Someone's own words, in quotes, shortened to a readable length, ending in punctuation."""
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    elif text[-1] not in ".!?…":
        text += "."
    return f'"{text}"'


def _title(text: str, limit: int = 120) -> str:
    """A name someone gave (a ticket subject), in quotes, without punctuation added."""
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f'"{text}"'


def _count(number: int, noun: str) -> str:
    written = format_decimal(number, locale=STAFF_LOCALE)
    return f"{written} {noun}" if number == 1 else f"{written} {noun}s"


def _list(names: list[str], shown: int = 3) -> str:
    """ "A, B and C"; beyond `shown` names, "A, B, C and 2 more"."""
    if len(names) > shown:
        return f"{', '.join(names[:shown])} and {len(names) - shown} more"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return names[0] if names else ""


def _names(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list | tuple):
        return []
    return [name for name in (" ".join(str(item).split()) for item in value if item is not None) if name]


def _order(data: Mapping[str, Any]) -> str:
    """The order as "order #1001" (a shop's order name) or "order O300123"; "" when neither is known."""
    name = _text(data, "order_name") or _text(data, "order_id")
    return f"order {name}" if name else ""


def _ticket(data: Mapping[str, Any]) -> str:
    ticket_id = _text(data, "ticket_id")
    if not ticket_id:
        return "A support ticket"
    label = f"Support ticket #{ticket_id}" if ticket_id.isdigit() else f"Support ticket {ticket_id}"
    subject = _text(data, "subject")
    return f"{label} {_title(subject)}" if subject else label


def _money(data: Mapping[str, Any], key: str = "amount") -> str:
    return money(_text(data, key) or None, _text(data, "currency") or None)


def _sentences(*parts: str) -> str:
    """Join sentences, skipping empty ones."""
    return " ".join(part for part in parts if part)


def _attempt(data: Mapping[str, Any]) -> str:
    attempt = _number(data, "attempt")
    return f"This is attempt #{attempt}." if attempt and attempt > 0 else ""


def _next_attempt(data: Mapping[str, Any]) -> str:
    when = _date(_text(data, "next_attempt_at"))
    return f"The next automatic retry is on {when}." if when else ""


def _payment_failed(data: Mapping[str, Any]) -> str:
    amount = _money(data)
    head = f"Payment of {amount} failed" if amount else "A payment failed"
    order = _order(data) or (f"invoice {_text(data, 'invoice_id')}" if _text(data, "invoice_id") else "")
    head += f" for {order}" if order else ""
    return _sentences(
        f"{head}{_reason(data)}.",
        "Customer may need assistance with payment method.",
        _attempt(data),
        _next_attempt(data),
    )


def _subscription_payment_failed(data: Mapping[str, Any]) -> str:
    amount = _money(data)
    plan = _text(data, "plan")
    head = f"Subscription payment of {amount} failed" if amount else "A subscription payment failed"
    head += f" for the {plan} plan" if plan else ""
    return _sentences(
        f"{head}{_reason(data)}.",
        "The subscription may lapse unless the payment method is updated.",
        _attempt(data),
        _next_attempt(data),
    )


def _payment_succeeded(data: Mapping[str, Any]) -> str:
    amount = _money(data)
    head = f"Payment of {amount} received" if amount else "A payment succeeded"
    order = _order(data) or (f"invoice {_text(data, 'invoice_id')}" if _text(data, "invoice_id") else "")
    head += f" for {order}" if order else ""
    method = _text(data, "payment_method")
    head += f" by {method}" if method else ""
    attempt = _number(data, "attempt")
    retry = (
        f"It went through on attempt #{attempt}: any outreach about the earlier failure can stop."
        if attempt and attempt > 1
        else ""
    )
    return _sentences(f"{head}.", retry)


def _expiry(data: Mapping[str, Any]) -> str:
    month, year = _number(data, "exp_month"), _number(data, "exp_year")
    if month and year and 1 <= month <= 12:
        return f"{month:02d}/{year}"
    return ""


def _payment_method_expired(data: Mapping[str, Any]) -> str:
    method = _text(data, "payment_method")
    expiry = _expiry(data)
    if data.get("automatically_updated") is True:
        head = "The card network updated the card on file"
        head += f": it is now the {method}" if method else ""
        head += f", expiring {expiry}" if expiry else ""
        return _sentences(f"{head}.", "No action is needed unless the next payment fails.")
    head = f"The {method} on file" if method else "A payment method on file"
    head += f" expires {expiry}" if expiry else " is expiring"
    return _sentences(f"{head}.", "Ask the customer to update it before the next payment is due.")


def _subscription_cancelled(data: Mapping[str, Any]) -> str:
    plan = _text(data, "plan")
    amount = _money(data)
    interval = _text(data, "interval")
    head = f"The {plan} subscription" if plan else "A subscription"
    if amount:
        head += f" ({amount}/{interval})" if interval else f" ({amount})"
    comment = _text(data, "comment")
    return _sentences(
        f"{head} was cancelled{_reason(data)}.",
        f"The customer wrote: {_quote(comment)}" if comment else "",
        "Consider a win-back offer if the reason can be addressed.",
    )


_REFUND_STATUS = {"issued": "issued", "pending": "requested", "failed": "failed", "cancelled": "cancelled"}


def _refund_requested(data: Mapping[str, Any]) -> str:
    status = _REFUND_STATUS.get(_text(data, "refund_status").lower(), "requested")
    amount = _money(data)
    kind = "Partial refund" if data.get("partial") is True else "Refund"
    head = f"{kind} of {amount} {status}" if amount else f"A {kind.lower()} was {status}"
    order = _order(data)
    head += f" for {order}" if order else ""
    items = _names(data, "items")
    head += f" ({_list(items)})" if items else ""
    follow_up = {
        "issued": "Let the customer know when to expect the money and check they are satisfied.",
        "failed": "Check the payment details and issue the refund another way.",
        "cancelled": "Make sure the customer knows why and what happens next.",
    }.get(status, "Confirm the refund and its timeline with the customer.")
    return _sentences(f"{head}{_reason(data)}.", follow_up)


def _dispute_created(data: Mapping[str, Any]) -> str:
    amount = _money(data)
    head = f"The customer disputed a payment of {amount}" if amount else "The customer disputed a payment"
    order = _order(data)
    head += f" for {order}" if order else ""
    due = _date(_text(data, "evidence_due_by"))
    return _sentences(
        f"{head}{_reason(data)}.",
        f"Evidence is due by {due}." if due else "",
        "Respond to the bank with evidence and reach out to the customer.",
    )


def _days(number: int) -> str:
    return _count(number, "day")


def _delay(data: Mapping[str, Any], subject: str) -> str:
    days = _number(data, "delay_days")
    if days and days > 0:
        return f"{subject} is running {_days(days)} late"
    return f"{subject} is delayed"


def _order_delayed(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = _delay(data, f"{order[0].upper()}{order[1:]}" if order else "An order")
    expected = _date(_text(data, "expected_delivery"))
    return _sentences(
        f"{head}{_reason(data)}.",
        f"New estimated delivery: {expected}." if expected else "",
        "Let the customer know before they have to ask.",
    )


def _shipment_delayed(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = _delay(data, f"The shipment for {order}" if order else "A shipment")
    carrier, tracking = _text(data, "carrier"), _text(data, "tracking_number")
    where = " ".join(part for part in (carrier, tracking) if part)
    head += f" ({where})" if where else ""
    expected = _date(_text(data, "expected_delivery"))
    return _sentences(
        f"{head}{_reason(data)}.",
        f"New estimated delivery: {expected}." if expected else "",
        "Keep the customer informed and offer an alternative if it does not arrive soon.",
    )


def _order_cancelled(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = f"{order[0].upper()}{order[1:]}" if order else "An order"
    amount = _money(data)
    head += f" ({amount})" if amount else ""
    return _sentences(
        f"{head} was cancelled{_reason(data)}.",
        "Check whether a refund or a replacement is due.",
    )


def _order_delivered(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = f"{order[0].upper()}{order[1:]}" if order else "An order"
    when = _date(_text(data, "delivered_at"))
    head += f" was delivered on {when}" if when else " was delivered"
    carrier, tracking = _text(data, "carrier"), _text(data, "tracking_number")
    where = " ".join(part for part in (carrier, tracking) if part)
    head += f" ({where})" if where else ""
    return _sentences(f"{head}.", "A good moment to ask how it went.")


def _return_initiated(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = f"Return started for {order}" if order else "A return was started"
    count = _number(data, "item_count")
    details = [part for part in (_count(count, "item") if count else "", _money(data)) if part]
    head += f" ({', '.join(details)})" if details else ""
    return _sentences(
        f"{head}{_reason(data)}.",
        "Make sure the return label and the refund timeline are clear.",
    )


def _cart_abandoned(data: Mapping[str, Any]) -> str:
    amount = _money(data)
    count = _number(data, "item_count")
    items = _names(data, "items")
    head = f"A cart worth {amount}" if amount else "A cart"
    if count:
        head += f" with {_count(count, 'item')}"
    if items:
        head += f" ({_list(items)})"
    return _sentences(
        f"{head} was left at checkout.",
        "A reminder with the checkout link may bring the customer back.",
    )


def _product(data: Mapping[str, Any]) -> str:
    title = _text(data, "product_title")
    return title or (f"Product {_text(data, 'product_id')}" if _text(data, "product_id") else "")


def _product_out_of_stock(data: Mapping[str, Any]) -> str:
    product = _product(data)
    return _sentences(
        f"{product} is out of stock." if product else "A product is out of stock.",
        "Customers waiting on it may need an update or an alternative.",
    )


def _product_back_in_stock(data: Mapping[str, Any]) -> str:
    product = _product(data)
    head = f"{product} is back in stock" if product else "A product is back in stock"
    available = _number(data, "quantity")
    head += f" ({format_decimal(available, locale=STAFF_LOCALE)} available)" if available and available > 0 else ""
    return _sentences(f"{head}.", "Customers who asked about it can be told.")


def _nps(group: str, follow_up: str) -> Callable[[Mapping[str, Any]], str]:
    def write(data: Mapping[str, Any]) -> str:
        score = _number(data, "nps_score")
        if score is not None and 0 <= score <= 10:
            head = f"The customer gave an NPS score of {score}/10 ({group})"
        else:
            head = f"The customer answered the NPS survey as a {group}"
        feedback = _text(data, "feedback")
        head = f"{head} and wrote: {_quote(feedback)}" if feedback else f"{head}."
        return _sentences(head, follow_up)

    return write


def _review(kind: str, follow_up: str) -> Callable[[Mapping[str, Any]], str]:
    def write(data: Mapping[str, Any]) -> str:
        rating = _number(data, "rating")
        scale = _number(data, "max_rating") or 5
        head = (
            f"The customer left a {rating}-star review"
            if rating is not None and 0 <= rating <= scale
            else f"The customer left a {kind} review"
        )
        product = _text(data, "product_title")
        head += f" of {product}" if product else ""
        platform = _text(data, "platform")
        head += f" on {platform}" if platform else ""
        text = _text(data, "review_text")
        head = f"{head}: {_quote(text)}" if text else f"{head}."
        return _sentences(head, follow_up)

    return write


def _ticket_created(data: Mapping[str, Any]) -> str:
    head = f"{_ticket(data)} was opened"
    details = [
        part
        for part in (
            f"{_text(data, 'priority').lower()} priority" if _text(data, "priority") else "",
            f"via {_text(data, 'channel')}" if _text(data, "channel") else "",
        )
        if part
    ]
    head += f" ({', '.join(details)})" if details else ""
    return _sentences(f"{head}.", "Check whether it relates to a recent order or payment.")


def _ticket_escalated(data: Mapping[str, Any]) -> str:
    reason = _text(data, "escalation_reason")
    return _sentences(
        f"{_ticket(data)} was escalated{f' - {reason}' if reason else ''}.",
        "A senior agent should own it and update the customer today.",
    )


def _ticket_resolved(data: Mapping[str, Any]) -> str:
    status = _text(data, "status").lower()
    verb = status if status in {"solved", "closed"} else "resolved"
    return _sentences(
        f"{_ticket(data)} was {verb}.",
        "Check in later to confirm the customer is satisfied.",
    )


def _app_inactive(data: Mapping[str, Any]) -> str:
    days = _number(data, "days_inactive")
    head = (
        f"The customer has not opened the app for {_days(days)}"
        if days and days > 0
        else "The customer has gone quiet in the app"
    )
    last = _date(_text(data, "last_active_at"))
    head += f" (last active {last})" if last else ""
    return _sentences(f"{head}.", "A timely nudge with something relevant may bring them back.")


def _email_unsubscribe(data: Mapping[str, Any]) -> str:
    list_name = _text(data, "list")
    head = f"The customer unsubscribed from {list_name}" if list_name else "The customer unsubscribed from email"
    return _sentences(
        f"{head}{_reason(data)}.",
        "Keep any further outreach to service messages.",
    )


def _subscription_cancel_scheduled(data: Mapping[str, Any]) -> str:
    plan = _text(data, "plan")
    amount = _money(data)
    interval = _text(data, "interval")
    head = (
        f"The customer asked to cancel the {plan} subscription"
        if plan
        else "The customer asked to cancel a subscription"
    )
    if amount:
        head += f" ({amount}/{interval})" if interval else f" ({amount})"
    ends = _date(_text(data, "cancel_at"))
    head += f"; it ends on {ends}" if ends else " at the end of the period"
    comment = _text(data, "comment")
    return _sentences(
        f"{head}{_reason(data)}.",
        f"The customer wrote: {_quote(comment)}" if comment else "",
        "There is still time to talk before it ends.",
    )


def _subscription_reactivated(data: Mapping[str, Any]) -> str:
    plan = _text(data, "plan")
    head = f"The customer kept the {plan} subscription" if plan else "The customer kept their subscription"
    return _sentences(f"{head}: the scheduled cancellation was withdrawn.", "Outreach about cancelling can stop.")


def _order_placed(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = f"The customer placed {order}" if order else "The customer placed an order"
    count = _number(data, "item_count")
    details = [part for part in (_money(data), _count(count, "item") if count and count > 0 else "") if part]
    head += f" ({', '.join(details)})" if details else ""
    items = _names(data, "items")
    head += f": {_list(items)}" if items else ""
    return _sentences(f"{head}.", "They are buying again.")


def _order_shipped(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = f"{order[0].upper()}{order[1:]}" if order else "An order"
    head += " was shipped"
    carrier, tracking = _text(data, "carrier"), _text(data, "tracking_number")
    where = " ".join(part for part in (carrier, tracking) if part)
    head += f" ({where})" if where else ""
    return f"{head}."


def _shipment_failed(data: Mapping[str, Any]) -> str:
    order = _order(data)
    head = f"The carrier could not deliver {order}" if order else "The carrier could not deliver a parcel"
    carrier, tracking = _text(data, "carrier"), _text(data, "tracking_number")
    where = " ".join(part for part in (carrier, tracking) if part)
    head += f" ({where})" if where else ""
    return _sentences(f"{head}{_reason(data)}.", "Contact the customer to arrange delivery before they ask.")


_TICKET_STATUS_WORDS = {"new": "new", "open": "open", "pending": "waiting on the customer", "hold": "on hold"}


def _ticket_updated(data: Mapping[str, Any]) -> str:
    changes = []
    status = _text(data, "status").lower()
    if status:
        changes.append(f"is now {_TICKET_STATUS_WORDS.get(status, _phrase(status))}")
    priority, before = _text(data, "priority").lower(), _text(data, "previous_priority").lower()
    if priority:
        changes.append(f"priority {'changed from ' + before + ' to' if before else 'set to'} {priority}")
    head = f"{_ticket(data)} {' and '.join(changes)}" if changes else f"{_ticket(data)} was updated"
    return f"{head}."


def _ticket_commented(data: Mapping[str, Any]) -> str:
    author = _text(data, "author").lower()
    who = {"customer": "The customer", "agent": "An agent"}.get(author, "Someone")
    ticket = _ticket(data)
    where = f"{ticket[0].lower()}{ticket[1:]}" if ticket.startswith("A ") else ticket
    comment = _text(data, "comment")
    head = f"{who} wrote on {where}"
    return f"{head}: {_quote(comment)}" if comment else f"{head}."


def _satisfaction(kind: str, follow_up: str) -> Callable[[Mapping[str, Any]], str]:
    def write(data: Mapping[str, Any]) -> str:
        ticket = _ticket(data)
        about = f"{ticket[0].lower()}{ticket[1:]}" if ticket.startswith("A ") else ticket
        head = f"The customer rated the support on {about} as {kind}"
        comment = _text(data, "comment")
        head = f"{head} and wrote: {_quote(comment)}" if comment else f"{head}."
        return _sentences(head, follow_up)

    return write


def _email_subscribed(data: Mapping[str, Any]) -> str:
    list_name = _text(data, "list")
    head = f"The customer subscribed to {list_name}" if list_name else "The customer subscribed to marketing email"
    return f"{head}."


_WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "payment.failed": _payment_failed,
    "payment.succeeded": _payment_succeeded,
    "payment.method_expired": _payment_method_expired,
    "subscription.payment_failed": _subscription_payment_failed,
    "subscription.cancelled": _subscription_cancelled,
    "subscription.cancel_scheduled": _subscription_cancel_scheduled,
    "subscription.reactivated": _subscription_reactivated,
    "refund.requested": _refund_requested,
    "dispute.created": _dispute_created,
    "order.placed": _order_placed,
    "order.shipped": _order_shipped,
    "order.delayed": _order_delayed,
    "order.cancelled": _order_cancelled,
    "order.delivered": _order_delivered,
    "shipment.delayed": _shipment_delayed,
    "shipment.failed": _shipment_failed,
    "return.initiated": _return_initiated,
    "cart.abandoned": _cart_abandoned,
    "product.out_of_stock": _product_out_of_stock,
    "product.back_in_stock": _product_back_in_stock,
    "nps.detractor": _nps("detractor", "Reach out personally to understand what went wrong."),
    "nps.passive": _nps("passive", "A small gesture could turn them into a promoter."),
    "nps.promoter": _nps("promoter", "A good moment to ask for a review or a referral."),
    "review.negative": _review("negative", "Reply publicly and offer to make it right."),
    "review.positive": _review("positive", "Thank them; they may be happy to refer a friend."),
    "support.ticket.created": _ticket_created,
    "support.ticket.escalated": _ticket_escalated,
    "support.ticket.updated": _ticket_updated,
    "support.ticket.commented": _ticket_commented,
    "support.ticket.resolved": _ticket_resolved,
    "satisfaction.bad": _satisfaction("bad", "Reach out to put right what the ticket left wrong."),
    "satisfaction.good": _satisfaction("good", "A good moment to ask for a review."),
    "app.inactive": _app_inactive,
    "email.unsubscribe": _email_unsubscribe,
    "email.subscribed": _email_subscribed,
}


def event_description(event: CanonicalEvent) -> str:
    """The sentence staff read for this event, written from its data."""
    writer = _WRITERS.get(event.event_type)
    if writer is None:
        label = CANONICAL_TYPES[event.event_type].label if event.event_type in CANONICAL_TYPES else event.event_type
        return f"{label}."
    return writer(event.data or {})
