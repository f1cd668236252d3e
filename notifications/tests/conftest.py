"""Fixtures for the notification tests that run real worker processes on Redis
(``test_redis_delivery.py``, ``test_email_kill.py``); the helpers are in ``live.py``."""

from __future__ import annotations

import contextlib
import uuid

import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from notifications import tasks
from notifications.tests.live import PrivateRedis, SmtpSink, Workers

#: The machine's Redis, shared with other test runs: each test has its own namespace.
REDIS_URL = "redis://127.0.0.1:6379/0"
#: Worker settings for the tests: a dead worker's messages come back after 3 s (the
#: heartbeat timeout), maintenance on every broker command, 2 s email claims.
WORKER_ENV = {
    "OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS": "3000",
    "OGC_DRAMATIQ_MAINTENANCE_CHANCE": "1000000",
    "OGC_NOTIFICATION_CLAIM_SECONDS": "2",
}


@pytest.fixture
def namespace():
    name = f"ogc-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def point_actors_at():
    """Call with a Redis URL and namespace to send this process's notification messages
    there; the original (stub) broker is restored afterwards."""
    actors = (*tasks.CHANNEL_ACTORS.values(), tasks.requeue_notifications)
    original = {actor: actor.broker for actor in actors}
    brokers: list[RedisBroker] = []

    def point(url: str, namespace: str) -> RedisBroker:
        broker = RedisBroker(url=url, namespace=namespace)
        brokers.append(broker)
        for actor in actors:
            actor.broker = broker
            broker.declare_actor(actor)
        return broker

    yield point
    for actor, broker in original.items():
        actor.broker = broker
    for broker in brokers:
        with contextlib.suppress(Exception):
            broker.close()


@pytest.fixture
def worker_pool(transactional_db, tmp_path):
    """Call with a Redis URL and namespace (and env overrides) for a ``Workers`` pool;
    every process it started is stopped afterwards."""
    pools: list[Workers] = []

    def make(*, redis_url: str, namespace: str, env: dict | None = None) -> Workers:
        base = tmp_path / f"pool-{len(pools)}"
        (base / "mail").mkdir(parents=True)
        (base / "logs").mkdir()
        pool = Workers(
            redis_url=redis_url,
            namespace=namespace,
            mail_dir=base / "mail",
            log_dir=base / "logs",
            env={**WORKER_ENV, **(env or {})},
        )
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.stop_all()


@pytest.fixture
def workers(worker_pool, namespace):
    """Worker processes on the machine's Redis, in this test's namespace."""
    return worker_pool(redis_url=REDIS_URL, namespace=namespace)


@pytest.fixture
def private_redis():
    with PrivateRedis() as server:
        yield server


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink
