"""Token amounts: the one module every app uses for them.

Amounts are ``DECIMAL(36, 18)``: 18 fractional digits (the token's on-chain
precision) and up to 10^18 whole tokens; never floats. This module holds:

- the column: ``AmountField`` (model field), ``ZERO``, ``QUANTUM``, ``MAX_AMOUNT``;
- the arithmetic: ``EXACT``, a 40-digit decimal context (Python's default 28 digits
  would round a 36-digit balance or sum), and ``amount_sum_field`` for SQL sums;
- input: ``AMOUNT_PATTERN`` and ``parse_amount``, the one strict parser and validator
  (API field and schema, ``AmountFormField`` of page and admin forms, services);
- output: ``format_amount`` for text (pages, notifications, messages),
  ``amount_out`` and ``AmountSerializerField`` for the API (decimal strings with
  18 places), and the ``token_amount`` template filter (``core/templatetags/amounts.py``).

Core imports no app: the token symbol is read from ``settings.OGC_TOKEN_SYMBOL``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.exceptions import ApplicationError

AMOUNT_MAX_DIGITS = 36
AMOUNT_DECIMAL_PLACES = 18
ZERO = Decimal(0)
#: The smallest amount (10^-18).
QUANTUM = Decimal(1).scaleb(-AMOUNT_DECIMAL_PLACES)
#: An amount as text: ASCII digits, at most one dot with digits on both sides, at most
#: 18 digits on each side; no sign, space, exponent or separator.
AMOUNT_PATTERN = rf"^[0-9]{{1,{AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES}}}(?:\.[0-9]{{1,{AMOUNT_DECIMAL_PLACES}}})?$"
#: The amounts ``AMOUNT_PATTERN`` admits that are zero ("0", "000", "0.00"): a positive
#: amount's schema is ``AMOUNT_PATTERN`` and not this (``core.schema``).
ZERO_AMOUNT_PATTERN = r"^0+(?:\.0+)?$"
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


def exact_sum(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of amounts in ``EXACT`` (``sum()`` in the default context rounds past 28 digits)."""
    with localcontext(EXACT):
        return sum(amounts, ZERO)


def amount_sum_field() -> models.DecimalField:
    """The ``output_field`` of an SQL sum of amounts: as wide as ``EXACT``, so a sum
    of many 36-digit amounts is neither rounded nor refused."""
    return models.DecimalField(max_digits=EXACT.prec, decimal_places=AMOUNT_DECIMAL_PLACES)


# --- input ---------------------------------------------------------------------------------


_AMOUNT_RE = re.compile(AMOUNT_PATTERN)
#: Text shaped like a number whose only fault is its sign or size (a sharper message).
_SIGNED_RE = re.compile(r"-[0-9]+(?:\.[0-9]+)?")
_LONG_RE = re.compile(r"[0-9]+(?:\.([0-9]+))?")
#: The message for anything that is not an amount at all (English; translated where it
#: is raised, like every message of ``parse_amount``).
NOT_AN_AMOUNT = gettext_noop(
    "Enter a valid decimal amount, like 12 or 12.5: digits 0-9 with an optional decimal point between them."
)


def parse_amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """The one parser and validator of amounts (API fields, page and admin forms, services).

    Text must match ``AMOUNT_PATTERN`` exactly: ASCII digits 0-9, at most one ``.`` with a
    digit on each side (``"5."`` and ``".5"`` are refused), at most 18 digits before and 18
    after it; no sign, space (not even around it), exponent, separator or digits of other
    scripts (``Decimal()`` reads Arabic-Indic one-zero-zero as 100). A JSON integer is read
    as its digits; a float is refused (it cannot carry 18 exact places). A ``Decimal``
    (from code: prices, rewards) is checked by value. The amount must be > 0, or >= 0 with
    ``allow_zero`` (fees, pools, prices). Refusals are ``ApplicationError(code=
    "invalid_amount", field=field)`` with a message for people, in the active language."""

    def refuse(message: str) -> ApplicationError:
        return ApplicationError(message, code="invalid_amount", field=field, status_code=400)

    def too_small() -> ApplicationError:
        return refuse(_("The amount cannot be negative.") if allow_zero else _("The amount must be greater than zero."))

    def too_large() -> ApplicationError:
        return refuse(
            _("The amount is too large: at most %(digits)d digits before the decimal point.")
            % {"digits": AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES}
        )

    def too_precise() -> ApplicationError:
        return refuse(_("At most %(places)d decimal places are allowed.") % {"places": AMOUNT_DECIMAL_PLACES})

    if isinstance(value, float):
        raise refuse(_("Amounts must be decimal strings, not floats."))
    if isinstance(value, Decimal):
        amount = value
        if not amount.is_finite():
            raise refuse(_(NOT_AN_AMOUNT))
        if -amount.as_tuple().exponent > AMOUNT_DECIMAL_PLACES:  # type: ignore[operator]
            raise too_precise()
        if amount > MAX_AMOUNT:
            raise too_large()
    else:
        text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not _AMOUNT_RE.fullmatch(text):
            if _SIGNED_RE.fullmatch(text):
                raise too_small()
            long = _LONG_RE.fullmatch(text)
            if long and long[1] and len(long[1]) > AMOUNT_DECIMAL_PLACES:
                raise too_precise()
            raise too_large() if long else refuse(_(NOT_AN_AMOUNT))
        amount = Decimal(text)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise too_small()
    return amount


class AmountFormField(forms.Field):
    """An amount in a page or admin form, parsed by ``parse_amount`` (nothing stripped).
    In a model form, name it in ``Meta.field_classes`` (with ``allow_zero`` through
    ``functools.partial`` for fees, pools and prices): the model field's
    ``max_digits``/``decimal_places`` are the column's and are ignored."""

    widget = forms.TextInput

    def __init__(
        self, *, allow_zero: bool = False, max_digits: int | None = None, decimal_places: int | None = None, **kwargs
    ) -> None:
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def prepare_value(self, value: Any) -> Any:
        return format_amount(value) if isinstance(value, Decimal) and value.is_finite() else value

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value, allow_zero=self.allow_zero)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


# --- output --------------------------------------------------------------------------------


def format_amount(
    value: Decimal | int,
    *,
    places: int | None = None,
    symbol: bool | str = False,
    grouping: bool = False,
    signed: bool = False,
) -> str:
    """An amount as text for people: never an exponent.

    - ``places=None`` (pages, notifications, messages): every digit, no trailing
      zeros (``"10.5"``, ``"0.000001"``, ``"100"``);
    - ``places=2`` (the challenge pages' prizes and fees): Django's ``floatformat:"-2"``,
      i.e. a whole amount without decimals (``"100"``), any other rounded half-up
      to two places (``"2.50"``, ``"0.00"`` for 0.001);
    - ``symbol=True`` appends ``settings.OGC_TOKEN_SYMBOL`` (``"10.5 OGC"``); a string
      appends that symbol instead (a wallet's own ``token_symbol``);
    - ``grouping=True`` (what pages show, through the ``token_amount`` filter): a comma
      between thousands of the whole part (``"1,234,567.123456789012345678"``), the
      fraction never grouped. Without it (the default) there is no separator: text that
      is read back (form inputs, CSV, API, idempotency keys) stays ungrouped, and
      ``parse_amount`` refuses separators.
    - ``signed=True`` writes ``+`` before a positive amount (a negative one always has
      its ``-``; zero has no sign): credits and debits in the console's ledger lists.
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
    if grouping:
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        whole, dot, fraction = digits.partition(".")
        text = f"{sign}{int(whole):,}{dot}{fraction}"
    if signed and not text.startswith("-") and Decimal(value) != 0:
        text = "+" + text
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


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN, "minLength": 1})
class AmountSerializerField(serializers.DecimalField):
    """An amount in the API: out, a decimal string with 18 places; in, a decimal
    string (``"12.5"``) or a JSON integer, checked by ``parse_amount`` (positive, or
    non-negative with ``allow_zero``). JSON numbers with a fraction are refused: a
    float cannot carry 18 exact decimal places, so accepting ``0.1`` would mean
    accepting ``0.1000000000000000055...``. A refusal is a field-level 400.

    The schema is the parser's: ``AMOUNT_PATTERN`` (which also refuses ``""``). JSON
    integers, accepted for compatibility, are not in the schema."""

    default_error_messages = {
        "float": gettext_lazy('Send amounts as decimal strings (e.g. "12.5"), not JSON numbers with a fraction.'),
        "invalid": gettext_lazy(NOT_AN_AMOUNT),
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
            # field_name is None only on a field never bound to a serializer; exc.field is not used below.
            return parse_amount(data, field=self.field_name or "amount", allow_zero=self.allow_zero)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from None
