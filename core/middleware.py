"""Request middleware of our own.

- ``RequestIDMiddleware``: the correlation id, read from ``X-Request-ID`` (or
  generated), kept for the request's duration, stored on audit entries
  (django-auditlog's ``cid``), on notification deliveries and in every dramatiq
  message the request enqueues (``core.dramatiq``), and returned in the response
  header. It also keeps the request for the log lines (``core.log_context``) and
  writes one line per request (logger ``ogc.request``: method, path, status, time).
- ``MemberTimezoneMiddleware``: pages show times in the member's time zone.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.i18n import member_timezone

REQUEST_ID_HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_request_id: ContextVar[str | None] = ContextVar("ogc_request_id", default=None)
_current_request: ContextVar[HttpRequest | None] = ContextVar("ogc_current_request", default=None)
request_logger = logging.getLogger("ogc.request")
#: Probes and scrapes arrive every few seconds: their lines are DEBUG.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def new_request_id() -> str:
    return uuid.uuid4().hex


def get_request_id() -> str | None:
    """The correlation id of the current request or command (``AUDITLOG_CID_GETTER``)."""
    return _request_id.get()


def set_request_id(value: str | None):
    """Bind a correlation id for the current context; returns the token to reset it."""
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)


def request_id_or_blank() -> str:
    """The current correlation id or "" (the default of columns that record it)."""
    return _request_id.get() or ""


def get_current_request() -> HttpRequest | None:
    """The request being served in this context (for log lines), else None."""
    return _current_request.get()


class RequestIDMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        request_token = _current_request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            request_logger.log(
                logging.DEBUG if request.path in QUIET_PATHS else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        finally:
            _current_request.reset(request_token)
            reset_request_id(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class MemberTimezoneMiddleware:
    """Activate the time zone of the logged-in member's profile (``User.timezone``) for
    the request, so pages and forms show and read times in it; visitors, members with
    no or an unknown zone, and the API (whose datetimes stay UTC, whoever calls) get
    ``settings.TIME_ZONE``. Goes after ``AuthenticationMiddleware``."""

    API_PREFIX = "/api/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = None
        if not request.path.startswith(self.API_PREFIX):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                zone = member_timezone(user)
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
