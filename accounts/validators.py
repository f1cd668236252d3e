"""Validators for profile fields."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

country_validator = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code, e.g. DE.")
locale_validator = RegexValidator(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", "Use a language tag such as en or pt-BR.")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "Unknown time zone %(value)s; use an IANA name such as Europe/Berlin.",
            params={"value": value},
            code="invalid_timezone",
        )
