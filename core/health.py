"""Liveness and readiness (``/healthz``, ``/readyz``), with django-health-check.

``/healthz`` answers as long as the process serves requests: no dependency is asked,
so a database outage never gets a healthy web process restarted.

``/readyz`` runs its checks concurrently, each in a thread of its own or as a
coroutine, under one deadline (``OGC_READINESS_TIMEOUT_SECONDS``, default 0.8 s): a
dependency that hangs makes the answer a 503 naming it, in under a second, instead of
holding the probe. The checks: the database answers and every migration on disk is
applied; the cache stores and returns a value; the broker answers when one is
configured (``DRAMATIQ_BROKER_URL``: Redis or RabbitMQ; the embedded stub broker has
nothing to reach). The body is JSON: ``{"status": "ok"|"unavailable", "checks":
{name: "ok" | reason}}``; reasons never carry addresses or credentials.

The queue worker's own probe is ``manage.py worker_status`` (the age of the newest
worker heartbeat, ``core.queue_middleware``): a worker outage does not make the web
unready, it is an alert (``ogc_worker_heartbeat_age_seconds``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.checks import Database
from health_check.exceptions import ServiceUnavailable

#: The names a failed check is reported under (the body's keys, stable for alerting).
DATABASE, MIGRATIONS, CACHE, BROKER = "database", "migrations", "cache", "broker"


def _budget() -> float:
    return float(getattr(settings, "OGC_READINESS_TIMEOUT_SECONDS", 0.8))


@dataclasses.dataclass
class DatabaseReachable(Database):
    """django-health-check's ``SELECT 1`` on a connection of the check's own thread,
    closed afterwards (its reason is replaced: the driver's names the server)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            raise ServiceUnavailable("database unreachable") from exc
        finally:
            connections[self.alias].close()


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration on disk is applied (a web process of a newer release started
    before ``migrate`` ran is not ready)."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            raise ServiceUnavailable("cannot read the migration state") from exc
        finally:
            connection.close()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migrations not applied")


@dataclasses.dataclass
class CacheWorks(HealthCheck):
    """Set and read back a key, synchronously in the check's thread (django-health-check's
    own Cache check awaits the cache's async API, which runs a blocking client on the
    request's thread, out of reach of the deadline)."""

    alias: str = "default"

    def run(self) -> None:
        cache = caches[self.alias]
        key, value = f"ogc:readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
        try:
            cache.set(key, value, timeout=5)
            ok = cache.get(key) == value
            cache.delete(key)
        except Exception as exc:
            raise ServiceUnavailable("cache unreachable") from exc
        if not ok:
            raise ServiceUnavailable("cache did not return the value it stored")


@dataclasses.dataclass
class RedisBroker(HealthCheck):
    """PING the broker's Redis (``redis.asyncio``: cancelled at the deadline)."""

    url: str = dataclasses.field(repr=False, default="")

    async def run(self) -> None:
        from redis.asyncio import Redis

        timeout = _budget()
        client = Redis.from_url(self.url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            await client.ping()
        except Exception as exc:
            raise ServiceUnavailable("broker unreachable") from exc
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()


@dataclasses.dataclass
class AmqpBroker(HealthCheck):
    """Open a TCP connection to the RabbitMQ broker and read its AMQP greeting (pika's
    blocking connection would hold the thread for its own timeouts)."""

    url: str = dataclasses.field(repr=False, default="")

    async def run(self) -> None:
        parts = urlsplit(self.url)
        host, port = parts.hostname or "localhost", parts.port or (5671 if parts.scheme == "amqps" else 5672)
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"AMQP\x00\x00\x09\x01")
            await writer.drain()
            frame = await reader.read(7)
            writer.close()
        except OSError as exc:
            raise ServiceUnavailable("broker unreachable") from exc
        if len(frame) < 7 or frame[0] != 1:  # a method frame (connection.start)
            raise ServiceUnavailable("broker did not answer as AMQP")


def readiness_checks() -> dict[str, HealthCheck]:
    """The checks of ``/readyz`` for the current settings, by reported name."""
    checks: dict[str, HealthCheck] = {
        DATABASE: DatabaseReachable(),
        MIGRATIONS: MigrationsApplied(),
        CACHE: CacheWorks(),
    }
    url = getattr(settings, "DRAMATIQ_BROKER_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        checks[BROKER] = RedisBroker(url=url)
    elif url.startswith(("amqp://", "amqps://")):
        checks[BROKER] = AmqpBroker(url=url)
    return checks


@contextlib.contextmanager
def _executor(workers: int) -> Iterator[ThreadPoolExecutor]:
    """Threads for the synchronous checks, released without waiting: a check stuck on a
    hung dependency is left to its client's timeout, not waited for."""
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ogc-readyz")
    try:
        yield executor
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


async def _run_all(checks: dict[str, HealthCheck], budget: float) -> dict[str, str]:
    with _executor(len(checks)) as executor:
        # Each check's own timeout is set past the deadline: the deadline decides.
        for check in checks.values():
            check.timeout = datetime.timedelta(seconds=budget + 5)
        tasks = {name: asyncio.ensure_future(check.get_result(executor)) for name, check in checks.items()}
        done, _pending = await asyncio.wait(tasks.values(), timeout=budget)
        outcome: dict[str, str] = {}
        for name, task in tasks.items():
            if task not in done:
                task.cancel()
                outcome[name] = f"no answer within {budget:g} s"
                continue
            error = task.result().error
            outcome[name] = "ok" if error is None else str(error.message)
        return outcome


def run_readiness(checks: dict[str, HealthCheck] | None = None) -> dict[str, str]:
    """Run the readiness checks under the deadline; name -> "ok" or the reason."""
    return asyncio.run(_run_all(checks if checks is not None else readiness_checks(), _budget()))


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Asks no dependency."""
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every check passed, else 503 with the failed checks named."""
    results = run_readiness()
    failed = sorted(name for name, outcome in results.items() if outcome != "ok")
    body: dict[str, object] = {"status": "unavailable" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    response = JsonResponse(body, status=503 if failed else 200)
    add_never_cache_headers(response)
    return response
