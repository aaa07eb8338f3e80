"""Stage 4, Empathy, offline: the outreach message written by code in the customer's language.

The offline backend drafts every message the model does not (no model configured, or a model
draft that failed or scored too low twice), so it must always pass the empathy rubric on its
own. Each of the nine languages has its phrases written natively, in its own script, as whole
sentences: assembling a message only picks sentences and fills in names, ids, amounts and a
time, so the grammar stays the translator's and not the code's. The sentences were chosen so
that the rubric's phrase lists (interventions.empathy) recognise the feelings, apology,
ownership and next step each one expresses.

Every message is about one thing, the focus of the case (a failed payment, a late order, an
open ticket ...): `message_focus` picks it, `message_facts` hands its ids to the rubric and
`offline_message` names the same ids in the text.

Pure and fast: no ORM, no network, only str.format over the phrases below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The Pattern stage's own day count and money format, so the message says the same "80 days"
# and amount as the evidence a reviewer reads next to it, written the way the customer's
# language writes money ("$2,499.99", "2.499,99 $").
from interventions.agents.patterns import DETRACTOR_MAX, FAILED, NPS_DROP, UNRESOLVED, days_between, money_text
from interventions.agents.types import SMS_MAX_CHARS, CustomerContext, Decision, Message, PatternReport
from interventions.empathy import MessageFacts
from interventions.language import FALLBACK_LANGUAGE, normalize_language_code

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


@dataclass(frozen=True)
class _ActionWording:
    """What one action says. `next_step` holds {when}; `subject` follows the name prefix, so
    it starts in lower case where the language has case (capitalised when there is no name)."""

    subject: str
    call_topic: str
    feelings: str
    # An SMS has room for one sentence of feelings (with the apology where the action implies
    # one) and a short next step that also takes ownership.
    sms_feelings: str
    sms_next_step: str
    apology: str  # "" where nothing went wrong; the language's general apology stands in if one is due
    ownership: str
    next_step: str
    closing: str
    call_next_step: str = ""  # when the caller cannot promise "I will call you"


@dataclass(frozen=True)
class _Wording:
    """One language's phrases. Focus sentences use {order_id}, {payment}, {ticket_id}, {score}
    and {days_ago}; `when` is the promised time per priority."""

    greeting: str
    greeting_short: str
    greeting_anonymous: str
    name_prefix: str
    sign_off: str
    sms_sign_off: str
    call_plan: str
    call_open: str
    call_open_anonymous: str
    call_close: str
    when: dict[str, str]
    apology: str
    sms_apology: str
    offer: str
    sms_offer: str
    payment_with_amount: str
    days_ago: str
    focus: dict[str, str]
    actions: dict[str, _ActionWording]
    # Arabic counts differently: two days is a dual, three to ten take a plural.
    days_ago_two: str = ""
    days_ago_few: str = ""


# When nothing went wrong (a thank-you, an answer), a cancelled or late order or an open
# ticket is named plainly: the message is about the order, not about its trouble.
_NEUTRAL_FOCUS = {"cancelled": "order", "delivery": "order", "ticket_open": "ticket"}

_ENGLISH = _Wording(
    greeting="Dear {name},",
    greeting_short="Hi {name},",
    greeting_anonymous="Hello,",
    name_prefix="{name}, ",
    sign_off="Warm regards,\nThe ProCX customer care team",
    sms_sign_off="— ProCX",
    call_plan="Call plan:",
    call_open="Hello {name}, I'm calling from the ProCX customer care team.",
    call_open_anonymous="Hello, I'm calling from the ProCX customer care team.",
    call_close="Thank you for your time; is there anything else I can help you with?",
    when={"critical": "within 4 hours", "high": "today", "medium": "within 24 hours", "low": "within 2 business days"},
    apology="I'm sorry for the trouble this has caused.",
    sms_apology="I'm sorry about this.",
    offer="We would also like to give you {percent}% off your next order.",
    sms_offer="Plus {percent}% off your next order.",
    payment_with_amount="{payment_id} of {amount}",
    days_ago="{days} days ago",
    focus={
        "payment": "Your payment {payment} for order {order_id} did not go through.",
        "payment_no_order": "Your payment {payment} did not go through.",
        "cancelled": "Your order {order_id} was cancelled.",
        "delivery": "Your order {order_id} did not arrive as planned.",
        "order": "I'm getting in touch about your order {order_id}.",
        "ticket_open": "Your request {ticket_id} is still not resolved.",
        "ticket": "I'm getting in touch about your request {ticket_id}.",
        "rating": "You recently gave us a rating of {score} out of 10.",
        "quiet": "Your last order with us, {order_id}, was {days_ago}.",
        "recent": "I'm getting in touch about your recent order {order_id}.",
        "none": "I'm getting in touch personally about your recent experience with us.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="let's get your payment sorted",
            call_topic="help with a failed payment",
            feelings="I understand how frustrating that is, especially when you are waiting for your order.",
            sms_feelings="I know how frustrating that is, and I'm sorry.",
            sms_next_step="I will send you a secure payment link {when}.",
            apology="I'm sorry for the worry this may have caused.",
            ownership="I will personally make sure your order is completed without any further trouble.",
            next_step="I will send you a new, secure payment link {when}.",
            closing="If another payment method suits you better, just reply and we will set it up for you.",
        ),
        "service_recovery": _ActionWording(
            subject="we are putting this right",
            call_topic="putting things right",
            feelings="I understand how disappointing this must be, especially when you were counting on us.",
            sms_feelings="I know how disappointing that is, and I'm truly sorry.",
            sms_next_step="I will update you {when} on how we are fixing it.",
            apology="I'm truly sorry; this is not the standard we hold ourselves to.",
            ownership="This was our mistake, and I'm taking care of it personally.",
            next_step="I will contact you {when} with a full update on how we are putting it right.",
            closing="Thank you for your patience while we make this right.",
        ),
        "win_back": _ActionWording(
            subject="we have missed you",
            call_topic="welcoming you back",
            feelings=(
                "I know how busy life can get, and I would love to hear what would make shopping with us "
                "better for you."
            ),
            sms_feelings="I know how busy life gets; if we let you down in any way, I'm sorry.",
            sms_next_step="I will send you a few ideas picked for you {when}.",
            apology="If anything we did fell short of what you expect, I'm sorry.",
            ownership="I have looked at your account myself, and I will make sure your next order is a great one.",
            next_step="I will send you a few ideas picked just for you {when}.",
            closing="It would be lovely to welcome you back.",
        ),
        "personal_call": _ActionWording(
            subject="a personal call from your account manager",
            call_topic="personal call",
            feelings="I understand that your recent experiences with us have not been what you expect from us.",
            sms_feelings="I understand things have not been smooth lately, and I'm sorry.",
            sms_next_step="I will call you {when}.",
            apology="I'm sorry for that.",
            ownership="You matter a great deal to us, so I will look after your account personally from now on.",
            next_step="I will call you {when} to talk it through and agree on the next steps together.",
            closing="If another time suits you better, just reply and I will work around your schedule.",
            call_next_step=(
                "I will send you a written summary of what we agreed {when}, and I remain your personal contact."
            ),
        ),
        "answer_inquiry": _ActionWording(
            subject="an answer to your question",
            call_topic="answering your question",
            feelings="I understand you would like a clear answer, and I'm glad you asked.",
            sms_feelings="I understand you would like a clear answer.",
            sms_next_step="I will send you a full answer {when}.",
            apology="",
            ownership="I have looked into your question myself.",
            next_step="I will send you a complete answer {when}.",
            closing="Thank you for reaching out to us.",
        ),
        "thank_you": _ActionWording(
            subject="thank you",
            call_topic="thank-you call",
            feelings="Thank you: I know how many choices you have, so your trust really means a lot to us.",
            sms_feelings="Thank you: I know how many choices you have.",
            sms_next_step="Just reply and I will get back to you {when}.",
            apology="",
            ownership="We will keep working hard to earn that trust every time you shop with us.",
            next_step="If there is ever anything we can do better, just reply and I will get back to you {when}.",
            closing="It is a pleasure to have you with us.",
        ),
    },
)

_SPANISH = _Wording(
    greeting="Hola, {name}:",
    greeting_short="Hola, {name}:",
    greeting_anonymous="Hola:",
    name_prefix="{name}, ",
    sign_off="Un cordial saludo,\nEl equipo de atención al cliente de ProCX",
    sms_sign_off="— ProCX",
    call_plan="Plan de llamada:",
    call_open="Hola, {name}, le llamo del equipo de atención al cliente de ProCX.",
    call_open_anonymous="Hola, le llamo del equipo de atención al cliente de ProCX.",
    call_close="Muchas gracias por su tiempo. ¿Hay algo más en lo que pueda ayudarle?",
    when={
        "critical": "en las próximas 4 horas",
        "high": "hoy mismo",
        "medium": "en las próximas 24 horas",
        "low": "en un plazo de 2 días hábiles",
    },
    apology="Lamento mucho las molestias que esto le haya causado.",
    sms_apology="Lo siento mucho.",
    offer="Además, queremos ofrecerle un {percent} % de descuento en su próximo pedido.",
    sms_offer="Además, tiene un {percent} % de descuento en su próximo pedido.",
    payment_with_amount="{payment_id} de {amount}",
    days_ago="hace {days} días",
    focus={
        "payment": "Su pago {payment} del pedido {order_id} no se ha podido completar.",
        "payment_no_order": "Su pago {payment} no se ha podido completar.",
        "cancelled": "Su pedido {order_id} ha sido cancelado.",
        "delivery": "Su pedido {order_id} no ha llegado como estaba previsto.",
        "order": "Me pongo en contacto con usted por su pedido {order_id}.",
        "ticket_open": "Su solicitud {ticket_id} todavía no está resuelta.",
        "ticket": "Me pongo en contacto con usted por su solicitud {ticket_id}.",
        "rating": "Hace poco nos dio una valoración de {score} sobre 10.",
        "quiet": "Su último pedido con nosotros, el {order_id}, fue {days_ago}.",
        "recent": "Me pongo en contacto con usted por su pedido reciente {order_id}.",
        "none": "Me pongo en contacto con usted personalmente por su experiencia reciente con nosotros.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="le ayudamos a completar su pago",
            call_topic="ayuda con un pago fallido",
            feelings="Entiendo lo frustrante que resulta, sobre todo cuando está esperando su pedido.",
            sms_feelings="Entiendo lo frustrante que es y lo siento.",
            sms_next_step="Le voy a enviar un enlace de pago seguro {when}.",
            apology="Lamento mucho la preocupación que esto le haya podido causar.",
            ownership="Me encargaré personalmente de que su pedido se complete sin más contratiempos.",
            next_step="Le voy a enviar un nuevo enlace de pago seguro {when}.",
            closing="Si prefiere otro método de pago, responda a este mensaje y lo prepararemos para usted.",
        ),
        "service_recovery": _ActionWording(
            subject="vamos a solucionarlo",
            call_topic="solucionar el problema",
            feelings="Entiendo lo decepcionante que debe de ser, sobre todo cuando contaba con nosotros.",
            sms_feelings="Entiendo su decepción y lo siento de verdad.",
            sms_next_step="Voy a informarle {when} de cómo lo solucionamos.",
            apology="Lo siento de verdad: no es el nivel de servicio que queremos ofrecerle.",
            ownership="Ha sido un error nuestro y me encargo personalmente de solucionarlo.",
            next_step="Voy a ponerme en contacto con usted {when} para contarle cómo lo estamos solucionando.",
            closing="Gracias por su paciencia mientras lo solucionamos.",
        ),
        "win_back": _ActionWording(
            subject="le echamos de menos",
            call_topic="le echamos de menos",
            feelings=(
                "Entiendo que el día a día puede ser muy ajetreado, y me encantaría saber qué podemos mejorar "
                "para usted."
            ),
            sms_feelings="Entiendo que el día a día es ajetreado y, si le fallamos en algo, lo siento.",
            sms_next_step="Le voy a enviar ideas elegidas para usted {when}.",
            apology="Si en algo no estuvimos a la altura, lo siento de verdad.",
            ownership="He revisado su cuenta personalmente y me encargaré de que su próximo pedido sea excelente.",
            next_step="Le voy a enviar algunas ideas elegidas especialmente para usted {when}.",
            closing="Nos encantaría volver a verle por aquí.",
        ),
        "personal_call": _ActionWording(
            subject="una llamada personal de su gestor de cuenta",
            call_topic="llamada personal",
            feelings="Entiendo que sus últimas experiencias con nosotros no han sido las que esperaba.",
            sms_feelings="Entiendo que las últimas semanas no han sido fáciles y lo siento.",
            sms_next_step="Le voy a llamar {when}.",
            apology="Lo siento mucho.",
            ownership=(
                "Usted es muy importante para nosotros, así que me encargaré personalmente de su cuenta a partir "
                "de ahora."
            ),
            next_step="Le voy a llamar {when} para hablarlo con calma y acordar juntos los siguientes pasos.",
            closing="Si le viene mejor otro momento, responda a este mensaje y me adaptaré a usted.",
            call_next_step=(
                "Le voy a enviar un resumen por escrito de lo acordado {when} y seguiré siendo su contacto personal."
            ),
        ),
        "answer_inquiry": _ActionWording(
            subject="respuesta a su consulta",
            call_topic="respuesta a su consulta",
            feelings="Entiendo que quiere una respuesta clara y le agradezco que nos haya escrito.",
            sms_feelings="Entiendo que quiere una respuesta clara.",
            sms_next_step="Le voy a enviar una respuesta completa {when}.",
            apology="",
            ownership="He revisado su consulta personalmente.",
            next_step="Le voy a enviar una respuesta completa {when}.",
            closing="Gracias por ponerse en contacto con nosotros.",
        ),
        "thank_you": _ActionWording(
            subject="muchas gracias",
            call_topic="llamada de agradecimiento",
            feelings=(
                "Muchas gracias: entiendo que tiene muchas opciones, por eso su confianza significa tanto "
                "para nosotros."
            ),
            sms_feelings="Gracias: entiendo que tiene muchas opciones.",
            sms_next_step="Responda a este mensaje y me encargaré de contestarle {when}.",
            apology="",
            ownership="Vamos a seguir esforzándonos para merecerla en cada pedido.",
            next_step=(
                "Si hay algo que podamos mejorar, responda a este mensaje y me encargaré de contestarle {when}."
            ),
            closing="Es un placer tenerle con nosotros.",
        ),
    },
)

_FRENCH = _Wording(
    greeting="Bonjour {name},",
    greeting_short="Bonjour {name},",
    greeting_anonymous="Bonjour,",
    name_prefix="{name}, ",
    sign_off="Bien cordialement,\nL'équipe du service client ProCX",
    sms_sign_off="— ProCX",
    call_plan="Plan d'appel :",
    call_open="Bonjour {name}, je vous appelle de la part du service client ProCX.",
    call_open_anonymous="Bonjour, je vous appelle de la part du service client ProCX.",
    call_close="Merci beaucoup pour votre temps ; puis-je vous aider pour autre chose ?",
    when={
        "critical": "dans les 4 heures",
        "high": "dès aujourd'hui",
        "medium": "sous 24 heures",
        "low": "sous 2 jours ouvrés",
    },
    apology="Je vous prie de nous excuser pour ce désagrément.",
    sms_apology="Toutes nos excuses.",
    offer="Nous souhaitons aussi vous offrir {percent} % de réduction sur votre prochaine commande.",
    sms_offer="En prime : {percent} % de réduction sur votre prochaine commande.",
    payment_with_amount="{payment_id} de {amount}",
    days_ago="{days} jours",
    focus={
        "payment": "Votre paiement {payment} pour la commande {order_id} n'a pas abouti.",
        "payment_no_order": "Votre paiement {payment} n'a pas abouti.",
        "cancelled": "Votre commande {order_id} a été annulée.",
        "delivery": "Votre commande {order_id} n'est pas arrivée comme prévu.",
        "order": "Je prends contact avec vous au sujet de votre commande {order_id}.",
        "ticket_open": "Votre demande {ticket_id} n'est toujours pas résolue.",
        "ticket": "Je prends contact avec vous au sujet de votre demande {ticket_id}.",
        "rating": "Vous nous avez récemment attribué la note de {score} sur 10.",
        "quiet": "Votre dernière commande chez nous, {order_id}, remonte à {days_ago}.",
        "recent": "Je prends contact avec vous au sujet de votre commande récente {order_id}.",
        "none": "Je prends personnellement contact avec vous au sujet de votre expérience récente avec nous.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="nous vous aidons à finaliser votre paiement",
            call_topic="aide pour un paiement refusé",
            feelings="Je comprends à quel point c'est frustrant, surtout quand vous attendez votre commande.",
            sms_feelings="Je comprends votre frustration, toutes nos excuses.",
            sms_next_step="Je vais vous envoyer un lien de paiement sécurisé {when}.",
            apology="Nous sommes sincèrement désolés pour l'inquiétude que cela a pu vous causer.",
            ownership="Je veille personnellement à ce que votre commande soit finalisée sans autre difficulté.",
            next_step="Je vais vous envoyer un nouveau lien de paiement sécurisé {when}.",
            closing=(
                "Si vous préférez un autre moyen de paiement, répondez simplement à ce message et nous le mettrons "
                "en place pour vous."
            ),
        ),
        "service_recovery": _ActionWording(
            subject="nous allons arranger les choses",
            call_topic="résoudre le problème",
            feelings="Je comprends à quel point c'est décevant, surtout quand vous comptiez sur nous.",
            sms_feelings="Je comprends votre déception, toutes nos excuses.",
            sms_next_step="Je vais revenir vers vous {when} avec la solution.",
            apology="Nous en sommes sincèrement désolés : ce n'est pas le niveau de service que nous voulons vous offrir.",
            ownership="C'est notre erreur, et je m'en occupe personnellement.",
            next_step="Je vais revenir vers vous {when} avec un point complet sur la solution.",
            closing="Merci pour votre patience pendant que nous réglons cela.",
        ),
        "win_back": _ActionWording(
            subject="vous nous manquez",
            call_topic="vous nous manquez",
            feelings=(
                "Je comprends que le quotidien soit bien rempli, et j'aimerais savoir ce que nous pourrions "
                "améliorer pour vous."
            ),
            sms_feelings="Je comprends que le temps vous manque, et toutes nos excuses si nous avons failli.",
            sms_next_step="Je vais vous envoyer quelques idées choisies pour vous {when}.",
            apology="Si nous n'avons pas été à la hauteur, je vous prie de nous excuser.",
            ownership=(
                "J'ai examiné votre compte personnellement et je vais veiller à ce que votre prochaine commande "
                "soit parfaite."
            ),
            next_step="Je vais vous envoyer quelques idées choisies spécialement pour vous {when}.",
            closing="Nous serions ravis de vous retrouver bientôt.",
        ),
        "personal_call": _ActionWording(
            subject="un appel personnel de votre conseiller",
            call_topic="appel personnel",
            feelings=(
                "Je comprends que vos dernières expériences avec nous n'aient pas été à la hauteur de vos attentes."
            ),
            sms_feelings="Je comprends que tout n'a pas été simple récemment, toutes nos excuses.",
            sms_next_step="Je vais vous appeler {when}.",
            apology="Nous en sommes sincèrement désolés.",
            ownership="Vous comptez beaucoup pour nous, c'est pourquoi je vais m'occuper personnellement de votre compte.",
            next_step="Je vais vous appeler {when} pour en parler ensemble et convenir des prochaines étapes.",
            closing="Si un autre moment vous convient mieux, répondez simplement à ce message et je m'adapterai.",
            call_next_step=(
                "Je vais vous envoyer un résumé écrit de ce que nous avons convenu {when}, et je reste votre "
                "contact personnel."
            ),
        ),
        "answer_inquiry": _ActionWording(
            subject="la réponse à votre question",
            call_topic="réponse à votre question",
            feelings="Je comprends que vous souhaitiez une réponse claire, et je vous remercie de nous avoir écrit.",
            sms_feelings="Je comprends que vous souhaitiez une réponse claire.",
            sms_next_step="Je vais vous envoyer une réponse complète {when}.",
            apology="",
            ownership="J'ai examiné votre question personnellement.",
            next_step="Je vais vous envoyer une réponse complète {when}.",
            closing="Merci de nous avoir contactés.",
        ),
        "thank_you": _ActionWording(
            subject="merci",
            call_topic="appel de remerciement",
            feelings="Merci : je comprends que vous avez le choix, et votre confiance compte beaucoup pour nous.",
            sms_feelings="Merci : je comprends que vous avez le choix.",
            sms_next_step="Répondez à ce message et je vous répondrai personnellement {when}.",
            apology="",
            ownership="Nous allons continuer à tout faire pour la mériter à chaque commande.",
            next_step=(
                "Si nous pouvons faire mieux, répondez simplement à ce message et je vous répondrai "
                "personnellement {when}."
            ),
            closing="C'est un plaisir de vous compter parmi nos clients.",
        ),
    },
)

# A German letter goes on in lower case after "Hallo Anna,", so the focus sentences that open
# the text start with "ich"; a call's talking points capitalise them again.
_GERMAN = _Wording(
    greeting="Hallo {name},",
    greeting_short="Hallo {name},",
    greeting_anonymous="Guten Tag,",
    name_prefix="{name}, ",
    sign_off="Herzliche Grüße\nIhr ProCX-Kundenservice-Team",
    sms_sign_off="— ProCX",
    call_plan="Gesprächsplan:",
    call_open="Hallo {name}, ich rufe Sie im Namen des ProCX-Kundenservice an.",
    call_open_anonymous="Guten Tag, ich rufe Sie im Namen des ProCX-Kundenservice an.",
    call_close="Vielen Dank für Ihre Zeit. Kann ich sonst noch etwas für Sie tun?",
    when={
        "critical": "innerhalb von 4 Stunden",
        "high": "noch heute",
        "medium": "innerhalb von 24 Stunden",
        "low": "innerhalb von 2 Werktagen",
    },
    apology="Bitte entschuldigen Sie die Unannehmlichkeiten.",
    sms_apology="Es tut mir sehr leid.",
    offer="Außerdem möchten wir Ihnen {percent} % Rabatt auf Ihre nächste Bestellung anbieten.",
    sms_offer="Dazu erhalten Sie {percent} % Rabatt auf Ihre nächste Bestellung.",
    payment_with_amount="{payment_id} über {amount}",
    days_ago="{days} Tage",
    focus={
        "payment": "Ihre Zahlung {payment} für die Bestellung {order_id} ist leider nicht durchgegangen.",
        "payment_no_order": "Ihre Zahlung {payment} ist leider nicht durchgegangen.",
        "cancelled": "Ihre Bestellung {order_id} wurde storniert.",
        "delivery": "Ihre Bestellung {order_id} ist nicht wie geplant bei Ihnen angekommen.",
        "order": "ich melde mich bei Ihnen wegen Ihrer Bestellung {order_id}.",
        "ticket_open": "Ihre Anfrage {ticket_id} ist noch immer nicht gelöst.",
        "ticket": "ich melde mich bei Ihnen wegen Ihrer Anfrage {ticket_id}.",
        "rating": "Sie haben uns kürzlich mit {score} von 10 Punkten bewertet.",
        "quiet": "Ihre letzte Bestellung bei uns, {order_id}, liegt {days_ago} zurück.",
        "recent": "ich melde mich bei Ihnen wegen Ihrer letzten Bestellung {order_id}.",
        "none": "ich melde mich persönlich bei Ihnen wegen Ihrer letzten Erfahrungen mit uns.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="wir helfen Ihnen bei Ihrer Zahlung",
            call_topic="Hilfe bei einer fehlgeschlagenen Zahlung",
            feelings="Ich kann gut nachvollziehen, wie ärgerlich es ist, wenn eine Zahlung nicht klappt.",
            sms_feelings="Ich verstehe, wie ärgerlich das ist, und es tut mir leid.",
            sms_next_step="Ich werde Ihnen {when} einen sicheren Zahlungslink schicken.",
            apology="Es tut mir leid, dass Ihnen das Sorgen bereitet hat.",
            ownership="Ich kümmere mich persönlich darum, dass Ihre Bestellung ohne weitere Probleme abgeschlossen wird.",
            next_step="Ich werde Ihnen {when} einen neuen, sicheren Zahlungslink schicken.",
            closing=(
                "Wenn Ihnen eine andere Zahlungsart lieber ist, antworten Sie einfach auf diese Nachricht, und wir "
                "richten sie für Sie ein."
            ),
        ),
        "service_recovery": _ActionWording(
            subject="wir bringen das in Ordnung",
            call_topic="das Problem in Ordnung bringen",
            feelings="Ich kann gut verstehen, wie enttäuschend das ist, gerade weil Sie sich auf uns verlassen haben.",
            sms_feelings="Ich verstehe Ihre Enttäuschung, und es tut mir aufrichtig leid.",
            sms_next_step="Ich werde mich {when} mit der Lösung bei Ihnen melden.",
            apology="Es tut mir aufrichtig leid, denn das entspricht nicht unserem Anspruch.",
            ownership="Das war unser Fehler, und ich kümmere mich persönlich darum.",
            next_step="Ich werde mich {when} bei Ihnen melden und Ihnen genau sagen, wie wir das lösen.",
            closing="Vielen Dank für Ihre Geduld, während wir das in Ordnung bringen.",
        ),
        "win_back": _ActionWording(
            subject="wir vermissen Sie",
            call_topic="wir vermissen Sie",
            feelings=(
                "Ich verstehe gut, dass der Alltag oft voll ist, und ich würde gern erfahren, was wir für Sie "
                "besser machen können."
            ),
            sms_feelings="Ich verstehe, dass der Alltag voll ist; falls wir Sie enttäuscht haben, entschuldigen Sie bitte.",
            sms_next_step="Ich werde Ihnen {when} ein paar ausgewählte Ideen schicken.",
            apology="Falls wir Ihre Erwartungen nicht erfüllt haben, bitte ich Sie um Entschuldigung.",
            ownership=(
                "Ich habe mir Ihr Konto persönlich angesehen und sorge dafür, dass Ihre nächste Bestellung "
                "rundum gelingt."
            ),
            next_step="Ich werde Ihnen {when} ein paar Ideen schicken, die wir speziell für Sie ausgewählt haben.",
            closing="Wir würden uns sehr freuen, Sie bald wieder bei uns begrüßen zu dürfen.",
        ),
        "personal_call": _ActionWording(
            subject="ein persönlicher Anruf von Ihrer Ansprechperson",
            call_topic="persönlicher Anruf",
            feelings="Ich verstehe, dass Ihre letzten Erfahrungen mit uns nicht Ihren Erwartungen entsprochen haben.",
            sms_feelings="Ich verstehe, dass es zuletzt nicht rund lief, und es tut mir leid.",
            sms_next_step="Ich werde Sie {when} anrufen.",
            apology="Es tut uns sehr leid.",
            ownership="Sie sind uns sehr wichtig, deshalb werde ich mich ab sofort persönlich um Ihr Konto kümmern.",
            next_step=(
                "Ich werde Sie {when} anrufen, um alles in Ruhe zu besprechen und die nächsten Schritte gemeinsam "
                "festzulegen."
            ),
            closing="Falls Ihnen ein anderer Zeitpunkt besser passt, antworten Sie einfach auf diese Nachricht.",
            call_next_step=(
                "Ich werde Ihnen {when} eine schriftliche Zusammenfassung unserer Absprachen schicken und bleibe "
                "Ihre persönliche Ansprechperson."
            ),
        ),
        "answer_inquiry": _ActionWording(
            subject="eine Antwort auf Ihre Frage",
            call_topic="Antwort auf Ihre Frage",
            feelings="Ich verstehe, dass Sie eine klare Antwort möchten, und danke Ihnen für Ihre Nachricht.",
            sms_feelings="Ich verstehe, dass Sie eine klare Antwort möchten.",
            sms_next_step="Ich werde Ihnen {when} eine vollständige Antwort schicken.",
            apology="",
            ownership="Ich habe mir Ihre Frage persönlich angesehen.",
            next_step="Ich werde Ihnen {when} eine vollständige Antwort schicken.",
            closing="Vielen Dank, dass Sie sich an uns gewandt haben.",
        ),
        "thank_you": _ActionWording(
            subject="vielen Dank",
            call_topic="Dankeschön-Anruf",
            feelings="Vielen Dank: Ich verstehe, dass Sie die Wahl haben, und umso mehr bedeutet uns Ihr Vertrauen.",
            sms_feelings="Vielen Dank: Ich verstehe, dass Sie die Wahl haben.",
            sms_next_step="Antworten Sie einfach, und ich werde mich {when} persönlich melden.",
            apology="",
            ownership="Wir werden weiter alles dafür tun, dieses Vertrauen bei jeder Bestellung zu verdienen.",
            next_step=(
                "Wenn wir etwas besser machen können, antworten Sie einfach auf diese Nachricht, und ich werde mich "
                "{when} persönlich bei Ihnen melden."
            ),
            closing="Es ist schön, Sie zu unseren Kundinnen und Kunden zu zählen.",
        ),
    },
)

# Hindi verbs in the first person singular carry the writer's gender, which a template does
# not know: the team speaks as "we" (हम ... करेंगे), and "I" only where the verb is neutral (मैंने).
_HINDI = _Wording(
    greeting="प्रिय {name} जी,",
    greeting_short="नमस्ते {name} जी,",
    greeting_anonymous="नमस्ते,",
    name_prefix="{name} जी, ",
    sign_off="सादर,\nProCX ग्राहक सेवा टीम",
    sms_sign_off="— ProCX",
    call_plan="कॉल योजना:",
    call_open="नमस्ते {name} जी, यह कॉल ProCX ग्राहक सेवा टीम की ओर से है।",
    call_open_anonymous="नमस्ते, यह कॉल ProCX ग्राहक सेवा टीम की ओर से है।",
    call_close="अपना समय देने के लिए धन्यवाद, क्या हम आपकी किसी और तरह से मदद कर सकते हैं?",
    when={
        "critical": "अगले 4 घंटों के भीतर",
        "high": "आज ही",
        "medium": "24 घंटों के भीतर",
        "low": "2 दिनों के भीतर",
    },
    apology="इससे हुई असुविधा के लिए हम क्षमा चाहते हैं।",
    sms_apology="हमें इसका खेद है।",
    offer="साथ ही, हम आपको अगले ऑर्डर पर {percent}% की छूट देना चाहते हैं।",
    sms_offer="साथ ही, आपके अगले ऑर्डर पर {percent}% की छूट है।",
    payment_with_amount="{payment_id} ({amount})",
    days_ago="{days} दिन पहले",
    focus={
        "payment": "ऑर्डर {order_id} के लिए आपका भुगतान {payment} पूरा नहीं हो सका।",
        "payment_no_order": "आपका भुगतान {payment} पूरा नहीं हो सका।",
        "cancelled": "आपका ऑर्डर {order_id} रद्द हो गया।",
        "delivery": "आपका ऑर्डर {order_id} तय समय पर आप तक नहीं पहुँचा।",
        "order": "हम आपके ऑर्डर {order_id} के सिलसिले में आपसे संपर्क कर रहे हैं।",
        "ticket_open": "आपका अनुरोध {ticket_id} अभी तक हल नहीं हुआ है।",
        "ticket": "हम आपके अनुरोध {ticket_id} के सिलसिले में आपसे संपर्क कर रहे हैं।",
        "rating": "आपने हाल ही में हमें 10 में से {score} अंक दिए।",
        "quiet": "हमारे साथ आपका पिछला ऑर्डर, {order_id}, {days_ago} आया था।",
        "recent": "हम आपके हाल के ऑर्डर {order_id} के सिलसिले में आपसे संपर्क कर रहे हैं।",
        "none": "हमारे साथ आपके हाल के अनुभव के सिलसिले में हम ख़ुद आपसे संपर्क कर रहे हैं।",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="आपका भुगतान पूरा करने में हम आपकी मदद करेंगे",
            call_topic="असफल भुगतान में मदद",
            feelings="हम समझ सकते हैं कि भुगतान अटक जाना कितना परेशान करने वाला होता है।",
            sms_feelings="हम समझ सकते हैं कि यह कितना परेशान करने वाला है, हमें खेद है।",
            sms_next_step="हम {when} आपको सुरक्षित भुगतान लिंक भेजने की व्यवस्था करेंगे।",
            apology="इससे हुई चिंता के लिए हम क्षमा चाहते हैं।",
            ownership="यह हमारी ज़िम्मेदारी है कि आपका ऑर्डर बिना किसी और परेशानी के पूरा हो।",
            next_step="हम {when} आपको एक नया, सुरक्षित भुगतान लिंक भेजने की व्यवस्था करेंगे।",
            closing="अगर आप कोई दूसरा भुगतान तरीका पसंद करें, तो बस इस संदेश का जवाब दें, हम उसे आपके लिए तैयार कर देंगे।",
        ),
        "service_recovery": _ActionWording(
            subject="हम इसे ठीक करेंगे",
            call_topic="समस्या का समाधान",
            feelings="हम समझ सकते हैं कि यह कितना निराशाजनक है, ख़ासकर जब आपने हम पर भरोसा किया था।",
            sms_feelings="हम आपकी निराशा समझते हैं और सच्चे दिल से माफ़ी चाहते हैं।",
            sms_next_step="हम {when} आपसे संपर्क करेंगे और समाधान बताएँगे।",
            apology="इसके लिए हम सच्चे दिल से माफ़ी चाहते हैं, यह वह सेवा नहीं है जो हम देना चाहते हैं।",
            ownership="यह हमारी ग़लती थी, और इसे ठीक करने की पूरी ज़िम्मेदारी हमारी है।",
            next_step="हम {when} आपसे संपर्क करेंगे और बताएँगे कि इसे कैसे ठीक किया जा रहा है।",
            closing="इसे ठीक करते समय आपके धैर्य के लिए धन्यवाद।",
        ),
        "win_back": _ActionWording(
            subject="हमें आपकी कमी खल रही है",
            call_topic="आपकी वापसी",
            feelings=(
                "हम समझते हैं कि ज़िंदगी में कितनी व्यस्तता रहती है, और हम जानना चाहेंगे कि आपके लिए खरीदारी को और बेहतर कैसे बनाया जाए।"
            ),
            sms_feelings="हम समझते हैं कि आप व्यस्त हैं, और अगर हमसे कोई चूक हुई हो तो हमें खेद है।",
            sms_next_step="हम {when} आपके लिए चुने गए कुछ सुझाव साझा करेंगे।",
            apology="अगर हमसे कहीं कोई कमी रह गई हो, तो हमें उसका खेद है।",
            ownership="मैंने ख़ुद आपका खाता देखा है, और हम पक्का करेंगे कि आपका अगला ऑर्डर शानदार रहे।",
            next_step="हम {when} आपके लिए ख़ास तौर पर चुने गए कुछ सुझाव साझा करेंगे।",
            closing="आपका फिर से स्वागत करना हमें बहुत अच्छा लगेगा।",
        ),
        "personal_call": _ActionWording(
            subject="आपके अकाउंट मैनेजर की ओर से एक व्यक्तिगत कॉल",
            call_topic="व्यक्तिगत कॉल",
            feelings="हम समझते हैं कि हाल में हमारे साथ आपका अनुभव आपकी उम्मीदों के मुताबिक़ नहीं रहा।",
            sms_feelings="हम समझते हैं कि हाल में सब ठीक नहीं रहा, हमें इसका खेद है।",
            sms_next_step="हम {when} आपको कॉल करेंगे।",
            apology="इसके लिए हम माफ़ी चाहते हैं।",
            ownership="आप हमारे लिए बहुत ख़ास हैं, इसलिए अब से आपके खाते की ज़िम्मेदारी व्यक्तिगत रूप से मेरी है।",
            next_step="हम {when} आपको कॉल करेंगे, ताकि सब कुछ आराम से समझा जा सके और आगे के कदम साथ मिलकर तय हों।",
            closing="अगर कोई और समय आपके लिए बेहतर हो, तो बस इस संदेश का जवाब दें।",
            call_next_step="हम {when} आपको हमारी बातचीत का लिखित सारांश भेजेंगे, और आगे भी आपके सवालों की ज़िम्मेदारी मेरी रहेगी।",
        ),
        "answer_inquiry": _ActionWording(
            subject="आपके सवाल का जवाब",
            call_topic="आपके सवाल का जवाब",
            feelings="हम समझते हैं कि आप एक साफ़ जवाब चाहते हैं, और हमसे पूछने के लिए धन्यवाद।",
            sms_feelings="हम समझते हैं कि आप एक साफ़ जवाब चाहते हैं।",
            sms_next_step="हम {when} आपके सवाल का पूरा जवाब साझा करेंगे।",
            apology="",
            ownership="मैंने ख़ुद आपके सवाल को देखा है।",
            next_step="हम {when} आपके सवाल का पूरा जवाब साझा करेंगे।",
            closing="हमसे संपर्क करने के लिए धन्यवाद।",
        ),
        "thank_you": _ActionWording(
            subject="दिल से धन्यवाद",
            call_topic="धन्यवाद कॉल",
            feelings="आपका दिल से धन्यवाद, हम समझते हैं कि आपके पास कई विकल्प हैं, इसलिए आपका भरोसा हमारे लिए बहुत मायने रखता है।",
            sms_feelings="दिल से धन्यवाद, हम समझते हैं कि आपके पास कई विकल्प हैं।",
            sms_next_step="बस जवाब दें, हम {when} आपसे संपर्क करेंगे।",
            apology="",
            ownership="हम हर ऑर्डर पर इस भरोसे पर खरा उतरने की पूरी कोशिश करेंगे।",
            next_step="अगर हम कुछ भी बेहतर कर सकें, तो बस इस संदेश का जवाब दें, हम {when} आपसे संपर्क करेंगे।",
            closing="आपका हमारे साथ होना हमारे लिए ख़ुशी की बात है।",
        ),
    },
)

_BENGALI = _Wording(
    greeting="প্রিয় {name},",
    greeting_short="প্রিয় {name},",
    greeting_anonymous="প্রিয় গ্রাহক,",
    name_prefix="{name}, ",
    sign_off="শুভেচ্ছাসহ,\nProCX গ্রাহক পরিষেবা দল",
    sms_sign_off="— ProCX",
    call_plan="কলের পরিকল্পনা:",
    call_open="হ্যালো {name}, আমি ProCX গ্রাহক পরিষেবা দলের পক্ষ থেকে ফোন করছি।",
    call_open_anonymous="হ্যালো, আমি ProCX গ্রাহক পরিষেবা দলের পক্ষ থেকে ফোন করছি।",
    call_close="সময় দেওয়ার জন্য অনেক ধন্যবাদ, আর কোনোভাবে সাহায্য করতে পারি কি?",
    when={
        "critical": "আগামী 4 ঘণ্টার মধ্যে",
        "high": "আজ",
        "medium": "24 ঘণ্টার মধ্যে",
        "low": "2 দিনের মধ্যে",
    },
    apology="এর ফলে যে অসুবিধা হয়েছে, তার জন্য আমরা আন্তরিকভাবে দুঃখিত।",
    sms_apology="এর জন্য আমরা দুঃখিত।",
    offer="এছাড়া আপনার পরের অর্ডারে আমরা আপনাকে {percent}% ছাড় দিতে চাই।",
    sms_offer="এছাড়া পরের অর্ডারে আপনার জন্য থাকছে {percent}% ছাড়।",
    payment_with_amount="{payment_id} ({amount})",
    days_ago="{days} দিন আগে",
    focus={
        "payment": "অর্ডার {order_id}-এর জন্য আপনার পেমেন্ট {payment} সম্পন্ন হয়নি।",
        "payment_no_order": "আপনার পেমেন্ট {payment} সম্পন্ন হয়নি।",
        "cancelled": "আপনার অর্ডার {order_id} বাতিল হয়ে গেছে।",
        "delivery": "আপনার অর্ডার {order_id} নির্ধারিত সময়ে আপনার কাছে পৌঁছায়নি।",
        "order": "আপনার অর্ডার {order_id} নিয়ে আপনার সঙ্গে যোগাযোগ করছি।",
        "ticket_open": "আপনার অনুরোধ {ticket_id} এখনও সমাধান হয়নি।",
        "ticket": "আপনার অনুরোধ {ticket_id} নিয়ে আপনার সঙ্গে যোগাযোগ করছি।",
        "rating": "সম্প্রতি আপনি আমাদের 10-এর মধ্যে {score} রেটিং দিয়েছেন।",
        "quiet": "আমাদের কাছে আপনার শেষ অর্ডার {order_id} ছিল {days_ago}।",
        "recent": "আপনার সাম্প্রতিক অর্ডার {order_id} নিয়ে আপনার সঙ্গে যোগাযোগ করছি।",
        "none": "আমাদের সঙ্গে আপনার সাম্প্রতিক অভিজ্ঞতা নিয়ে আমি নিজে আপনার সঙ্গে যোগাযোগ করছি।",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="আপনার পেমেন্ট সম্পন্ন করতে আমরা সাহায্য করব",
            call_topic="ব্যর্থ পেমেন্টে সাহায্য",
            feelings="পেমেন্ট আটকে গেলে কতটা বিরক্তিকর লাগে, তা আমি বুঝতে পারছি।",
            sms_feelings="এটা কতটা বিরক্তিকর, বুঝতে পারছি, আমরা দুঃখিত।",
            sms_next_step="আমি {when} একটি সুরক্ষিত পেমেন্ট লিংক পাঠানোর ব্যবস্থা করব।",
            apology="এর জন্য আপনার যে দুশ্চিন্তা হয়েছে, তার জন্য আমরা দুঃখিত।",
            ownership="আপনার অর্ডার যাতে আর কোনো ঝামেলা ছাড়াই সম্পন্ন হয়, সেটা আমি নিজে দেখব।",
            next_step="আমি {when} আপনাকে একটি নতুন, সুরক্ষিত পেমেন্ট লিংক পাঠানোর ব্যবস্থা করব।",
            closing="অন্য কোনো পেমেন্ট পদ্ধতি পছন্দ হলে শুধু এই মেসেজের উত্তর দিন, আমরা সেটা আপনার জন্য চালু করে দেব।",
        ),
        "service_recovery": _ActionWording(
            subject="আমরা বিষয়টি ঠিক করে দেব",
            call_topic="সমস্যার সমাধান",
            feelings="এটা কতটা হতাশাজনক, তা আমি বুঝতে পারছি, বিশেষ করে যখন আপনি আমাদের উপর ভরসা করেছিলেন।",
            sms_feelings="আপনার হতাশা বুঝতে পারছি, আমরা আন্তরিকভাবে দুঃখিত।",
            sms_next_step="আমি {when} আপনার সঙ্গে যোগাযোগ করব।",
            apology="এর জন্য আমরা আন্তরিকভাবে দুঃখিত, এটা আমাদের কাঙ্ক্ষিত পরিষেবার মান নয়।",
            ownership="ভুলটা আমাদের, এবং এটা ঠিক করার দায়িত্ব আমি নিজে নিচ্ছি।",
            next_step="আমি {when} আপনার সঙ্গে যোগাযোগ করব এবং কীভাবে সমাধান করছি তা বিস্তারিত জানাব।",
            closing="বিষয়টি ঠিক করার সময় আপনার ধৈর্যের জন্য ধন্যবাদ।",
        ),
        "win_back": _ActionWording(
            subject="আমরা আপনাকে মিস করছি",
            call_topic="আবার স্বাগত জানানো",
            feelings="জীবনে ব্যস্ততা কতটা থাকে, তা বুঝি, আর আপনার জন্য কেনাকাটা আরও ভালো করতে আমরা কী করতে পারি, তা জানতে চাই।",
            sms_feelings="আপনার ব্যস্ততা বুঝি, আর আমাদের কোনো ত্রুটি হয়ে থাকলে আমরা দুঃখিত।",
            sms_next_step="আমি {when} আপনার জন্য কিছু বাছাই করা প্রস্তাব পাঠানোর ব্যবস্থা করব।",
            apology="আমাদের দিক থেকে কোনো ত্রুটি হয়ে থাকলে আমরা দুঃখিত।",
            ownership="আমি নিজে আপনার অ্যাকাউন্ট দেখেছি, এবং আপনার পরের অর্ডার যেন দারুণ হয়, সেটা নিশ্চিত করব।",
            next_step="আমি {when} আপনার পছন্দ অনুযায়ী বাছাই করা কিছু প্রস্তাব পাঠানোর ব্যবস্থা করব।",
            closing="আপনাকে আবার স্বাগত জানাতে পারলে আমরা খুব খুশি হব।",
        ),
        "personal_call": _ActionWording(
            subject="আপনার অ্যাকাউন্ট ম্যানেজারের একটি ব্যক্তিগত কল",
            call_topic="ব্যক্তিগত কল",
            feelings="বুঝতে পারছি, সম্প্রতি আমাদের সঙ্গে আপনার অভিজ্ঞতা আপনার প্রত্যাশা মতো হয়নি।",
            sms_feelings="বুঝতে পারছি সম্প্রতি সবকিছু ঠিকঠাক হয়নি, আমরা দুঃখিত।",
            sms_next_step="আমি {when} আপনাকে ফোন করব।",
            apology="এর জন্য আমরা আন্তরিকভাবে দুঃখিত।",
            ownership="আপনি আমাদের কাছে খুবই গুরুত্বপূর্ণ, তাই এখন থেকে আপনার অ্যাকাউন্টের দায়িত্ব আমি নিজে নিচ্ছি।",
            next_step="আমি {when} আপনাকে ফোন করব, যাতে সবকিছু নিয়ে শান্তভাবে কথা বলে একসঙ্গে পরের পদক্ষেপ ঠিক করতে পারি।",
            closing="অন্য কোনো সময় সুবিধাজনক হলে শুধু এই মেসেজের উত্তর দিন।",
            call_next_step=(
                "আমি {when} আমাদের কথাবার্তার একটি লিখিত সারাংশ পাঠাব, এবং এরপরও আমিই আপনার ব্যক্তিগত যোগাযোগের দায়িত্বে থাকব।"
            ),
        ),
        "answer_inquiry": _ActionWording(
            subject="আপনার প্রশ্নের উত্তর",
            call_topic="আপনার প্রশ্নের উত্তর",
            feelings="বুঝতে পারছি আপনি একটি স্পষ্ট উত্তর চান, আর আমাদের জিজ্ঞাসা করার জন্য ধন্যবাদ।",
            sms_feelings="বুঝতে পারছি আপনি একটি স্পষ্ট উত্তর চান।",
            sms_next_step="আমি {when} পূর্ণাঙ্গ উত্তর পাঠানোর ব্যবস্থা করব।",
            apology="",
            ownership="আমি নিজে আপনার প্রশ্নটি খতিয়ে দেখেছি।",
            next_step="আমি {when} আপনাকে একটি পূর্ণাঙ্গ উত্তর পাঠানোর ব্যবস্থা করব।",
            closing="আমাদের সঙ্গে যোগাযোগ করার জন্য ধন্যবাদ।",
        ),
        "thank_you": _ActionWording(
            subject="আন্তরিক ধন্যবাদ",
            call_topic="ধন্যবাদ জানানোর কল",
            feelings="আন্তরিক ধন্যবাদ, আমরা বুঝি আপনার সামনে অনেক বিকল্প আছে, তাই আপনার আস্থা আমাদের কাছে অনেক মূল্যবান।",
            sms_feelings="আন্তরিক ধন্যবাদ, আমরা বুঝি আপনার সামনে অনেক বিকল্প আছে।",
            sms_next_step="শুধু উত্তর দিন, আমি {when} যোগাযোগ করব।",
            apology="",
            ownership="প্রতিটি অর্ডারে সেই আস্থার মর্যাদা রাখতে আমরা সবসময় চেষ্টা করব।",
            next_step="কোনো কিছু আরও ভালো করার থাকলে শুধু এই মেসেজের উত্তর দিন, আমি {when} আপনার সঙ্গে যোগাযোগ করব।",
            closing="আপনি আমাদের সঙ্গে আছেন, এটা আমাদের জন্য আনন্দের।",
        ),
    },
)

_TAMIL = _Wording(
    greeting="அன்புள்ள {name},",
    greeting_short="வணக்கம் {name},",
    greeting_anonymous="வணக்கம்,",
    name_prefix="{name}, ",
    sign_off="அன்புடன்,\nProCX வாடிக்கையாளர் சேவைக் குழு",
    sms_sign_off="— ProCX",
    call_plan="அழைப்புத் திட்டம்:",
    call_open="வணக்கம் {name}, நான் ProCX வாடிக்கையாளர் சேவைக் குழுவிலிருந்து அழைக்கிறேன்.",
    call_open_anonymous="வணக்கம், நான் ProCX வாடிக்கையாளர் சேவைக் குழுவிலிருந்து அழைக்கிறேன்.",
    call_close="உங்கள் நேரத்துக்கு மிக்க நன்றி, வேறு ஏதாவது உதவி தேவையா?",
    when={
        "critical": "அடுத்த 4 மணி நேரத்திற்குள்",
        "high": "இன்று",
        "medium": "24 மணி நேரத்திற்குள்",
        "low": "2 நாட்களுக்குள்",
    },
    apology="இதனால் ஏற்பட்ட சிரமத்திற்கு மன்னிக்கவும்.",
    sms_apology="இதற்காக மன்னிக்கவும்.",
    offer="மேலும், உங்கள் அடுத்த ஆர்டருக்கு {percent}% தள்ளுபடி வழங்க விரும்புகிறோம்.",
    sms_offer="மேலும், அடுத்த ஆர்டருக்கு {percent}% தள்ளுபடி உண்டு.",
    payment_with_amount="{payment_id} ({amount})",
    days_ago="{days} நாட்களுக்கு முன்பு",
    focus={
        "payment": "ஆர்டர் {order_id}-க்கான உங்கள் கட்டணம் {payment} நிறைவடையவில்லை.",
        "payment_no_order": "உங்கள் கட்டணம் {payment} நிறைவடையவில்லை.",
        "cancelled": "உங்கள் ஆர்டர் {order_id} ரத்து செய்யப்பட்டது.",
        "delivery": "உங்கள் ஆர்டர் {order_id} திட்டமிட்டபடி உங்களை வந்தடையவில்லை.",
        "order": "உங்கள் ஆர்டர் {order_id} குறித்து உங்களைத் தொடர்பு கொள்கிறேன்.",
        "ticket_open": "உங்கள் கோரிக்கை {ticket_id} இன்னும் தீர்க்கப்படவில்லை.",
        "ticket": "உங்கள் கோரிக்கை {ticket_id} குறித்து உங்களைத் தொடர்பு கொள்கிறேன்.",
        "rating": "சமீபத்தில் நீங்கள் எங்களுக்கு 10-க்கு {score} மதிப்பீடு வழங்கினீர்கள்.",
        "quiet": "உங்கள் கடைசி ஆர்டர் {order_id}, {days_ago} செய்யப்பட்டது.",
        "recent": "உங்கள் சமீபத்திய ஆர்டர் {order_id} குறித்து உங்களைத் தொடர்பு கொள்கிறேன்.",
        "none": "எங்களுடனான உங்கள் சமீபத்திய அனுபவம் குறித்து நான் தனிப்பட்ட முறையில் உங்களைத் தொடர்பு கொள்கிறேன்.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="உங்கள் கட்டணத்தை முடிக்க நாங்கள் உதவுவோம்",
            call_topic="தோல்வியடைந்த கட்டணத்திற்கு உதவி",
            feelings="கட்டணம் நிறைவடையாதபோது எவ்வளவு எரிச்சலாக இருக்கும் என்பது எனக்குப் புரிகிறது.",
            sms_feelings="இது எவ்வளவு எரிச்சலானது என்று புரிகிறது, மன்னிக்கவும்.",
            sms_next_step="{when} பாதுகாப்பான கட்டண இணைப்பை அனுப்ப ஏற்பாடு செய்வேன்.",
            apology="இதனால் உங்களுக்கு ஏற்பட்ட கவலைக்கு மன்னிக்கவும்.",
            ownership="உங்கள் ஆர்டர் மேலும் எந்தச் சிக்கலும் இல்லாமல் நிறைவடைவதை நான் தனிப்பட்ட முறையில் உறுதி செய்வேன்.",
            next_step="{when} உங்களுக்கு ஒரு புதிய, பாதுகாப்பான கட்டண இணைப்பை அனுப்ப ஏற்பாடு செய்வேன்.",
            closing="வேறு கட்டண முறை உங்களுக்கு வசதியாக இருந்தால், இந்தச் செய்திக்குப் பதில் அனுப்புங்கள், நாங்கள் அதை ஏற்பாடு செய்வோம்.",
        ),
        "service_recovery": _ActionWording(
            subject="இதை நாங்கள் சரிசெய்வோம்",
            call_topic="சிக்கலைச் சரிசெய்தல்",
            feelings="இது எவ்வளவு ஏமாற்றமாக இருக்கும் என்பது எனக்குப் புரிகிறது, குறிப்பாக நீங்கள் எங்களை நம்பியிருந்தபோது.",
            sms_feelings="உங்கள் ஏமாற்றம் புரிகிறது, இது எங்கள் தவறு, மன்னிக்கவும்.",
            sms_next_step="{when} உங்களைத் தொடர்புகொண்டு தீர்வைத் தெரிவிப்பேன்.",
            apology="இதற்காக மனமார்ந்த மன்னிப்பு கேட்கிறோம், நாங்கள் வழங்க விரும்பும் சேவை இது அல்ல.",
            ownership="இது எங்கள் தவறு, இதைச் சரிசெய்யும் பொறுப்பை நான் தனிப்பட்ட முறையில் ஏற்கிறேன்.",
            next_step="{when} உங்களைத் தொடர்புகொண்டு, இதை எப்படிச் சரிசெய்கிறோம் என்பதை முழுமையாகத் தெரிவிப்பேன்.",
            closing="இதைச் சரிசெய்யும் வரை பொறுமையாக இருப்பதற்கு நன்றி.",
        ),
        "win_back": _ActionWording(
            subject="உங்களை மீண்டும் வரவேற்கக் காத்திருக்கிறோம்",
            call_topic="மீண்டும் வரவேற்பு",
            feelings=(
                "வாழ்க்கை எவ்வளவு பரபரப்பாக இருக்கும் என்பது புரிகிறது, உங்களுக்காக ஷாப்பிங்கை இன்னும் "
                "சிறப்பாக்க நாங்கள் என்ன செய்யலாம் என்று அறிய விரும்புகிறேன்."
            ),
            sms_feelings="உங்கள் பரபரப்பு புரிகிறது, எங்கள் பக்கம் குறை இருந்திருந்தால் மன்னிக்கவும்.",
            sms_next_step="{when} உங்களுக்கான சில பரிந்துரைகளை அனுப்ப ஏற்பாடு செய்வேன்.",
            apology="எங்கள் பக்கம் ஏதாவது குறை இருந்திருந்தால், மன்னிக்கவும்.",
            ownership="உங்கள் கணக்கை நான் தனிப்பட்ட முறையில் பார்த்தேன், உங்கள் அடுத்த ஆர்டர் சிறப்பாக அமைவதை உறுதி செய்வேன்.",
            next_step="{when} உங்களுக்காகவே தேர்ந்தெடுத்த சில பரிந்துரைகளை அனுப்ப ஏற்பாடு செய்வேன்.",
            closing="உங்களை மீண்டும் வரவேற்பதில் மகிழ்ச்சி அடைவோம்.",
        ),
        "personal_call": _ActionWording(
            subject="உங்கள் கணக்கு மேலாளரிடமிருந்து ஒரு தனிப்பட்ட அழைப்பு",
            call_topic="தனிப்பட்ட அழைப்பு",
            feelings="சமீபத்தில் எங்களுடனான உங்கள் அனுபவங்கள் நீங்கள் எதிர்பார்த்தபடி இல்லை என்பது எனக்குப் புரிகிறது.",
            sms_feelings="சமீபத்தில் எல்லாம் சரியாக நடக்கவில்லை என்பது புரிகிறது, மன்னிக்கவும்.",
            sms_next_step="{when} உங்களை அழைப்பதை உறுதி செய்வேன்.",
            apology="இதற்காக மனமார்ந்த மன்னிப்பு கேட்கிறோம்.",
            ownership="நீங்கள் எங்களுக்கு மிகவும் முக்கியமானவர், எனவே இனி உங்கள் கணக்கை நான் தனிப்பட்ட முறையில் கவனித்துக்கொள்வேன்.",
            next_step="{when} உங்களை அழைத்து, எல்லாவற்றையும் நிதானமாகப் பேசி, அடுத்த படிகளை சேர்ந்து முடிவு செய்வோம்.",
            closing="வேறு நேரம் உங்களுக்கு வசதியாக இருந்தால், இந்தச் செய்திக்குப் பதில் அனுப்புங்கள்.",
            call_next_step=(
                "{when} நாம் ஒப்புக்கொண்டவற்றின் எழுத்துப்பூர்வ சுருக்கத்தை அனுப்புவேன், இனியும் நானே உங்கள் தனிப்பட்ட தொடர்பாக இருப்பேன்."
            ),
        ),
        "answer_inquiry": _ActionWording(
            subject="உங்கள் கேள்விக்கான பதில்",
            call_topic="உங்கள் கேள்விக்கான பதில்",
            feelings="நீங்கள் தெளிவான பதிலை எதிர்பார்க்கிறீர்கள் என்பது புரிகிறது, எங்களிடம் கேட்டதற்கு நன்றி.",
            sms_feelings="நீங்கள் தெளிவான பதிலை எதிர்பார்க்கிறீர்கள் என்பது புரிகிறது.",
            sms_next_step="{when} முழுமையான பதிலை அனுப்ப ஏற்பாடு செய்வேன்.",
            apology="",
            ownership="உங்கள் கேள்வியை நான் தனிப்பட்ட முறையில் ஆராய்ந்தேன்.",
            next_step="{when} முழுமையான பதிலை உங்களுக்கு அனுப்ப ஏற்பாடு செய்வேன்.",
            closing="எங்களைத் தொடர்பு கொண்டதற்கு நன்றி.",
        ),
        "thank_you": _ActionWording(
            subject="மனமார்ந்த நன்றி",
            call_topic="நன்றி தெரிவிக்கும் அழைப்பு",
            feelings=(
                "மனமார்ந்த நன்றி, உங்களுக்குப் பல தேர்வுகள் உள்ளன என்பது எங்களுக்குப் புரிகிறது, அதனால் உங்கள் "
                "நம்பிக்கை எங்களுக்கு மிகவும் மதிப்புமிக்கது."
            ),
            sms_feelings="மனமார்ந்த நன்றி, உங்களுக்குப் பல தேர்வுகள் உள்ளன என்பது புரிகிறது.",
            sms_next_step="பதில் அனுப்புங்கள், {when} உங்களைத் தொடர்பு கொள்வதை நான் உறுதி செய்வேன்.",
            apology="",
            ownership="ஒவ்வொரு ஆர்டரிலும் அந்த நம்பிக்கையைக் காப்பாற்ற தொடர்ந்து முயற்சி செய்வோம்.",
            next_step=(
                "நாங்கள் எதையாவது மேம்படுத்த முடியும் என்றால், இந்தச் செய்திக்குப் பதில் அனுப்புங்கள், {when} "
                "உங்களைத் தொடர்பு கொள்வதை நான் உறுதி செய்வேன்."
            ),
            closing="நீங்கள் எங்களுடன் இருப்பது எங்களுக்கு மகிழ்ச்சி.",
        ),
    },
)

_TELUGU = _Wording(
    greeting="ప్రియమైన {name} గారికి,",
    greeting_short="నమస్తే {name} గారు,",
    greeting_anonymous="నమస్తే,",
    name_prefix="{name} గారు, ",
    sign_off="శుభాకాంక్షలతో,\nProCX కస్టమర్ సేవా బృందం",
    sms_sign_off="— ProCX",
    call_plan="కాల్ ప్రణాళిక:",
    call_open="నమస్తే {name} గారు, నేను ProCX కస్టమర్ సేవా బృందం నుండి కాల్ చేస్తున్నాను.",
    call_open_anonymous="నమస్తే, నేను ProCX కస్టమర్ సేవా బృందం నుండి కాల్ చేస్తున్నాను.",
    call_close="మీ సమయానికి ధన్యవాదాలు, ఇంకా ఏమైనా సహాయం కావాలా?",
    when={
        "critical": "రాబోయే 4 గంటల్లోపు",
        "high": "ఈ రోజు",
        "medium": "24 గంటల్లోపు",
        "low": "2 రోజుల్లోపు",
    },
    apology="దీని వల్ల కలిగిన అసౌకర్యానికి క్షమించండి.",
    sms_apology="దీనికి క్షమించండి.",
    offer="అలాగే, మీ తదుపరి ఆర్డర్ మీద {percent}% తగ్గింపు ఇవ్వాలనుకుంటున్నాము.",
    sms_offer="అలాగే, తదుపరి ఆర్డర్ మీద మీకు {percent}% తగ్గింపు ఉంది.",
    payment_with_amount="{payment_id} ({amount})",
    days_ago="{days} రోజుల క్రితం",
    focus={
        "payment": "ఆర్డర్ {order_id} కోసం మీరు చేసిన చెల్లింపు {payment} పూర్తి కాలేదు.",
        "payment_no_order": "మీరు చేసిన చెల్లింపు {payment} పూర్తి కాలేదు.",
        "cancelled": "మీ ఆర్డర్ {order_id} రద్దయింది.",
        "delivery": "మీ ఆర్డర్ {order_id} అనుకున్న సమయానికి మీకు చేరలేదు.",
        "order": "మీ ఆర్డర్ {order_id} గురించి మిమ్మల్ని సంప్రదిస్తున్నాను.",
        "ticket_open": "మీ అభ్యర్థన {ticket_id} ఇంకా పరిష్కారం కాలేదు.",
        "ticket": "మీ అభ్యర్థన {ticket_id} గురించి మిమ్మల్ని సంప్రదిస్తున్నాను.",
        "rating": "ఇటీవల మీరు మాకు 10కి {score} రేటింగ్ ఇచ్చారు.",
        "quiet": "మీరు మా దగ్గర చివరిసారిగా {days_ago} ఆర్డర్ {order_id} చేశారు.",
        "recent": "మీ ఇటీవలి ఆర్డర్ {order_id} గురించి మిమ్మల్ని సంప్రదిస్తున్నాను.",
        "none": "మాతో మీ ఇటీవలి అనుభవం గురించి నేను స్వయంగా మిమ్మల్ని సంప్రదిస్తున్నాను.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="మీ చెల్లింపు పూర్తి చేయడంలో మేము సహాయం చేస్తాము",
            call_topic="విఫలమైన చెల్లింపుకు సహాయం",
            feelings="చెల్లింపు పూర్తి కాకపోతే ఎంత విసుగ్గా ఉంటుందో నేను అర్థం చేసుకోగలను.",
            sms_feelings="ఇది ఎంత ఇబ్బందో అర్థం చేసుకోగలను, క్షమించండి.",
            sms_next_step="{when} సురక్షితమైన చెల్లింపు లింక్ పంపే ఏర్పాటు చేస్తాను.",
            apology="దీని వల్ల మీకు కలిగిన ఆందోళనకు క్షమించండి.",
            ownership="మీ ఆర్డర్ ఇక ఏ ఇబ్బందీ లేకుండా పూర్తయ్యేలా నేను స్వయంగా చూసుకుంటాను.",
            next_step="{when} మీకు కొత్త, సురక్షితమైన చెల్లింపు లింక్ పంపే ఏర్పాటు చేస్తాను.",
            closing="వేరే చెల్లింపు పద్ధతి మీకు సౌకర్యంగా ఉంటే, ఈ సందేశానికి జవాబు ఇవ్వండి, మేము దాన్ని ఏర్పాటు చేస్తాము.",
        ),
        "service_recovery": _ActionWording(
            subject="దీన్ని మేము సరిచేస్తాము",
            call_topic="సమస్య పరిష్కారం",
            feelings="ఇది ఎంత నిరాశ కలిగిస్తుందో నేను అర్థం చేసుకోగలను, ముఖ్యంగా మీరు మాపై ఆధారపడినప్పుడు.",
            sms_feelings="మీ నిరాశను అర్థం చేసుకోగలను, ఇది మా తప్పు, క్షమించండి.",
            sms_next_step="{when} మిమ్మల్ని సంప్రదించి పరిష్కారం తెలియజేస్తాను.",
            apology="దీనికి మనస్ఫూర్తిగా క్షమాపణ కోరుతున్నాము, మేము అందించాలనుకునే సేవ ఇది కాదు.",
            ownership="ఇది మా తప్పు, దీన్ని సరిచేసే బాధ్యత నేను స్వయంగా తీసుకుంటున్నాను.",
            next_step="{when} మిమ్మల్ని సంప్రదించి, దీన్ని ఎలా సరిచేస్తున్నామో పూర్తిగా తెలియజేస్తాను.",
            closing="మేము దీన్ని సరిచేసే వరకు మీరు చూపుతున్న ఓపికకు ధన్యవాదాలు.",
        ),
        "win_back": _ActionWording(
            subject="మిమ్మల్ని మళ్లీ స్వాగతించడానికి ఎదురుచూస్తున్నాము",
            call_topic="తిరిగి స్వాగతం",
            feelings=(
                "జీవితం ఎంత బిజీగా ఉంటుందో అర్థం చేసుకోగలను, మీ షాపింగ్ అనుభవాన్ని ఇంకా మెరుగ్గా చేయడానికి మేము ఏమి చేయగలమో తెలుసుకోవాలనుకుంటున్నాను."
            ),
            sms_feelings="మీ బిజీ జీవితాన్ని అర్థం చేసుకోగలను, మా వైపు లోపం ఉంటే క్షమించండి.",
            sms_next_step="{when} మీ కోసం కొన్ని సూచనలు పంపే ఏర్పాటు చేస్తాను.",
            apology="మా వైపు నుండి ఏదైనా లోపం జరిగి ఉంటే, క్షమించండి.",
            ownership="మీ ఖాతాను నేను స్వయంగా పరిశీలించాను, మీ తదుపరి ఆర్డర్ అద్భుతంగా ఉండేలా చూస్తాను.",
            next_step="{when} మీ కోసమే ఎంపిక చేసిన కొన్ని సూచనలు పంపే ఏర్పాటు చేస్తాను.",
            closing="మిమ్మల్ని మళ్లీ స్వాగతించడం మాకు చాలా సంతోషం.",
        ),
        "personal_call": _ActionWording(
            subject="మీ అకౌంట్ మేనేజర్ నుండి వ్యక్తిగత కాల్",
            call_topic="వ్యక్తిగత కాల్",
            feelings="ఇటీవల మాతో మీ అనుభవాలు మీరు ఆశించినట్లు లేవని నేను అర్థం చేసుకోగలను.",
            sms_feelings="ఇటీవల అంతా సజావుగా జరగలేదని అర్థం చేసుకోగలను, క్షమించండి.",
            sms_next_step="{when} మీకు ఫోన్ చేస్తాను.",
            apology="దీనికి మనస్ఫూర్తిగా క్షమాపణ కోరుతున్నాము.",
            ownership="మీరు మాకు చాలా ముఖ్యం, అందుకే ఇకపై మీ ఖాతా బాధ్యత నేను స్వయంగా చూసుకుంటాను.",
            next_step="{when} మీకు ఫోన్ చేస్తాను, అన్నీ ప్రశాంతంగా మాట్లాడి తదుపరి చర్యలను కలిసి నిర్ణయిద్దాం.",
            closing="వేరే సమయం మీకు అనుకూలంగా ఉంటే, ఈ సందేశానికి జవాబు ఇవ్వండి.",
            call_next_step="{when} మనం అంగీకరించిన విషయాల లిఖిత సారాంశం పంపుతాను, ఇకపైనా నేనే మీకు వ్యక్తిగతంగా అందుబాటులో ఉంటాను.",
        ),
        "answer_inquiry": _ActionWording(
            subject="మీ ప్రశ్నకు సమాధానం",
            call_topic="మీ ప్రశ్నకు సమాధానం",
            feelings="మీరు స్పష్టమైన సమాధానం కోరుకుంటున్నారని అర్థం చేసుకోగలను, మమ్మల్ని అడిగినందుకు ధన్యవాదాలు.",
            sms_feelings="మీరు స్పష్టమైన సమాధానం కోరుకుంటున్నారని అర్థం చేసుకోగలను.",
            sms_next_step="{when} పూర్తి సమాధానం పంపే ఏర్పాటు చేస్తాను.",
            apology="",
            ownership="మీ ప్రశ్నను నేను స్వయంగా పరిశీలించాను.",
            next_step="{when} మీకు పూర్తి సమాధానం పంపే ఏర్పాటు చేస్తాను.",
            closing="మమ్మల్ని సంప్రదించినందుకు ధన్యవాదాలు.",
        ),
        "thank_you": _ActionWording(
            subject="హృదయపూర్వక ధన్యవాదాలు",
            call_topic="ధన్యవాదాల కాల్",
            feelings="హృదయపూర్వక ధన్యవాదాలు, మీకు ఎన్నో ఎంపికలు ఉన్నాయని మేము అర్థం చేసుకోగలము, అందుకే మీ నమ్మకం మాకు ఎంతో విలువైనది.",
            sms_feelings="హృదయపూర్వక ధన్యవాదాలు, మీకు ఎన్నో ఎంపికలు ఉన్నాయని అర్థం చేసుకోగలము.",
            sms_next_step="జవాబు ఇవ్వండి, {when} నేను స్వయంగా సంప్రదిస్తాను.",
            apology="",
            ownership="ప్రతిసారీ ఆ నమ్మకాన్ని నిలబెట్టుకోవడానికి కృషి చేస్తాము.",
            next_step="మేము ఏదైనా మెరుగుపరచగలిగితే, ఈ సందేశానికి జవాబు ఇవ్వండి, {when} నేను స్వయంగా మిమ్మల్ని సంప్రదిస్తాను.",
            closing="మీరు మాతో ఉండటం మాకు ఆనందం.",
        ),
    },
)

# Arabic second-person verbs and adjectives carry the reader's gender, which we do not know:
# the phrases address the customer with forms that are spelled the same for both (لك، طلبك).
_ARABIC = _Wording(
    greeting="مرحبًا {name}،",
    greeting_short="مرحبًا {name}،",
    greeting_anonymous="مرحبًا،",
    name_prefix="{name}، ",
    sign_off="مع خالص التحيات،\nفريق خدمة العملاء في ProCX",
    sms_sign_off="— ProCX",
    call_plan="خطة المكالمة:",
    call_open="مرحبًا {name}، أتصل بك من فريق خدمة العملاء في ProCX.",
    call_open_anonymous="مرحبًا، أتصل بك من فريق خدمة العملاء في ProCX.",
    call_close="شكرًا جزيلًا على وقتك، هل هناك أي شيء آخر يمكنني مساعدتك فيه؟",
    when={
        "critical": "خلال 4 ساعات",
        "high": "اليوم",
        "medium": "خلال 24 ساعة",
        "low": "خلال 48 ساعة",
    },
    apology="نعتذر عن الإزعاج الذي سببه لك ذلك.",
    sms_apology="نعتذر عن ذلك.",
    offer="ويسعدنا أيضًا أن نقدم لك خصمًا بنسبة {percent}% على طلبك القادم.",
    sms_offer="ولك أيضًا خصم {percent}% على طلبك القادم.",
    payment_with_amount="{payment_id} بقيمة {amount}",
    days_ago="قبل {days} يومًا",
    days_ago_two="قبل يومين",
    days_ago_few="قبل {days} أيام",
    focus={
        "payment": "لم تكتمل دفعتك {payment} للطلب {order_id}.",
        "payment_no_order": "لم تكتمل دفعتك {payment}.",
        "cancelled": "تم إلغاء طلبك {order_id}.",
        "delivery": "لم يصلك طلبك {order_id} في الموعد المحدد.",
        "order": "أتواصل معك بخصوص طلبك {order_id}.",
        "ticket_open": "طلب الدعم {ticket_id} الخاص بك لم يُحل بعد.",
        "ticket": "أتواصل معك بخصوص طلب الدعم {ticket_id} الخاص بك.",
        "rating": "منحتنا مؤخرًا تقييم {score} من 10.",
        "quiet": "كان آخر طلب لك لدينا، {order_id}، {days_ago}.",
        "recent": "أتواصل معك بخصوص طلبك الأخير {order_id}.",
        "none": "أتواصل معك بنفسي بخصوص تجربتك الأخيرة معنا.",
    },
    actions={
        "payment_assistance": _ActionWording(
            subject="سنساعدك في إتمام الدفع",
            call_topic="المساعدة في دفعة لم تكتمل",
            feelings="أتفهم تمامًا مدى الإحباط عندما لا تكتمل عملية الدفع.",
            sms_feelings="أتفهم مدى الإزعاج في ذلك، ونعتذر عنه.",
            sms_next_step="سأقوم بإرسال رابط دفع آمن إليك {when}.",
            apology="نعتذر عن القلق الذي سببه لك ذلك.",
            ownership="سأتابع الأمر بنفسي حتى يكتمل طلبك دون أي عناء إضافي.",
            next_step="سأقوم بإرسال رابط دفع جديد وآمن إليك {when}.",
            closing="وإذا كانت طريقة دفع أخرى أنسب لك، فيكفي الرد على هذه الرسالة وسنجهزها لك.",
        ),
        "service_recovery": _ActionWording(
            subject="سنصلح هذا الأمر",
            call_topic="إصلاح المشكلة",
            feelings="أتفهم تمامًا مدى الإحباط الذي سببه ذلك، خاصة مع ثقتك بنا.",
            sms_feelings="أتفهم إحباطك تمامًا، ونعتذر بصدق.",
            sms_next_step="سأتواصل معك بنفسي {when} لأطلعك على الحل.",
            apology="نعتذر بصدق، فهذا ليس مستوى الخدمة الذي نريده لك.",
            ownership="هذا خطؤنا، وأتحمل مسؤولية إصلاحه بنفسي.",
            next_step="سأتواصل معك بنفسي {when} لأطلعك على كل تفاصيل الحل.",
            closing="شكرًا لصبرك بينما نصلح الأمر.",
        ),
        "win_back": _ActionWording(
            subject="اشتقنا إليك",
            call_topic="الترحيب بعودتك",
            feelings="أتفهم أن الحياة قد تكون مزدحمة، ويسعدني أن أعرف ما الذي يمكننا تحسينه من أجلك.",
            sms_feelings="أتفهم انشغالك، ونعتذر إن كان قد بدر منا أي تقصير.",
            sms_next_step="سأقوم بإرسال اقتراحات مختارة لك {when}.",
            apology="وإن كان قد بدر منا أي تقصير، فنحن نعتذر عنه.",
            ownership="لقد راجعت حسابك بنفسي، وسأحرص على أن يكون طلبك القادم رائعًا.",
            next_step="سأقوم بإرسال بعض الاقتراحات المختارة خصيصًا لك {when}.",
            closing="يسعدنا كثيرًا أن نرحب بك من جديد.",
        ),
        "personal_call": _ActionWording(
            subject="مكالمة شخصية من مدير حسابك",
            call_topic="مكالمة شخصية",
            feelings="أتفهم أن تجاربك الأخيرة معنا لم تكن كما توقعت.",
            sms_feelings="أتفهم أن الأمور لم تكن على ما يرام مؤخرًا، ونعتذر عن ذلك.",
            sms_next_step="سأتصل بك بنفسي {when}.",
            apology="نعتذر بصدق عن ذلك.",
            ownership="مكانتك لدينا كبيرة، لذلك سأتابع حسابك بنفسي من الآن فصاعدًا.",
            next_step="سأتصل بك بنفسي {when} لنتحدث بهدوء ونتفق معًا على الخطوات التالية.",
            closing="وإذا كان وقت آخر أنسب لك، فيكفي الرد على هذه الرسالة.",
            call_next_step="سأقوم بإرسال ملخص مكتوب لما اتفقنا عليه {when}، وسأبقى جهة التواصل الشخصية لك.",
        ),
        "answer_inquiry": _ActionWording(
            subject="إجابة عن سؤالك",
            call_topic="الإجابة عن سؤالك",
            feelings="أتفهم رغبتك في الحصول على إجابة واضحة وسريعة.",
            sms_feelings="أتفهم رغبتك في الحصول على إجابة واضحة.",
            sms_next_step="سأقوم بإرسال إجابة كاملة إليك {when}.",
            apology="",
            ownership="لقد راجعت سؤالك بنفسي.",
            next_step="سأقوم بإرسال إجابة كاملة إليك {when}.",
            closing="شكرًا لتواصلك معنا.",
        ),
        "thank_you": _ActionWording(
            subject="شكرًا من القلب",
            call_topic="مكالمة شكر",
            feelings="شكرًا من القلب، فنحن ندرك أن أمامك خيارات كثيرة، ولذلك فإن ثقتك بنا تعني لنا الكثير.",
            sms_feelings="شكرًا من القلب، فنحن ندرك أن أمامك خيارات كثيرة.",
            sms_next_step="يكفي الرد على هذه الرسالة وسأتواصل معك بنفسي {when}.",
            apology="",
            ownership="سنتابع العمل بجد لنكون أهلًا لهذه الثقة في كل طلب.",
            next_step="وإذا كان هناك ما يمكننا تحسينه، فيكفي الرد على هذه الرسالة وسأتواصل معك بنفسي {when}.",
            closing="يسعدنا وجودك معنا.",
        ),
    },
)

_WORDINGS: dict[str, _Wording] = {
    "en": _ENGLISH,
    "hi": _HINDI,
    "bn": _BENGALI,
    "ta": _TAMIL,
    "te": _TELUGU,
    "es": _SPANISH,
    "fr": _FRENCH,
    "de": _GERMAN,
    "ar": _ARABIC,
}


# --- Assembly -----------------------------------------------------------------------------


def _language(context: CustomerContext) -> str:
    code = normalize_language_code(context.language.code)
    return code if code in _WORDINGS else FALLBACK_LANGUAGE


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


def _days_ago(wording: _Wording, days: int) -> str:
    if days == 2 and wording.days_ago_two:
        return wording.days_ago_two
    if 3 <= days <= 10 and wording.days_ago_few:
        return wording.days_ago_few.format(days=days)
    return wording.days_ago.format(days=days)


def _focus_sentence(wording: _Wording, focus: MessageFocus, *, went_wrong: bool) -> str:
    kind = focus.kind if went_wrong else _NEUTRAL_FOCUS.get(focus.kind, focus.kind)
    if kind == "payment":
        if focus.payment_id and focus.amount:
            payment = wording.payment_with_amount.format(payment_id=focus.payment_id, amount=focus.amount)
        else:
            payment = focus.payment_id or focus.amount
        key = "payment" if focus.order_id else "payment_no_order"
        return wording.focus[key].format(payment=payment, order_id=focus.order_id)
    return wording.focus[kind].format(
        order_id=focus.order_id,
        ticket_id=focus.ticket_id,
        score=focus.score,
        days_ago=_days_ago(wording, focus.days),
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _with_name(wording: _Wording, name: str, text: str) -> str:
    return wording.name_prefix.format(name=name) + text if name else _capitalised(text)


def offline_message(*, context: CustomerContext, patterns: PatternReport, decision: Decision) -> Message:
    """The offline draft for `decision`, in the customer's language (English when theirs is
    not one we write). An email has a subject and a greeting-to-sign-off letter; an SMS has no
    subject and fits SMS_MAX_CHARS; a call has a call-plan title and talking points ("- "
    lines) for the account manager. Raises ValueError for a held decision."""
    _check_not_held(decision)
    language = _language(context)
    wording = _WORDINGS[language]
    action = wording.actions[decision.action]
    name = context.profile.first_name.strip()
    went_wrong = _something_went_wrong(context, decision)
    focus = message_focus(context=context, patterns=patterns, decision=decision)

    focus_sentence = _focus_sentence(wording, focus, went_wrong=went_wrong)
    # An action that implies a fault apologises in its own words; a thank-you or an answer
    # apologises only when the customer complained, with the language's general apology.
    apology = action.apology or (wording.apology if went_wrong else "")
    sms_apology = "" if action.apology or not went_wrong else wording.sms_apology
    offer = ""
    if decision.offer_percent > 0 and decision.action not in _NO_OFFER_ACTIONS:
        offer = wording.offer.format(percent=decision.offer_percent)
    when = wording.when[decision.priority]
    next_step = action.next_step.format(when=when)

    if decision.channel == "sms":
        greeting = wording.greeting_short.format(name=name) if name else wording.greeting_anonymous
        sms_offer = wording.sms_offer.format(percent=decision.offer_percent) if offer else ""
        full = (focus_sentence, action.sms_feelings, sms_apology, sms_offer, action.sms_next_step.format(when=when))
        body = _sms_body(greeting, full, short_apology=wording.sms_apology if went_wrong else "", wording=wording)
        return Message(subject="", body=body, language=language)

    if decision.channel == "call":
        call_next_step = action.call_next_step.format(when=when) if action.call_next_step else next_step
        opening = wording.call_open.format(name=name) if name else wording.call_open_anonymous
        points = (opening, focus_sentence, action.feelings, apology, action.ownership, offer, call_next_step)
        body = "\n".join(f"- {_capitalised(point)}" for point in (*points, wording.call_close) if point)
        title = (
            f"{wording.call_plan} {name} — {action.call_topic}" if name else f"{wording.call_plan} {action.call_topic}"
        )
        return Message(subject=title, body=body, language=language)

    greeting = wording.greeting.format(name=name) if name else wording.greeting_anonymous
    paragraphs = (
        greeting,
        _sentences(focus_sentence, action.feelings, apology),
        _sentences(action.ownership, offer, next_step),
        action.closing,
        wording.sign_off,
    )
    subject = _with_name(wording, name, action.subject)
    return Message(subject=subject, body="\n\n".join(paragraphs), language=language)


def _sentences(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _sms_body(greeting: str, parts: tuple[str, ...], *, short_apology: str, wording: _Wording) -> str:
    """The SMS, shortened only when a long name or id pushes it over SMS_MAX_CHARS: first the
    sign-off goes, then the feelings give way to a short apology; the name, the focus, the
    offer and the next step stay."""
    focus_sentence, _feelings, _apology, offer, next_step = parts
    for sentences in (
        (*parts, wording.sms_sign_off),
        parts,
        (focus_sentence, short_apology, offer, next_step),
        (focus_sentence, next_step),
    ):
        body = f"{greeting}\n{_sentences(*sentences)}"
        if len(body) <= SMS_MAX_CHARS:
            return body
    return body[: SMS_MAX_CHARS - 1].rstrip() + "…"
