"""Badges awarded and revoked by staff (rule badges: ``challenges.badges``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import badges as badge_rules
from challenges.lock_objects import user_badge_for_update
from challenges.models import Badge, UserBadge
from challenges.services.rules import _require_moderator
from core.audit import AuditAction, audit_record
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from core.i18n import member_locale
from core.templatetags.ui import badge_name

if TYPE_CHECKING:
    from accounts.models import User


def _badge(slug: str) -> Badge:
    badge = Badge.objects.filter(slug=slug).first()
    if badge is None:
        raise NotFoundError(_("Badge not found."), code="badge_not_found")
    return badge


@transaction.atomic
def badge_award(*, badge_slug: str, user: User, actor: User, reason: str, source: Any = None) -> UserBadge:
    """Staff award a badge (or reinstate a revoked one). Awarding a badge the user
    holds is a 409."""
    _require_moderator(actor, _("You do not have the role needed to award badges."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A reason is required."), code="required", field="reason")
    badge = _badge(badge_slug)
    user_badge = user_badge_for_update(user_id=user.pk, badge=badge)
    if user_badge is not None and not user_badge.is_revoked:
        raise ConflictError(_("The user already holds this badge."), code="badge_already_held")
    if user_badge is None:
        try:
            with transaction.atomic():
                user_badge = UserBadge.objects.create(user=user, badge=badge, awarded_by=actor, reason=reason[:300])
        except IntegrityError as exc:
            raise ConflictError(_("The user already holds this badge."), code="badge_already_held") from exc
    else:
        user_badge.awarded_at = timezone.now()
        user_badge.awarded_by = actor
        user_badge.reason = reason[:300]
        user_badge.revoked_at = None
        user_badge.revoked_by = None
        user_badge.revoke_reason = ""
        user_badge.save()
    if source is not None:
        user_badge.source = source
        user_badge.save(update_fields=["source_type", "source_id"])
    audit_record(instance=user_badge, action=AuditAction.BADGE_AWARD, actor=actor, data={"reason": user_badge.reason})
    badge_rules.badge_earned_notify(user_badge=user_badge)
    return user_badge


@transaction.atomic
def badge_revoke(*, badge_slug: str, user: User, actor: User, reason: str) -> UserBadge:
    """Staff revoke a badge: the row stays, marked revoked with who, when and why."""
    from notifications.services import notify

    _require_moderator(actor, _("You do not have the role needed to revoke badges."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A reason is required."), code="required", field="reason")
    badge = _badge(badge_slug)
    user_badge = user_badge_for_update(user_id=user.pk, badge=badge)
    if user_badge is None or user_badge.is_revoked:
        raise NotFoundError(_("The user does not hold this badge."), code="badge_not_held")
    user_badge.revoked_at = timezone.now()
    user_badge.revoked_by = actor
    user_badge.revoke_reason = reason[:300]
    user_badge.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        instance=user_badge, action=AuditAction.BADGE_REVOKE, actor=actor, data={"reason": user_badge.revoke_reason}
    )
    with member_locale(user):
        names = {"badge": badge_name(badge), "reason": user_badge.revoke_reason}
        title = _("Badge revoked: %(badge)s") % names
        body = _("Your %(badge)s badge was revoked: %(reason)s") % names
    notify(
        user=user,
        kind="badge_revoked",
        title=title,
        body=body,
        data={"badge": badge.slug},
        event_id=f"badge-revoked:{user_badge.pk}:{user_badge.revoked_at.isoformat()}",
    )
    return user_badge
