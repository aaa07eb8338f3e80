"""Template filters for the staff pages: money through Babel (procx_site.formats), never a literal `$`."""

from __future__ import annotations

from decimal import Decimal

from django import template

from procx_site.formats import money as format_money

register = template.Library()


@register.filter
def money(value: Decimal | float | int | None, places: int = 2) -> str:
    """`{{ customer.lifetime_value|money }}` -> "$8,200.00"; `|money:0` -> "$8,200"; "" for None.
    (Django marks a filter's output safe or not: this one is plain text, escaped as usual.)"""
    return format_money(value, whole=int(places) == 0)
