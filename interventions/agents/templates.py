"""Stage 4, Empathy, offline: the outreach message written by code in the customer's language.

The offline backend drafts every message the model does not (no model configured, or a model
draft that failed or scored too low twice), so it must always pass the empathy rubric on its
own. Its sentences are English msgids in the gettext catalogs (locale/<code>/LC_MESSAGES/
django.po), translated natively for each language in settings.LANGUAGES, in its own script,
as whole sentences: assembling a message only picks sentences and fills in names, ids, amounts
and a time, so the grammar stays the translator's and not the code's. Counts take the plural
form the language's CLDR rule picks (npgettext); money and numbers are written by Babel in the
customer's locale. The sentences were chosen so that the rubric's phrase lists
(interventions.lexicons) recognise the feelings, apology, ownership and next step each one
expresses.

Every message is about one thing, the focus of the case (a failed payment, a late order, an
open ticket ...): `message_focus` picks it, `message_facts` hands its ids to the rubric and
`offline_message` names the same ids in the text.

Pure and fast: no ORM, no network, only str.format over catalog lookups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from babel.numbers import format_decimal
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import npgettext, pgettext, pgettext_lazy

# The Pattern stage's own day count and money format, so the message says the same "80 days"
# and amount as the evidence a reviewer reads next to it, written the way the customer's
# language writes money ("$2,499.99", "2.499,99 $").
from interventions.agents.patterns import DETRACTOR_MAX, FAILED, NPS_DROP, UNRESOLVED, days_between, money_text
from interventions.agents.types import SMS_MAX_CHARS, CustomerContext, Decision, Message, PatternReport
from interventions.empathy import MessageFacts
from interventions.language import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES, normalize_language_code

# A phrase: a lazy catalog lookup, or "" where an action says nothing.
StrOrPromise = str | Promise

# Nothing went wrong for these unless the customer complained: no apology is due.
_NO_FAULT_ACTIONS = ("thank_you", "answer_inquiry")
# Help with a failed payment never comes with a discount (the outreach policy's rule).
_NO_OFFER_ACTIONS = ("payment_assistance",)
_QUIET_PATTERNS = ("going_quiet", "spending_decline")
# A "last order 1 day ago" is not quiet; the message then just names the recent order.
_QUIET_MIN_DAYS = 2


# --- The focus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageFocus:
    """What the message names: the kind of case and its ids, amount, score or days.

    `kind` is one of payment, cancelled, delivery, order, ticket_open, rating, quiet, recent
    or none (no order, payment, ticket or survey to name).
    """

    kind: str
    order_id: str = ""
    payment_id: str = ""
    amount: str = ""
    ticket_id: str = ""
    score: int | None = None
    days: int = 0

    @property
    def references(self) -> tuple[str, ...]:
        score = "" if self.score is None else str(self.score)
        return tuple(value for value in (self.payment_id, self.amount, self.order_id, self.ticket_id, score) if value)


def _failed_payment_focus(context: CustomerContext) -> MessageFocus | None:
    for payment in context.payments:
        # A NaN or infinite amount must never be printed; the payment id alone still names it.
        amount = (
            money_text(context, payment.amount, language=_language(context)) if math.isfinite(payment.amount) else ""
        )
        if payment.status == FAILED and (payment.payment_id.strip() or amount):
            return MessageFocus(
                kind="payment",
                payment_id=payment.payment_id.strip(),
                amount=amount,
                order_id=payment.order_id.strip(),
            )
    return None


def _order_focus(context: CustomerContext, order_id: str) -> MessageFocus:
    """The trigger's order, told as cancelled or late when the trigger or the record says so."""
    order = next((order for order in context.orders if order.order_id == order_id), None)
    category = context.trigger.category
    if category == "ORDER_CANCELLED" or (order is not None and order.order_status == "cancelled"):
        return MessageFocus(kind="cancelled", order_id=order_id)
    late = order is not None and (order.delivery_delay_days or 0) > 0
    if category == "ORDER_DELAYED" or late:
        return MessageFocus(kind="delivery", order_id=order_id)
    return MessageFocus(kind="order", order_id=order_id)


def _delivery_focus(context: CustomerContext, references: tuple[str, ...]) -> MessageFocus | None:
    referenced = [order for order in context.orders if order.order_id in references and order.order_id.strip()]
    if referenced:
        latest = referenced[0]  # orders are newest first
        kind = "cancelled" if latest.order_status == "cancelled" else "delivery"
        return MessageFocus(kind=kind, order_id=latest.order_id)
    named = next((reference for reference in references if reference.strip()), "")
    return MessageFocus(kind="delivery", order_id=named) if named else None


def _rating_focus(context: CustomerContext) -> MessageFocus | None:
    """The latest survey answer, when it is the bad or falling score the pattern is about
    (the pattern can also come from a complaint, and a 9 out of 10 is no reason to write)."""
    if not context.nps:
        return None
    latest = context.nps[0]
    fell = len(context.nps) > 1 and context.nps[1].nps_score - latest.nps_score >= NPS_DROP
    if latest.nps_score <= DETRACTOR_MAX or fell:
        return MessageFocus(kind="rating", score=latest.nps_score)
    return None


def message_focus(*, context: CustomerContext, patterns: PatternReport, decision: Decision) -> MessageFocus:
    """The one thing this message is about, in the order of what the customer feels most:
    their failed payment, the order they wrote or were written about, a delivery gone wrong,
    an open ticket, a bad score, then how long since they last ordered, then their last order.
    An answer or a thank-you names only the order it is about, or the latest one."""
    if decision.action == "payment_assistance":
        focus = _failed_payment_focus(context)
        if focus is not None:
            return focus
    trigger_order = context.trigger.order_id.strip()
    if trigger_order:
        return _order_focus(context, trigger_order)
    if decision.action in ("answer_inquiry", "thank_you"):
        # A question or a compliment is not the moment to bring up a late parcel or a long silence.
        latest = next((order for order in context.orders if order.order_id.strip()), None)
        return MessageFocus(kind="recent", order_id=latest.order_id) if latest else MessageFocus(kind="none")
    delivery = patterns.named("delivery_problems")
    if delivery is not None:
        focus = _delivery_focus(context, delivery.references)
        if focus is not None:
            return focus
    if patterns.named("service_failures") is not None:
        ticket = next((t for t in context.tickets if t.status in UNRESOLVED and t.ticket_id.strip()), None)
        if ticket is not None:
            return MessageFocus(kind="ticket_open", ticket_id=ticket.ticket_id)
    if patterns.named("falling_satisfaction") is not None:
        focus = _rating_focus(context)
        if focus is not None:
            return focus
    orders = [order for order in context.orders if order.order_id.strip()]
    if orders and any(patterns.named(name) is not None for name in _QUIET_PATTERNS):
        days = days_between(context.as_of, orders[0].order_date)
        if days >= _QUIET_MIN_DAYS:
            return MessageFocus(kind="quiet", order_id=orders[0].order_id, days=days)
    if orders:
        return MessageFocus(kind="recent", order_id=orders[0].order_id)
    return MessageFocus(kind="none")


# --- The phrases --------------------------------------------------------------------------
# Each sentence below is an English msgid; its translations are in the gettext catalogs,
# locale/<code>/LC_MESSAGES/django.po, one per language in settings.LANGUAGES. The msgctxt says
# where a sentence goes, so a translator knows a subject from a next step. They are lazy:
# they become the customer's language inside the translation.override of offline_message.


@dataclass(frozen=True)
class _ActionWording:
    """What one action says. `next_step` holds {when}; `subject` follows the name prefix, so
    it starts in lower case where the language has case (capitalised when there is no name)."""

    subject: StrOrPromise
    call_topic: StrOrPromise
    feelings: StrOrPromise
    # An SMS has room for one sentence of feelings (with the apology where the action implies
    # one) and a short next step that also takes ownership.
    sms_feelings: StrOrPromise
    sms_next_step: StrOrPromise
    apology: StrOrPromise  # "" where nothing went wrong; the general apology stands in if one is due
    ownership: StrOrPromise
    next_step: StrOrPromise
    closing: StrOrPromise
    call_next_step: StrOrPromise = ""  # when the caller cannot promise "I will call you"


# When nothing went wrong (a thank-you, an answer), a cancelled or late order or an open
# ticket is named plainly: the message is about the order, not about its trouble.
_NEUTRAL_FOCUS = {"cancelled": "order", "delivery": "order", "ticket_open": "ticket"}

# The promised time per priority, which the next step's {when} names. Focus sentences use
# {order_id}, {payment}, {ticket_id}, {score} and {days_ago}.
_WHEN: dict[str, StrOrPromise] = {
    "critical": pgettext_lazy("promised time", "within 4 hours"),
    "high": pgettext_lazy("promised time", "today"),
    "medium": pgettext_lazy("promised time", "within 24 hours"),
    "low": pgettext_lazy("promised time", "within 2 business days"),
}
_FOCUS: dict[str, StrOrPromise] = {
    "payment": pgettext_lazy(
        "what the message is about", "Your payment {payment} for order {order_id} did not go through."
    ),
    "payment_no_order": pgettext_lazy("what the message is about", "Your payment {payment} did not go through."),
    "cancelled": pgettext_lazy("what the message is about", "Your order {order_id} was cancelled."),
    "delivery": pgettext_lazy("what the message is about", "Your order {order_id} did not arrive as planned."),
    "order": pgettext_lazy("what the message is about", "I'm getting in touch about your order {order_id}."),
    "ticket_open": pgettext_lazy("what the message is about", "Your request {ticket_id} is still not resolved."),
    "ticket": pgettext_lazy("what the message is about", "I'm getting in touch about your request {ticket_id}."),
    "rating": pgettext_lazy("what the message is about", "You recently gave us a rating of {score} out of 10."),
    "quiet": pgettext_lazy("what the message is about", "Your last order with us, {order_id}, was {days_ago}."),
    "recent": pgettext_lazy("what the message is about", "I'm getting in touch about your recent order {order_id}."),
    "none": pgettext_lazy(
        "what the message is about", "I'm getting in touch personally about your recent experience with us."
    ),
}
_ACTIONS: dict[str, _ActionWording] = {
    "payment_assistance": _ActionWording(
        subject=pgettext_lazy("email subject", "let's get your payment sorted"),
        call_topic=pgettext_lazy("call topic", "help with a failed payment"),
        feelings=pgettext_lazy(
            "feelings", "I understand how frustrating that is, especially when you are waiting for your order."
        ),
        sms_feelings=pgettext_lazy("SMS feelings", "I know how frustrating that is, and I'm sorry."),
        sms_next_step=pgettext_lazy("SMS next step", "I will send you a secure payment link {when}."),
        apology=pgettext_lazy("apology", "I'm sorry for the worry this may have caused."),
        ownership=pgettext_lazy(
            "ownership", "I will personally make sure your order is completed without any further trouble."
        ),
        next_step=pgettext_lazy("next step", "I will send you a new, secure payment link {when}."),
        closing=pgettext_lazy(
            "closing", "If another payment method suits you better, just reply and we will set it up for you."
        ),
    ),
    "service_recovery": _ActionWording(
        subject=pgettext_lazy("email subject", "we are putting this right"),
        call_topic=pgettext_lazy("call topic", "putting things right"),
        feelings=pgettext_lazy(
            "feelings", "I understand how disappointing this must be, especially when you were counting on us."
        ),
        sms_feelings=pgettext_lazy("SMS feelings", "I know how disappointing that is, and I'm truly sorry."),
        sms_next_step=pgettext_lazy("SMS next step", "I will update you {when} on how we are fixing it."),
        apology=pgettext_lazy("apology", "I'm truly sorry; this is not the standard we hold ourselves to."),
        ownership=pgettext_lazy("ownership", "This was our mistake, and I'm taking care of it personally."),
        next_step=pgettext_lazy(
            "next step", "I will contact you {when} with a full update on how we are putting it right."
        ),
        closing=pgettext_lazy("closing", "Thank you for your patience while we make this right."),
    ),
    "win_back": _ActionWording(
        subject=pgettext_lazy("email subject", "we have missed you"),
        call_topic=pgettext_lazy("call topic", "welcoming you back"),
        feelings=pgettext_lazy(
            "feelings",
            "I know how busy life can get, and I would love to hear what would make shopping with us better for you.",
        ),
        sms_feelings=pgettext_lazy(
            "SMS feelings", "I know how busy life gets; if we let you down in any way, I'm sorry."
        ),
        sms_next_step=pgettext_lazy("SMS next step", "I will send you a few ideas picked for you {when}."),
        apology=pgettext_lazy("apology", "If anything we did fell short of what you expect, I'm sorry."),
        ownership=pgettext_lazy(
            "ownership", "I have looked at your account myself, and I will make sure your next order is a great one."
        ),
        next_step=pgettext_lazy("next step", "I will send you a few ideas picked just for you {when}."),
        closing=pgettext_lazy("closing", "It would be lovely to welcome you back."),
    ),
    "personal_call": _ActionWording(
        subject=pgettext_lazy("email subject", "a personal call from your account manager"),
        call_topic=pgettext_lazy("call topic", "personal call"),
        feelings=pgettext_lazy(
            "feelings", "I understand that your recent experiences with us have not been what you expect from us."
        ),
        sms_feelings=pgettext_lazy("SMS feelings", "I understand things have not been smooth lately, and I'm sorry."),
        sms_next_step=pgettext_lazy("SMS next step", "I will call you {when}."),
        apology=pgettext_lazy("apology", "I'm sorry for that."),
        ownership=pgettext_lazy(
            "ownership", "You matter a great deal to us, so I will look after your account personally from now on."
        ),
        next_step=pgettext_lazy(
            "next step", "I will call you {when} to talk it through and agree on the next steps together."
        ),
        closing=pgettext_lazy(
            "closing", "If another time suits you better, just reply and I will work around your schedule."
        ),
        call_next_step=pgettext_lazy(
            "call next step",
            "I will send you a written summary of what we agreed {when}, and I remain your personal contact.",
        ),
    ),
    "answer_inquiry": _ActionWording(
        subject=pgettext_lazy("email subject", "an answer to your question"),
        call_topic=pgettext_lazy("call topic", "answering your question"),
        feelings=pgettext_lazy("feelings", "I understand you would like a clear answer, and I'm glad you asked."),
        sms_feelings=pgettext_lazy("SMS feelings", "I understand you would like a clear answer."),
        sms_next_step=pgettext_lazy("SMS next step", "I will send you a full answer {when}."),
        apology="",
        ownership=pgettext_lazy("ownership", "I have looked into your question myself."),
        next_step=pgettext_lazy("next step", "I will send you a complete answer {when}."),
        closing=pgettext_lazy("closing", "Thank you for reaching out to us."),
    ),
    "thank_you": _ActionWording(
        subject=pgettext_lazy("email subject", "thank you"),
        call_topic=pgettext_lazy("call topic", "thank-you call"),
        feelings=pgettext_lazy(
            "feelings", "Thank you: I know how many choices you have, so your trust really means a lot to us."
        ),
        sms_feelings=pgettext_lazy("SMS feelings", "Thank you: I know how many choices you have."),
        sms_next_step=pgettext_lazy("SMS next step", "Just reply and I will get back to you {when}."),
        apology="",
        ownership=pgettext_lazy(
            "ownership", "We will keep working hard to earn that trust every time you shop with us."
        ),
        next_step=pgettext_lazy(
            "next step", "If there is ever anything we can do better, just reply and I will get back to you {when}."
        ),
        closing=pgettext_lazy("closing", "It is a pleasure to have you with us."),
    ),
}


# --- Assembly -----------------------------------------------------------------------------


def _language(context: CustomerContext) -> str:
    code = normalize_language_code(context.language.code)
    return code if code in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE


def _something_went_wrong(context: CustomerContext, decision: Decision) -> bool:
    return decision.action not in _NO_FAULT_ACTIONS or context.trigger.category == "COMPLAINT"


def _check_not_held(decision: Decision) -> None:
    if decision.action == "hold":
        raise ValueError("no message is drafted for held outreach (action 'hold')")


def message_facts(*, context: CustomerContext, patterns: PatternReport, decision: Decision) -> MessageFacts:
    """What the rubric checks the message for: the first name, the focus's ids and amount,
    and whether an apology is due. Raises ValueError for a held decision."""
    _check_not_held(decision)
    focus = message_focus(context=context, patterns=patterns, decision=decision)
    return MessageFacts(
        customer_name=context.profile.first_name.strip(),
        references=focus.references,
        something_went_wrong=_something_went_wrong(context, decision),
    )


def _number(value: int, language: str) -> str:
    return format_decimal(value, locale=language)


def _days_ago(days: int, language: str) -> str:
    # The count picks the form by the language's CLDR plural rule (Arabic: 2 is a dual,
    # 3-10 and 103 take the plural, 11-99 the singular accusative).
    return npgettext("time since the last order", "{days} day ago", "{days} days ago", days).format(
        days=_number(days, language)
    )


def focus_sentence(focus: MessageFocus, *, language: str, went_wrong: bool) -> str:
    """The sentence that names what the message is about, in `language` (a supported code)."""
    with translation.override(language):
        kind = focus.kind if went_wrong else _NEUTRAL_FOCUS.get(focus.kind, focus.kind)
        if kind == "payment":
            if focus.payment_id and focus.amount:
                payment = pgettext("payment id and amount", "{payment_id} of {amount}").format(
                    payment_id=focus.payment_id, amount=focus.amount
                )
            else:
                payment = focus.payment_id or focus.amount
            key = "payment" if focus.order_id else "payment_no_order"
            return str(_FOCUS[key]).format(payment=payment, order_id=focus.order_id)
        return str(_FOCUS[kind]).format(
            order_id=focus.order_id,
            ticket_id=focus.ticket_id,
            score="" if focus.score is None else _number(focus.score, language),
            days_ago=_days_ago(focus.days, language),
        )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def offline_message(*, context: CustomerContext, patterns: PatternReport, decision: Decision) -> Message:
    """The offline draft for `decision`, in the customer's language (English when theirs is
    not one we write). An email has a subject and a greeting-to-sign-off letter; an SMS has no
    subject and fits SMS_MAX_CHARS; a call has a call-plan title and talking points ("- "
    lines) for the account manager. Raises ValueError for a held decision."""
    _check_not_held(decision)
    language = _language(context)
    focus = message_focus(context=context, patterns=patterns, decision=decision)
    with translation.override(language):
        return _composed(context=context, decision=decision, focus=focus, language=language)


def _composed(*, context: CustomerContext, decision: Decision, focus: MessageFocus, language: str) -> Message:
    """The message from the active language's catalog (offline_message sets it)."""
    action = _ACTIONS[decision.action]
    name = context.profile.first_name.strip()
    went_wrong = _something_went_wrong(context, decision)
    focus_text = focus_sentence(focus, language=language, went_wrong=went_wrong)
    general_apology = pgettext("apology when nothing else apologises", "I'm sorry for the trouble this has caused.")
    short_apology = pgettext("short SMS apology", "I'm sorry about this.")
    # An action that implies a fault apologises in its own words; a thank-you or an answer
    # apologises only when the customer complained, with the language's general apology.
    apology = str(action.apology) or (general_apology if went_wrong else "")
    sms_apology = "" if action.apology or not went_wrong else short_apology
    percent = _number(decision.offer_percent, language)
    offer = ""
    if decision.offer_percent > 0 and decision.action not in _NO_OFFER_ACTIONS:
        offer = pgettext("email offer", "We would also like to give you {percent}% off your next order.").format(
            percent=percent
        )
    when = str(_WHEN[decision.priority])
    next_step = str(action.next_step).format(when=when)

    if decision.channel == "sms":
        greeting = (
            pgettext("SMS greeting", "Hi {name},").format(name=name)
            if name
            else pgettext("greeting without a name", "Hello,")
        )
        sms_offer = (
            pgettext("SMS offer", "Plus {percent}% off your next order.").format(percent=percent) if offer else ""
        )
        full = (
            focus_text,
            str(action.sms_feelings),
            sms_apology,
            sms_offer,
            str(action.sms_next_step).format(when=when),
        )
        body = _sms_body(greeting, full, short_apology=short_apology if went_wrong else "")
        return Message(subject="", body=body, language=language)

    if decision.channel == "call":
        call_next_step = str(action.call_next_step).format(when=when) if action.call_next_step else next_step
        opening = (
            pgettext("call opening", "Hello {name}, I'm calling from the ProCX customer care team.").format(name=name)
            if name
            else pgettext("call opening", "Hello, I'm calling from the ProCX customer care team.")
        )
        call_close = pgettext("call closing", "Thank you for your time; is there anything else I can help you with?")
        points = (opening, focus_text, str(action.feelings), apology, str(action.ownership), offer, call_next_step)
        body = "\n".join(f"- {_capitalised(point)}" for point in (*points, call_close) if point)
        call_plan = pgettext("call plan title", "Call plan:")
        topic = str(action.call_topic)
        title = f"{call_plan} {name} — {topic}" if name else f"{call_plan} {topic}"
        return Message(subject=title, body=body, language=language)

    greeting = (
        pgettext("email greeting", "Dear {name},").format(name=name)
        if name
        else pgettext("greeting without a name", "Hello,")
    )
    paragraphs = (
        greeting,
        _sentences(focus_text, str(action.feelings), apology),
        _sentences(str(action.ownership), offer, next_step),
        str(action.closing),
        pgettext("email sign-off", "Warm regards,\nThe ProCX customer care team"),
    )
    subject = str(action.subject)
    if name:
        subject = pgettext("the customer's name before the subject", "{name}, ").format(name=name) + subject
    else:
        subject = _capitalised(subject)
    return Message(subject=subject, body="\n\n".join(paragraphs), language=language)


def _sentences(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _sms_body(greeting: str, parts: tuple[str, ...], *, short_apology: str) -> str:
    """The SMS, shortened only when a long name or id pushes it over SMS_MAX_CHARS: first the
    sign-off goes, then the feelings give way to a short apology; the name, the focus, the
    offer and the next step stay. Called with the customer's language active."""
    focus_text, _feelings, _apology, offer, next_step = parts
    for sentences in (
        (*parts, pgettext("SMS sign-off", "— ProCX")),
        parts,
        (focus_text, short_apology, offer, next_step),
        (focus_text, next_step),
    ):
        body = f"{greeting}\n{_sentences(*sentences)}"
        if len(body) <= SMS_MAX_CHARS:
            return body
    return body[: SMS_MAX_CHARS - 1].rstrip() + "…"
