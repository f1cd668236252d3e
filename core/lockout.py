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


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After`` (the cool-off, in seconds).

    Under ``/api/`` the body is the API's error shape ``{code, detail, fields}`` (the
    schema documents it); pages get a short HTML page."""
    from axes.helpers import get_cool_off
    from django.http import HttpResponse, JsonResponse
    from django.utils.html import escape

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    detail = "Too many failed login attempts. Try again later."
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "locked_out", "detail": detail, "fields": {}}, status=429)
    else:
        minutes = max(1, round(seconds / 60)) if seconds else None
        wait = f" Try again in about {minutes} minute(s)." if minutes else ""
        response = HttpResponse(
            f"<!doctype html><title>Locked out</title><h1>Locked out</h1><p>{escape(detail)}{escape(wait)}</p>",
            status=429,
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
