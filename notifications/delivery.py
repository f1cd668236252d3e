"""Channel senders: deliver a batch of delivery rows by id, idempotently.

Each sender only touches rows that are still ``queued``: a message delivered twice
(broker redelivery after a worker crash, the outbox relay, an operator resend) finds
the rows already ``sent`` and does nothing. Email rows are locked in small batches
(``SKIP LOCKED``: rows a twin message is handling elsewhere are skipped, not waited
for) and marked sent in the same transaction, committed right after the batch was
handed to the mail server. A crash between the mail server's acceptance and that
commit can repeat at most one batch (``OGC_NOTIFICATION_EMAIL_LOCK_BATCH``); the
Message-ID header is derived from the row, so a mail relay or client can drop the twin.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import select_template
from django.utils import timezone

from notifications.kinds import Channel
from notifications.models import DeliveryStatus, NotificationDelivery

logger = logging.getLogger(__name__)

#: Errors that retrying cannot fix: the row fails at once.
PERMANENT_EMAIL_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPRecipientsRefused,)


@dataclass
class DeliveryOutcome:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)


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


def _record_failure(*, delivery_id: int, attempts: int, error: Exception, permanent: bool) -> bool:
    """Store the error; returns True when the row gave up (``failed``)."""
    give_up = permanent or attempts >= settings.OGC_NOTIFICATION_MAX_ATTEMPTS
    NotificationDelivery.objects.filter(pk=delivery_id).update(
        attempts=attempts,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        status=DeliveryStatus.FAILED if give_up else DeliveryStatus.QUEUED,
        updated_at=timezone.now(),
    )
    return give_up


def deliver_email(*, delivery_ids: Sequence[int]) -> DeliveryOutcome:
    """Send the queued email rows among ``delivery_ids`` over one connection.

    Rows are locked ``EMAIL_LOCK_BATCH`` at a time (one SELECT ... FOR UPDATE SKIP
    LOCKED), sent, and marked sent in one UPDATE before the next batch: a twin message
    skips the locked rows, and a crash between an accepted send and the commit can
    repeat at most one batch (the Message-ID stays the same)."""
    outcome = DeliveryOutcome()
    candidates = {
        delivery.pk: delivery
        for delivery in NotificationDelivery.objects.filter(
            pk__in=list(delivery_ids), channel=Channel.EMAIL, status=DeliveryStatus.QUEUED
        ).select_related("notification__recipient")
    }
    if not candidates:
        return outcome
    templates = _TemplateCache()
    connection = get_connection()
    try:
        connection.open()
        pks = sorted(candidates)
        for start in range(0, len(pks), settings.OGC_NOTIFICATION_EMAIL_LOCK_BATCH):
            with transaction.atomic():
                _send_locked_batch(
                    connection,
                    [candidates[pk] for pk in pks[start : start + settings.OGC_NOTIFICATION_EMAIL_LOCK_BATCH]],
                    templates,
                    outcome,
                )
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP connection must not hide the outcome
            logger.debug("Closing the email connection failed.", exc_info=True)
    return outcome


def _send_locked_batch(
    connection, batch: list[NotificationDelivery], templates: _TemplateCache, outcome: DeliveryOutcome
) -> None:
    locked = dict(
        NotificationDelivery.objects.select_for_update(skip_locked=True)
        .filter(pk__in=[d.pk for d in batch], status=DeliveryStatus.QUEUED)
        .values_list("pk", "attempts")
    )
    sent: list[int] = []
    for delivery in batch:
        if delivery.pk not in locked:  # sent meanwhile, or a twin message holds it
            continue
        attempts = locked[delivery.pk] + 1
        try:
            connection.send_messages([build_email(delivery, templates)])
        except Exception as exc:
            permanent = isinstance(exc, PERMANENT_EMAIL_ERRORS)
            logger.warning("Email delivery %s failed (attempt %d): %s", delivery.pk, attempts, exc)
            if _record_failure(delivery_id=delivery.pk, attempts=attempts, error=exc, permanent=permanent):
                outcome.failed.append(delivery.pk)
            else:
                outcome.retry.append(delivery.pk)
            with contextlib.suppress(Exception):
                connection.close()  # the next send opens a fresh connection
            continue
        sent.append(delivery.pk)
    if sent:
        now = timezone.now()
        NotificationDelivery.objects.filter(pk__in=sent).update(
            status=DeliveryStatus.SENT, sent_at=now, attempts=F("attempts") + 1, updated_at=now
        )
        outcome.sent.extend(sent)


#: channel -> sender. A new channel adds its sender here and its actor in tasks.py.
SENDERS = {
    Channel.IN_APP: deliver_in_app,
    Channel.EMAIL: deliver_email,
}
