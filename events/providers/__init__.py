"""Webhook providers, one module each (verify, sign, adapt, headers, signing scheme, view), and
the dispatch by source that events.services uses: `verify(source=...)`, then `adapt(source=...)`.

    procx      ProCX's own envelope, Standard Webhooks     /api/webhooks/events/
    stripe     Stripe events, Stripe-Signature             /api/webhooks/stripe/
    shopify    Shopify topics, X-Shopify-Hmac-Sha256       /api/webhooks/shopify/
    zendesk    Zendesk tickets, X-Zendesk-Webhook-Signature /api/webhooks/zendesk/
    qualtrics  Qualtrics NPS answers, X-ProCX-Signature    /api/webhooks/qualtrics/

Verifying: pure functions of the raw body, the headers (looked up case-insensitively), the
accepted secrets (any may match, so a secret can be rotated without dropping deliveries) and
`now`. A delivery that does not verify raises SignatureError; a configured secret that cannot be
a key at all raises ValueError. The providers' schemes are in /work/shared/WEBHOOKS.md.

Reading (`adapt`): pure too; the signature has already been checked. It raises UnreadableBody
(answered 400) when the body is not a JSON object at all; PayloadError, naming the field
("data.object.customer", "X-Shopify-Topic"), when a field ProCX needs is missing or wrong; and
UnknownEventType for a well-formed delivery of a type ProCX does not map. The last two are
answered 202 and kept in the inbox with the reason: the delivery is the provider's, signed, and
a retry would send the same bytes. Readers take every other field as optional and describe
what is there. Nothing else escapes: a KeyError or TypeError from an odd payload would be a 500
and a retry storm, so `adapt` turns any that slip through into a PayloadError.

Times become aware UTC datetimes (an ISO time without a zone is read as UTC, as the workbook
does). Money becomes a string of major units written with the currency's decimals ("2499.99",
"5000" yen, "1.250" dinars) beside an upper-case ISO `currency`.

The customer
    Each payload that the provider always sends with a customer must name one, or it is a
    PayloadError naming the field expected. Payloads that by the provider's design name no
    customer (a Stripe refund or dispute object, a Shopify refund or product) are read with
    what they do carry (metadata.customer_id, a dispute's evidence email) and may come back
    with the objects they concern in CustomerRef.related (a dispute's charge and payment
    intent, a refund's charge or order): ProCX finds the customer through an earlier event of
    the same provider that names the object. When nothing matches, the delivery is kept in the
    inbox as "no customer matches", with its ids, rather than refused; staff can link the
    provider's customer from there.

Keys of `data`, by meaning (a key is present only when the payload has the fact)
    money: amount, currency, partial (a partial refund), refund_status (issued, pending,
    failed, cancelled), paid_amount; payments: reason (a provider code such as
    "insufficient_funds"), reason_message (the provider's sentence), attempt, next_attempt_at,
    payment_method ("Visa ending 4242"), exp_month, exp_year, automatically_updated,
    invoice_id, invoice_url, charge_id, payment_intent_id, refund_id, dispute_id,
    evidence_due_by; subscriptions: subscription_id, plan, interval, comment, cancelled_at,
    cancel_at; orders: order_id, order_name ("#1001"), item_count, items (titles),
    product_ids, financial_status, fulfillment_status, payment_gateway, promo_code,
    order_created_at, checkout_id, checkout_url, cancelled_at, fulfillment_id,
    shipment_status, carrier, tracking_number, tracking_url, delivered_at; products:
    product_id, product_title, handle; tickets: ticket_id, subject, status, previous_status,
    priority, previous_priority, channel, tags, description, escalation_reason; comments and
    ratings: author ("customer" or "agent"), comment, comment_id, is_public, rating ("good",
    "bad"); NPS: nps_score, feedback, survey_id; email: list, subscribed_at, unsubscribed_at;
    Shopify: shop_domain, shopify_event_id. Times are ISO 8601 UTC strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType

from events.providers import procx, qualtrics, shopify, stripe, zendesk
from events.webhook_types import SOURCES, CanonicalEvent, PayloadError, UnknownEventType

Verifier = Callable[..., None]
Adapter = Callable[[Mapping[str, str], bytes, dt.datetime], CanonicalEvent]

# Keyed by the source a delivery is logged and stored under.
PROVIDERS: dict[str, ModuleType] = {
    "procx": procx,
    "stripe": stripe,
    "shopify": shopify,
    "zendesk": zendesk,
    "qualtrics": qualtrics,
}
VERIFIERS: dict[str, Verifier] = {
    "procx": procx.verify_standard_webhook,
    "stripe": stripe.verify_stripe,
    "shopify": shopify.verify_shopify,
    "zendesk": zendesk.verify_zendesk,
    "qualtrics": qualtrics.verify_qualtrics,
}
_ADAPTERS: dict[str, Adapter] = {
    "procx": procx._adapt_procx,
    "stripe": stripe._adapt_stripe,
    "shopify": shopify._adapt_shopify,
    "zendesk": zendesk._adapt_zendesk,
    "qualtrics": qualtrics._adapt_qualtrics,
}
# Shopify and Qualtrics carry no signed timestamp, so they have no tolerance.
TOLERANCE_SECONDS = {
    "procx": procx.TOLERANCE_SECONDS,
    "stripe": stripe.TOLERANCE_SECONDS,
    "zendesk": zendesk.TOLERANCE_SECONDS,
}


def verify(*, source: str, body: bytes, headers: Mapping[str, str], secrets: Sequence[str], now: dt.datetime) -> None:
    """Check one delivery's signature the way `source` signs it.

    Raises SignatureError (the delivery does not verify) or ValueError (a secret is no key).
    """
    VERIFIERS[source](body=body, headers=headers, secrets=secrets, now=now)


def adapt(*, source: str, headers: Mapping[str, str], body: bytes, received_at: dt.datetime) -> CanonicalEvent:
    """Read one verified delivery from `source` into a CanonicalEvent.

    Raises PayloadError (the field named) or UnknownEventType; nothing else.
    """
    adapter = _ADAPTERS.get(source)
    if adapter is None:
        raise PayloadError("source", f"{source!r} is not one of {', '.join(SOURCES)}")
    try:
        return adapter(headers, body, received_at)
    except (PayloadError, UnknownEventType):
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        # A shape no reader above expected: still the payload's fault, never a 500.
        raise PayloadError("body", f"could not be read ({type(error).__name__}: {error})") from error
