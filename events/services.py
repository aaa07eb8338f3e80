"""Receiving webhook deliveries: verify, read, log, store once, and hand on.

`delivery_receive` is what every endpoint calls. It answers the way providers expect: fast,
and with the status that tells them whether to retry. Every delivery is logged (accepted or
not); a verified delivery of an unknown type or for an unknown customer goes to the inbox
(202) and can be re-processed later (`delivery_reprocess`); the same delivery twice,
even at the same moment, is stored once. An inbox delivery that waits for a customer records the
provider's customer id it named; staff link that id to a customer (`provider_customer_link`),
which stores it and every other delivery waiting for the same id. What a stored event then does to the customer
(the sheets, the re-score) happens after commit on the worker (`events.processing`), queued by
this app's receiver of the `customer_events_stored` signal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from customers.models import Customer, CustomerEvent
from events.descriptions import event_description
from events.models import DeliveryOutcome, ProviderCustomer, WebhookDelivery
from events.providers import adapt, verify
from events.providers.base import MAX_BODY_BYTES
from events.signals import customer_events_stored
from events.webhook_types import (
    SOURCES,
    CanonicalEvent,
    PayloadError,
    SignatureError,
    UnknownEventType,
    UnreadableBody,
)
from procx_site.db import column_name, instance_insert

# Headers worth keeping in the log: what identifies and dates a delivery. Signatures are kept
# (they are not secrets and show what was sent); authorization and cookies never are.
LOGGED_HEADERS = (
    "content-type",
    "user-agent",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "stripe-signature",
    "x-shopify-topic",
    "x-shopify-hmac-sha256",
    "x-shopify-shop-domain",
    "x-shopify-webhook-id",
    "x-shopify-event-id",
    "x-shopify-triggered-at",
    "x-zendesk-webhook-signature",
    "x-zendesk-webhook-signature-timestamp",
    "x-procx-signature",
)


@dataclass
class DeliveryResult:
    """What to answer: the HTTP status and a small JSON body, and the log row."""

    status_code: int
    body: dict[str, Any]
    delivery: WebhookDelivery


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    lowered = {key.lower(): value for key, value in headers.items()}
    return {name: lowered[name] for name in LOGGED_HEADERS if name in lowered}


def event_id_for(event: CanonicalEvent) -> str:
    """An id in the seed's style, EVT_20250110_143200_<8 hex>, stable for the same delivery."""
    digest = hashlib.sha256(f"{event.source}:{event.delivery_id}".encode()).hexdigest()[:8].upper()
    return f"EVT_{event.occurred_at.astimezone(dt.UTC):%Y%m%d_%H%M%S}_{digest}"


def _customer_exists(customer_id: str) -> bool:
    # Every delivery asks this; written out, because building it through the ORM took five times
    # what the database spends answering it (measured by bench/webhook_bench.py).
    meta = Customer._meta
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(column_name(meta.pk))} = %s", [customer_id])
        return cursor.fetchone() is not None


def customer_match(event: CanonicalEvent) -> str | None:
    """Our customer id for the delivery: by customer_id, else by email, else by the provider's id."""
    customers = Customer.objects
    reference = event.customer
    if reference.customer_id and _customer_exists(reference.customer_id):
        return reference.customer_id
    if reference.email:
        found = customers.filter(email__iexact=reference.email.strip()).values_list("pk", flat=True).first()
        if found:
            return found
    if reference.provider_customer_id:
        found = (
            ProviderCustomer.objects.filter(source=event.source, provider_customer_id=reference.provider_customer_id)
            .values_list("customer_id", flat=True)
            .first()
        )
        if found:
            return found
    # A payload that names nobody (a dispute, a refund) names the charge or order it is about:
    # the customer is whoever an earlier event of this provider about that object was for.
    # Rare deliveries, read by the provider's own fact key (set by the adapter, not the payload).
    for key, value in reference.related:
        found = (
            CustomerEvent.objects.filter(source=event.source, **{f"metadata__{key}": value})
            .values_list("customer_id", flat=True)
            .first()
        )
        if found:
            return found
    return None


def content_key_for(event: CanonicalEvent, body: bytes) -> str:
    """What makes two deliveries the same event although their unsigned ids differ: the provider,
    the type and the body, or the provider and the facts the adapter names in `content_key`, hashed."""
    digest = hashlib.sha256()
    if event.content_key:
        # Named facts may be shared across types on purpose (Stripe's payment_intent.succeeded
        # and charge.succeeded of one payment): an adapter wanting one per type puts it in the key.
        digest.update(f"facts\n{event.content_key}".encode())
    else:
        digest.update(f"body\n{event.native_type}\n".encode() + body)
    return f"{event.source}:{digest.hexdigest()}"


UNKNOWN_CUSTOMER = "no customer matches"


def _unknown_customer(event: CanonicalEvent) -> str:
    reference = event.customer
    named = [
        f"{label} {value!r}"
        for label, value in (
            ("customer_id", reference.customer_id),
            ("email", reference.email),
            (f"{event.source} customer", reference.provider_customer_id),
            *((key.removesuffix("_id").replace("_", " "), value) for key, value in reference.related),
        )
        if value
    ]
    return f"{UNKNOWN_CUSTOMER} {' or '.join(named) or 'the delivery'}"


def _note_waiting_for(delivery: WebhookDelivery, event: CanonicalEvent) -> None:
    """Record on a delivery going to (or staying in) the inbox for want of a customer which
    provider customer it waits for, so staff can link that id (blank when it named none)."""
    delivery.provider_customer_id = event.customer.provider_customer_id[:100]
    delivery.customer_email = event.customer.email[:254]


def _event_for(event: CanonicalEvent, *, customer_id: str, body: bytes, received_at: dt.datetime) -> CustomerEvent:
    """The CustomerEvent a delivery becomes, built (description and all) but not saved."""
    return CustomerEvent(
        event_id=event_id_for(event),
        customer_id=customer_id,
        event_type=event.event_type,
        event_time=event.occurred_at,
        source=event.source,
        category=event.category,
        description=event_description(event),
        metadata={**event.data, "native_type": event.native_type},
        raw_payload=_raw(body),
        delivery_key=f"{event.source}:{event.delivery_id}",
        content_key=content_key_for(event, body),
        received_at=received_at,
    )


def _store(stored: CustomerEvent, *, event: CanonicalEvent) -> CustomerEvent:
    """Insert the event (IntegrityError if this delivery is already stored) and learn the provider's id."""
    instance_insert(stored)
    provider_id = event.customer.provider_customer_id
    if provider_id:
        ProviderCustomer.objects.get_or_create(
            source=event.source, provider_customer_id=provider_id, defaults={"customer_id": stored.customer_id}
        )
    return stored


def _stored_twin(stored: CustomerEvent) -> CustomerEvent | None:
    """The event already stored under this delivery's id or with this delivery's content."""
    return (
        CustomerEvent.objects.filter(delivery_key=stored.delivery_key).first()
        or CustomerEvent.objects.filter(content_key=stored.content_key).first()
    )


def _raw(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return {"form": body.decode("utf-8", errors="replace")}


def _announce(events: list[CustomerEvent]) -> None:
    """Tell downstream the events are stored; a receiver that queues work defers it to on_commit."""
    customer_events_stored.send(sender=CustomerEvent, event_ids=[event.pk for event in events])


def delivery_too_large(*, source: str, headers: Mapping[str, str], size: int) -> DeliveryResult:
    """Log and refuse (413) a delivery whose declared size is over the limit, unread."""
    message = f"the body is {size:,} bytes; the limit is {MAX_BODY_BYTES:,}"
    log = WebhookDelivery.objects.create(
        source=source,
        received_at=timezone.now(),
        headers=_headers(headers),
        body_bytes=size,
        outcome=DeliveryOutcome.TOO_LARGE,
        status_code=413,
        error=message,
    )
    return DeliveryResult(413, {"status": DeliveryOutcome.TOO_LARGE, "detail": message}, log)


def delivery_receive(
    *, source: str, headers: Mapping[str, str], body: bytes, received_at: dt.datetime | None = None
) -> DeliveryResult:
    """Verify, read, log and (once) store one delivery; returns what to answer."""
    received_at = received_at or timezone.now()
    log = WebhookDelivery(
        source=source,
        received_at=received_at,
        headers=_headers(headers),
        body_bytes=len(body),
        body_sha256=hashlib.sha256(body).hexdigest(),
    )

    def answer(status: int, outcome: str, message: str, *, error: str | None = None, **extra: Any) -> DeliveryResult:
        log.status_code, log.outcome = status, outcome
        if error is not None or status >= 400:
            log.error = message if error is None else error
        instance_insert(log)  # one statement; nothing reads the log row's new id
        return DeliveryResult(status, {"status": outcome, "detail": message, **extra}, log)

    if len(body) > MAX_BODY_BYTES:
        return answer(
            413, DeliveryOutcome.TOO_LARGE, f"the body is {len(body):,} bytes; the limit is {MAX_BODY_BYTES:,}"
        )
    try:
        verify(
            source=source, body=body, headers=headers, secrets=settings.PROCX_WEBHOOK_SECRETS[source], now=received_at
        )
        log.signature_verified = True
    except SignatureError as error:
        if not settings.PROCX_WEBHOOKS_ALLOW_UNSIGNED:
            # Headers, size, hash and the reason; not the body: anyone can post, and what they
            # post must not fill the database.
            return answer(401, DeliveryOutcome.REJECTED, str(error))
        log.unsigned_allowed = True
        log.error = f"signature not verified ({error}); accepted because PROCX_WEBHOOKS_ALLOW_UNSIGNED is on"
    # As text, readable; PostgreSQL's text cannot hold NUL, so a NUL byte is shown as U+FFFD.
    log.body = body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")

    try:
        event = adapt(source=source, headers=headers, body=body, received_at=received_at)
    except UnreadableBody as error:
        return answer(400, DeliveryOutcome.INVALID, str(error), field=error.field_name)
    except PayloadError as error:
        # Verified, so the provider's own: kept with the reason rather than refused, since a
        # retry would send the same bytes and the provider would drop it in the end.
        log.native_type = _native_type(source, headers, body)[:100]
        return _inbox(answer, f"could not be read: {error}", field=error.field_name)
    except UnknownEventType as error:
        log.native_type = error.native_type[:100]
        return _inbox(answer, str(error))
    log.delivery_id = event.delivery_id[:200]
    log.native_type = event.native_type[:100]
    log.event_type = event.event_type
    return _accept(event, log=log, body=body, received_at=received_at, answer=answer)


def _inbox(answer: Any, reason: str, **extra: Any) -> DeliveryResult:
    return answer(202, DeliveryOutcome.INBOX, f"kept in the inbox: {reason}", error=reason, **extra)


def _native_type(source: str, headers: Mapping[str, str], body: bytes) -> str:
    """The provider's type or topic of a delivery that could not be read, for the log."""
    lowered = {key.lower(): value for key, value in headers.items()}
    if source == "shopify":
        return lowered.get("x-shopify-topic", "")
    with contextlib.suppress(ValueError, RecursionError):
        payload = json.loads(body)
        if isinstance(payload, dict):
            native = payload.get("type") or payload.get("event_type") or ""
            return native if isinstance(native, str) else ""
    return ""


def _accept(
    event: CanonicalEvent, *, log: WebhookDelivery, body: bytes, received_at: dt.datetime, answer: Any
) -> DeliveryResult:
    """Store a verified, matched delivery once, then log it.

    Two single-statement writes, not one transaction: on SQLite a transaction holds the
    database's only write lock from its first statement to its commit, Python work and all,
    while every other delivery waits (measured: a third of the throughput and twice the p99
    latency). The order makes a crash between the two safe: the event, which is what matters,
    is stored first; the provider, having had no answer, sends it again, and that delivery is
    logged as a duplicate. Everything is built before the first write.
    """
    customer_id = customer_match(event)
    if customer_id is None:
        _note_waiting_for(log, event)
        return _inbox(answer, _unknown_customer(event))
    stored = _event_for(event, customer_id=customer_id, body=body, received_at=received_at)
    # In autocommit SQLite takes and lets go of the lock inside the INSERT; inside a caller's
    # transaction a savepoint keeps a duplicate's error from spoiling it.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with savepoint:
            _store(stored, event=event)
    except IntegrityError:
        # The unique keys detect the duplicate in the INSERT itself; only then is it looked up.
        existing = _stored_twin(stored)
        if existing is None:  # not a duplicate: the customer went away between the match and the insert
            _note_waiting_for(log, event)
            return _inbox(answer, _unknown_customer(event))
        log.event = existing
        if existing.delivery_key == stored.delivery_key:
            return answer(200, DeliveryOutcome.DUPLICATE, "already received", event_id=existing.pk)
        # The same content under another delivery id: a replay (Shopify's id header is not
        # signed) or a provider's resend; acknowledged, stored once.
        log.error = f"the same {event.native_type or 'delivery'} as {existing.delivery_key}, under another delivery id"
        return answer(
            200, DeliveryOutcome.DUPLICATE, "already received under another delivery id", event_id=existing.pk
        )
    _announce([stored])
    log.event = stored
    return answer(200, DeliveryOutcome.ACCEPTED, stored.description, event_id=stored.pk)


def deliveries_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the log's deliveries older than PROCX_WEBHOOK_LOG_DAYS, except those still in the
    inbox (kept until staff handle them); returns how many were deleted. The scheduled task
    runs it, so the log grows with the traffic of the last month, not with all time."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.PROCX_WEBHOOK_LOG_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(received_at__lt=cutoff).exclude(outcome=DeliveryOutcome.INBOX).delete()
    return deleted


def _still_waiting(delivery: WebhookDelivery, event: CanonicalEvent) -> WebhookDelivery:
    """An inbox delivery that still matches no customer: the current reason and what it waits for."""
    delivery.error = _unknown_customer(event)
    _note_waiting_for(delivery, event)
    delivery.save(update_fields=["error", "provider_customer_id", "customer_email"])
    return delivery


def delivery_reprocess(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Read an inbox delivery again (its customer may exist now, or its type be handled) and
    store it if it can be; the signature was checked when it arrived. Returns the delivery,
    updated: outcome reprocessed with its event, or still inbox with the current reason.

    Safe to run twice at once on the same delivery (a double click, two staff, a link and a
    Re-process): the delivery's row is locked and read again before anything is written, so
    the second finds it already re-processed; and the event's unique keys keep two deliveries
    of the same content from storing it twice."""
    if delivery.outcome != DeliveryOutcome.INBOX:
        raise ValueError(f"delivery {delivery.pk} is {delivery.get_outcome_display().lower()}, not in the inbox")
    body = delivery.body.encode()
    try:
        event = adapt(source=delivery.source, headers=delivery.headers, body=body, received_at=delivery.received_at)
    except (PayloadError, UnknownEventType) as error:
        delivery.error = str(error)
        delivery.save(update_fields=["error"])
        return delivery
    customer_id = customer_match(event)
    if customer_id is None:
        return _still_waiting(delivery, event)
    with transaction.atomic():
        # The lock (PostgreSQL; SQLite's IMMEDIATE transaction already holds the write lock)
        # makes a concurrent re-process of this delivery wait here, then see it done.
        current = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).values_list("outcome", flat=True)
        if current.first() != DeliveryOutcome.INBOX:
            delivery.refresh_from_db()
            return delivery
        built = _event_for(event, customer_id=customer_id, body=body, received_at=delivery.received_at)
        stored = _stored_twin(built)
        if stored is None:
            try:
                with transaction.atomic():  # a savepoint: a duplicate's error must not spoil the lock's transaction
                    stored = _store(built, event=event)
            except IntegrityError:
                # Stored meanwhile by another delivery of the same content (or the customer went away).
                stored = _stored_twin(built)
                if stored is None:
                    return _still_waiting(delivery, event)
            else:
                _announce([stored])
        delivery.event = stored
        delivery.outcome = DeliveryOutcome.REPROCESSED
        delivery.delivery_id = event.delivery_id[:200]
        delivery.event_type = event.event_type
        delivery.reprocessed_at = timezone.now()
        delivery.error = ""
        delivery.save()
    return delivery


# --- Linking a provider's customer from the inbox ------------------------------------------------

# What each provider calls the person its id names, for the sentences staff read.
PROVIDER_CUSTOMER_NAMES = {"zendesk": "Zendesk requester", "stripe": "Stripe customer", "shopify": "Shopify customer"}


def provider_customer_label(source: str, provider_customer_id: str) -> str:
    """'Zendesk requester 8447388090494': a provider's customer id as staff read it."""
    return f"{PROVIDER_CUSTOMER_NAMES.get(source, f'{source.title()} customer')} {provider_customer_id}"


@dataclass(frozen=True)
class WaitingFor:
    """The provider customer an inbox delivery waits for."""

    source: str
    provider_customer_id: str
    email: str

    @property
    def label(self) -> str:
        return provider_customer_label(self.source, self.provider_customer_id)


def delivery_waiting_for(delivery: WebhookDelivery) -> WaitingFor | None:
    """Which provider customer an inbox delivery waits (or, once stored, waited) for: the id
    recorded when it arrived, or, for an inbox entry logged before that was recorded, the id
    read again from its body (the caller loads the body). None when it waits for something else
    (an event type it does not handle, a field) or named no provider customer id."""
    if delivery.provider_customer_id:
        return WaitingFor(delivery.source, delivery.provider_customer_id, delivery.customer_email)
    if delivery.outcome != DeliveryOutcome.INBOX or not delivery.error.startswith(UNKNOWN_CUSTOMER):
        return None
    if not delivery.body:
        return None
    try:
        event = adapt(
            source=delivery.source,
            headers=delivery.headers,
            body=delivery.body.encode(),
            received_at=delivery.received_at,
        )
    except (PayloadError, UnknownEventType):
        return None
    if not event.customer.provider_customer_id:
        return None
    return WaitingFor(delivery.source, event.customer.provider_customer_id[:100], event.customer.email[:254])


def deliveries_waiting_for(*, source: str, provider_customer_id: str) -> list[WebhookDelivery]:
    """The inbox deliveries waiting for this provider customer, oldest first (without bodies).
    Entries logged before the id was recorded are found by the reason they were kept with,
    which names the id ("no customer matches zendesk customer '8447388090494'")."""
    reason = f"{source} customer {provider_customer_id!r}"
    candidates = (
        WebhookDelivery.objects.filter(outcome=DeliveryOutcome.INBOX, source=source)
        .filter(
            models.Q(provider_customer_id=provider_customer_id)
            | models.Q(provider_customer_id="", error__contains=reason)
        )
        .defer("body")
        .order_by("received_at", "pk")
    )
    # SQLite's LIKE ignores case, and a Stripe id's case matters: keep the exact ones.
    return [
        delivery
        for delivery in candidates
        if delivery.provider_customer_id == provider_customer_id or reason in delivery.error
    ]


class LinkRefused(Exception):
    """A link staff asked for that cannot be made; the message says why, for the form.
    `linked_to` is the customer the provider's id is linked to now, when that is why."""

    def __init__(self, message: str, *, linked_to: Customer | None = None) -> None:
        super().__init__(message)
        self.linked_to = linked_to


@dataclass(frozen=True)
class ProviderCustomerLinked:
    """What linking did: the mapping, whether it changed, and the waiting deliveries it stored
    (as events for the customer) and those still waiting, each with its reason."""

    mapping: ProviderCustomer
    customer: Customer
    changed: bool  # False: the id was already linked to this customer, nothing changed
    previous_customer_id: str  # the customer it was linked to before, when replace moved it
    stored: list[WebhookDelivery]
    waiting: list[WebhookDelivery]


def provider_customer_link(
    *,
    source: str,
    provider_customer_id: str,
    customer_id: str,
    user: User | None,
    replace: bool = False,
) -> ProviderCustomerLinked:
    """Link a provider's customer id to one of our customers, as staff say from the inbox, then
    re-process every inbox delivery waiting for that id, oldest first.

    Refused (LinkRefused) for an unknown customer, or when the id is linked to another customer
    and `replace` is not set (the message names that customer). Linking it to the customer it
    already has is a success that changes nothing (it still re-processes whatever waits, so a
    link learnt from a later delivery also releases the earlier ones). Two links at once are
    safe: the unique (source, provider id) constraint keeps one mapping, the row is locked while
    it is decided, and re-processing a delivery twice stores it once (`delivery_reprocess`).
    Each delivery is re-processed in its own transaction, so a long inbox does not hold the
    database's write lock while the provider's next deliveries wait."""
    provider_customer_id = provider_customer_id.strip()
    label = provider_customer_label(source, provider_customer_id)
    if source not in SOURCES:
        raise LinkRefused(f"{source!r} is not a webhook source ({', '.join(SOURCES)}).")
    if not provider_customer_id:
        raise LinkRefused("Which provider customer? The id is empty.")
    customer_id = customer_id.strip()
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        raise LinkRefused(f"No ProCX customer has the id {customer_id!r}." if customer_id else "Choose a customer.")
    previous = ""
    with transaction.atomic():
        mapping, created = ProviderCustomer.objects.select_for_update().get_or_create(
            source=source, provider_customer_id=provider_customer_id, defaults={"customer": customer, "linked_by": user}
        )
        changed = created
        if not created and mapping.customer_id != customer.pk:
            if not replace:
                linked_to = Customer.objects.get(pk=mapping.customer_id)
                raise LinkRefused(
                    f"{label} is already linked to {linked_to}. Replace that link to move it to {customer}.",
                    linked_to=linked_to,
                )
            previous = mapping.customer_id
            mapping.customer, mapping.linked_by, mapping.created_at = customer, user, timezone.now()
            mapping.save(update_fields=["customer", "linked_by", "created_at"])
            changed = True
    stored: list[WebhookDelivery] = []
    waiting: list[WebhookDelivery] = []
    for delivery in deliveries_waiting_for(source=source, provider_customer_id=provider_customer_id):
        delivery = delivery_reprocess(delivery=delivery)
        (stored if delivery.outcome == DeliveryOutcome.REPROCESSED else waiting).append(delivery)
    return ProviderCustomerLinked(
        mapping=mapping,
        customer=customer,
        changed=changed,
        previous_customer_id=previous,
        stored=stored,
        waiting=waiting,
    )
