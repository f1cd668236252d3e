"""core.amounts: the one module for token amounts (column, context, parse, format,
API field, template filter)."""

import re
from decimal import Decimal

import pytest
from django.db import models
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from core.amounts import (
    AMOUNT_DECIMAL_PLACES,
    AMOUNT_PATTERN,
    EXACT,
    MAX_AMOUNT,
    QUANTUM,
    AmountField,
    AmountSerializerField,
    amount_out,
    amount_sum_field,
    format_amount,
    parse_amount,
)
from core.exceptions import ApplicationError

D = Decimal
#: Every value the column holds: 0 to 10^18 - 10^-18, 18 places.
column_values = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=AMOUNT_DECIMAL_PLACES, allow_nan=False)


# --- the column -----------------------------------------------------------------------------


def test_amount_field_is_a_plain_decimal_36_18_for_migrations():
    field = AmountField(default=D(0))
    _, path, args, kwargs = field.deconstruct()
    assert type(field) is models.DecimalField
    assert path == "django.db.models.DecimalField"
    assert (args, kwargs["max_digits"], kwargs["decimal_places"]) == ([], 36, 18)


def test_constants():
    assert D("1e-18") == QUANTUM
    assert D("999999999999999999.999999999999999999") == MAX_AMOUNT
    assert EXACT.prec == 40
    assert amount_sum_field().max_digits == 40 and amount_sum_field().decimal_places == 18


# --- parse ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.5", D("12.5")), (7, D(7)), (D("0.000000000000000001"), QUANTUM), (str(MAX_AMOUNT), MAX_AMOUNT)],
)
def test_parse_accepts(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "greater than zero"),
        ("0.000", "greater than zero"),
        ("-5", "greater than zero"),
        (-5, "greater than zero"),
        ("abc", "digits 0-9"),
        ("", "digits 0-9"),
        ("1_000", "digits 0-9"),
        ("NaN", "digits 0-9"),
        ("Infinity", "digits 0-9"),
        ("-Infinity", "digits 0-9"),
        ("0.0000000000000000001", "18 decimal places"),
        ("1" + "0" * 18, "too large"),
        (10**18, "too large"),
        ("0" * 19 + ".5", "too large"),
        (1.5, "decimal strings"),
        (True, "digits 0-9"),
        (None, "digits 0-9"),
        ([], "digits 0-9"),
        # Strict since issue #13: what Decimal() accepts but an amount is not.
        ("١٠٠", "digits 0-9"),
        ("１２", "digits 0-9"),
        ("٣.٥", "digits 0-9"),
        ("𝟓", "digits 0-9"),
        (" 5 ", "digits 0-9"),
        ("\t7\n", "digits 0-9"),
        ("5\n", "digits 0-9"),
        ("1 000", "digits 0-9"),
        ("+5", "digits 0-9"),
        ("1e3", "digits 0-9"),
        ("1E-3", "digits 0-9"),
        ("5.", "digits 0-9"),
        (".5", "digits 0-9"),
        (".", "digits 0-9"),
        ("1.2.3", "digits 0-9"),
        ("1,5", "digits 0-9"),
        ("0x10", "digits 0-9"),
        ("-", "digits 0-9"),
        ("--5", "digits 0-9"),
    ],
)
def test_parse_refuses_with_a_field_message(value, message):
    with pytest.raises(ApplicationError) as info:
        parse_amount(value, field="prize_pool")
    assert message in info.value.message
    assert (info.value.code, info.value.field) == ("invalid_amount", "prize_pool")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("007", D(7)), ("0.50", D("0.50")), ("100", D(100)), (12, D(12)), ("9" * 18 + "." + "9" * 18, MAX_AMOUNT)],
)
def test_parse_accepts_plain_ascii_amounts(value, expected):
    amount = parse_amount(value)
    assert amount == expected and amount.as_tuple() == D(str(value)).as_tuple()


def test_a_decimal_from_code_is_checked_by_value():
    """Services called by other code (prices, rewards) get Decimals: no text to check,
    the same rules on the value."""
    assert parse_amount(D("1E+3")) == 1000
    for bad in (D("NaN"), D("-1"), D(0), D("1e-19"), MAX_AMOUNT + QUANTUM):
        with pytest.raises(ApplicationError):
            parse_amount(bad)


# Any text at all, and text shaped like amounts (to reach the accepting branch often).
texts = st.text() | st.from_regex(r"\A[0-9+\-.eE ]{0,40}\Z") | st.from_regex(AMOUNT_PATTERN, fullmatch=True)


@given(texts)
def test_every_accepted_string_matches_the_pattern_and_round_trips_exactly(text):
    try:
        amount = parse_amount(text)
    except ApplicationError as exc:
        assert exc.field == "amount" and exc.code == "invalid_amount"
        return
    assert re.fullmatch(AMOUNT_PATTERN, text)
    assert text.isascii() and text == text.strip()
    assert amount.as_tuple() == D(text).as_tuple()  # the digits written, nothing rounded
    assert parse_amount(amount_out(amount)) == amount
    assert parse_amount(format_amount(amount)) == amount


@given(st.from_regex(AMOUNT_PATTERN, fullmatch=True))
def test_every_string_matching_the_pattern_is_accepted_unless_zero(text):
    if D(text) == 0:
        assert parse_amount(text, allow_zero=True) == 0
    else:
        assert parse_amount(text) == D(text)


def test_allow_zero_accepts_zero_and_still_refuses_negatives():
    assert parse_amount("0", allow_zero=True) == 0
    with pytest.raises(ApplicationError, match="cannot be negative"):
        parse_amount("-1", allow_zero=True)


def test_pattern_is_ascii_only_and_anchored():
    assert AMOUNT_PATTERN.startswith("^") and AMOUNT_PATTERN.endswith("$")
    assert "\\d" not in AMOUNT_PATTERN  # \d is any Unicode digit in Python


# --- format -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("10.500000000000000000"), "10.5"),
        (D("0.000001"), "0.000001"),
        (D("1E+2"), "100"),
        (D("0E-18"), "0"),
        (D(0), "0"),
        (5, "5"),
        # 36 significant digits: Decimal.normalize() in the default context would round them.
        (MAX_AMOUNT, "999999999999999999.999999999999999999"),
    ],
)
def test_format_every_digit_without_trailing_zeros(value, text):
    assert format_amount(value) == text


def test_format_symbol(settings):
    settings.OGC_TOKEN_SYMBOL = "TKN"
    assert format_amount(D("2.50"), symbol=True) == "2.5 TKN"
    assert format_amount(D("2.50"), symbol="OGC") == "2.5 OGC"


@given(column_values)
def test_format_places_2_is_floatformat_minus_2(value):
    assert format_amount(value, places=2) == floatformat(value, "-2")


@given(column_values)
def test_format_round_trips(value):
    assert D(format_amount(value)) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1234567.123456789012345678"), "1,234,567.123456789012345678"),  # 18 places kept, fraction not grouped
        (D("1000.000000000000000000"), "1,000"),  # no trailing zeros
        (D("999.5"), "999.5"),
        (D("0.000000000000000001"), "0.000000000000000001"),
        (D(0), "0"),
        (D("-1234.5"), "-1,234.5"),
        (MAX_AMOUNT, "999,999,999,999,999,999.999999999999999999"),
    ],
)
def test_format_grouping(value, text):
    assert format_amount(value, grouping=True) == text


def test_format_grouping_with_places_and_symbol():
    assert format_amount(D("1234567.125"), places=2, grouping=True, symbol="OGC") == "1,234,567.13 OGC"
    assert format_amount(D("1500"), places=2, grouping=True) == "1,500"


@given(column_values)
def test_format_grouped_is_the_ungrouped_with_separators(value):
    grouped, plain = format_amount(value, grouping=True), format_amount(value)
    assert grouped.replace(",", "") == plain
    whole = grouped.partition(".")[0]
    assert all(len(group) == 3 for group in whole.split(",")[1:]) and 1 <= len(whole.split(",")[0]) <= 3


def test_machine_text_stays_ungrouped():
    """Form inputs (read back by parse_amount) never carry a separator."""
    from core.amounts import AmountFormField

    assert AmountFormField().prepare_value(D("1234567.5")) == "1234567.5"
    with pytest.raises(ApplicationError):
        parse_amount("1,234.5")


@pytest.mark.parametrize(
    ("options", "text"),
    [("", "1,234.5"), ('"symbol"', "1,234.5 OGC"), ('"2"', "1,234.50"), ('"2,symbol"', "1,234.50 OGC")],
)
def test_token_amount_filter(options, text):
    source = "{% load amounts %}{{ value|token_amount" + (":" + options if options else "") + " }}"
    assert Template(source).render(Context({"value": D("1234.500000000000000000")})) == text


def test_token_amount_filter_passes_other_values_through():
    template = Template("{% load amounts %}[{{ a|token_amount }}][{{ b|token_amount }}]")
    assert template.render(Context({"a": None, "b": "x"})) == "[][x]"


@pytest.mark.parametrize(
    ("direction", "text"),
    [
        ("credit", "+12,345.000000000000000001"),
        ("debit", "\u221212,345.000000000000000001"),
        ("internal", "12,345.000000000000000001"),
    ],
)
def test_signed_amount_filter(direction, text):
    template = Template("{% load amounts %}{{ value|signed_amount:direction }}")
    value = D("12345.000000000000000001")
    assert template.render(Context({"value": value, "direction": direction})) == text


# --- API field ------------------------------------------------------------------------------


@given(column_values)
def test_amount_out_is_the_serializer_field(value):
    assert amount_out(value) == AmountSerializerField().to_representation(value)
    assert amount_out(value) == f"{value:.18f}"


def test_serializer_field_in():
    field = AmountSerializerField()
    assert field.run_validation("12.5") == D("12.5")
    assert field.run_validation(3) == D(3)
    for bad, message in [(1.5, "not JSON numbers"), (True, "digits 0-9"), ("0", "greater than zero"), ("٥", "0-9")]:
        with pytest.raises(serializers.ValidationError) as info:
            field.run_validation(bad)
        assert message in str(info.value.detail[0])
    assert AmountSerializerField(allow_zero=True).run_validation("0") == 0


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (D("50"), {"signed": True}, "+50"),
        (D("-50.5"), {"signed": True}, "-50.5"),
        (D(0), {"signed": True}, "0"),
        (D("1250"), {"signed": True, "grouping": True, "symbol": True}, "+1,250 OGC"),
    ],
)
def test_format_signed(value, kwargs, text, settings):
    settings.OGC_TOKEN_SYMBOL = "OGC"
    assert format_amount(value, **kwargs) == text
