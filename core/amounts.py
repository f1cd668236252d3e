"""Token amounts: the one module every app uses for them.

Amounts are ``DECIMAL(36, 18)``: 18 fractional digits (the token's on-chain
precision) and up to 10^18 whole tokens; never floats. This module holds:

- the column: ``AmountField`` (model field), ``ZERO``, ``QUANTUM``, ``MAX_AMOUNT``;
- the arithmetic: ``EXACT``, a 40-digit decimal context (Python's default 28 digits
  would round a 36-digit balance or sum), and ``amount_sum_field`` for SQL sums;
- input: ``parse_amount``, the one validator (API field, forms, services);
- output: ``format_amount`` for text (pages, notifications, messages),
  ``amount_out`` and ``AmountSerializerField`` for the API (decimal strings with
  18 places), and the ``token_amount`` template filter (``core/templatetags/amounts.py``).

Core imports no app: the token symbol is read from ``settings.OGC_TOKEN_SYMBOL``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any

from django.conf import settings
from django.db import models
from rest_framework import serializers

from core.exceptions import ApplicationError

AMOUNT_MAX_DIGITS = 36
AMOUNT_DECIMAL_PLACES = 18
ZERO = Decimal(0)
#: The smallest amount (10^-18).
QUANTUM = Decimal(1).scaleb(-AMOUNT_DECIMAL_PLACES)
#: Arithmetic on amounts: 36 significant digits plus headroom (Python's default is 28).
EXACT = Context(prec=AMOUNT_MAX_DIGITS + 4)
#: The largest amount the column holds (10^18 - 10^-18; the default context would round it to 10^18).
MAX_AMOUNT = EXACT.subtract(Decimal(10) ** (AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES), QUANTUM)


# --- the column ------------------------------------------------------------------------


def AmountField(**kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """A ``DECIMAL(36, 18)`` model field. A plain ``models.DecimalField`` (migrations
    and the data-model docs see exactly that), built in one place."""
    kwargs.setdefault("max_digits", AMOUNT_MAX_DIGITS)
    kwargs.setdefault("decimal_places", AMOUNT_DECIMAL_PLACES)
    return models.DecimalField(**kwargs)


def amount_sum_field() -> models.DecimalField:
    """The ``output_field`` of an SQL sum of amounts: as wide as ``EXACT``, so a sum
    of many 36-digit amounts is neither rounded nor refused."""
    return models.DecimalField(max_digits=EXACT.prec, decimal_places=AMOUNT_DECIMAL_PLACES)


# --- input ---------------------------------------------------------------------------------


def parse_amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A positive (or, with ``allow_zero``, non-negative), finite decimal with at most
    18 fractional digits and within DECIMAL(36, 18). Floats are refused: they cannot
    represent token amounts. Refusals are ``ApplicationError(code="invalid_amount",
    field=field)``."""

    def refuse(message: str) -> ApplicationError:
        return ApplicationError(message, code="invalid_amount", field=field)

    if isinstance(value, float | bool):
        raise refuse("Amounts must be decimal strings, not floats.")
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip() if isinstance(value, str | int) else ""
        # Decimal() also accepts "1_000" and surrounding junk like "\n"; refuse digit
        # separators so "1_0" cannot silently mean ten.
        if not text or "_" in text:
            raise refuse("Enter a valid decimal amount.")
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError, TypeError):
            raise refuse("Enter a valid decimal amount.") from None
    if not amount.is_finite():
        raise refuse("Enter a finite amount.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise refuse("The amount cannot be negative." if allow_zero else "The amount must be greater than zero.")
    if -amount.as_tuple().exponent > AMOUNT_DECIMAL_PLACES:  # type: ignore[operator]
        raise refuse(f"At most {AMOUNT_DECIMAL_PLACES} decimal places are allowed.")
    if amount > MAX_AMOUNT:
        raise refuse("The amount is too large.")
    return amount


# --- output --------------------------------------------------------------------------------


def format_amount(value: Decimal | int, *, places: int | None = None, symbol: bool | str = False) -> str:
    """An amount as text for people: never an exponent, no thousands separators.

    - ``places=None`` (pages, notifications, messages): every digit, no trailing
      zeros (``"10.5"``, ``"0.000001"``, ``"100"``);
    - ``places=2`` (the challenge pages' prizes and fees): Django's ``floatformat:"-2"``,
      i.e. a whole amount without decimals (``"100"``), any other rounded half-up
      to two places (``"2.50"``, ``"0.00"`` for 0.001);
    - ``symbol=True`` appends ``settings.OGC_TOKEN_SYMBOL`` (``"10.5 OGC"``); a string
      appends that symbol instead (a wallet's own ``token_symbol``).
    """
    amount = Decimal(value)
    if places is None:
        text = f"{amount:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        text = text or "0"
    else:
        with localcontext(EXACT):
            if amount == amount.to_integral_value():
                amount = amount.quantize(Decimal(1))
            else:
                amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{amount:f}"
    if symbol:
        text += f" {settings.OGC_TOKEN_SYMBOL if symbol is True else symbol}"
    return text


_API_CONTEXT = Context(prec=AMOUNT_MAX_DIGITS)


def amount_out(value: Decimal | None) -> str | None:
    """An amount as the API renders it (``AmountSerializerField``): 18 places, never
    an exponent (``"12.500000000000000000"``); None as a serializer renders a null.
    For list items built without a serializer (docs/performance.md)."""
    if value is None:
        return None
    return f"{value.quantize(QUANTUM, context=_API_CONTEXT):f}"


class AmountSerializerField(serializers.DecimalField):
    """An amount in the API: out, a decimal string with 18 places; in, a decimal
    string (``"12.5"``) or a JSON integer, checked by ``parse_amount`` (positive, or
    non-negative with ``allow_zero``). JSON numbers with a fraction are refused: a
    float cannot carry 18 exact decimal places, so accepting ``0.1`` would mean
    accepting ``0.1000000000000000055...``. A refusal is a field-level 400."""

    default_error_messages = {
        "float": 'Send amounts as decimal strings (e.g. "12.5"), not JSON numbers with a fraction.',
        "invalid": "Enter a valid decimal amount.",
    }

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(
            max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, coerce_to_string=True, **kwargs
        )

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, float):
            self.fail("float")
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        try:
            return parse_amount(data, field=self.field_name, allow_zero=self.allow_zero)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from None
