"""Channel senders: deliver a batch of delivery rows by id, idempotently.

In-app delivery is the row itself (one UPDATE). Email cannot share a transaction with
the mail server, so each email row is claimed before its send and marked right after:

1. claim: up to ``OGC_NOTIFICATION_EMAIL_LOCK_BATCH`` queued, unclaimed rows get a claim
   token and a lease (``OGC_NOTIFICATION_CLAIM_SECONDS``) in one committed transaction
   (``SELECT ... FOR UPDATE SKIP LOCKED``: rows a twin message is claiming are skipped);
2. send the claimed rows one at a time in id order (the Message-ID is derived from the
   row), and commit each one's result right after its send: ``sent`` (claim kept),
   or back to ``queued``/``failed`` with the error (claim cleared).

So at any moment a claim has at most one email in flight: its lowest row still open.
A message delivered again (broker redelivery after a kill, the relay, a retry) only
claims unclaimed rows and never sends a claimed one. ``reconcile_expired_claims`` ends
a claim whose lease ran out without a result (a killed or stalled worker): its lowest
open row may have reached the mail server, so it becomes ``failed`` with an "outcome
unknown" reason and is never resent automatically (at most once); the rows after it
were never attempted and go back to the queue. The UPDATE recording a send's result
only matches a row still open under the claim: when it finds the row reconciled, the
worker corrects it and sends nothing more of that claim, so it never sends a row the
reconcile gave away. See docs/notifications.md, "Delivery state machine".
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import select_template
from django.utils import timezone

from notifications.kinds import Channel
from notifications.lock_objects import expired_claims_for_update, queued_unclaimed_for_update
from notifications.models import DeliveryStatus, NotificationDelivery

logger = logging.getLogger(__name__)

#: Errors that retrying cannot fix: the row fails at once.
PERMANENT_EMAIL_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPRecipientsRefused,)


@dataclass
class DeliveryOutcome:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)


def deliver_in_app(*, delivery_ids: Sequence[int]) -> DeliveryOutcome:
    """In-app delivery is the row itself: mark the queued rows sent in one UPDATE."""
    ids = list(
        NotificationDelivery.objects.filter(
            pk__in=list(delivery_ids), channel=Channel.IN_APP, status=DeliveryStatus.QUEUED
        ).values_list("pk", flat=True)
    )
    updated = NotificationDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    logger.debug("In-app: %d of %d deliveries marked sent.", updated, len(delivery_ids))
    return DeliveryOutcome(sent=ids)


def _message_id(delivery: NotificationDelivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "ogc.local"
    return f"<notification-{delivery.notification_id}.{delivery.pk}@{domain}>"


class _TemplateCache:
    """(kind, extension) -> template, resolved once per batch."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str, str], Any] = {}

    def get(self, kind: str, extension: str):
        key = (kind, extension)
        if key not in self._templates:
            names = [f"notifications/email/{kind}.{extension}", f"notifications/email/default.{extension}"]
            self._templates[key] = select_template(names)
        return self._templates[key]


def build_email(delivery: NotificationDelivery, templates: _TemplateCache | None = None) -> EmailMultiAlternatives:
    """The text + HTML email of a delivery; a kind may have its own templates
    (``notifications/email/<kind>.txt|html``), others use ``default``."""
    templates = templates or _TemplateCache()
    notification = delivery.notification
    user = notification.recipient
    context = {
        "notification": notification,
        "user": user,
        "data": notification.data,
        "token_symbol": settings.OGC_TOKEN_SYMBOL,
        "site_url": settings.OGC_SITE_URL.rstrip("/"),
    }
    text = templates.get(notification.kind, "txt").render(context)
    html = templates.get(notification.kind, "html").render(context)
    message = EmailMultiAlternatives(
        subject=notification.title,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": _message_id(delivery)},
    )
    message.attach_alternative(html, "text/html")
    return message


UNKNOWN_OUTCOME_ERROR = (
    "Send outcome unknown: the claim expired at {until:%Y-%m-%d %H:%M:%S} UTC without a result (the worker "
    "was killed or stalled while sending). The mail server may have accepted it; it is not resent "
    "automatically (at most once). Resend it from the admin if the recipient did not get it."
)


@dataclass
class _Claim:
    token: str
    until: datetime
    attempts: dict[int, int]  # pk -> attempts before this claim


def _claim(pks: Sequence[int]) -> _Claim:
    """Claim the queued, unclaimed rows among ``pks`` in one committed transaction."""
    now = timezone.now()
    claim = _Claim(uuid.uuid4().hex, now + timedelta(seconds=settings.OGC_NOTIFICATION_CLAIM_SECONDS), {})
    with transaction.atomic():
        claim.attempts = dict(queued_unclaimed_for_update(pks=pks).values_list("pk", "attempts"))
        if claim.attempts:
            NotificationDelivery.objects.filter(pk__in=list(claim.attempts)).update(
                claim_token=claim.token, claimed_until=claim.until, updated_at=now
            )
    return claim


def _under_live_claims(pks: Sequence[int]) -> list[int]:
    """The queued email rows among ``pks`` that a claim holds and whose lease has not ended."""
    return list(
        NotificationDelivery.objects.filter(
            pk__in=list(pks), channel=Channel.EMAIL, status=DeliveryStatus.QUEUED, claimed_until__gt=timezone.now()
        ).values_list("pk", flat=True)
    )


def _open_rows(claim: _Claim, pks: Sequence[int]):
    """The rows among ``pks`` still open under ``claim`` (queued with its token)."""
    return NotificationDelivery.objects.filter(pk__in=list(pks), status=DeliveryStatus.QUEUED, claim_token=claim.token)


def _release(claim: _Claim, pks: Sequence[int]) -> list[int]:
    """Give never-attempted rows of ``claim`` back to the queue; returns those released."""
    released = list(_open_rows(claim, pks).values_list("pk", flat=True))
    if released:
        _open_rows(claim, released).update(claim_token=None, claimed_until=None, updated_at=timezone.now())
    return released


# Recording a send's result runs once per email: plain SQL, because building the ORM
# query cost more CPU than the round trip (docs/notifications.md, "Throughput"). Both
# only match the row while ``claim_token`` is the caller's and ``status`` is the given one.
_WHERE_CLAIMED = " WHERE id = %s AND claim_token = %s AND status = %s"
_SQL_SENT = "UPDATE notification_deliveries SET status = 'sent', sent_at = %s, attempts = %s, updated_at = %s"
_SQL_FAILED = (
    "UPDATE notification_deliveries SET status = %s, attempts = %s, last_error = %s,"
    " claim_token = NULL, claimed_until = NULL, updated_at = %s"
)


def _resolve(claim: _Claim, pk: int, sql: str, values: list) -> bool:
    """Record the result of ``pk``'s send (one UPDATE, committed at once). True while the
    claim still held the row. False when the claim had expired and been reconciled: the
    row was marked "outcome unknown" (now corrected with the real result) and the rows
    after it were given back to the queue, so the caller must not send them."""
    with db_connection.cursor() as cursor:
        cursor.execute(sql + _WHERE_CLAIMED, [*values, pk, claim.token, DeliveryStatus.QUEUED.value])
        if cursor.rowcount:
            return True
        cursor.execute(sql + _WHERE_CLAIMED, [*values, pk, claim.token, DeliveryStatus.FAILED.value])
        if not cursor.rowcount:
            logger.warning("Email delivery %s: its claim was taken away (an operator resent it?).", pk)
    return False


def _mark_sent(claim: _Claim, pk: int) -> bool:
    """Right after the mail server accepted the email (see ``_resolve``)."""
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    return _resolve(claim, pk, _SQL_SENT, [now, claim.attempts[pk] + 1, now])


def _record_failure(*, claim: _Claim, delivery_id: int, error: Exception, permanent: bool) -> tuple[bool, bool]:
    """Store the error and end the claim on the row: back to ``queued`` for a retry, or
    ``failed`` when permanent or out of attempts. Returns (gave up, claim still held)."""
    attempts = claim.attempts[delivery_id] + 1
    give_up = permanent or attempts >= settings.OGC_NOTIFICATION_MAX_ATTEMPTS
    status = DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED
    error_text = f"{type(error).__name__}: {error}"[:2000]
    now = db_connection.ops.adapt_datetimefield_value(timezone.now())
    held = _resolve(claim, delivery_id, _SQL_FAILED, [status.value, attempts, error_text, now])
    return give_up, held


def deliver_email(*, delivery_ids: Sequence[int]) -> DeliveryOutcome:
    """Send the queued, unclaimed email rows among ``delivery_ids`` over one connection,
    claim batch by claim batch (module docstring). Expired claims among the ids (a dead
    worker's, found by the redelivery of its message) are reconciled first."""
    outcome = DeliveryOutcome()
    reconciled = reconcile_expired_claims(delivery_ids=delivery_ids)
    outcome.unknown = reconciled.unknown
    elsewhere = sorted(set(reconciled.released) - set(delivery_ids))
    if elsewhere:  # rows of a reconciled claim that this message does not carry
        from notifications.services import enqueue_deliveries

        enqueue_deliveries(channel=Channel.EMAIL, delivery_ids=elsewhere)
    # Rows of this message under another worker's live claim: a redelivery that came
    # before the lease ended (RabbitMQ redelivers as soon as a dead worker's connection
    # closes). Retry the message: by then they are sent, or the retry reconciles them.
    outcome.retry.extend(_under_live_claims(delivery_ids))
    candidates = {
        delivery.pk: delivery
        for delivery in NotificationDelivery.objects.filter(
            pk__in=list(delivery_ids), channel=Channel.EMAIL, status=DeliveryStatus.QUEUED, claim_token__isnull=True
        ).select_related("notification__recipient")
    }
    if not candidates:
        return outcome
    templates = _TemplateCache()
    connection = get_connection()
    batch_size = max(1, settings.OGC_NOTIFICATION_EMAIL_LOCK_BATCH)
    try:
        connection.open()
        pks = sorted(candidates)
        for start in range(0, len(pks), batch_size):
            claim = _claim(pks[start : start + batch_size])
            if claim.attempts:
                _send_claimed(connection, claim, [candidates[pk] for pk in sorted(claim.attempts)], templates, outcome)
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP connection must not hide the outcome
            logger.debug("Closing the email connection failed.", exc_info=True)
    return outcome


def _send_claimed(
    connection, claim: _Claim, batch: list[NotificationDelivery], templates: _TemplateCache, outcome: DeliveryOutcome
) -> None:
    """Send the rows of ``claim`` one at a time, recording each result right after its
    send. The UPDATE that records a result also tells whether the claim still holds, so
    the next row is sent only if the reconcile has not given it away (no extra query)."""
    pks = [delivery.pk for delivery in batch]
    index = 0
    try:
        for index, delivery in enumerate(batch):
            if timezone.now() >= claim.until:  # past the lease: the rest waits for another run
                outcome.retry.extend(_release(claim, pks[index:]))
                return
            try:
                connection.send_messages([build_email(delivery, templates)])
            except Exception as exc:
                permanent = isinstance(exc, PERMANENT_EMAIL_ERRORS)
                logger.warning(
                    "Email delivery %s failed (attempt %d): %s", delivery.pk, claim.attempts[delivery.pk] + 1, exc
                )
                gave_up, held = _record_failure(claim=claim, delivery_id=delivery.pk, error=exc, permanent=permanent)
                (outcome.failed if gave_up else outcome.retry).append(delivery.pk)
                with contextlib.suppress(Exception):
                    connection.close()  # the next send opens a fresh connection
            else:
                held = _mark_sent(claim, delivery.pk)
                outcome.sent.append(delivery.pk)
            if not held:
                return  # the claim expired and was reconciled: the rest is another worker's
    except Exception:
        # The database failed around a send: the rows after this one were never attempted.
        with contextlib.suppress(Exception):
            _release(claim, pks[index + 1 :])
        raise


@dataclass
class ReconcileOutcome:
    unknown: list[int] = field(default_factory=list)  # in flight when the claim expired
    released: list[int] = field(default_factory=list)  # never attempted: queued again


def reconcile_expired_claims(*, delivery_ids: Sequence[int] | None = None, limit: int = 10_000) -> ReconcileOutcome:
    """End the email claims whose lease ran out (among ``delivery_ids``, or all): per
    claim, the lowest row still open was in flight and may have been accepted, so it
    becomes ``failed`` with an "outcome unknown" reason, never resent (at most once);
    the rows after it were never attempted and go back to the queue (``queued_at`` now;
    the caller enqueues them). Safe to run concurrently with workers and itself."""
    now = timezone.now()
    expired = NotificationDelivery.objects.filter(
        status=DeliveryStatus.QUEUED, claimed_until__lte=now, claim_token__isnull=False
    )
    if delivery_ids is not None:
        tokens = set(expired.filter(pk__in=list(delivery_ids)).values_list("claim_token", flat=True))
    else:
        tokens = set(expired.values_list("claim_token", flat=True)[:limit])
    outcome = ReconcileOutcome()
    if not tokens:
        return outcome
    with transaction.atomic():
        rows = list(expired_claims_for_update(expired, tokens=tokens).values_list("pk", "claim_token", "claimed_until"))
        in_flight: dict[str, tuple[int, datetime]] = {}
        for pk, token, until in sorted(rows):
            in_flight.setdefault(token, (pk, until))
        first = {pk for pk, _ in in_flight.values()}
        outcome.released = sorted(pk for pk, _, _ in rows if pk not in first)
        for pk, until in in_flight.values():
            NotificationDelivery.objects.filter(pk=pk).update(
                status=DeliveryStatus.FAILED,
                attempts=F("attempts") + 1,
                last_error=UNKNOWN_OUTCOME_ERROR.format(until=until),
                updated_at=now,
            )
        outcome.unknown = sorted(first)
        if outcome.released:
            NotificationDelivery.objects.filter(pk__in=outcome.released).update(
                claim_token=None, claimed_until=None, queued_at=now, updated_at=now
            )
    logger.warning(
        "Reconciled %d expired email claim(s): %d email(s) with an unknown outcome (not resent): %s; "
        "%d never attempted, queued again.",
        len(in_flight),
        len(outcome.unknown),
        outcome.unknown[:20],
        len(outcome.released),
    )
    return outcome


#: channel -> sender. A new channel adds its sender here and its actor in tasks.py.
SENDERS = {
    Channel.IN_APP: deliver_in_app,
    Channel.EMAIL: deliver_email,
}
