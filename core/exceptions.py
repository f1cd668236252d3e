"""One error type for the domain and one JSON error shape for the API.

Every API error body is ``{"code": str, "detail": str, "fields": {name: [messages]}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A domain rule refused the operation. Services raise it; entry points translate it.

    ``field`` names the input the message belongs to (a form field, an API field),
    ``status_code`` is what an API returns. The default, 422, is for input that the
    API schema admits but a rule refuses (a weak password, an end before the start);
    400 is for input that breaks the schema (raise with ``status_code=400``: the
    serializers catch most of it first), ``ConflictError`` (409) for the state of
    things (not enough funds, a slug taken, a challenge closed), ``NotFoundError``
    (404), and 403 for who may do what.
    """

    status_code: int = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        status_code: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}
        #: Work that must outlive the refused operation's rollback (the audit entry of a
        #: refusal): run once, in its own transaction, by whoever ends the transaction
        #: the refusal rolled back (``core.db.run_refusal_hooks``, ``run_admin_action``).
        self.on_rollback: Callable[[], None] | None = None

    def run_on_rollback(self) -> None:
        hook, self.on_rollback = self.on_rollback, None
        if hook is not None:
            with transaction.atomic():
                hook()


class NotFoundError(ApplicationError):
    status_code: int = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class ConflictError(ApplicationError):
    status_code: int = status.HTTP_409_CONFLICT
    default_code = "conflict"


class UnprocessableError(ApplicationError):
    """Input that matches the API schema but cannot be processed: a value the schema
    cannot check (an address checksum, an end before the start, a weak password). 400
    means "the request breaks the schema"; 422 means "well-formed, but not acceptable"."""

    status_code: int = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def payload_too_large_error() -> ApplicationError:
    """What a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` gets: 413, naming the limit.
    Django raises ``RequestDataTooBig`` (a ``SuspiciousOperation``, a 400 by default)
    when the body is read (``request.body``/``POST``; DRF's JSON parser reads
    ``request.body``); the API and the pages (``core.error_views``) answer this."""
    return ApplicationError(
        gettext("The request body is larger than %(limit)s, the most this server accepts.")
        % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
        code="payload_too_large",
        status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, list):
        out: list[str] = []
        for item in detail:
            out.extend(_flatten(item))
        return out
    if isinstance(detail, dict):
        out = []
        for value in detail.values():
            out.extend(_flatten(value))
        return out
    return [str(detail)]


def _fields(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: (_fields(value) if isinstance(value, dict) else _flatten(value)) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: every error becomes ``{code, detail, fields}``."""
    if isinstance(exc, RequestDataTooBig):
        exc = payload_too_large_error()
    if isinstance(exc, ApplicationError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        body = {"code": exc.code, "detail": exc.message, "fields": fields, **exc.extra}
        return Response(body, status=exc.status_code)
    detail: Any
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"code": "validation_error", "detail": gettext("Invalid input."), "fields": _fields(exc.detail)}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        messages = _flatten(detail)
        body = {
            "code": _code_of(exc) if isinstance(exc, exceptions.APIException) else "error",
            "detail": messages[0] if messages else "",
            "fields": {},
        }
    response.data = body
    return response
