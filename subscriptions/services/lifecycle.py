"""What members and operators do to a subscription: subscribe (start, trial or
prorated upgrade), cancel, reactivate, and extend (operators, with a reason)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core.audit import AuditAction, audit_record
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from core.i18n import datetime_text, member_locale
from notifications.kinds import NotificationKind as N
from subscriptions.lock_objects import subscription_for_update, user_for_update
from subscriptions.models import (
    ENDED_STATUSES,
    GRANTING_STATUSES,
    Plan,
    Subscription,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from subscriptions.services.billing import _event, _notify, _open_period, _pay_and_open, _tokens, proration_credit
from subscriptions.services.clock import _advance, _end

logger = logging.getLogger(__name__)


#: Operators extend by at most this many days at once.
MAX_EXTEND_DAYS = 366


def _plan_for_subscribe(plan_code: str) -> Plan:
    plan = Plan.objects.filter(code=(plan_code or "").strip(), is_active=True).first()
    if plan is None:
        raise NotFoundError(_("No such plan."), code="plan_not_found", field="plan")
    return plan


def _is_upgrade(current: Plan, new: Plan) -> bool:
    """An upgrade costs more per day than the current plan; it takes effect at once.
    Anything else (cheaper, equal) is a downgrade, applied at the period end."""
    return new.price * current.period_days > current.price * new.period_days


def _start(
    subscription: Subscription, *, plan: Plan, now: datetime, auto_renew: bool, actor: User | None
) -> Subscription:
    """(Re)start a subscription on ``plan`` now: a trial when the plan has one and the
    user never had one, else the first period, paid now."""
    sub = subscription
    sub.cancel_at_period_end = False
    sub.canceled_at = None
    sub.ended_at = None
    sub.auto_renew = auto_renew
    sub.expiry_notice_for = None
    if plan.trial_days and plan.price > 0 and not sub.trial_used:
        end = now + timedelta(days=plan.trial_days)
        sub.trial_used = True
        sub.trial_end = end
        _open_period(
            sub, plan=plan, kind=SubscriptionPeriod.Kind.TRIAL, start=now, end=end, status=SubscriptionStatus.TRIALING
        )
        with member_locale(sub.user):
            body = _("Your %(plan)s trial runs until %(end)s.") % {"plan": plan.local_name, "end": datetime_text(end)}
            if auto_renew:
                body += " " + ngettext(
                    "Then %(price)s will be debited every day.",
                    "Then %(price)s will be debited every %(days)d days.",
                    plan.period_days,
                ) % {"price": _tokens(plan.price), "days": plan.period_days}
    else:
        end = _pay_and_open(
            sub, plan=plan, kind=SubscriptionPeriod.Kind.START, start=now, amount=plan.price, actor=actor
        ).period_end
        with member_locale(sub.user):
            body = _("Your %(plan)s plan is active until %(end)s.") % {
                "plan": plan.local_name,
                "end": datetime_text(end),
            }
    with member_locale(sub.user):
        title = _("Subscription started")
    _notify(sub, N.SUBSCRIPTION_STARTED, title, body, event_id=_event(sub, "started", now))
    return sub


def _upgrade(subscription: Subscription, *, plan: Plan, now: datetime, actor: User | None) -> Subscription:
    """Switch to a dearer plan at once: a new full period starts now; the unused
    value of the current period is credited against its price."""
    sub = subscription
    credit = proration_credit(sub, now=now)
    charge = max(Decimal(0), plan.price - credit)
    sub.cancel_at_period_end = False
    sub.canceled_at = None
    sub.expiry_notice_for = None
    end = _pay_and_open(
        sub, plan=plan, kind=SubscriptionPeriod.Kind.UPGRADE, start=now, amount=charge, actor=actor
    ).period_end
    with member_locale(sub.user):
        title = _("Plan upgraded")
        body = _(
            "You are now on the %(plan)s plan until %(end)s "
            "(%(charge)s charged after a credit of %(credit)s for the unused time)."
        ) % {"plan": plan.local_name, "end": datetime_text(end), "charge": _tokens(charge), "credit": _tokens(credit)}
    _notify(sub, N.SUBSCRIPTION_STARTED, title, body, event_id=_event(sub, "upgraded", now))
    return sub


@dataclass(frozen=True)
class SubscribeResult:
    subscription: Subscription
    #: started | upgraded | downgrade_scheduled | downgrade_unscheduled
    action: str


@retry_on_lock_conflict()
@transaction.atomic
def subscription_subscribe(
    *, user: User, plan_code: str, auto_renew: bool = True, now: datetime | None = None, actor: User | None = None
) -> SubscribeResult:
    """Subscribe ``user`` to a plan, or change the plan of a running subscription.

    * no subscription, or an ended one: start (trial, free or paid now);
    * running, dearer plan: upgrade now with a prorated payment;
    * running, cheaper or equal plan: the change is scheduled for the period end;
      choosing the current plan again drops a scheduled change;
    * past due, same plan: the overdue renewal is retried (refused while funds are
      short); another plan: start it afresh.

    Insufficient funds: ``ApplicationError(code="insufficient_funds")`` and nothing written.
    """
    now = now or timezone.now()
    actor = actor if actor is not None else user
    plan = _plan_for_subscribe(plan_code)
    user_for_update(user_id=user.pk)
    sub = subscription_for_update(user_id=user.pk)
    if sub is None:
        sub = Subscription(user=user, plan=plan, status=SubscriptionStatus.ACTIVE, current_period_start=now)
        sub.current_period_end = now + timedelta(days=plan.period_days)
        sub.save()  # a first row to hang the payment on; rolled back with the rest on refusal
        return SubscribeResult(_start(sub, plan=plan, now=now, auto_renew=auto_renew, actor=actor), "started")
    _advance(sub, now)
    if sub.status in ENDED_STATUSES:
        return SubscribeResult(_start(sub, plan=plan, now=now, auto_renew=auto_renew, actor=actor), "started")
    if sub.status == SubscriptionStatus.PAST_DUE:
        target = sub.scheduled_plan or sub.plan
        if plan.pk != target.pk:
            return SubscribeResult(_start(sub, plan=plan, now=now, auto_renew=auto_renew, actor=actor), "started")
        # _advance just retried the overdue renewal and the wallet was short: say so.
        raise ConflictError(
            _("Your wallet holds less than the %(price)s the renewal costs; top up and try again.")
            % {"price": _tokens(plan.price)},
            code="insufficient_funds",
            field="amount",
        )
    # Running (trialing or active, inside the period).
    if plan.pk == sub.plan_id:
        if sub.scheduled_plan_id is not None:
            sub.scheduled_plan = None
            sub.save()
            return SubscribeResult(sub, "downgrade_unscheduled")
        raise ConflictError(
            _("You are already subscribed to the %(plan)s plan.") % {"plan": plan.local_name}, code="already_subscribed"
        )
    if _is_upgrade(sub.plan, plan):
        return SubscribeResult(_upgrade(sub, plan=plan, now=now, actor=actor), "upgraded")
    sub.scheduled_plan = plan
    sub.cancel_at_period_end = False  # choosing the next plan means continuing
    sub.canceled_at = None
    sub.save()
    return SubscribeResult(sub, "downgrade_scheduled")


def _running_subscription(user: User, now: datetime) -> Subscription:
    sub = subscription_for_update(user_id=user.pk)
    if sub is None:
        raise NotFoundError(_("You have no subscription."), code="no_subscription")
    _advance(sub, now)
    return sub


@retry_on_lock_conflict()
@transaction.atomic
def subscription_cancel(
    *, user: User, at_period_end: bool = True, actor: User | None = None, now: datetime | None = None
) -> Subscription:
    """Cancel at the period end (access continues until then; ``reactivate`` undoes it)
    or now (access stops at once; no refund). A past-due subscription has no period
    left, so it is always canceled now."""
    now = now or timezone.now()
    sub = _running_subscription(user, now)
    if sub.status in ENDED_STATUSES:
        raise ConflictError(_("Your subscription has already ended."), code="subscription_ended")
    if at_period_end and sub.status in GRANTING_STATUSES:
        if sub.cancel_at_period_end:
            return sub  # already scheduled: a repeated click changes nothing
        sub.cancel_at_period_end = True
        sub.canceled_at = now
        sub.scheduled_plan = None
        sub.save()
        with member_locale(sub.user):
            body = _("Your %(plan)s plan stays active until %(end)s, then ends.") % {
                "plan": sub.plan.local_name,
                "end": datetime_text(sub.current_period_end),
            }
    else:
        sub.canceled_at = now
        _end(sub, status=SubscriptionStatus.CANCELED, ended_at=now)
        with member_locale(sub.user):
            body = _("Your %(plan)s plan was canceled and has ended.") % {"plan": sub.plan.local_name}
    audit_record(
        action=AuditAction.SUBSCRIPTION_CANCEL, instance=sub, actor=actor, data={"at_period_end": at_period_end}
    )
    with member_locale(sub.user):
        title = _("Subscription canceled")
    _notify(sub, N.SUBSCRIPTION_CANCELED, title, body, event_id=_event(sub, "canceled", now))
    return sub


@retry_on_lock_conflict()
@transaction.atomic
def subscription_reactivate(*, user: User, now: datetime | None = None) -> Subscription:
    """Undo a cancel-at-period-end before the period ends."""
    now = now or timezone.now()
    sub = _running_subscription(user, now)
    if sub.status not in GRANTING_STATUSES:
        raise ConflictError(
            _("Only a running subscription can be reactivated; subscribe again instead."), code="not_reactivatable"
        )
    if not sub.cancel_at_period_end:
        raise ConflictError(_("Your subscription is not set to end."), code="not_canceled")
    sub.cancel_at_period_end = False
    sub.canceled_at = None
    sub.save()
    return sub


@retry_on_lock_conflict()
@transaction.atomic
def subscription_extend(
    *, subscription_id: int, days: int, reason: str, actor: User | None = None, now: datetime | None = None
) -> Subscription:
    """An operator adds ``days`` to the current period (a goodwill gesture, an outage).
    A past-due subscription becomes active again for ``days`` from now."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A reason is required."), code="reason_required", field="reason")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTEND_DAYS:
        raise ApplicationError(
            _("Days must be between 1 and %(max)d.") % {"max": MAX_EXTEND_DAYS}, code="invalid_days", field="days"
        )
    sub = subscription_for_update(subscription_id=subscription_id)
    if sub is None:
        raise NotFoundError(_("Subscription not found."), code="subscription_not_found")
    _advance(sub, now)
    if sub.status in ENDED_STATUSES:
        raise ConflictError(_("An ended subscription cannot be extended."), code="subscription_ended")
    if sub.status == SubscriptionStatus.PAST_DUE:
        sub.status = SubscriptionStatus.ACTIVE
        sub.past_due_since = None
        sub.current_period_end = now + timedelta(days=days)
    else:
        sub.current_period_end += timedelta(days=days)
        if sub.status == SubscriptionStatus.TRIALING:
            sub.trial_end = sub.current_period_end
    sub.save()
    audit_record(
        action=AuditAction.SUBSCRIPTION_EXTEND, instance=sub, actor=actor, data={"days": days, "reason": reason}
    )
    logger.info("Subscription %s extended by %s day(s): %s", sub.pk, days, reason)
    return sub
