"""Serializer helpers shared by every app's API."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.exceptions import UnprocessableError

#: What the schema says an http(s) link is: the scheme, then visible ASCII characters
#: (percent-encode the rest; punycode for hosts). An explicit class, not ``\S``: regex
#: engines disagree on what ``\s`` holds (Python counts U+001C-U+001F and U+0085, the
#: fuzzer's generator did not). A blank link is the schema's other branch:
#: drf-spectacular documents ``allow_blank`` as ``maxLength: 0``.
LINK_PATTERN = r"^https?://[!-~]+$"


class StrictInputSerializer(serializers.Serializer):
    """Input serializer that refuses unknown fields with a field-level 400, so a
    client posting ``balance`` or ``is_staff`` learns it was not accepted instead of
    having it silently dropped."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown or read-only field."] for name in unknown})
        if isinstance(data, dict) and not all(isinstance(v, str) for v in data.values()):
            wrong = {name: [message] for name, message in _json_type_errors(self.fields, data).items()}
            if wrong:
                raise serializers.ValidationError(wrong)
        return super().to_internal_value(data)


class ListFilterSerializer(StrictInputSerializer):
    """The query-string filters of a paginated list (``request.query_params.dict()``).
    ``page`` and ``page_size`` belong to the pagination class (``core.pagination``: a
    bad page is DRF's 404 "Invalid page.", a bad page size a 400), so they are let
    through here, not validated twice with other answers."""

    pagination_params = frozenset({"page", "page_size"})

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            data = {key: data[key] for key in data if key not in self.pagination_params}
        return super().to_internal_value(data)


def _json_type_errors(fields, data: dict) -> dict[str, str]:
    """JSON values whose type differs from the field's documented type. DRF would turn
    ``0`` into ``False``, ``"5"`` into ``5`` and ``12`` into ``"12"``; a typed API
    refuses them (schema fuzzing checks that schema-violating input is a 400).

    Only for JSON bodies: a mapping of strings only is what a query string gives
    (``request.query_params.dict()`` in filter serializers), parsed by DRF as usual."""
    errors: dict[str, str] = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None or field.read_only or value is None:
            continue
        if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
            errors[name] = "Must be a boolean (true or false)."
        elif isinstance(field, serializers.IntegerField) and (isinstance(value, bool) or not isinstance(value, int)):
            errors[name] = "Must be a whole number."
        elif (
            isinstance(field, serializers.CharField | serializers.ChoiceField)
            and not isinstance(value, str)
            and not (
                isinstance(field, serializers.ChoiceField) and isinstance(value, int | float) and value in field.choices
            )
        ):
            errors[name] = "Must be a string."
    return errors


def datetime_out(value: datetime | None, tz: tzinfo) -> str | None:
    """A datetime as DRF's ``DateTimeField`` renders it: ISO 8601 in ``tz`` (pass
    ``timezone.get_current_timezone()``, read once per list), ``Z`` for UTC."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@extend_schema_field({"type": "string", "maxLength": 500, "pattern": LINK_PATTERN})
class LinkField(serializers.CharField):
    """An http(s) link, or blank. The schema's pattern (``LINK_PATTERN``) is the shape
    and a text that breaks it is a 400 like any schema violation; a well-shaped text
    that is not a usable link (Django's ``URLValidator``: host name rules, label
    lengths) is a 422 ``invalid_link``, since no pattern can say everything the
    validator checks. Nothing is trimmed: what the schema refuses, the server refuses."""

    default_error_messages = {"shape": gettext_lazy("Enter an http(s) link without spaces.")}  # or non-ASCII

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("allow_blank", True)
        kwargs["trim_whitespace"] = False
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value and not _LINK_RE.fullmatch(value):
            self.fail("shape")
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except DjangoValidationError:
                raise UnprocessableError(
                    gettext("Enter a valid http(s) link."), code="invalid_link", field=self.field_name
                ) from None
        return value


_LINK_RE = re.compile(LINK_PATTERN)
