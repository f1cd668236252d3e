"""Structured logs: every line carries the correlation id, the user and the path.

- ``core.middleware.RequestIDMiddleware`` keeps the request for its duration; ``ContextFilter`` (on every handler, see
  ``LOGGING`` in ``ogc/settings/base.py``) stamps each record with ``request_id`` (the
  request's, a command's ``cmd:<name>:...`` or the one a worker message carried),
  ``user_id`` and ``path``.
- ``JsonFormatter`` (production: one JSON object per line) and ``PlainFormatter``
  (local: human-readable) both pass their output through ``scrub``: no password,
  token or full email address reaches a log line, whatever a caller logged.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from core.middleware import get_current_request, get_request_id


def _user_id(request: Any) -> int | None:
    """The authenticated user's id, without a query: Django's lazy user only once
    something evaluated it; DRF's token user as soon as DRF authenticated (DRF sets it
    on the underlying request)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "pk", None)


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id`` and ``path`` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = get_current_request()
        request_id = get_request_id()
        if request is None:
            # django.request's lines (4xx/5xx) are written after the middleware returned;
            # they carry the request itself.
            request = getattr(record, "request", None)
            request_id = request_id or getattr(request, "request_id", None)
        record.request_id = request_id
        record.user_id = _user_id(request) if request is not None else None
        record.path = getattr(request, "path", None) if request is not None else None
        return True


# --- scrubbing ----------------------------------------------------------------------
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
_AUTH = re.compile(r"\b(Token|Bearer|Basic)\s+[\w.~+/=\-]{6,}", re.IGNORECASE)
_SECRET_FIELD = re.compile(
    r"""(?P<key>["']?(?:password\d?|passwd|secret|api[_-]?key|token|access[_-]?token|refresh[_-]?token|"""
    r"""authorization|csrfmiddlewaretoken|sessionid|otp)["']?\s*[:=]\s*)(?P<quote>["']?)"""
    r"""(?P<value>[^"'\s,&;}]+)""",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


def _redact_field(match: re.Match[str]) -> str:
    key, quote = match.group("key"), match.group("quote")
    if not quote and key[:1] in "\"'":  # a JSON number or literal: keep the document valid
        return f'{key}"{REDACTED}"'
    return f"{key}{quote}{REDACTED}"


def scrub(text: str) -> str:
    """``text`` with secrets and email addresses masked: ``a***@example.com``,
    ``Token [redacted]``, ``password=[redacted]``."""
    text = _AUTH.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _SECRET_FIELD.sub(_redact_field, text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


class PlainFormatter(logging.Formatter):
    """Human-readable lines for local runs, with the context and scrubbed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "fmt", "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s %(path)s] %(message)s"
        )
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        for name in ("request_id", "user_id", "path"):
            if not hasattr(record, name):
                setattr(record, name, None)
        return scrub(super().format(record))


class JsonFormatter(_JsonFormatter):
    """One JSON object per line (python-json-logger): time, level, logger, message,
    the context fields and any ``extra``; scrubbed like the plain lines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(path)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        for name in ("request_id", "user_id", "path"):
            if not hasattr(record, name):
                setattr(record, name, None)
        return scrub(super().format(record))
