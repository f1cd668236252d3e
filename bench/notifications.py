"""Broadcast fan-out vs. a no-op actor, on the real Redis with one worker process.

Ours: ``notifications.services.broadcast`` to N users (default 10,000), timed from the
call until no delivery row is still ``queued`` (in-app and email, both channels), with
one ``dramatiq`` worker process. Baseline: the same worker process handling N
messages of an actor that does nothing, timed from the first send to an empty queue.
The ratio is (notifications per second) / (no-op messages per second); target >= 0.5.

Runs on a throw-away database ``test_ogc_bench_notifications`` (created and dropped
here) and its own Redis namespace. Env: BENCH_NOTIFICATIONS_USERS, BENCH_REDIS_URL,
BENCH_WORKER_THREADS.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

USERS = int(os.environ.get("BENCH_NOTIFICATIONS_USERS", "10000"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", "8"))
DB_NAME = "test_ogc_bench_notifications"
ROOT = Path(__file__).resolve().parent.parent


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogc.settings.test")
    os.environ["OGC_TEST_DATABASE_NAME"] = DB_NAME
    import django

    django.setup()


def _create_users(count: int) -> None:
    from accounts.models import User

    batch = 2000
    for start in range(0, count, batch):
        User.objects.bulk_create(
            [User(email=f"bench{i}@example.test", password="!") for i in range(start, min(count, start + batch))]
        )


def _start_worker(namespace: str, db_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench._notifications_worker_settings",
        "DATABASE_URL": db_url,
        "DRAMATIQ_BROKER_URL": REDIS_URL,
        "OGC_BENCH_REDIS_NAMESPACE": namespace,
    }
    command = [
        sys.executable,
        "-m",
        "dramatiq",
        "django_dramatiq.setup",
        "notifications.tasks",
        "bench._noop_tasks",
        "--processes",
        "1",
        "--threads",
        str(THREADS),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench.notifications: timed out waiting for {what}")
        time.sleep(0.1)


def _run(namespace: str, db_url: str) -> tuple[float, float, float, int]:
    from django.db import connection
    from dramatiq.brokers.redis import RedisBroker

    from bench._noop_tasks import noop
    from notifications import tasks
    from notifications.models import DeliveryStatus, NotificationDelivery
    from notifications.services import broadcast

    broker = RedisBroker(url=REDIS_URL, namespace=namespace)
    for actor in (*tasks.CHANNEL_ACTORS.values(), noop):
        actor.broker = broker
        broker.declare_actor(actor)

    _create_users(USERS)
    worker = _start_worker(namespace, db_url)
    try:
        # Warm up: the worker has started and connected when these are consumed.
        noop.send(-1)
        for actor in tasks.CHANNEL_ACTORS.values():
            actor.send([])
        broker.join("bench_noop", timeout=60_000)
        broker.join(tasks.QUEUE, timeout=60_000)

        start = time.perf_counter()
        for i in range(USERS):
            noop.send(i)
        broker.join("bench_noop", interval=20)
        noop_seconds = time.perf_counter() - start

        start = time.perf_counter()
        created = broadcast(title="Benchmark announcement", body="Hello from the benchmark.")
        call_seconds = time.perf_counter() - start
        queued = NotificationDelivery.objects.filter(status=DeliveryStatus.QUEUED)
        _wait(lambda: not queued.exists(), timeout=600, what="all deliveries")
        ours_seconds = time.perf_counter() - start
        connection.close()
        failed = NotificationDelivery.objects.filter(status=DeliveryStatus.FAILED).count()
        if failed:
            raise RuntimeError(f"bench.notifications: {failed} deliveries failed")
        return noop_seconds, ours_seconds, call_seconds, created
    finally:
        _stop_worker(worker)
        with contextlib.suppress(Exception):
            client = broker.client
            keys = list(client.scan_iter(match=f"{namespace}*"))
            if keys:
                client.delete(*keys)
            broker.close()


def main() -> None:
    _setup_django()
    from django.db import connection

    original_name = connection.settings_dict["NAME"]
    if connection.vendor != "mysql":
        print("bench.notifications needs MariaDB/MySQL (DATABASE_URL); skipped.")
        return
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    db = connection.settings_dict
    db_url = f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    namespace = f"ogc-bench-{uuid.uuid4().hex[:12]}"
    try:
        noop_seconds, ours_seconds, call_seconds, created = _run(namespace, db_url)
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    noop_rate = USERS / noop_seconds
    ours_rate = created / ours_seconds
    print(f"{'path':<44}{'items':>8}{'seconds':>10}{'per second':>12}")
    print(f"{'no-op actor (one message per item)':<44}{USERS:>8}{noop_seconds:>10.2f}{noop_rate:>12.0f}")
    print(f"{'broadcast -> in-app + email delivered':<44}{created:>8}{ours_seconds:>10.2f}{ours_rate:>12.0f}")
    print(f"{'  of which the broadcast() call (writes)':<44}{'':>8}{call_seconds:>10.2f}")
    print(f"ratio (broadcast rate / no-op rate): {ours_rate / noop_rate:.2f}x  (target >= 0.5x)")
