"""Audit plumbing around django-auditlog.

* ``bind_actor`` gives the request's audit context the user DRF authenticated
  (the auditlog middleware runs before DRF, so token requests would lose it).
* ``command_context`` is the audit context of a management command or a worker:
  its correlation id (``LogEntry.cid``) is ``cmd:<name>:<random>``, so every entry
  a command writes names the command; ``actor`` is the acting user when known.
* ``audit_record`` is the one writer of named entries (``AuditAction``): services
  call it for every operation on money, roles, statuses and proposals, on top of the
  entries the models' own changes produce.
* ``log_entries_create`` writes several entries in one INSERT (the ledger's hot path:
  the wallet's update and the new row's creation), with the fields auditlog itself
  would have given each.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from auditlog.context import auditlog_disabled, auditlog_value, set_extra_data
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

from core.middleware import new_request_id, reset_request_id, set_request_id
from core.rows import insert_many_values


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


class AuditAction(models.TextChoices):
    """The named operations of the platform: every service that changes money, roles,
    statuses or proposals writes one entry with its name (``audit_record``), whichever
    entry point called it (admin, API, page, command), so they all leave the same
    trail. Add a member when you add such a service; the label is what auditors read."""

    # Money (wallets)
    DEPOSIT_CREATE = "deposit_create", "Deposit credited"
    ADJUSTMENT_CREATE = "adjustment_create", "Balance adjusted"
    WITHDRAWAL_APPROVE = "withdrawal_approve", "Withdrawal approved"
    WITHDRAWAL_REJECT = "withdrawal_reject", "Withdrawal rejected"
    WITHDRAWAL_APPROVAL_GIVEN = "withdrawal_approval_given", "Withdrawal approval given"
    WITHDRAWAL_APPROVAL_REFUSED = "withdrawal_approval_refused", "Withdrawal approval refused"
    TRANSFER_CREATE = "transfer_create", "Transfer between members"
    # Challenges and badges
    CHALLENGE_CREATE = "challenge_create", "Challenge created"
    CHALLENGE_UPDATE = "challenge_update", "Challenge edited"
    CHALLENGE_PUBLISH = "challenge_publish", "Challenge published"
    CHALLENGE_CLOSE = "challenge_close", "Challenge closed"
    CHALLENGE_JUDGE = "challenge_judge", "Challenge judged"
    CHALLENGE_ARCHIVE = "challenge_archive", "Challenge archived"
    SUBMISSION_REVIEW = "submission_review", "Submission reviewed"
    REWARD_AWARD = "reward_award", "Reward paid"
    BADGE_AWARD = "badge_award", "Badge awarded"
    BADGE_REVOKE = "badge_revoke", "Badge revoked"
    # Subscriptions
    SUBSCRIPTION_EXTEND = "subscription_extend", "Subscription extended"
    SUBSCRIPTION_CANCEL = "subscription_cancel", "Subscription canceled"
    # Governance and staff accounts
    PROPOSAL_CANCEL = "proposal_cancel", "Proposal canceled"
    PROPOSAL_CLOSE = "proposal_close", "Proposal closed"
    ADMIN_DISABLE = "admin_disable", "Staff account disabled"
    ADMIN_ENABLE = "admin_enable", "Staff account enabled"
    PASSWORD_RESET_SEND = "password_reset_send", "Password reset link sent"
    # Account security
    API_TOKEN_CREATED = "api_token_created", "API token created"
    API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
    # Operator console
    EXPORT_CSV = "export_csv", "CSV exported"
    # AI segment: what the moderator decided on a submission the model flagged as similar
    AI_FLAG_OUTCOME = "ai_flag_outcome", "Similarity suggestion followed or overruled"


def audit_record(*, action: AuditAction, instance: Model, actor: Any = None, data: dict[str, Any] | None = None) -> Any:
    """The one writer of named audit entries: a ``LogEntry`` (action UPDATE, no field
    changes) on ``instance`` with ``additional_data = {"action": <name>, **data}``.

    Call it from the service, inside the transaction of the change it names, so the
    entry commits with the change. ``actor`` is the acting user when the service knows
    it; otherwise the audit context gives it (a request's user, or a command's
    context). The remote address and correlation id come from the context too.
    ``data`` may hold Decimals, dates or UUIDs: they are stored as JSON strings."""
    from auditlog.models import LogEntry

    action = AuditAction(action)
    extra: dict[str, Any] = {}
    if actor is not None and getattr(actor, "is_authenticated", False):
        extra = {"actor": actor, "actor_email": actor.email}
    details = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={},
        changes_text=f"action: {action.value}",
        additional_data={"action": action.value, **details},
        **extra,
    )


def named_entry(
    *, action: AuditAction, instance: Model, actor: Any = None, data: dict[str, Any] | None = None
) -> tuple[Model, int, dict[str, Any], dict[str, Any]]:
    """The entry ``audit_record`` writes, as an item of ``log_entries_create`` (so a
    service writes it in the same INSERT as its other entries)."""
    from auditlog.models import LogEntry

    action = AuditAction(action)
    fields: dict[str, Any] = {
        "changes_text": f"action: {action.value}",
        "additional_data": {"action": action.value, **json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))},
    }
    if actor is not None and getattr(actor, "is_authenticated", False):
        fields |= {"actor_id": actor.pk, "actor_email": actor.email}
    return instance, LogEntry.Action.UPDATE, {}, fields


def log_entries_create(entries: Iterable[tuple]) -> int:
    """Write audit entries for ``(instance, action, changes)`` triples (or ``named_entry``
    items: the same with the fields of a named entry) in ONE INSERT.

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
    Call inside the transaction of the change the entries describe. Returns how many
    entries were written.
    """
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry

    if auditlog_disabled.get():
        return 0
    using = router.db_for_write(LogEntry)
    # The context's fields (actor, actor email, remote address and port) come from
    # auditlog's pre_save hook; it sets them from the context alone, the same for every
    # entry of this call, so it runs once on a template and its values go on each row.
    template = LogEntry(cid=get_cid())
    pre_save.send(sender=LogEntry, instance=template, raw=False, using=using, update_fields=None)
    base = {f.attname: getattr(template, f.attname) for f in LogEntry._meta.concrete_fields if not f.primary_key}
    rows = []
    for instance, action, changes, *extra in entries:
        pk = instance.pk
        row = {
            **base,
            "content_type_id": ContentType.objects.get_for_model(instance).pk,
            "object_pk": smart_str(pk),
            "object_id": pk if isinstance(pk, int) else None,
            "object_repr": smart_str(instance),
            "serialized_data": LogEntry.objects._get_serialized_data_or_none(instance),
            "action": action,
            "changes": changes,
        }
        get_additional_data = getattr(instance, "get_additional_data", None)
        if callable(get_additional_data):
            row["additional_data"] = get_additional_data()
        for overrides in extra:  # a named entry's fields (``named_entry``)
            row.update(overrides)
        rows.append(row)
    # The INSERT bulk_create would send (one statement), without compiling it.
    return insert_many_values(LogEntry, rows)


@functools.cache
def _tracked_fields(model: type[Model]) -> tuple[tuple[str, str, Any], ...]:
    """(name, how to read it, field) of the fields auditlog diffs for ``model``
    (``auditlog.diff.model_instance_diff``'s choice: its registry's include/exclude)."""
    from auditlog.diff import track_field
    from auditlog.registry import auditlog

    if getattr(settings, "AUDITLOG_USE_FK_STRING_REPRESENTATION", False) or not settings.AUDITLOG_STORE_JSON_CHANGES:
        raise NotImplementedError("creation_changes follows auditlog's default FK values and JSON changes")
    options = auditlog.get_model_fields(model)
    fields = []
    for field in (f for f in model._meta.get_fields() if track_field(f)):
        if options["include_fields"] and field.name not in options["include_fields"]:
            continue
        if field.name in options["exclude_fields"] or field.name in options["mask_fields"]:
            raise NotImplementedError(f"{model.__name__}.{field.name}: excluded/masked fields need auditlog's diff")
        if isinstance(field, models.DateTimeField):
            how = "datetime"
        elif isinstance(field, models.JSONField):
            how = "json"
        elif (field.one_to_one or field.many_to_one) and hasattr(field, "rel_class"):
            how = "fk"
        else:
            how = "plain"
        fields.append((field.name, how, field))
    return tuple(fields)


_PRIMITIVE = (type(None), bool, int, float, str, list, tuple, dict, set)  # auditlog.diff.is_primitive


def creation_changes(instance: Model) -> dict[str, tuple[Any, Any]] | None:
    """The changes auditlog writes for a just-created ``instance`` (what
    ``model_instance_diff(None, instance, use_json_for_changes=True)`` returns, for a
    model registered without masked or excluded fields, with
    ``AUDITLOG_STORE_JSON_CHANGES`` and without ``AUDITLOG_USE_FK_STRING_REPRESENTATION``),
    computed from a field list read once per model. ``core/tests/test_audit_creation_changes.py``
    compares the two."""
    diff: dict[str, tuple[Any, Any]] = {}
    for name, how, field in _tracked_fields(type(instance)):
        if how == "fk":
            value = getattr(instance, field.attname)
        elif how == "datetime":
            value = getattr(instance, name)
            if value is not None:
                value = field.to_python(value)
                if settings.USE_TZ and not timezone.is_naive(value):
                    value = timezone.make_naive(value, timezone=UTC)
        elif how == "json":
            value = field.to_python(getattr(instance, name))
        else:
            value = getattr(instance, name)
        if value is not None:
            diff[name] = (None, value if isinstance(value, _PRIMITIVE) else smart_str(value))
    return diff or None
