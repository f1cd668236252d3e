"""``parse_amount``'s refusals are written in the active language, the English text
unchanged."""

from __future__ import annotations

import pytest
from django.utils import translation

from core.amounts import NOT_AN_AMOUNT, parse_amount
from core.exceptions import ApplicationError


@pytest.mark.parametrize(
    ("value", "english", "spanish"),
    [
        ("abc", NOT_AN_AMOUNT, "Introduce una cantidad decimal válida"),
        ("-1", "The amount must be greater than zero.", "La cantidad debe ser mayor que cero."),
        ("0", "The amount must be greater than zero.", "La cantidad debe ser mayor que cero."),
        ("1" * 19, "The amount is too large: at most 18 digits before the decimal point.", "como máximo 18 dígitos"),
        ("1." + "1" * 19, "At most 18 decimal places are allowed.", "Se permiten como máximo 18 decimales."),
        (1.5, "Amounts must be decimal strings, not floats.", "no números de coma flotante"),
    ],
)
def test_refusals_in_english_and_spanish(value, english, spanish):
    with pytest.raises(ApplicationError) as refused:
        parse_amount(value)
    assert refused.value.message == english
    with translation.override("es"), pytest.raises(ApplicationError) as refused:
        parse_amount(value)
    assert spanish in refused.value.message


def test_negative_with_allow_zero():
    with translation.override("es"), pytest.raises(ApplicationError) as refused:
        parse_amount("-1", allow_zero=True)
    assert refused.value.message == "La cantidad no puede ser negativa."
