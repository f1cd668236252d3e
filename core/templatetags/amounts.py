"""``{% load amounts %}``: the one way pages write token amounts (``core.amounts.format_amount``
with ``grouping=True``).

- ``{{ value|token_amount }}``: every digit, thousands separated, no trailing zeros or
  exponent ("1,234.5", "0.000001");
- ``{{ value|token_amount:"symbol" }}``: the same with the token symbol ("10.5 OGC");
- ``{{ value|token_amount:"2" }}`` or ``"2,symbol"``: whole amounts without decimals, others
  rounded to two places, like ``floatformat:"-2"`` (the challenge pages' prizes and fees);
- ``{{ row.amount|signed_amount:row.direction }}``: a ledger amount with its sign, "+1,234.5"
  for a ``credit``, "\u22121,234.5" (a real minus sign) for a ``debit``, no sign for
  anything else (a move between the member's own balances). Pages colour credits with
  ``.amount-credit`` and debits with ``.amount-debit``.
- ``"signed"`` (combinable: ``"symbol,signed"``): ``+`` before a positive amount (the
  operator console's ledger lists); ``"thousands"`` is accepted and changes nothing (pages
  always group).

Anything but a Decimal is shown as ``str(value)`` (None as nothing). Text that is read
back (form inputs, CSV, the API) is never grouped: use ``format_amount`` without
``grouping`` there."""

from decimal import Decimal

from django import template

from core.amounts import format_amount

register = template.Library()

#: The sign a ledger row's direction gives its amount on pages.
SIGNS = {"credit": "+", "debit": "\u2212"}


@register.filter
def token_amount(value, options: str = "") -> str:
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    flags = {flag.strip() for flag in str(options).split(",") if flag.strip()}
    places = next((int(flag) for flag in flags if flag.isdigit()), None)
    return format_amount(value, places=places, symbol="symbol" in flags, grouping=True, signed="signed" in flags)


@register.filter
def signed_amount(value, direction: str = "") -> str:
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    return SIGNS.get(str(direction), "") + format_amount(value, grouping=True)
