"""How staff-facing pages, descriptions and commands write money and numbers: CLDR through Babel,
in English (staff read English; outreach uses the customer's language, in interventions).

The workbook's amounts (lifetime values, orders, payments) are US dollars (DATA_CONTRACT.md), so
they are written in HOME_CURRENCY; a provider's amount is written in its own currency
(events.descriptions.money).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal

STAFF_LOCALE = "en"
HOME_CURRENCY = "USD"
MINUS = "\u2212"  # a real minus sign, as the descriptions write it


def finite_decimal(amount: object) -> Decimal | None:
    """The amount as a Decimal, or None when it is not a usable number (None, a bool, text that
    is not a number, NaN or infinity)."""
    if amount is None or isinstance(amount, bool):
        return None
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def money(
    amount: Decimal | float | int | str | None,
    currency: str = HOME_CURRENCY,
    *,
    whole: bool = False,
    locale: str = STAFF_LOCALE,
) -> str:
    """ "$2,499.99" (or "$2,500" when `whole`), rounded half up, negative with a minus sign;
    "" when there is no usable amount (None, text that is not a number, NaN). With another
    `locale` (outreach in the customer's language), that locale's CLDR pattern: "2.499,99 $"."""
    value = finite_decimal(amount)
    if value is None:
        return ""
    value = value.quantize(Decimal(1) if whole else Decimal("0.01"), rounding=ROUND_HALF_UP)
    if locale == STAFF_LOCALE:
        pattern = "¤#,##0" if whole else "¤#,##0.00"
        text = format_currency(abs(value), currency, format=pattern, locale=locale, currency_digits=False)
    else:
        text = format_currency(abs(value), currency, locale=locale, currency_digits=False)
    return f"{MINUS}{text}" if value < 0 else text


def number(value: Decimal | float | int, *, places: int = 0) -> str:
    """ "12,345" or "12,345.6" (with `places`), in the staff's locale."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=STAFF_LOCALE)
