"""End to end against the real Redis on 127.0.0.1:6379 with ``manage.py rundramatiq``
worker processes (own key namespace per test, same test database)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.tests.factories import UserFactory
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from notifications.services import notify
from notifications.tests.conftest import REDIS_URL, WORKER_ENV
from notifications.tests.live import Workers, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

UNREACHABLE_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
HEARTBEAT_S = int(WORKER_ENV["OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS"]) / 1000


def sent_emails(workers: Workers) -> list[str]:
    log = workers.mail_dir / "sent.log"
    return log.read_text().splitlines() if log.exists() else []


def all_sent(notification: Notification) -> bool:
    return set(notification.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_event_is_delivered_end_to_end(workers, namespace, point_actors_at):
    point_actors_at(REDIS_URL, namespace)
    user = UserFactory()
    workers.start(threads=2)
    with transaction.atomic():
        notification = notify(user=user, kind="reward_paid", title="Prize", body="You won", event_id="e2e:1")
    try:
        wait_until(lambda: all_sent(notification), timeout=40, what="both channels sent")
    except AssertionError:
        print(workers.logs())
        raise
    lines = sent_emails(workers)
    assert len(lines) == 1 and user.email in lines[0]
    assert notification.deliveries.get(channel="email").attempts == 1


def test_broker_down_commit_survives_and_requeue_delivers(workers, namespace, point_actors_at):
    user = UserFactory()
    point_actors_at(UNREACHABLE_URL, namespace)
    with transaction.atomic():
        user.display_name = "Business change"
        user.save(update_fields=["display_name"])
        notification = notify(user=user, kind="security", title="New login", body="From a new device")
    # The business transaction committed, the rows are there and still queued.
    user.refresh_from_db()
    assert user.display_name == "Business change"
    assert set(notification.deliveries.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}

    call_command("requeue_notifications", minutes=0)  # the broker is still down: nothing lost
    assert set(notification.deliveries.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}

    point_actors_at(REDIS_URL, namespace)  # the broker is back
    workers.start(threads=2)
    call_command("requeue_notifications", minutes=0)
    try:
        wait_until(lambda: all_sent(notification), timeout=40, what="requeued deliveries sent")
    except AssertionError:
        print(workers.logs())
        raise
    assert len(sent_emails(workers)) == 1


def test_worker_killed_mid_send_sends_nothing_twice_and_reports_the_email(workers, namespace, point_actors_at):
    """At most once: the email in flight when its worker died is never resent; it ends
    ``failed`` with an "outcome unknown" reason once the claim expired and the dead
    worker's message came back (heartbeat timeout) to a new worker."""
    point_actors_at(REDIS_URL, namespace)
    user = UserFactory()
    first = workers.start(email_delay=30, threads=1)
    with transaction.atomic():
        notification = notify(user=user, kind="reward_paid", title="Prize", body="You won", event_id="kill:1")

    def started() -> list[Path]:
        return list(workers.mail_dir.glob("started-*"))

    try:
        wait_until(lambda: bool(started()), timeout=30, what="the email send to start")
    except AssertionError:
        print(workers.logs())
        raise
    # The worker process (child of the dramatiq master) is inside the SMTP call: kill it.
    worker_pid = int(started()[0].name.split("-")[1])
    os.kill(worker_pid, signal.SIGKILL)
    first.wait(timeout=20)  # the master notices and exits
    email = NotificationDelivery.objects.get(notification=notification, channel="email")
    # Claimed (committed before the send), not sent, nothing recorded by the dead worker.
    assert (email.status, email.attempts, email.claim_token is not None) == (DeliveryStatus.QUEUED, 0, True)
    assert sent_emails(workers) == []

    # A new worker: after the heartbeat timeout the dead worker's message is redelivered,
    # finds the claim expired and reconciles it instead of sending again.
    workers.start(email_delay=0, threads=2)
    try:
        wait_until(
            lambda: NotificationDelivery.objects.filter(pk=email.pk, status=DeliveryStatus.FAILED).exists(),
            timeout=40,
            what="the redelivered message to reconcile the dead claim",
        )
    except AssertionError:
        print(workers.logs())
        raise
    time.sleep(HEARTBEAT_S + 1)  # give any twin redelivery the chance to send
    assert sent_emails(workers) == []
    email.refresh_from_db()
    assert (email.status, email.attempts, email.outcome_unknown) == (DeliveryStatus.FAILED, 1, True)
    assert email.last_error.startswith("Send outcome unknown")
    assert notification.deliveries.get(channel="in_app").status == DeliveryStatus.SENT
