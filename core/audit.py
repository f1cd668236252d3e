"""Audit plumbing around django-auditlog.

* ``bind_actor`` gives the request's audit context the user DRF authenticated
  (the auditlog middleware runs before DRF, so token requests would lose it).
* ``command_context`` is the audit context of a management command or a worker:
  its correlation id (``LogEntry.cid``) is ``cmd:<name>:<random>``, so every entry
  a command writes names the command; ``actor`` is the acting user when known.
* ``log_admin_action`` writes one extra entry naming an admin action (approve a
  withdrawal, award a reward, broadcast...) on top of the entries the models' own
  changes produce.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_extra_data
from django.core.serializers.json import DjangoJSONEncoder

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


def log_admin_action(*, request: Any, obj: Any, action: str, details: dict | None = None) -> Any:
    """Write an audit entry that names an admin action performed on ``obj``.

    The entry is a ``LogEntry`` with ``action=UPDATE`` on ``obj`` and
    ``additional_data={"admin_action": action, **details}``; actor, remote address
    and correlation id come from the request (the auditlog middleware's context
    fills them too; explicit values here make the helper work outside it, e.g. in
    tests calling an admin action directly). ``details`` may hold Decimals, dates
    or UUIDs: they are stored as their JSON strings. Call it inside the same
    transaction as the action's service call so the entry and the change commit
    together.
    """
    from auditlog.middleware import AuditlogMiddleware
    from auditlog.models import LogEntry

    if not action:
        raise ValueError("log_admin_action needs a non-empty action name")
    user = getattr(request, "user", None)
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    extra = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        changes_text=f"admin action: {action}",
        actor=actor,
        actor_email=getattr(actor, "email", None),
        remote_addr=AuditlogMiddleware._get_remote_addr(request) if request is not None else None,
        additional_data={"admin_action": action, **extra},
    )
