"""``{% load amounts %}``: the one template filter for token amounts (``core.amounts.format_amount``).

- ``{{ value|token_amount }}``: every digit, no trailing zeros or exponent ("10.5", "0.000001");
- ``{{ value|token_amount:"symbol" }}``: the same with the token symbol ("10.5 OGC");
- ``{{ value|token_amount:"2" }}`` or ``"2,symbol"``: whole amounts without decimals, others
  rounded to two places, like ``floatformat:"-2"`` (the challenge pages' prizes and fees);
- ``"thousands"`` and ``"signed"`` (combinable: ``"symbol,thousands"``): grouped by three
  with commas, and ``+`` before a positive amount (the operator console).

Anything but a Decimal is shown as ``str(value)`` (None as nothing)."""

from decimal import Decimal

from django import template

from core.amounts import format_amount

register = template.Library()


@register.filter
def token_amount(value, options: str = "") -> str:
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    flags = {flag.strip() for flag in str(options).split(",") if flag.strip()}
    places = next((int(flag) for flag in flags if flag.isdigit()), None)
    return format_amount(
        value, places=places, symbol="symbol" in flags, thousands="thousands" in flags, signed="signed" in flags
    )
