"""Data-integrity checks: a registry that ``manage.py check_integrity`` runs.

Each app registers the checks of the data it owns, in an ``integrity`` module of
the app (``<app>/integrity.py``), discovered like ``admin.py``::

    from core.integrity import register_check, describe_rows

    @register_check("wallets.negative_balances", "Wallets with a negative balance.")
    def negative_balances():
        return describe_rows(Wallet.objects.filter(available__lt=0), "wallet {pk} of user {user_id}")

A check is a function with no arguments returning an iterable of strings, one per
problem found (empty when the data is sound). It must only read. A check that
raises is reported as failed with its error, so one broken check never hides the
others. Checks that the database itself enforces (constraints) are still worth
registering: they catch rows written with constraints disabled (bulk loads,
restores, manual SQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

# How many offending rows a check spells out; it always reports the total.
SAMPLE_SIZE = 20
# An Idempotency-Key still in_progress after this long belongs to a request that died.
STUCK_IDEMPOTENCY_AFTER = timedelta(hours=1)

CheckFunction = Callable[[], Iterable[str]]


@dataclass(frozen=True)
class IntegrityCheck:
    name: str
    description: str
    function: CheckFunction


@dataclass(frozen=True)
class CheckResult:
    check: IntegrityCheck
    problems: tuple[str, ...]
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.error


_registry: dict[str, IntegrityCheck] = {}
_discovered = False


def register_check(name: str, description: str) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: register ``function`` under ``name`` (``<app>.<what>``, unique)."""

    def decorator(function: CheckFunction) -> CheckFunction:
        existing = _registry.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"Integrity check {name!r} is already registered.")
        _registry[name] = IntegrityCheck(name, description, function)
        return function

    return decorator


def registered_checks() -> list[IntegrityCheck]:
    """Every registered check, sorted by name (imports each app's ``integrity`` module once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("integrity")
        _discovered = True
    return [_registry[name] for name in sorted(_registry)]


def run_check(check: IntegrityCheck) -> CheckResult:
    try:
        return CheckResult(check, tuple(check.function()))
    except Exception as exc:  # a broken check is a failed check, never a crash of the run
        return CheckResult(check, (), error=f"{type(exc).__name__}: {exc}")


def describe_rows(queryset: models.QuerySet, template: str) -> list[str]:
    """One line per offending row (``template`` formatted with the row's field
    values), at most ``SAMPLE_SIZE`` of them, then a line with the total if cut."""
    total = queryset.count()
    if not total:
        return []
    rows = queryset.order_by("pk").values()[:SAMPLE_SIZE]
    lines = [template.format(**row) for row in rows]
    if total > len(lines):
        lines.append(f"... and {total - len(lines)} more ({total} in all)")
    return lines


def local_models() -> list[type[models.Model]]:
    """The models of our own apps (``settings.LOCAL_APPS``) that own a table."""
    labels = {config.label for config in apps.get_app_configs() if config.name in settings.LOCAL_APPS}
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in labels and m._meta.managed and not m._meta.proxy
    ]
    return sorted(found, key=lambda m: m._meta.db_table)


def dangling_references(model: type[models.Model], field: models.ForeignKey) -> models.QuerySet:
    """Rows of ``model`` whose ``field`` points at a row that does not exist."""
    target = field.related_model
    exists = target._base_manager.filter(**{field.target_field.attname: OuterRef(field.attname)})
    return model._base_manager.filter(**{f"{field.attname}__isnull": False}).filter(~Exists(exists))


# --- Checks of the data core owns, and the generic ones ------------------------------


@register_check(
    "core.orphaned_foreign_keys",
    "Rows of our apps whose foreign key points at a missing row (a wallet without its user, ...).",
)
def orphaned_foreign_keys() -> list[str]:
    problems: list[str] = []
    for model in local_models():
        for field in model._meta.local_fields:
            if not isinstance(field, models.ForeignKey):  # foreign keys and one-to-ones
                continue
            target = f"{field.related_model._meta.db_table}.{field.target_field.column}"
            template = f"{model._meta.db_table} row {{{model._meta.pk.attname}}}: {field.column}={{{field.attname}}} has no {target}"
            problems.extend(describe_rows(dangling_references(model, field), template))
    return problems


@register_check(
    "core.idempotency_stuck",
    "Idempotency-Key records still in_progress an hour after they started (the request died).",
)
def idempotency_stuck() -> list[str]:
    from core.models import IdempotencyRecord

    cutoff = timezone.now() - STUCK_IDEMPOTENCY_AFTER
    stuck = IdempotencyRecord.objects.filter(state=IdempotencyRecord.State.IN_PROGRESS, created_at__lt=cutoff)
    return describe_rows(stuck, "idempotency key {id} of user {user_id} ({scope}) in progress since {created_at}")
