"""Audit plumbing around django-auditlog.

* ``bind_actor`` gives the request's audit context the user DRF authenticated
  (the auditlog middleware runs before DRF, so token requests would lose it).
* ``command_context`` is the audit context of a management command or a worker:
  its correlation id (``LogEntry.cid``) is ``cmd:<name>:<random>``, so every entry
  a command writes names the command; ``actor`` is the acting user when known.
* ``log_admin_action`` writes one extra entry naming an admin action (approve a
  withdrawal, award a reward, broadcast...) on top of the entries the models' own
  changes produce.
* ``log_entries_create`` writes several entries in one INSERT (the ledger's hot path:
  the wallet's update and the new row's creation), with the fields auditlog itself
  would have given each.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from auditlog.context import auditlog_disabled, auditlog_value, set_extra_data
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import router
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

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


def log_entries_create(entries: Iterable[tuple[Model, int, dict[str, Any] | None]]) -> list[Any]:
    """Write audit entries for ``(instance, action, changes)`` triples in ONE INSERT.

    Each entry gets what ``LogEntry.objects.log_create`` fills (content type, object
    pk/id/repr, serialized data, additional data, the correlation id from
    ``AUDITLOG_CID_GETTER``) and what auditlog's ``pre_save`` hook on LogEntry fills
    from the audit context (actor and actor email, remote address and port):
    ``bulk_create`` sends no signals, so ``pre_save`` is sent here for each entry.
    Sending it, rather than reading ``auditlog.context.auditlog_value`` directly, keeps
    auditlog's own rule for which context applies: ``set_extra_data`` never resets
    that variable on exit (it only disconnects its hook), so a value left over from an
    earlier request or command would otherwise leak its actor into this entry.

    Nothing is written inside ``auditlog.context.disable_auditlog()``, like auditlog's
    receivers. ``pre_log``/``post_log`` are not sent (nothing here listens to them).
    Call inside the transaction of the change the entries describe.
    """
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry

    if auditlog_disabled.get():
        return []
    cid = get_cid()
    using = router.db_for_write(LogEntry)
    objs = []
    for instance, action, changes in entries:
        pk = instance.pk
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=smart_str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=smart_str(instance),
            serialized_data=LogEntry.objects._get_serialized_data_or_none(instance),
            action=action,
            changes=changes,
            cid=cid,
        )
        get_additional_data = getattr(instance, "get_additional_data", None)
        if callable(get_additional_data):
            entry.additional_data = get_additional_data()
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=using, update_fields=None)
        objs.append(entry)
    return LogEntry.objects.using(using).bulk_create(objs) if objs else []
