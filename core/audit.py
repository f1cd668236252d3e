"""Audit plumbing around django-auditlog.

* ``bind_actor`` gives the request's audit context the user DRF authenticated
  (the auditlog middleware runs before DRF, so token requests would lose it).
* ``command_context`` is the audit context of a management command or a worker:
  its correlation id (``LogEntry.cid``) is ``cmd:<name>:<random>``, so every entry
  a command writes names the command; ``actor`` is the acting user when known.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_extra_data

from core.middleware import new_request_id, reset_request_id, set_request_id


def bind_actor(user: Any) -> None:
    """Set ``user`` as the actor of the audit context opened by AuditlogMiddleware.

    The middleware stores a dict in a context variable and reads its ``actor`` key
    when each LogEntry is saved, so updating the key is enough. Pinned to
    django-auditlog 3.4; accounts/tests/test_audit_actor.py fails if that changes.
    """
    try:
        context = auditlog_value.get()
    except LookupError:
        return
    if context.get("actor") is None and user is not None and user.is_authenticated:
        context["actor"] = user


@contextlib.contextmanager
def command_context(name: str, actor: Any = None) -> Iterator[str]:
    """Audit context for work outside a request (commands, workers, seeders)."""
    cid = f"cmd:{name}:{new_request_id()[:12]}"
    token = set_request_id(cid)
    try:
        with set_extra_data(context_data={"actor": actor, "remote_addr": None, "remote_port": None}):
            yield cid
    finally:
        reset_request_id(token)
