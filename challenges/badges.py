"""Rule-based badges: granted inside the transaction of the event that earns them.

Each rule is granted at most once per user and badge (the unique
``(user, badge)`` row is the proof, even under concurrent events); a badge that
staff revoked is never granted again by a rule. ``on_ledger_row`` is called by
``wallets.events.transaction_event`` for every ledger row (staking rules).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from challenges.models import Badge, BadgeRule, UserBadge


def badge_earned_notify(*, user_badge: UserBadge) -> None:
    from notifications.services import notify

    badge = user_badge.badge
    notify(
        user=user_badge.user,
        kind="badge_earned",
        title=f"Badge earned: {badge.name}",
        body=badge.description or f"You earned the {badge.name} badge.",
        data={"badge": badge.slug, "reason": user_badge.reason},
        event_id=f"badge:{user_badge.pk}:{user_badge.awarded_at.isoformat()}",
    )


def _source_fields(source: Any) -> dict[str, Any]:
    if source is None or source.pk is None:
        return {}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def badges_grant_by_rule(*, user, rule: str, source: Any = None, reason: str = "") -> list[UserBadge]:
    """Grant every active badge with ``rule`` that ``user`` never held. Returns the
    new rows. Call inside the caller's transaction; each insert is a savepoint so a
    concurrent twin only makes this call skip the badge."""
    granted: list[UserBadge] = []
    badges = list(Badge.objects.filter(rule=rule, active=True).order_by("pk"))
    if not badges:
        return granted
    held = set(UserBadge.objects.filter(user=user, badge__in=badges).values_list("badge_id", flat=True))
    for badge in badges:
        if badge.pk in held:
            continue
        try:
            with transaction.atomic():
                user_badge = UserBadge.objects.create(
                    user=user,
                    badge=badge,
                    reason=(reason or BadgeRule(rule).label)[:300],
                    awarded_at=timezone.now(),
                    **_source_fields(source),
                )
        except IntegrityError:
            continue  # granted concurrently by another event: exactly once either way
        badge_earned_notify(user_badge=user_badge)
        granted.append(user_badge)
    return granted


def staker_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "OGC_BADGE_STAKER_MIN", "1000")))


def on_ledger_row(row) -> list[UserBadge]:
    """Staking rules, for a ledger row just written (inside its transaction):
    a completed stake grants "first stake"; a staked balance of at least
    ``OGC_BADGE_STAKER_MIN`` after the row grants "staker"."""
    from wallets.models import TransactionKind, TransactionStatus

    if row.kind != TransactionKind.STAKE or row.status != TransactionStatus.COMPLETED:
        return []
    granted = badges_grant_by_rule(user=row.user, rule=BadgeRule.FIRST_STAKE, source=row, reason="First stake")
    if row.staked_after >= staker_threshold():
        granted += badges_grant_by_rule(
            user=row.user,
            rule=BadgeRule.STAKER,
            source=row,
            reason=f"Staked at least {staker_threshold().normalize():f}",
        )
    return granted
