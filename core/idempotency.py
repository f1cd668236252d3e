"""Idempotency-Key handling for money-moving POSTs (DESIGN.md invariant 4).

Usage in a view::

    class StakeCreateApi(IdempotentPostMixin, APIView):
        idempotency_scope = "wallet.stake"
        idempotency_required = False

        def idempotent_post(self, request, *args, **kwargs) -> Response:
            ...

The first request with a key inserts an ``in_progress`` record (committed at once,
outside the business transaction), runs, then stores its status and body. A replay
returns the stored response and runs nothing; another payload under the same key
is a 422; a replay that arrives while the first is still running waits up to
``OGC_IDEMPOTENCY_WAIT_SECONDS`` for it, then gets 409. A 5xx or an exception
removes the record so that the client may retry with the same key; so does a
missing or wrong step-up (``core.stepup.StepUpError``). The step-up fields
(``password``, ``mfa_code``) are not part of the fingerprint: a retry after a lost
response carries a fresh code and still replays, and no hash of a password is kept.

A request that dies without running its cleanup (its worker process SIGKILLed, the
machine lost) leaves an ``in_progress`` record behind. Once that record is older
than ``OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS`` (longer than any request may run:
gunicorn's ``--timeout`` kills a worker before that) it is considered abandoned: a
retry with the same key and payload takes it over with a conditional UPDATE on its
``created_at`` (a compare-and-set, so exactly one of several concurrent retries
wins) and runs the request again. Running it again is safe: the dead request's
database transaction either committed (the service finds its ledger row by the
same key and returns it) or was rolled back by MariaDB when the connection dropped.
Each owner finishes or releases the record only while it still holds it (the same
``created_at``), so a slow first request can never overwrite its successor.

A key is 1 to 255 visible ASCII characters (0x21-0x7E, ``KEY_PATTERN``): a space, a
tab, a control or a non-ASCII character (which WSGI hands over as latin-1, so one
UTF-8 character would be two), or an empty value, is a 400 ``idempotency_key_invalid``
before anything runs. Spaces and tabs around the value are not part of it (RFC 9110,
5.5: servers drop them; gunicorn does). ``idempotency_key_parameter`` documents the
header with the same rule.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import ApplicationError, ConflictError
from core.models import IdempotencyRecord
from core.stepup import STEP_UP_FIELD_NAMES, StepUpError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
#: What a key is: 1 to 255 visible ASCII characters, no spaces or tabs (also the schema's pattern).
KEY_PATTERN = r"^[\x21-\x7E]{1,255}$"
_KEY = re.compile(KEY_PATTERN)


def idempotency_key_parameter(*, required: bool) -> OpenApiParameter:
    """The header in the schema, with the rule ``_read_key`` enforces."""
    return OpenApiParameter(
        HEADER,
        {"type": "string", "pattern": KEY_PATTERN, "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        OpenApiParameter.HEADER,
        required=required,
        description=(
            "1 to 255 visible ASCII characters (0x21-0x7E; no spaces or tabs), chosen by the client "
            "for this operation: a replay returns the first response. Another value is a 400 "
            "`idempotency_key_invalid`."
        ),
    )


def request_key(request: Request) -> str | None:
    """The header's value without the spaces and tabs around it (None when absent);
    not validated: ``run_idempotent`` refuses a malformed key before the view runs."""
    value = request.headers.get(HEADER)
    return None if value is None else value.strip(" \t")


def request_fingerprint(request: Request) -> str:
    """A hash of what the request asks for: method, path and canonical body."""
    body: Any
    try:
        body = request.data
    except Exception:
        body = request.body.decode("utf-8", "replace")
    if hasattr(body, "dict"):
        body = body.dict()
    if isinstance(body, dict):
        # Step-up proof (core.stepup) is not what the request asks for: a retry carries a
        # fresh code, and no hash of a password is kept.
        body = {name: value for name, value in body.items() if name not in STEP_UP_FIELD_NAMES}
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True,
        cls=DjangoJSONEncoder,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _read_key(request: Request, required: bool) -> str | None:
    key = request_key(request)
    if key is None:
        if required:
            raise ApplicationError(
                gettext("The Idempotency-Key header is required for this request."),
                code="idempotency_key_required",
                field=HEADER,
                status_code=400,
            )
        return None
    if not _KEY.fullmatch(key):
        raise ApplicationError(
            gettext("The Idempotency-Key header must be 1 to 255 visible ASCII characters (no spaces or tabs)."),
            code="idempotency_key_invalid",
            field=HEADER,
            status_code=400,
        )
    return key


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def run_idempotent(
    request: Request,
    *,
    scope: str,
    required: bool,
    handler: Callable[[], Response],
) -> Response:
    key = _read_key(request, required)
    if key is None:
        return handler()
    fingerprint = request_fingerprint(request)
    # Money endpoints require authentication (the view's permission classes ran first):
    # the key is scoped to the user's id.
    user_id = request.user.pk
    if user_id is None:
        raise PermissionError("Idempotency-Key handling needs an authenticated user")

    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user_id=user_id, key=key, scope=scope, request_hash=fingerprint)
    except IntegrityError:
        outcome = _existing(user_id=user_id, key=key, fingerprint=fingerprint)
        if isinstance(outcome, Response):
            return outcome
        record = outcome  # an abandoned record this request has taken over
    return _run_owned(record, handler)


def _run_owned(record: IdempotencyRecord, handler: Callable[[], Response]) -> Response:
    """Run the request under ``record`` (held while its ``created_at`` is unchanged)
    and store the outcome, or release the key on a 5xx or an exception."""
    owned = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, created_at=record.created_at
    )
    response: Response | None
    try:
        response = handler()
    except StepUpError:
        # A missing or wrong step-up moved nothing: release the key, so the client
        # retries the same request with the proof.
        owned.delete()
        raise
    except ApplicationError as exc:
        # A refusal is a final answer: store it like any other so a replay repeats it.
        from core.exceptions import api_exception_handler

        response = api_exception_handler(exc, {})
    except BaseException:
        owned.delete()
        raise
    if response is None:  # the exception handler answers every ApplicationError
        owned.delete()
        raise RuntimeError("no response for an ApplicationError")
    if response.status_code >= 500:
        owned.delete()
        return response
    body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    owned.update(
        state=IdempotencyRecord.State.COMPLETED,
        response_status=response.status_code,
        response_body=body,
        completed_at=timezone.now(),
    )
    return response


def lock_timeout() -> timedelta:
    """How long an ``in_progress`` record protects its request (see the module doc)."""
    return timedelta(seconds=float(getattr(settings, "OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS", 120)))


def _take_over(record: IdempotencyRecord) -> IdempotencyRecord | None:
    """Claim an abandoned ``in_progress`` record: one conditional UPDATE that
    succeeds for exactly one caller (the ``created_at`` it read must still be
    there). Returns the record now owned, or None when it is not abandoned or
    another retry claimed it first."""
    now: datetime = timezone.now()
    if record.created_at > now - lock_timeout():
        return None
    claimed = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, created_at=record.created_at
    ).update(created_at=now)
    if claimed != 1:
        return None
    record.created_at = now
    return record


def _existing(*, user_id: int, key: str, fingerprint: str) -> Response | IdempotencyRecord:
    """The answer to a request whose key is taken: a replay, a 422/409, or the
    abandoned record (taken over) that the caller must now run under."""
    deadline = time.monotonic() + float(getattr(settings, "OGC_IDEMPOTENCY_WAIT_SECONDS", 5))
    while True:
        record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
        if record is None:
            # The first attempt failed and released the key: tell the client to retry.
            raise ConflictError(
                "A request with this Idempotency-Key failed; retry it.",
                code="idempotency_retry",
            )
        if record.request_hash != fingerprint:
            raise ApplicationError(
                "This Idempotency-Key was already used with a different request.",
                code="idempotency_key_reused",
                field=HEADER,
                status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if record.state == IdempotencyRecord.State.COMPLETED:
            return _replay(record)
        if (owned := _take_over(record)) is not None:
            return owned
        if time.monotonic() >= deadline:
            raise ConflictError(
                "A request with this Idempotency-Key is still being processed.",
                code="idempotency_in_progress",
            )
        time.sleep(0.05)


class IdempotentPostMixin:
    """APIView mixin: ``post`` honours the Idempotency-Key header and calls
    ``idempotent_post``."""

    idempotency_scope: str = ""
    idempotency_required: bool = False

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return run_idempotent(
            request,
            scope=self.idempotency_scope or type(self).__name__,
            required=self.idempotency_required,
            handler=lambda: self.idempotent_post(request, *args, **kwargs),
        )

    def idempotent_post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotImplementedError
