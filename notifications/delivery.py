"""Channel senders: deliver a batch of delivery rows by id, idempotently.

Each sender only touches rows that are still ``queued``: a message delivered twice
(broker redelivery after a worker crash, the outbox relay, an operator resend) finds
the rows already ``sent`` and does nothing. Email rows are locked one at a time
(``SKIP LOCKED``: a twin message being handled elsewhere is skipped, not waited for)
and committed right after the SMTP server accepted the message, which keeps the
window in which a crash can cause a second email to one row and one send. The
Message-ID header is derived from the row, so a mail relay can drop such a twin.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field

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


def build_email(delivery: NotificationDelivery) -> EmailMultiAlternatives:
    """The text + HTML email of a delivery; a kind may have its own templates
    (``notifications/email/<kind>.txt|html``), others use ``default``."""
    notification = delivery.notification
    user = notification.recipient
    context = {
        "notification": notification,
        "user": user,
        "data": notification.data,
        "token_symbol": settings.OGC_TOKEN_SYMBOL,
        "site_url": settings.OGC_SITE_URL.rstrip("/"),
    }
    names = [f"notifications/email/{notification.kind}", "notifications/email/default"]
    text = select_template([f"{name}.txt" for name in names]).render(context)
    html = select_template([f"{name}.html" for name in names]).render(context)
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
    """Send the queued email rows among ``delivery_ids`` over one connection."""
    outcome = DeliveryOutcome()
    candidates = list(
        NotificationDelivery.objects.filter(
            pk__in=list(delivery_ids), channel=Channel.EMAIL, status=DeliveryStatus.QUEUED
        )
        .select_related("notification__recipient")
        .order_by("pk")
    )
    if not candidates:
        return outcome
    connection = get_connection()
    try:
        for delivery in candidates:
            with transaction.atomic():
                attempts = (
                    NotificationDelivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=delivery.pk, status=DeliveryStatus.QUEUED)
                    .values_list("attempts", flat=True)
                    .first()
                )
                if attempts is None:  # sent meanwhile, or a twin message holds it
                    continue
                attempts += 1
                try:
                    connection.send_messages([build_email(delivery)])
                except Exception as exc:
                    permanent = isinstance(exc, PERMANENT_EMAIL_ERRORS)
                    logger.warning("Email delivery %s failed (attempt %d): %s", delivery.pk, attempts, exc)
                    if _record_failure(delivery_id=delivery.pk, attempts=attempts, error=exc, permanent=permanent):
                        outcome.failed.append(delivery.pk)
                    else:
                        outcome.retry.append(delivery.pk)
                    continue
                NotificationDelivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=attempts, updated_at=timezone.now()
                )
                outcome.sent.append(delivery.pk)
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP connection must not hide the outcome
            logger.debug("Closing the email connection failed.", exc_info=True)
    return outcome


#: channel -> sender. A new channel adds its sender here and its actor in tasks.py.
SENDERS = {
    Channel.IN_APP: deliver_in_app,
    Channel.EMAIL: deliver_email,
}
