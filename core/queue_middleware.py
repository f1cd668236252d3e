"""dramatiq middleware of our own (listed in ``DRAMATIQ_BROKER["MIDDLEWARE"]``).

- ``RequestIdMiddleware``: a message enqueued during a request (or a command) carries
  its correlation id as the message option ``ogc_request_id``; the worker binds it
  while it processes the message, so the worker's log lines, the rows it writes
  (notification deliveries, audit entries) and the web's lines share one id. A message
  sent from nowhere gets ``msg:<actor>:<message id>``.
- ``ActorStatsMiddleware``: processed and failed messages per actor, counted in the
  shared cache (workers run on any host; ``/metrics`` reads the counters). Actor names
  are a fixed set, so the metric's labels stay bounded.
- ``WorkerHeartbeatMiddleware``: every worker process writes a heartbeat to the cache
  every ``OGC_WORKER_HEARTBEAT_SECONDS``; ``manage.py worker_status`` and ``/metrics``
  read its age.

None of them may break message processing: cache errors are logged and ignored.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

import dramatiq
from django.conf import settings
from django.core.cache import cache

from core.middleware import get_request_id, set_request_id

logger = logging.getLogger("ogc.worker")

REQUEST_ID_OPTION = "ogc_request_id"
HEARTBEAT_KEY = "ogc:worker:heartbeat"
STATS_KEY = "ogc:queue:{outcome}:{actor}"
OUTCOMES = ("processed", "failed")


class RequestIdMiddleware(dramatiq.Middleware):
    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: Any) -> None:
        if REQUEST_ID_OPTION not in message.options:
            request_id = get_request_id()
            if request_id:
                message.options[REQUEST_ID_OPTION] = request_id

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        request_id = message.options.get(REQUEST_ID_OPTION) or f"msg:{message.actor_name}:{message.message_id[:12]}"
        set_request_id(request_id)
        logger.info("Processing %s (message %s)", message.actor_name, message.message_id)

    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        if exception is None:
            logger.info("Processed %s (message %s)", message.actor_name, message.message_id)
        else:
            logger.warning(
                "Failed %s (message %s): %s", message.actor_name, message.message_id, type(exception).__name__
            )
        set_request_id(None)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        set_request_id(None)


def stats_key(outcome: str, actor: str) -> str:
    return STATS_KEY.format(outcome=outcome, actor=actor)


def _increment(key: str) -> None:
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 1, timeout=None)
    except Exception:
        logger.warning("Could not count %s in the cache.", key, exc_info=True)


class ActorStatsMiddleware(dramatiq.Middleware):
    def after_process_message(
        self, broker: dramatiq.Broker, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        _increment(stats_key("failed" if exception is not None else "processed", message.actor_name))


def actor_stats(actor_names: list[str]) -> dict[tuple[str, str], int]:
    """(outcome, actor) -> count, for the actors given (one cache round trip)."""
    keys = {stats_key(outcome, actor): (outcome, actor) for actor in actor_names for outcome in OUTCOMES}
    try:
        found = cache.get_many(list(keys))
    except Exception:
        logger.warning("Could not read the queue counters from the cache.", exc_info=True)
        found = {}
    return {pair: int(found.get(key, 0)) for key, pair in keys.items()}


def worker_heartbeat_write(now: float | None = None) -> None:
    """Record that a worker is alive now (the newest heartbeat of any worker wins)."""
    value = {"at": now if now is not None else time.time(), "host": socket.gethostname(), "pid": os.getpid()}
    try:
        cache.set(HEARTBEAT_KEY, value, timeout=None)
    except Exception:
        logger.warning("Could not write the worker heartbeat.", exc_info=True)


def worker_heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since the newest worker heartbeat, or None when there is none."""
    value = cache.get(HEARTBEAT_KEY)
    if not value:
        return None
    return max(0.0, (now if now is not None else time.time()) - float(value["at"]))


class WorkerHeartbeatMiddleware(dramatiq.Middleware):
    def __init__(self) -> None:
        self._stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.clear()
        interval = float(getattr(settings, "OGC_WORKER_HEARTBEAT_SECONDS", 15))

        def beat() -> None:
            while not self._stop.wait(interval):
                worker_heartbeat_write()

        worker_heartbeat_write()  # at once: the probe passes as soon as the worker is up

        threading.Thread(target=beat, name="ogc-worker-heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.set()


def queue_depths(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages waiting (ready plus delayed; on Redis also those being processed) per
    declared queue of ``broker``: Redis, RabbitMQ or the stub broker."""
    from dramatiq.common import dq_name

    depths: dict[str, int] = {}
    for queue in sorted(broker.get_declared_queues()):
        if queue.endswith((".DQ", ".XQ")):
            continue
        if hasattr(broker, "do_qsize"):  # RedisBroker: one Lua call per queue
            depths[queue] = int(broker.do_qsize(queue))
        elif hasattr(broker, "get_queue_message_counts"):  # RabbitmqBroker
            ready, delayed, _dead = broker.get_queue_message_counts(queue)
            depths[queue] = int(ready) + int(delayed)
        else:  # StubBroker
            queues = broker.queues
            depths[queue] = sum(queues[name].qsize() for name in (queue, dq_name(queue)) if name in queues)
    return depths
