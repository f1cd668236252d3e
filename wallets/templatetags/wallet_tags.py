"""``{{ value|token_amount }}``: a Decimal without trailing zeros or exponent ("10.5", "0.000001")."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def token_amount(value) -> str:
    if not isinstance(value, Decimal):
        return "" if value is None else str(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
