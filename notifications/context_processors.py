"""The navigation bar's unread count, on every page."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from notifications.selectors import unread_count as count_unread


def unread_count(request: HttpRequest) -> dict:
    """``nav_unread_count`` for authenticated users: one COUNT query, run only when a
    template reads it (and at most once per request)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def _count() -> int:
        return count_unread(user=user)

    return {"nav_unread_count": _count}
