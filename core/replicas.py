"""Which database a stale-tolerant read may use: the replicas' health and lag, and
read-your-writes by MariaDB GTID (docs/scaling.md).

* ``replica_aliases()``: the ``replica`` aliases built from ``DATABASE_REPLICA_URLS``
  (none: every read is the primary's and nothing here runs).
* ``replica_state(alias)``: reachable, both replication threads running and
  ``Seconds_Behind_Master`` within ``OGC_REPLICA_MAX_LAG_SECONDS``. The answer is kept
  ``OGC_REPLICA_HEALTH_TTL_SECONDS`` in this process only (a cache of a fact about the
  replica, not shared state: every process asks for itself).
* ``note_member_write(member_id)``: after a request of a member wrote to the primary
  (and committed), the primary's ``@@gtid_binlog_pos`` goes to the shared cache under
  the member's id for ``OGC_REPLICA_RYW_TTL_SECONDS``; ``choose_read_alias()`` uses a
  replica for that member only once ``MASTER_GTID_WAIT(position, short timeout)`` says
  it has applied that position, else the primary.

Everything fails towards the primary: a replica that cannot be reached, a cache that
cannot be read, a wait that times out.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger("ogc.replicas")

RYW_CACHE_PREFIX = "ogc:replica:written:"

# The member whose writes the current context must see: set by ReplicaReadsMiddleware
# (a resolver read lazily, once DRF has authenticated) or by ``as_member``.
_member_resolver: ContextVar[Callable[[], int | None] | None] = ContextVar("ogc_replica_member", default=None)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "OGC_REPLICA_ALIASES", []))


@dataclass(frozen=True)
class ReplicaState:
    alias: str
    usable: bool
    reason: str
    lag_seconds: int | None = None


_health: dict[str, tuple[float, ReplicaState]] = {}
_health_lock = threading.Lock()


def forget_replica_states() -> None:
    """Drop this process's remembered answers (tests; after a failover)."""
    with _health_lock:
        _health.clear()


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(Exception):
        connections[alias].close()


def check_replica(alias: str) -> ReplicaState:
    """Ask the replica now (``SHOW SLAVE STATUS``; the app user needs SLAVE MONITOR)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SHOW SLAVE STATUS")
            row = cursor.fetchone()
            columns = [column[0] for column in cursor.description or ()]
    except DatabaseError as exc:
        _close_quietly(alias)  # a dead socket must not be reused by the next request
        return ReplicaState(alias, False, f"unreachable: {exc}")
    if row is None:
        return ReplicaState(alias, False, "not a replica (SHOW SLAVE STATUS is empty)")
    status = dict(zip(columns, row, strict=False))
    if status.get("Slave_IO_Running") != "Yes" or status.get("Slave_SQL_Running") != "Yes":
        return ReplicaState(alias, False, "replication stopped")
    lag = status.get("Seconds_Behind_Master")
    if lag is None:
        return ReplicaState(alias, False, "lag unknown")
    lag = int(lag)
    if lag > settings.OGC_REPLICA_MAX_LAG_SECONDS:
        return ReplicaState(alias, False, f"lagging {lag} s", lag)
    return ReplicaState(alias, True, "ok", lag)


def replica_state(alias: str) -> ReplicaState:
    """``check_replica``, remembered for ``OGC_REPLICA_HEALTH_TTL_SECONDS`` in this process."""
    ttl = settings.OGC_REPLICA_HEALTH_TTL_SECONDS
    now = time.monotonic()
    with _health_lock:
        known = _health.get(alias)
    if known is not None and now - known[0] < ttl:
        return known[1]
    state = check_replica(alias)
    if not state.usable:
        logger.warning("replica %s skipped: %s", alias, state.reason)
    with _health_lock:
        _health[alias] = (now, state)
    return state


# --- read-your-writes -------------------------------------------------------------------


@contextlib.contextmanager
def as_member(member_id: int | None) -> Iterator[None]:
    """Reads in this block are for ``member_id`` (its own writes must be visible)."""
    token = _member_resolver.set(lambda: member_id)
    try:
        yield
    finally:
        _member_resolver.reset(token)


def bind_member_resolver(resolver: Callable[[], int | None] | None):
    """Used by the middleware: ``resolver()`` names the request's member when asked."""
    return _member_resolver.set(resolver)


def reset_member_resolver(token) -> None:
    _member_resolver.reset(token)


def current_member_id() -> int | None:
    resolver = _member_resolver.get()
    return resolver() if resolver is not None else None


def primary_position() -> str:
    """The primary's ``@@gtid_binlog_pos`` (every transaction committed so far)."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT @@gtid_binlog_pos")
        row = cursor.fetchone()
    return str(row[0] or "") if row else ""


def note_member_write(member_id: int) -> str:
    """Remember, in the shared cache, the position a replica must reach before it may
    serve ``member_id`` again. Called after the member's write committed."""
    position = primary_position()
    if position:
        cache.set(f"{RYW_CACHE_PREFIX}{member_id}", position, settings.OGC_REPLICA_RYW_TTL_SECONDS)
    return position


def _member_position(member_id: int | None) -> str | None:
    """The position the member's reads need; raises when the cache cannot say."""
    if member_id is None:
        return None
    return cache.get(f"{RYW_CACHE_PREFIX}{member_id}")


def replica_reached(alias: str, position: str) -> bool:
    """``MASTER_GTID_WAIT``: has the replica applied ``position`` (waiting briefly)?"""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT MASTER_GTID_WAIT(%s, %s)", [position, settings.OGC_REPLICA_RYW_WAIT_SECONDS])
            row = cursor.fetchone()
    except DatabaseError:
        _close_quietly(alias)
        return False
    return row is not None and row[0] == 0


def choose_read_alias() -> str:
    """A usable replica for a stale-tolerant read in this context, else the primary."""
    aliases = replica_aliases()
    if not aliases or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    try:
        position = _member_position(current_member_id())
    except Exception:  # the cache is down: the member's writes are unknown
        logger.warning("read-your-writes position unavailable: reading from the primary", exc_info=True)
        return DEFAULT_DB_ALIAS
    for alias in random.sample(aliases, len(aliases)):
        if not replica_state(alias).usable:
            continue
        if position and not replica_reached(alias, position):
            continue
        return alias
    return DEFAULT_DB_ALIAS
