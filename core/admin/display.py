"""The console's display helpers: money one way (Stripe), members by email and name,
relative times and status pills (Primer), and change-page URLs reversed once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.amounts import format_amount

# These run for every cell of a 100-row page: they build their HTML with ``escape`` and
# f-strings rather than nested ``format_html`` calls, and ``when_html`` computes its own
# relative time (``timesince`` cost ~0.1 ms a call, a tenth of an audit-log page).


class MemberPicker(AutocompleteSelect):
    """The member field of the console's forms: Django's autocomplete (select2 on the
    User admin's ``search_fields``) with a placeholder that says what to type (Django
    forces an empty one). ``static/admin-ogc/console.js`` names the combobox by the
    field's label for screen readers."""

    placeholder = "Type part of the member's email or display name"

    class Media:
        js = ("admin-ogc/console.js",)

    def build_attrs(self, base_attrs: dict, extra_attrs: dict | None = None) -> dict:
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = self.placeholder
        return attrs


_AMOUNT_CSS = {"credit": "ogc-amount ogc-amount--credit", "debit": "ogc-amount ogc-amount--debit"}


def amount_html(value: Decimal | None, *, direction: str = "", symbol: bool | str = True) -> SafeString | str:
    """An amount as the console shows it everywhere: thousands separators, no trailing
    zeros, the token symbol, and for ledger rows the sign of its effect on the wallet
    (``direction`` credit ``+``, debit ``-``; internal moves unsigned)."""
    if value is None:
        return "—"
    amount = -value if direction == "debit" else value
    text = format_amount(amount, grouping=True, signed=direction == "credit", symbol=symbol)
    return mark_safe(f'<span class="{_AMOUNT_CSS.get(direction, "ogc-amount")}">{escape(text)}</span>')  # noqa: S308


def member_html(user: Any, *, url: str | None = None) -> SafeString | str:
    """A member as people recognise them: email first, display name under it, linked to
    their account page when ``url`` is given. Never "User 7" or "Wallet of 7"."""
    if user is None:
        return mark_safe('<span class="ogc-muted">system</span>')
    name = getattr(user, "display_name", "") or ""
    email = escape(getattr(user, "email", "") or f"#{user.pk}")
    label = f'<a href="{escape(url)}">{email}</a>' if url else email
    if name:
        label += f'<span class="ogc-member__name">{escape(name)}</span>'
    return mark_safe(f'<span class="ogc-member">{label}</span>')  # noqa: S308 - every part escaped


_PLACEHOLDER = 987654321987


@lru_cache(maxsize=256)
def _change_url_pattern(app_label: str, model_name: str) -> str | None:
    try:
        return reverse(f"admin:{app_label}_{model_name}_change", args=[_PLACEHOLDER])
    except NoReverseMatch:
        return None


def change_url(app_label: str, model_name: str, pk: Any) -> str | None:
    """The admin change page of ``app_label.model_name`` ``pk``, or None when that model
    has no admin. The URL pattern is reversed once per model (a ``reverse()`` per row
    and column was a tenth of a 100-row page)."""
    pattern = _change_url_pattern(app_label, model_name)
    if pattern is None or pk is None:
        return None
    return pattern.replace(str(_PLACEHOLDER), quote(str(pk)))


@lru_cache(maxsize=256)
def _url_pattern(viewname: str) -> str:
    return reverse(viewname, args=[_PLACEHOLDER])


def row_url(viewname: str, pk: Any) -> str:
    """``reverse(viewname, args=[pk])`` for a URL taking one id, reversed once per name
    (the queues' row buttons: two per row)."""
    return _url_pattern(viewname).replace(str(_PLACEHOLDER), quote(str(pk)))


def user_change_url(user_id: int | None) -> str | None:
    """The admin page of account ``user_id`` (the user model's own admin)."""
    from django.conf import settings

    app_label, model = settings.AUTH_USER_MODEL.lower().split(".")
    return change_url(app_label, model, user_id)


_UNITS = (
    (31_536_000, "year"),
    (2_592_000, "month"),
    (604_800, "week"),
    (86_400, "day"),
    (3_600, "hour"),
    (60, "minute"),
)


def relative_time(seconds: float) -> str:
    """``3 hours``, ``1 day``, ``5 months`` (the largest unit, like ``timesince(depth=1)``)."""
    for size, name in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    return "moments"


def when_html(moment: datetime | None, *, now: datetime | None = None) -> SafeString | str:
    """A relative time ("3 hours ago") with the absolute UTC time on hover and in
    the ``datetime`` attribute (GitHub Primer's relative-time)."""
    if moment is None:
        return "—"
    now = now or timezone.now()
    utc = moment.astimezone(UTC)
    delta = (now - moment).total_seconds()
    relative = f"{relative_time(delta)} ago" if delta >= 0 else f"in {relative_time(-delta)}"
    return mark_safe(  # noqa: S308 - digits and fixed words only
        f'<time datetime="{utc.isoformat()}" title="{utc:%Y-%m-%d %H:%M} UTC">{relative}</time>'
    )


def pill(value: str, label: str | None = None) -> SafeString:
    """A status pill, one colour per state (``.ogc-pill--<value>`` in console.css)."""
    text = escape(label if label is not None else value.replace("_", " "))
    return mark_safe(f'<span class="ogc-pill ogc-pill--{escape(value)}">{text}</span>')  # noqa: S308
