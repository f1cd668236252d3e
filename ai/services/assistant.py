"""The paid assistant's write layer (docs/ai.md, "The assistant").

``request_create``: estimate, hold the estimate less the member's free credits from
their wallet (``wallets.services.hold_create``), write the request ``queued`` and
enqueue it on commit. ``request_run`` (the dramatiq actor): claim it (``running``),
ask the provider OUTSIDE any transaction, then settle under the request's row lock:
``done`` charges the actual cost (``hold_settle``), ``failed`` releases the hold
(``hold_release``). ``requests_reconcile`` (``manage.py ai_requests_reconcile``, for
cron): a request whose worker died or whose message was lost is queued again, or, past
``OGC_AI_REQUEST_MAX_ATTEMPTS``, failed with its hold released. A hold is settled at
most once (the ledger refuses a second settlement and keys the charge per hold), so a
request is never charged twice and never left holding money.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status as http

from ai import pricing
from ai.lock_objects import member_for_update, request_for_update
from ai.models import AIRequest, RequestStatus
from ai.providers import Completion, ProviderError, get_provider
from ai.selectors.assistant import (
    TASK_OF,
    estimate_for,
    feature_enabled,
    prompt_hash,
    request_inputs,
    requests_stale,
    resolve_target,
)
from core.amounts import ZERO
from core.exceptions import ApplicationError, ConflictError

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)
ERROR_MESSAGE_MAX = 500


def _enqueue(request_id: int) -> None:
    from ai.tasks import run_request

    transaction.on_commit(lambda: run_request.send(request_id))


@transaction.atomic
def request_create(
    *,
    user: User,
    feature: str,
    idempotency_key: str,
    proposal_id: int | None = None,
    challenge: str | None = None,
    draft: str | None = None,
) -> AIRequest:
    """Create a paid request (``queued``) and hold its estimate less free credits.
    The same ``idempotency_key`` with the same inputs returns the first request; with
    other inputs it is a 422. 409 ``feature_disabled`` / ``insufficient_funds`` (then
    nothing is written or held), 429 ``rate_limited``, 400 for an empty or oversized
    draft, 422 for a field the feature lacks or does not use, 404 for a proposal or
    challenge the member cannot read."""
    if not feature_enabled(feature):
        raise ConflictError(_("This assistant is turned off."), code="feature_disabled", field="feature")
    target = resolve_target(user=user, feature=feature, proposal_id=proposal_id, challenge=challenge, draft=draft)
    task, inputs = request_inputs(feature=feature, **target)
    digest = prompt_hash(task, inputs)
    member_for_update(user_id=user.pk)
    earlier = AIRequest.objects.filter(user_id=user.pk, idempotency_key=idempotency_key).first()
    if earlier is not None:
        if earlier.feature != feature or earlier.prompt_hash != digest:
            raise ApplicationError(
                _("This idempotency key was already used for a different request."),
                code="idempotency_key_reused",
                field="idempotency_key",
            )
        return earlier
    _check_rate(user)
    provider = settings.OGC_AI_PROVIDER
    estimate = estimate_for(user=user, feature=feature, provider=provider, inputs=inputs)
    request = AIRequest.objects.create(
        user=user,
        feature=feature,
        proposal=target.get("proposal"),
        challenge=target.get("challenge"),
        draft=target.get("draft", ""),
        provider=provider,
        prompt_hash=digest,
        input_units=estimate.input_units,
        output_units=estimate.output_units,
        estimated_cost=estimate.estimated_cost,
        credit_used=estimate.free_credit,
        idempotency_key=idempotency_key,
    )
    if estimate.to_hold > ZERO:
        from wallets.services import hold_create

        # 409 insufficient_funds rolls the request back with the hold: nothing is written.
        request.hold = hold_create(
            user=user,
            amount=estimate.to_hold,
            source=request,
            memo=f"AI request #{request.pk}",
            idempotency_key=f"ai-request:{request.pk}",
        )
        request.held_amount = estimate.to_hold
        request.save(update_fields=["hold", "held_amount"])
    _enqueue(request.pk)
    return request


def _check_rate(user: User) -> None:
    """At most ``OGC_AI_REQUESTS_PER_HOUR`` requests in any rolling hour (counted under
    the member's row lock, so concurrent requests cannot both slip under the limit)."""
    limit = int(settings.OGC_AI_REQUESTS_PER_HOUR)
    since = timezone.now() - timedelta(hours=1)
    if AIRequest.objects.filter(user_id=user.pk, created_at__gte=since).count() >= limit:
        raise ApplicationError(
            _("You asked the assistant %(limit)d times in the last hour, the most allowed. Try again later.")
            % {"limit": limit},
            code="rate_limited",
            status_code=http.HTTP_429_TOO_MANY_REQUESTS,
        )


@transaction.atomic
def _claim(request_id: int) -> tuple[AIRequest, int] | None:
    request = request_for_update(request_id=request_id)
    if request is None or request.status != RequestStatus.QUEUED:
        return None  # done, failed, or running in another worker: nothing to do
    request.status = RequestStatus.RUNNING
    request.attempts += 1
    request.started_at = timezone.now()
    request.save(update_fields=["status", "attempts", "started_at"])
    return request, request.attempts


def request_run(*, request_id: int) -> AIRequest | None:
    """Run a queued request (the worker). Idempotent: anything but ``queued`` is left
    alone. A provider error fails it (hold released, nothing charged)."""
    claimed = _claim(request_id)
    if claimed is None:
        return None
    request, attempt = claimed
    task = TASK_OF[request.feature]
    _, inputs = request_inputs(
        feature=request.feature, proposal=request.proposal, challenge=request.challenge, draft=request.draft
    )
    try:
        completion = get_provider(request.provider).complete(task, inputs)
    except ProviderError as exc:
        return request_fail(request_id=request.pk, attempt=attempt, code=exc.code, message=str(exc))
    except Exception as exc:  # a bug or a time limit: fail the request, never keep the money held
        logger.exception("AI request %s failed", request.pk)
        request_fail(request_id=request.pk, attempt=attempt, code="internal_error", message=type(exc).__name__)
        raise
    return _finish(request.pk, attempt, completion)


@transaction.atomic
def _finish(request_id: int, attempt: int, completion: Completion) -> AIRequest | None:
    request = request_for_update(request_id=request_id)
    if request is None or request.status != RequestStatus.RUNNING or request.attempts != attempt:
        return None  # the reconcile job took it over: its new run settles it
    cost = pricing.actual_cost(
        input_units=completion.input_units, output_units=completion.output_units, estimated=request.estimated_cost
    )
    credit = min(request.credit_used, cost)
    charge = cost - credit
    if request.hold_id is not None:
        from wallets.services import hold_settle

        _, request.charge = hold_settle(
            hold_id=request.hold_id, amount=charge, memo=f"AI request #{request.pk}", actor=request.user
        )
    request.final_cost = charge
    request.credit_used = credit
    request.input_units = completion.input_units
    request.output_units = completion.output_units
    request.model_name = completion.model[:120]
    request.result = completion.text
    request.status = RequestStatus.DONE
    request.finished_at = timezone.now()
    request.draft = ""  # kept only while the request runs (docs/ai.md, "Privacy")
    request.save()
    _notify(request)
    return request


@transaction.atomic
def request_fail(*, request_id: int, code: str, message: str, attempt: int | None = None) -> AIRequest | None:
    """End an open request ``failed``: its hold is released, nothing is charged, its
    free credits are given back. ``attempt`` (a worker's run) leaves a request alone
    that another run has taken over since."""
    request = request_for_update(request_id=request_id)
    if request is None or not request.is_open or (attempt is not None and request.attempts != attempt):
        return None
    if request.hold_id is not None:
        from wallets.services import hold_release

        hold_release(hold_id=request.hold_id, reason=f"AI request #{request.pk} failed: nothing charged.")
    request.status = RequestStatus.FAILED
    request.error_code = code[:40]
    request.error = message[:ERROR_MESSAGE_MAX]
    request.final_cost = ZERO
    request.credit_used = ZERO
    request.finished_at = timezone.now()
    request.draft = ""
    request.save()
    _notify(request)
    return request


def _notify(request: AIRequest) -> None:
    from notifications.kinds import NotificationKind
    from notifications.services import notify

    if request.status == RequestStatus.DONE:
        title = _("Your assistant answer is ready")
        body = _("Request #%(id)d is done. It cost %(cost)s OGC.") % {
            "id": request.pk,
            "cost": f"{request.final_cost.normalize():f}",
        }
    else:
        title = _("Your assistant request failed")
        body = _("Request #%(id)d could not be answered. Nothing was charged.") % {"id": request.pk}
    notify(
        user=request.user,
        kind=NotificationKind.AI_REQUEST_FINISHED,
        title=str(title),
        body=str(body),
        data={"ai_request_id": request.pk, "status": request.status},
        event_id=f"ai_request:{request.pk}:{request.status}",
    )


def requests_reconcile(*, now: datetime | None = None) -> dict[str, int]:
    """Retry or release what a dead worker or a lost message left (idempotent; cron).
    A request open past ``OGC_AI_REQUEST_STALE_SECONDS`` is queued again until it has
    run ``OGC_AI_REQUEST_MAX_ATTEMPTS`` times; then it fails (hold released). A queued
    request that no worker picks up fails after as many stale periods."""
    now = now or timezone.now()
    stale = timedelta(seconds=int(settings.OGC_AI_REQUEST_STALE_SECONDS))
    max_attempts = int(settings.OGC_AI_REQUEST_MAX_ATTEMPTS)
    done = {"retried": 0, "failed": 0}
    for request_id in list(requests_stale(now=now, stale_before=now - stale).values_list("pk", flat=True)):
        outcome = _reconcile_one(request_id, now=now, stale=stale, max_attempts=max_attempts)
        if outcome:
            done[outcome] += 1
    return done


@transaction.atomic
def _reconcile_one(request_id: int, *, now: datetime, stale: timedelta, max_attempts: int) -> str | None:
    request = request_for_update(request_id=request_id)
    if request is None or not request.is_open:
        return None
    since = request.started_at if request.status == RequestStatus.RUNNING else request.created_at
    if since is None or since >= now - stale:
        return None
    give_up = request.attempts >= max_attempts or (
        request.status == RequestStatus.QUEUED and request.created_at < now - stale * (max_attempts + 1)
    )
    if give_up:
        request_fail(
            request_id=request.pk,
            code="abandoned",
            message=str(_("The assistant did not finish in time; nothing was charged.")),
        )
        return "failed"
    request.status = RequestStatus.QUEUED
    request.save(update_fields=["status"])
    _enqueue(request.pk)
    return "retried"
