"""Rule-based badges: granted inside the transaction of the event that earns them
(the staking badges: right after it, ``challenges.ledger_badges``).

Each rule is granted at most once per user and badge (the unique
``(user, badge)`` row is the proof, even under concurrent events); a badge that
staff revoked is never granted again by a rule. The staking rules are evaluated
after the ledger commits, by a worker (``challenges.ledger_badges``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from challenges.models import Badge, BadgeRule, UserBadge
from core.i18n import member_locale
from core.templatetags.ui import badge_description, badge_name

if TYPE_CHECKING:
    from accounts.models import User


#: The words of the default badges (data migration 0002), for the translation
#: catalogue: pages (``badge_name``, ``badge_description`` of ``{% load ui %}``) and
#: notifications show them in the reader's language. Badges staff create or rename
#: are shown as written.
DEFAULT_BADGE_TEXTS = (
    gettext_noop("First submission"),
    gettext_noop("Sent a first entry to a challenge."),
    gettext_noop("Accepted"),
    gettext_noop("Had a first submission accepted by the moderators."),
    gettext_noop("Challenge winner"),
    gettext_noop("Won a prize in a challenge."),
    gettext_noop("First stake"),
    gettext_noop("Staked OGC for the first time."),
    gettext_noop("Committed staker"),
    # The staker badge's description is written with the live threshold by badge_description.
)


def badge_earned_notify(*, user_badge: UserBadge) -> None:
    from notifications.services import notify

    badge = user_badge.badge
    with member_locale(user_badge.user):
        name = badge_name(badge)
        title = _("Badge earned: %(badge)s") % {"badge": name}
        body = badge_description(badge) or _("You earned the %(badge)s badge.") % {"badge": name}
    notify(
        user=user_badge.user,
        kind="badge_earned",
        title=title,
        body=body,
        data={"badge": badge.slug, "reason": user_badge.reason},
        event_id=f"badge:{user_badge.pk}:{user_badge.awarded_at.isoformat()}",
    )


def _source_fields(source: Any) -> dict[str, Any]:
    if source is None or source.pk is None:
        return {}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def _badges_not_held(*, user: User, rules: Sequence[str]) -> list[Badge]:
    """The active badges with one of ``rules`` that ``user`` has never held, in the
    order of ``rules`` then pk: one query. A revoked badge keeps its row, so it
    counts as held and a rule never grants it again."""
    held = UserBadge.objects.filter(user=user, badge=OuterRef("pk"))
    badges = Badge.objects.filter(rule__in=list(rules), active=True).filter(~Exists(held))
    return sorted(badges, key=lambda badge: (rules.index(badge.rule), badge.pk))


def _grant(*, user: User, badges: Sequence[Badge], source: Any, reason_for: Callable[[Badge], str]) -> list[UserBadge]:
    """Insert one UserBadge per badge, each in a savepoint so a concurrent twin only
    makes this call skip the badge; notify each new holder."""
    granted: list[UserBadge] = []
    for badge in badges:
        try:
            with transaction.atomic():
                user_badge = UserBadge.objects.create(
                    user=user,
                    badge=badge,
                    reason=reason_for(badge)[:300],
                    awarded_at=timezone.now(),
                    **_source_fields(source),
                )
        except IntegrityError:
            continue  # granted concurrently by another event: exactly once either way
        badge_earned_notify(user_badge=user_badge)
        granted.append(user_badge)
    return granted


def badges_grant_by_rule(*, user: User, rule: str, source: Any = None, reason: str = "") -> list[UserBadge]:
    """Grant every active badge with ``rule`` that ``user`` never held. Returns the
    new rows. Call inside the caller's transaction; each insert is a savepoint so a
    concurrent twin only makes this call skip the badge."""
    badges = _badges_not_held(user=user, rules=[rule])
    return _grant(user=user, badges=badges, source=source, reason_for=lambda _badge: reason or BadgeRule(rule).label)


def staker_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "OGC_BADGE_STAKER_MIN", "1000")))
