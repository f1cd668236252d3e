"""``{% load proposals %}``: how a proposal's choices read on pages.

- ``{{ choice|choice_label }}``: a stored choice key as members read it, the default
  choices ("for", "against", "abstain") translated, an author's own as written
  (``governance.models.choice_label``).
"""

from __future__ import annotations

from django import template

from governance.models import choice_label as _choice_label

register = template.Library()


@register.filter
def choice_label(choice: str | None) -> str:
    return _choice_label(choice) if choice else ""
