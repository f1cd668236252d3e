"""``{% load ui %}``: the small template helpers of the design system (docs/ui.md).

- ``{% icon "wallet" %}``: an icon of ``static/icons/sprite.svg``, hidden from screen
  readers (the text next to it says what it means); ``{% icon "bell" label="Notifications" %}``
  gives a lone icon an accessible name; ``class_="…"`` adds classes.
- ``{% nav_current "/wallet/" %}``: `` aria-current="page"`` when the page is in that
  section (the path starts with the prefix; ``"/"`` matches the home page only).
- ``{{ badge|badge_icon }}``: the icon name for a badge's rule (the badges' emoji are data
  for the admin; the pages draw icons of the set).
- ``{% language user|member_language %}``: write a block in the language of a member's
  profile (the emails, rendered by a worker that has no request).
- ``{{ badge|badge_name }}``: the badge's name, translated for the default badges.
- ``{{ badge|badge_description }}``: the description, translated for the default
  badges; the default "staker" badge's says the live threshold ("Has at least 5,000 OGC
  staked." when ``OGC_BADGE_STAKER_MIN`` is 5000), whatever its stored words say.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.amounts import format_amount
from core.i18n import member_language as _member_language

register = template.Library()

SPRITE = "icons/sprite.svg"
#: The default "staker" badge's stored description (challenges migration 0003: the
#: setting's default written out); shown with the live threshold instead.
STAKER_DESCRIPTION = "Has at least 1,000 OGC staked."
BADGE_ICONS = {
    "first_submission": "send",
    "first_accepted": "circle-check",
    "challenge_winner": "trophy",
    "first_stake": "lock",
    "staker": "gem",
}


@register.simple_tag
def icon(name: str, label: str = "", class_: str = "") -> SafeString:
    classes = f"icon {class_}".strip()
    href = f"{static(SPRITE)}#{name}"
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}" focusable="false"><use href="{}"></use></svg>',
            classes,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', classes, href
    )


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, prefix: str) -> SafeString:
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == prefix if prefix == "/" else path.startswith(prefix)
    return mark_safe(' aria-current="page"') if current else SafeString("")


@register.filter
def member_language(user: Any) -> str:
    return _member_language(user)


@register.filter
def badge_icon(badge: Any) -> str:
    return BADGE_ICONS.get(getattr(badge, "rule", ""), "award")


def _translated(text: str) -> str:
    # The default badges' words are in the catalogue (challenges.badges.DEFAULT_BADGE_TEXTS);
    # other text has no entry and comes back as written.
    return gettext(text) if text else text


@register.filter
def badge_name(badge: Any) -> str:
    return _translated(str(getattr(badge, "name", "") or ""))


@register.filter
def badge_description(badge: Any) -> str:
    text = str(getattr(badge, "description", "") or "")
    if text == STAKER_DESCRIPTION:
        threshold = Decimal(str(getattr(settings, "OGC_BADGE_STAKER_MIN", "1000")))
        return gettext("Has at least %(amount)s staked.") % {
            "amount": format_amount(threshold, symbol=True, grouping=True)
        }
    return _translated(text)
