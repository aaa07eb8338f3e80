"""What every provider module shares: the JSON field readers, the signature checks' helpers,
the signing-scheme description and the base webhook view.

Readers raise PayloadError naming the field ("data.object.amount_due"); signature helpers raise
SignatureError with a message a person can act on, never containing a secret or an expected
signature; a configured secret that cannot be a key at all raises ValueError (a configuration
problem, not a bad delivery). Everything above the view is pure: no ORM, no request.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.descriptions import currency_exponent
from events.webhook_types import PayloadError, SignatureError, UnreadableBody

# A delivery larger than this is refused (413) unread. Providers' payloads are far smaller.
MAX_BODY_BYTES = 256 * 1024

Facts = dict[str, Any]
Json = dict[str, Any]


# Reading fields -----------------------------------------------------------------------------


def _json_object(body: bytes) -> Json:
    try:
        payload = json.loads(body)
    except ValueError as error:  # includes UnicodeDecodeError, and integers too long to convert
        raise UnreadableBody("body", f"is not valid JSON ({error})") from error
    except RecursionError as error:  # a hostile body nested thousands deep: an answer, not a crash
        raise UnreadableBody("body", "is nested too deeply to read") from error
    if not isinstance(payload, dict):
        raise UnreadableBody("body", f"must be a JSON object, not {_type_name(payload)}")
    if b"\\u0000" in body:
        # No provider sends NUL in its data, and PostgreSQL can store it in neither text nor JSON.
        raise UnreadableBody("body", "contains a NUL character (\\u0000), which ProCX cannot store")
    return payload


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _text(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
    """A string field, stripped; "" when absent. Required: present and non-empty."""
    value = container.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(path, "is required")
        return ""
    if not isinstance(value, str):
        if required:
            raise PayloadError(path, f"must be a string, not {_type_name(value)}")
        return ""
    return value.strip()


def _identifier(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
    """An id that providers send as a string or a number (Shopify, Zendesk): always a string."""
    value = container.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text(container, key, path, required=required)


def _integer(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> int | None:
    value = container.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None:
        if required:
            raise PayloadError(path, "is required")
        return None
    if required:
        raise PayloadError(path, f"must be an integer, not {_type_name(value)}")
    return None


def _object(container: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> Json:
    value = container.get(key)
    if isinstance(value, dict):
        return value
    if required:
        raise PayloadError(path, "is required" if value is None else f"must be an object, not {_type_name(value)}")
    return {}


def _array(container: Mapping[str, Any], key: str) -> list[Any]:
    value = container.get(key)
    return value if isinstance(value, list) else []


def _objects(container: Mapping[str, Any], key: str) -> list[Json]:
    return [item for item in _array(container, key) if isinstance(item, dict)]


def _header(headers: Mapping[str, str], name: str, *, required: bool = False) -> str:
    """A header's value, stripped; "" when absent or blank. HTTP header names are
    case-insensitive; a plain dict is not."""
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted and isinstance(value, str) and value.strip():
            return value.strip()
    if required:
        raise PayloadError(name, "header is required")
    return ""


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _iso_time(value: Any, path: str) -> dt.datetime:
    """An ISO 8601 time (any offset; none means UTC) as an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(path, "must be an ISO 8601 time")
    try:
        return _utc(dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError as error:
        raise PayloadError(path, f"is not an ISO 8601 time ({value!r})") from error


def _optional_time(container: Mapping[str, Any], key: str, path: str) -> dt.datetime | None:
    value = container.get(key)
    return None if value is None or value == "" else _iso_time(value, path)


def _unix(value: int, path: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise PayloadError(path, f"is not a unix time ({value})") from error


def _iso(moment: dt.datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


def _iso_or_none(value: Any) -> str | None:
    """An optional time fact: kept as ISO UTC when it reads as one, dropped otherwise."""
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return _iso(dt.datetime.fromtimestamp(value, tz=dt.UTC))
        if isinstance(value, str) and value.strip():
            return _iso(_iso_time(value, ""))
    except (PayloadError, OverflowError, OSError, ValueError):
        return None
    return None


def _currency(value: Any, path: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise PayloadError(path, "must be a three-letter ISO 4217 currency code")
    return value.strip().upper()


def _major(value: Decimal, currency: str) -> str:
    """A major-unit amount written with the currency's decimals, unless that would drop digits."""
    step = Decimal(1).scaleb(-currency_exponent(currency))
    quantized = value.quantize(step)
    return format(quantized if quantized == value else value, "f")


def _decimal(value: Any, path: str) -> Decimal:
    """A number sent as a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PayloadError(path, "must be a number")
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation as error:
        raise PayloadError(path, f"is not a number ({value!r})") from error
    if not number.is_finite():
        raise PayloadError(path, "must be a finite number")
    return number


# Checking signatures ------------------------------------------------------------------------


def _require_header(headers: Mapping[str, str], name: str) -> str:
    value = _header(headers, name)
    if not value:
        raise SignatureError(f"missing header {name}")
    return value


def _require_secrets(secrets: Sequence[str], source: str) -> Sequence[str]:
    if not secrets:
        raise SignatureError(f"no secret configured for {source}")
    return secrets


def _utf8_key(secret: str, index: int) -> bytes:
    if not secret:
        # An empty key is one anyone can sign with.
        raise ValueError(f"webhook secret #{index + 1} is empty")
    return secret.encode()


def _unix_seconds(text: str, header: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise SignatureError(f"header {header} has a timestamp that is not unix seconds")
    return int(text)


def _check_tolerance(timestamp: float, *, now: dt.datetime, tolerance: int, header: str) -> None:
    offset = now.timestamp() - timestamp
    if abs(offset) <= tolerance:
        return
    direction = "in the past" if offset > 0 else "in the future"
    raise SignatureError(
        f"header {header}: timestamp {_shown(timestamp)} is {abs(offset):.0f} s {direction}; the tolerance is {tolerance} s"
    )


def _shown(timestamp: float) -> str:
    try:
        return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp:.0f}"


def _base64_bytes(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text)


def _decoded_signatures(encoded: Sequence[str], decode: Callable[[str], bytes], header: str) -> list[bytes]:
    """Signatures as bytes, so compare_digest never meets a non-ASCII string. A garbled entry is
    skipped when another one reads; the header is malformed when none does."""
    signatures = []
    for text in encoded:
        try:
            signatures.append(decode(text))
        except (binascii.Error, ValueError):
            continue
    if not signatures:
        raise SignatureError(f"header {header} is malformed: its signature does not decode")
    return signatures


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def _require_match(message: bytes, *, keys: Sequence[bytes], signatures: Sequence[bytes]) -> None:
    for key in keys:
        expected = _hmac_sha256(key, message)
        if any(hmac.compare_digest(expected, signature) for signature in signatures):
            return
    raise SignatureError("no signature matches any configured secret")


# The endpoint ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningScheme:
    """How a provider signs its deliveries, as the OpenAPI schema shows it: a security scheme
    declared once in the components, named `name`, and required by the provider's endpoint."""

    name: str
    header: str  # the header that carries the signature
    description: str

    def security_scheme(self) -> dict[str, str]:
        # OpenAPI has no HMAC scheme: a signature header is an API key sent in a header, and the
        # description says how it is computed.
        return {"type": "apiKey", "in": "header", "name": self.header, "description": self.description}


class RawBodyParser(BaseParser):
    """Accept any content type untouched: the signature covers the exact bytes."""

    media_type = "*/*"

    # The raw bytes become request.data: DRF takes any value there, its stubs say a mapping.
    def parse(  # type: ignore[override]
        self, stream: IO[Any] | None, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> bytes:
        return stream.read() if stream is not None else b""


class WebhookSchema(AutoSchema):
    """A provider endpoint's operation requires the view's signing scheme. Not an authentication
    class: DRF does not check the signature; delivery_receive does, so that every delivery,
    rejected ones included, is logged."""

    def get_auth(self) -> list[dict[str, list[str]]]:
        if not isinstance(self.view, WebhookView):
            raise TypeError(f"WebhookSchema describes webhook views only, not {type(self.view).__name__}")
        scheme = self.view.signing_scheme
        self.registry.register_on_missing(
            ResolvedComponent(  # type: ignore[no-untyped-call]  # drf-spectacular leaves its __init__ unannotated
                name=scheme.name,
                type=ResolvedComponent.SECURITY_SCHEMA,
                object=type(self.view),
                schema=scheme.security_scheme(),
            )
        )
        return [{scheme.name: []}]


_ANSWER = inline_serializer(
    name="WebhookAnswer",
    fields={
        "status": serializers.ChoiceField(
            choices=["accepted", "duplicate", "inbox", "rejected", "invalid", "too_large"]
        ),
        "detail": serializers.CharField(help_text="the event's description, or what is wrong"),
        "event_id": serializers.CharField(required=False),
        "field": serializers.CharField(required=False, help_text="the field a 400 is about"),
    },
)


# The providers' own published example payloads, verbatim, one folder per provider; SOURCES.md
# says where each came from. The schema shows them and the tests post them, signed.
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


@dataclass(frozen=True)
class Example:
    """One published example payload: its file in EXAMPLES_DIR/<source>/, a line saying what it
    is, and the headers it is sent with (the type or topic, when the provider puts it there)."""

    file: str
    summary: str
    headers: Mapping[str, str] | None = None

    def body(self, source: str) -> bytes:
        return (EXAMPLES_DIR / source / self.file).read_bytes()


@dataclass(frozen=True)
class RequestHeader:
    """A header the endpoint reads besides the signature (which its security scheme describes)."""

    name: str
    description: str
    required: bool = False


def endpoint_schema(
    *,
    source: str,
    summary: str,
    accepts: str,
    signing_scheme: SigningScheme,
    headers: Sequence[RequestHeader] = (),
    examples: Sequence[Example] = (),
) -> Callable[[type[WebhookView]], type[WebhookView]]:
    """The OpenAPI description of one provider's endpoint, as a class decorator: its own
    operation id and summary, what it accepts, the signing scheme it requires, the other headers
    it reads and the provider's own published examples. (drf-spectacular copies the inherited
    `post` before describing it, so each view gets its own operation.)"""
    describe: Callable[[type[WebhookView]], type[WebhookView]] = extend_schema_view(
        post=extend_schema(
            operation_id=f"webhook_{source}",
            summary=summary,
            description=operation_description(accepts, signing_scheme),
            parameters=[
                OpenApiParameter(
                    header.name,
                    OpenApiTypes.STR,
                    location=OpenApiParameter.HEADER,
                    required=header.required,
                    description=header.description,
                )
                for header in headers
            ],
            examples=[
                OpenApiExample(
                    example.file.removesuffix(".json"),
                    summary=example.summary,
                    description=_example_description(example),
                    value=json.loads(example.body(source)),
                    request_only=True,
                )
                for example in examples
            ],
        )
    )

    def decorate(view: type[WebhookView]) -> type[WebhookView]:
        view.examples = tuple(examples)  # the tests post every one, signed
        return describe(view)

    return decorate


def _example_description(example: Example) -> str:
    sent = ", ".join(f"{name}: {value}" for name, value in (example.headers or {}).items())
    return f"Sent with {sent}. " if sent else ""


def operation_description(accepts: str, signing_scheme: SigningScheme) -> str:
    """A provider endpoint's description: what it accepts, the signing scheme it requires (named,
    not repeated: its security scheme says how to sign) and what it answers."""
    return (
        f"{accepts} Signed as the {signing_scheme.name} security scheme says.\n\n"
        "Answers 200 (stored, or a duplicate acknowledged), 202 (kept in the inbox with the reason: an event type "
        "ProCX does not handle, a customer it does not know, or a field it cannot read; re-processable), 400 (the "
        "body is not a JSON object, named), 401 (bad or missing signature, stale timestamp) or 413 "
        f"(over {MAX_BODY_BYTES // 1024} KB)."
    )


@extend_schema(
    request={"application/json": OpenApiTypes.OBJECT},
    responses={
        200: _ANSWER,
        202: _ANSWER,
        400: _ANSWER,
        401: _ANSWER,
        413: OpenApiResponse(response=_ANSWER, description="body too large"),
    },
    tags=["webhooks"],
)
class WebhookView(APIView):
    """One provider's endpoint. Thin: read the raw body and headers, call `delivery_receive`,
    answer with its status. No authentication or CSRF (providers sign instead), no parsing
    before the signature is checked. A provider's view sets `source` and `signing_scheme` and
    describes its `post` with its own operation id and summary."""

    authentication_classes: Sequence[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    parser_classes = [RawBodyParser]
    renderer_classes = [JSONRenderer]
    schema = WebhookSchema()
    source = ""
    signing_scheme: SigningScheme
    examples: Sequence[Example] = ()

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[JSONRenderer, str]:
        # Providers read JSON whatever they send as Accept: nothing to negotiate, per delivery.
        return JSONRenderer(), JSONRenderer.media_type

    def post(self, request: Request) -> Response:
        # events.services imports the providers' verify and adapt, so the view reaches the
        # service when a delivery arrives rather than when the module loads.
        from events.services import delivery_receive, delivery_too_large

        # A body over the limit is refused from its declared length, without being read.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            result = delivery_too_large(source=self.source, headers=request.headers, size=int(declared))
            return Response(result.body, status=result.status_code)
        result = delivery_receive(source=self.source, headers=request.headers, body=request.body)
        return Response(result.body, status=result.status_code)
