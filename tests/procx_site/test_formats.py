"""Money for staff: CLDR through Babel in English, rounded half up, never "$nan" or "$-5"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from procx_site.formats import money

MONEY = [
    (Decimal("2499.99"), {}, "$2,499.99"),
    (2499.994, {}, "$2,499.99"),
    (Decimal("0.005"), {}, "$0.01"),  # half up, not to even
    (Decimal("2.5"), {"whole": True}, "$3"),
    (1000, {"whole": True}, "$1,000"),
    (-85, {}, "\u2212$85.00"),
    ("1234.5", {}, "$1,234.50"),
    (Decimal("59"), {"currency": "EUR"}, "€59.00"),
    (None, {}, ""),
    ("n/a", {}, ""),
    (float("nan"), {}, ""),
    (True, {}, ""),
    # Outreach in the customer's language: that locale's CLDR pattern, still rounded half up.
    (Decimal("2499.995"), {"locale": "de"}, "2.500,00\u00a0$"),
    (Decimal("0.125"), {"locale": "fr"}, "0,13\u00a0$US"),
    (-5, {"locale": "fr"}, "\u22125,00\u00a0$US"),
]


@pytest.mark.parametrize(("amount", "options", "expected"), MONEY)
def test_money_is_written_the_cldr_way_for_staff(amount, options, expected) -> None:
    assert money(amount, **options) == expected


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{{ value|money }}", Decimal("8200"), "$8,200.00"),
        ("{{ value|money:0 }}", Decimal("8200.5"), "$8,201"),
        ("{{ value|default:0|money:0 }}", None, "$0"),
        ("{{ value|money }}", None, ""),
    ],
)
def test_the_pages_money_filter_uses_the_same_formatter(source, value, expected) -> None:
    template = Template("{% load procx_format %}" + source)
    assert template.render(Context({"value": value})) == expected
