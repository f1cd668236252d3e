"""Delivery actors with the stub broker and a real Worker: retries, bounded attempts,
permanent errors, idempotent redelivery."""

import pytest
from django.core import mail
from django.db import transaction

from notifications import tasks
from notifications.models import DeliveryStatus, NotificationDelivery
from notifications.services import notify
from notifications.tests.backends import FlakyBackend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_retries(monkeypatch, settings):
    """Millisecond backoff so retries happen within the test."""
    for actor in tasks.CHANNEL_ACTORS.values():
        monkeypatch.setitem(actor.options, "min_backoff", 10)
        monkeypatch.setitem(actor.options, "max_backoff", 40)
    settings.OGC_NOTIFICATION_MAX_ATTEMPTS = 3


def _notify(user, event_id="evt:1"):
    with transaction.atomic():
        return notify(user=user, kind="deposit_credited", title="Deposit", body="10 OGC", event_id=event_id)


def _drain(broker, worker):
    broker.join("notifications", fail_fast=False)
    worker.join()


def test_failing_email_backend_retries_then_fails_with_the_error(user, broker, worker, settings, fast_retries):
    settings.EMAIL_BACKEND = "notifications.tests.backends.AlwaysFailingBackend"
    notification = _notify(user)
    _drain(broker, worker)
    email = notification.deliveries.get(channel="email")
    assert email.status == DeliveryStatus.FAILED
    assert email.attempts == 3
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert email.sent_at is None
    in_app = notification.deliveries.get(channel="in_app")
    assert (in_app.status, in_app.attempts) == (DeliveryStatus.SENT, 1)


def test_transient_errors_are_retried_until_sent(user, broker, worker, settings, fast_retries, monkeypatch):
    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakyBackend"
    monkeypatch.setattr(FlakyBackend, "calls", 0)
    monkeypatch.setattr(FlakyBackend, "failures", 2)
    notification = _notify(user)
    _drain(broker, worker)
    email = notification.deliveries.get(channel="email")
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 3)
    assert "temporary failure" in email.last_error  # kept for the operator's history
    assert len(mail.outbox) == 1


def test_refused_recipient_fails_at_once(user, broker, worker, settings, fast_retries):
    settings.EMAIL_BACKEND = "notifications.tests.backends.RefusingBackend"
    notification = _notify(user)
    _drain(broker, worker)
    email = notification.deliveries.get(channel="email")
    assert (email.status, email.attempts) == (DeliveryStatus.FAILED, 1)
    assert email.last_error.startswith("SMTPRecipientsRefused")


def test_a_message_seen_twice_sends_once(user, broker, worker):
    notification = _notify(user)
    ids = list(notification.deliveries.values_list("pk", "channel"))
    for pk, channel in ids:  # the same messages again, as a broker redelivery would
        tasks.CHANNEL_ACTORS[channel].send([pk])
    _drain(broker, worker)
    assert len(mail.outbox) == 1
    assert set(NotificationDelivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    # And once more after everything was sent.
    for pk, channel in ids:
        tasks.CHANNEL_ACTORS[channel].send([pk])
    _drain(broker, worker)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<notification-{notification.pk}.")
