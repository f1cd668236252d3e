"""The database router: the primary for everything, a replica only for reads that
opted in (docs/scaling.md, "What reads where").

* ``ReplicaRouter`` (``DATABASE_ROUTERS``, installed only when ``DATABASE_REPLICA_URLS``
  names replicas): every write, every ``select_for_update`` (Django routes a locking
  queryset as a write), every read inside a transaction and every read that did not
  opt in goes to ``default``; migrations run on ``default`` only.
* ``replica_reads()``: a block whose reads may be a few seconds stale. On entry it picks
  a usable replica (``core.replicas.choose_read_alias``: healthy, lag within bounds, has
  applied the member's own writes) or the primary, once for the block.
* ``@reads_from_replica``: a selector safe to serve stale (leaderboards, public lists,
  the audit log, reports). A QuerySet it returns is pinned to the alias chosen when it
  was called, since it is evaluated later (by the view or its paginator).
* ``ReplicaReadsMiddleware``: binds the request's member for read-your-writes and,
  when the request wrote to the primary, stores the primary's GTID position for them.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import ParamSpec, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from core import replicas

P = ParamSpec("P")
R = TypeVar("R")

_read_alias: ContextVar[str | None] = ContextVar("ogc_read_alias", default=None)

WRITE_STATEMENTS = ("insert", "update", "delete", "replace")


class ReplicaRouter:
    """Reads go to the alias ``replica_reads()`` chose, outside transactions only."""

    def db_for_read(self, model: type[Model], **hints) -> str:
        alias = _read_alias.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: type[Model], **hints) -> str:
        # Explicit: without it, saving an instance read from a replica would write there.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool:
        # Replicas hold the primary's rows: an object read from one relates to any other.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


@contextlib.contextmanager
def replica_reads() -> Iterator[str]:
    """Reads in this block may come from a replica; yields the alias chosen."""
    outer = _read_alias.get()
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        alias = DEFAULT_DB_ALIAS  # inside a transaction, even within an outer block
    elif outer is not None:
        alias = outer  # nested: keep the outer block's choice
    else:
        alias = replicas.choose_read_alias()
    token = _read_alias.set(alias)
    try:
        yield alias
    finally:
        _read_alias.reset(token)


def reads_from_replica(selector: Callable[P, R]) -> Callable[P, R]:
    """Mark a selector safe to serve stale by a few seconds (see the module docstring)."""

    @functools.wraps(selector)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads() as alias:
            result = selector(*args, **kwargs)
        if alias != DEFAULT_DB_ALIAS and isinstance(result, QuerySet):
            queryset: QuerySet = result
            if getattr(queryset, "_db", None) is None:  # not pinned by the selector itself
                return cast(R, queryset.using(alias))
        return result

    wrapper.reads_from_replica = True  # type: ignore[attr-defined]
    return wrapper


def current_read_alias() -> str | None:
    """The alias of the enclosing ``replica_reads()`` block, if any (tests, logs)."""
    return _read_alias.get()


class ReplicaReadsMiddleware:
    """Read-your-writes for the request's member (installed with replicas only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wrote = False

        def watch(execute, sql, params, many, context):
            nonlocal wrote
            if not wrote and sql.lstrip()[:7].lower().startswith(WRITE_STATEMENTS):
                wrote = True
            return execute(sql, params, many, context)

        token = replicas.bind_member_resolver(lambda: _member_id(request))
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(watch):
                response = self.get_response(request)
            member_id = _member_id(request)
            if wrote and member_id is not None and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
                replicas.note_member_write(member_id)
        finally:
            replicas.reset_member_resolver(token)
        return response


def _member_id(request: HttpRequest) -> int | None:
    # DRF sets the authenticated user on the Django request too, so this also sees
    # token-authenticated API requests once the view has run.
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk
