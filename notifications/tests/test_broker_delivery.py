"""End to end against a real broker with ``manage.py rundramatiq`` worker processes on
the test database, once per broker (``broker_kind``): the machine's Redis on
127.0.0.1:6379 (own key namespace per test) and its RabbitMQ on 127.0.0.1:5672 (own
virtual host per test)."""

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
from notifications.tests.conftest import WORKER_ENV
from notifications.tests.live import Workers, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

HEARTBEAT_S = int(WORKER_ENV["OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS"]) / 1000
#: The lease of the kill test's claim: long enough for a second worker to start and get
#: the dead worker's message before it ends.
CLAIM_S = 16


def sent_emails(workers: Workers) -> list[str]:
    log = workers.mail_dir / "sent.log"
    return log.read_text().splitlines() if log.exists() else []


def all_sent(notification: Notification) -> bool:
    return set(notification.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_event_is_delivered_end_to_end(workers, broker_space, point_actors_at):
    point_actors_at(broker_space)
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


def test_broker_down_commit_survives_and_requeue_delivers(workers, broker_space, point_actors_at):
    user = UserFactory()
    point_actors_at(broker_space, broker_space.unreachable_url)  # nothing listens there
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

    point_actors_at(broker_space)  # the broker is back
    workers.start(threads=2)
    call_command("requeue_notifications", minutes=0)
    try:
        wait_until(lambda: all_sent(notification), timeout=40, what="requeued deliveries sent")
    except AssertionError:
        print(workers.logs())
        raise
    assert len(sent_emails(workers)) == 1


def test_worker_killed_mid_send_sends_nothing_twice_and_reports_the_email(workers, broker_space, point_actors_at):
    """At most once, with a second worker running when the first dies: the email in
    flight is never resent. The dead worker's message comes back to the survivor while
    the claim's lease still runs (RabbitMQ: at once; Redis: after its 3 s heartbeat
    timeout); the survivor sends nothing and retries the message, and the retry after
    the lease reconciles the claim: the email ends ``failed``, "outcome unknown"."""
    workers.env.update(
        {
            "OGC_NOTIFICATION_CLAIM_SECONDS": str(CLAIM_S),
            # 5 retries 2-4, 4-8, then 5-10 s apart (jittered): 21 s at least, longer
            # than what is left of the lease when the message first comes back.
            "OGC_NOTIFICATION_RETRY_MIN_BACKOFF_MS": "2000",
            "OGC_NOTIFICATION_RETRY_MAX_BACKOFF_MS": "10000",
        }
    )
    point_actors_at(broker_space)
    user = UserFactory()
    first = workers.start(email_delay=60, threads=1)
    with transaction.atomic():
        notification = notify(user=user, kind="reward_paid", title="Prize", body="You won", event_id="kill:1")

    def started() -> list[Path]:
        return list(workers.mail_dir.glob("started-*"))

    survivor_log = workers.log_dir / "worker-1.log"
    try:
        wait_until(lambda: bool(started()), timeout=30, what="the email send to start")
        claimed_at = time.monotonic()
        workers.start(email_delay=0, threads=2)
        wait_until(
            lambda: survivor_log.exists() and b"ready for action" in survivor_log.read_bytes(),
            timeout=30,
            what="the second worker to be ready",
        )
    except AssertionError:
        print(workers.logs())
        raise
    # The worker process (child of the dramatiq master) is inside the SMTP call: kill it.
    worker_pid = int(started()[0].name.split("-")[1])
    os.kill(worker_pid, signal.SIGKILL)
    first.wait(timeout=20)  # the master notices and exits
    assert time.monotonic() - claimed_at < CLAIM_S - HEARTBEAT_S - 2, "the lease ended before the kill"
    email = NotificationDelivery.objects.get(notification=notification, channel="email")
    # Claimed (committed before the send), not sent, nothing recorded by the dead worker.
    assert (email.status, email.attempts, email.claim_token is not None) == (DeliveryStatus.QUEUED, 0, True)
    assert sent_emails(workers) == []

    try:
        # The redelivered message found the claim live: the survivor asked for a retry.
        wait_until(
            lambda: b"DeliveryRetryError" in survivor_log.read_bytes(),
            timeout=CLAIM_S,
            what="the redelivered message to meet the live claim",
        )
        assert NotificationDelivery.objects.filter(pk=email.pk, status=DeliveryStatus.QUEUED).exists()
        wait_until(
            lambda: NotificationDelivery.objects.filter(pk=email.pk, status=DeliveryStatus.FAILED).exists(),
            timeout=CLAIM_S + 30,
            what="the retried message to reconcile the dead claim",
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
