"""Audit entries that name the operation (``reward_award``, ``badge_revoke``...).

auditlog already records each row's diff; this entry says *which service* caused
it and with which details, in the caller's transaction. Admin actions use
``core.audit.log_admin_action`` (which also records the request's address)."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def record_action(*, instance: Any, action: str, actor: Any = None, data: dict[str, Any] | None = None) -> Any:
    from auditlog.models import LogEntry

    extra: dict[str, Any] = {}
    if actor is not None and getattr(actor, "is_authenticated", False):
        extra = {"actor": actor, "actor_email": actor.email}
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        changes_text=f"action: {action}",
        additional_data={"action": action, **json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))},
        **extra,
    )
