"""Fixtures for the notification tests that run real worker processes on a real broker
(``test_broker_delivery.py``, ``test_email_kill.py``), each over both brokers: Redis and
RabbitMQ (``broker_kind``; the RabbitMQ variant is skipped, with the reason, only when
RabbitMQ is not reachable). The helpers are in ``live.py`` and ``brokers.py``."""

from __future__ import annotations

import contextlib

import dramatiq
import pytest

from notifications import tasks
from notifications.tests.brokers import BROKERS, BrokerSpace, rabbitmq_unavailable
from notifications.tests.live import PrivateRedis, SmtpSink, Workers

#: Worker settings for the tests: a dead Redis worker's messages come back after 3 s
#: (the heartbeat timeout), maintenance on every broker command, 2 s email claims.
WORKER_ENV = {
    "OGC_DRAMATIQ_HEARTBEAT_TIMEOUT_MS": "3000",
    "OGC_DRAMATIQ_MAINTENANCE_CHANCE": "1000000",
    "OGC_NOTIFICATION_CLAIM_SECONDS": "2",
}


@pytest.fixture(params=BROKERS)
def broker_kind(request) -> str:
    if request.param == "rabbitmq":
        reason = rabbitmq_unavailable()
        if reason:
            pytest.skip(f"RabbitMQ variant skipped: {reason}.")
    return request.param


@pytest.fixture
def broker_space(broker_kind):
    """A private space on the machine's broker of this variant: a Redis key namespace on
    127.0.0.1:6379, or a RabbitMQ virtual host; deleted afterwards."""
    space = BrokerSpace.create(broker_kind)
    yield space
    space.delete()


@pytest.fixture
def point_actors_at():
    """Call with a ``BrokerSpace`` (and optionally another URL, e.g. its unreachable one)
    to send this process's notification messages there; the original (stub) broker is
    restored afterwards."""
    actors = (*tasks.CHANNEL_ACTORS.values(), tasks.requeue_notifications)
    original = {actor: actor.broker for actor in actors}
    brokers: list[dramatiq.Broker] = []

    def point(space: BrokerSpace, url: str | None = None) -> dramatiq.Broker:
        broker = space.make_broker(url)
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
    """Call with a ``BrokerSpace`` (and env overrides) for a ``Workers`` pool; every
    process it started is stopped afterwards."""
    pools: list[Workers] = []

    def make(space: BrokerSpace, *, env: dict | None = None) -> Workers:
        base = tmp_path / f"pool-{len(pools)}"
        (base / "mail").mkdir(parents=True)
        (base / "logs").mkdir()
        pool = Workers(
            broker_url=space.url,
            namespace=space.namespace,
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
def workers(broker_space, worker_pool):
    """Worker processes on the machine's broker, in this test's private space (set up
    first, so it is deleted after the workers stopped: no heartbeat key left behind)."""
    return worker_pool(broker_space)


@pytest.fixture
def private_broker(broker_kind):
    """A broker space nobody else uses: a throw-away ``redis-server`` (unix socket), or a
    private virtual host on the machine's RabbitMQ."""
    if broker_kind == "redis":
        with PrivateRedis() as server:
            yield BrokerSpace.create("redis", redis_url=server.url)
        return
    space = BrokerSpace.create("rabbitmq")
    yield space
    space.delete()


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink
