"""A member's language and time zone, for what is written for them.

Pages and the API take the language of the request (``LocaleMiddleware``: the
switcher's cookie, else ``Accept-Language``) and, on pages, the time zone of the
member's profile (``core.middleware.MemberTimezoneMiddleware``). Text written outside
the member's own request (notifications and their emails, written by an operator's
action or a periodic job) uses the profile's ``locale`` and ``timezone`` instead:
``with member_locale(user): ...``.

Works on any object with ``locale`` and ``timezone`` attributes (the user model), so
``core`` still imports no app.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

#: How pages and messages write a moment: "2025-03-01 14:30 CET" (the zone's
#: abbreviation, or its offset when the zone has none).
DATETIME_FORMAT = "Y-m-d H:i T"


def supported_language(code: str | None) -> str:
    """The supported language closest to ``code`` ("es-MX" -> "es"), else the default."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def member_language(user: Any) -> str:
    """The language ``user`` reads (their profile's ``locale``), among ``LANGUAGES``."""
    return supported_language(getattr(user, "locale", None))


def current_language() -> str:
    """The active language as one of ``LANGUAGES`` (what a new member's profile gets)."""
    return supported_language(translation.get_language())


def member_timezone(user: Any) -> tzinfo | None:
    """The time zone of ``user``'s profile; None when unset or unknown (then UTC,
    ``settings.TIME_ZONE``, applies)."""
    name = getattr(user, "timezone", "") or ""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@contextmanager
def member_locale(user: Any) -> Iterator[None]:
    """Write for ``user``: their language and time zone for the block."""
    zone = member_timezone(user) or timezone.get_default_timezone()
    with translation.override(member_language(user)), timezone.override(zone):
        yield


def datetime_text(value: datetime) -> str:
    """``value`` in the active time zone, with that zone named: "2025-03-01 14:30 CET"."""
    return date_format(timezone.localtime(value), DATETIME_FORMAT)
