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
removes the record so that the client may retry with the same key.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import ApplicationError, ConflictError
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def request_fingerprint(request: Request) -> str:
    """A hash of what the request asks for: method, path and canonical body."""
    try:
        body = request.data
    except Exception:
        body = request.body.decode("utf-8", "replace")
    if hasattr(body, "dict"):
        body = body.dict()
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True,
        cls=DjangoJSONEncoder,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _read_key(request: Request, required: bool) -> str | None:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        if required:
            raise ApplicationError(
                f"The {HEADER} header is required for this request.",
                code="idempotency_key_required",
                field=HEADER,
            )
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(
            f"The {HEADER} header must be at most {MAX_KEY_LENGTH} characters.",
            code="idempotency_key_invalid",
            field=HEADER,
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
    user = request.user

    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, key=key, scope=scope, request_hash=fingerprint)
    except IntegrityError:
        return _existing(user=user, key=key, fingerprint=fingerprint)

    try:
        response = handler()
    except ApplicationError as exc:
        # A refusal is a final answer: store it like any other so a replay repeats it.
        from core.exceptions import api_exception_handler

        response = api_exception_handler(exc, {})
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response
    body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.COMPLETED,
        response_status=response.status_code,
        response_body=body,
        completed_at=timezone.now(),
    )
    return response


def _existing(*, user: Any, key: str, fingerprint: str) -> Response:
    deadline = time.monotonic() + float(getattr(settings, "OGC_IDEMPOTENCY_WAIT_SECONDS", 5))
    while True:
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
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
