"""Validators for profile fields."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

country_validator = RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO 3166 country code, e.g. DE."))
locale_validator = RegexValidator(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$", _("Use a language tag such as en or pt-BR."))


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone we know; use a name such as Europe/Berlin."),
            params={"value": value},
            code="invalid_timezone",
        )
