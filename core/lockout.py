"""django-axes hook: one username for every login path.

The admin form and ``authenticate(username=...)`` send ``username``; allauth sends
``email``; the API token endpoint sends ``email`` in the body. Lockouts are per
lower-cased email, so ``A@x.io`` and ``a@x.io`` share a counter."""

from __future__ import annotations


def get_username(request, credentials: dict | None) -> str | None:
    for source in (credentials or {}, getattr(request, "data", None) or {}, getattr(request, "POST", None) or {}):
        for key in ("email", "username", "login"):
            value = source.get(key) if hasattr(source, "get") else None
            if value:
                return str(value).strip().lower()
    return None
