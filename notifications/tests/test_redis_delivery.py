"""End to end against the real Redis on 127.0.0.1:6379 with ``manage.py rundramatiq``
worker processes (own key namespace per test, same test database)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from dramatiq.brokers.redis import RedisBroker

from accounts.tests.factories import UserFactory
from notifications import tasks
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from notifications.services import notify

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/0"
UNREACHABLE_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
HEARTBEAT_MS = 3000


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")


@pytest.fixture
def namespace():
    name = f"ogc-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def _use_broker(broker: RedisBroker) -> None:
    """Point the notification actors of this (test) process at ``broker``."""
    for actor in (*tasks.CHANNEL_ACTORS.values(), tasks.requeue_notifications):
        actor.broker = broker
        broker.declare_actor(actor)


@pytest.fixture
def point_actors_at():
    """Call with a broker to send this process's notification messages there;
    the original (stub) broker is restored afterwards."""
    actors = (*tasks.CHANNEL_ACTORS.values(), tasks.requeue_notifications)
    original = {actor: actor.broker for actor in actors}
    brokers: list[RedisBroker] = []

    def point(url: str, namespace: str) -> RedisBroker:
        broker = RedisBroker(url=url, namespace=namespace, heartbeat_timeout=HEARTBEAT_MS)
        brokers.append(broker)
        _use_broker(broker)
        return broker

    yield point
    for actor, broker in original.items():
        actor.broker = broker
    for broker in brokers:
        with contextlib.suppress(Exception):
            broker.close()


class Workers:
    """``manage.py rundramatiq`` processes on the test database and the namespace."""

    def __init__(self, namespace: str, mail_dir: Path, log_dir: Path) -> None:
        self.namespace = namespace
        self.mail_dir = mail_dir
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, *, email_delay: float = 0.0, threads: int = 1) -> subprocess.Popen:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "notifications.tests.redis_worker_settings",
            "DATABASE_URL": f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}",
            "DRAMATIQ_BROKER_URL": REDIS_URL,
            "OGC_TEST_REDIS_NAMESPACE": self.namespace,
            "OGC_TEST_REDIS_HEARTBEAT_MS": str(HEARTBEAT_MS),
            "OGC_TEST_EMAIL_DIR": str(self.mail_dir),
            "OGC_TEST_EMAIL_DELAY": str(email_delay),
        }
        log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", str(threads)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log = log
        self.processes.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the dramatiq master forwards it and waits
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only its processes
                process.wait(timeout=10)
        process.log.close()

    def stop_all(self) -> None:
        for process in self.processes:
            self.stop(process)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("worker-*.log")))


@pytest.fixture
def workers(transactional_db, namespace, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    pool = Workers(namespace, mail_dir, log_dir)
    yield pool
    pool.stop_all()


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


def test_worker_killed_mid_delivery_loses_nothing_and_sends_once(workers, namespace, point_actors_at):
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
    assert (email.status, email.attempts) == (DeliveryStatus.QUEUED, 0)  # its transaction died with it
    assert sent_emails(workers) == []

    # A new worker: after the heartbeat timeout the dead worker's message is redelivered.
    workers.start(email_delay=0, threads=2)
    try:
        wait_until(lambda: all_sent(notification), timeout=40, what="redelivery after the kill")
    except AssertionError:
        print(workers.logs())
        raise
    time.sleep(HEARTBEAT_MS / 1000 + 1)  # give any twin redelivery the chance to send again
    assert len(sent_emails(workers)) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.SENT, 1)
