"""What time does to a subscription: renew at the period end, fall past due when the
payment fails, expire after the grace period, send the expiring-soon notice. Each step
runs under the subscription's row lock; the periodic job brings every due one up to date."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError
from core.i18n import datetime_text, member_locale
from notifications.kinds import NotificationKind as N
from subscriptions.lock_objects import subscription_for_update
from subscriptions.models import GRANTING_STATUSES, Subscription, SubscriptionPeriod, SubscriptionStatus
from subscriptions.services.billing import _event, _notify, _pay_and_open, _tokens

logger = logging.getLogger(__name__)


#: Upper bound of catch-up steps in one call (a free plan left alone for years).
MAX_CATCH_UP_STEPS = 500


def grace_period() -> timedelta:
    return timedelta(days=int(getattr(settings, "OGC_SUBSCRIPTION_GRACE_DAYS", 3)))


def expiring_notice_window() -> timedelta:
    return timedelta(days=int(getattr(settings, "OGC_SUBSCRIPTION_EXPIRING_NOTICE_DAYS", 3)))


def _past_due_deadline(subscription: Subscription) -> datetime:
    """When a past-due subscription expires (the CHECK constraint guarantees
    ``past_due_since`` on every past-due row)."""
    since = subscription.past_due_since
    if since is None:
        raise ValueError(f"Subscription {subscription.pk} is past due without past_due_since")
    return since + grace_period()


def _end(subscription: Subscription, *, status: str, ended_at: datetime) -> None:
    subscription.status = status
    subscription.ended_at = ended_at
    subscription.cancel_at_period_end = False
    subscription.scheduled_plan = None
    subscription.past_due_since = None
    subscription.save()


def _try_renew(subscription: Subscription) -> bool:
    """Pay for and open the period that starts at the current period's end.
    Returns False (writing nothing) when the wallet is short."""
    plan = subscription.scheduled_plan or subscription.plan
    start = subscription.current_period_end
    try:
        with transaction.atomic():  # a savepoint: a refused debit must not doom the job's transaction
            period = _pay_and_open(
                subscription,
                plan=plan,
                kind=SubscriptionPeriod.Kind.RENEWAL,
                start=start,
                amount=plan.price,
                actor=None,
            )
    except ApplicationError as exc:
        if exc.code != "insufficient_funds":
            raise
        return False
    end = period.period_end
    if period.payment is not None:
        with member_locale(subscription.user):
            title = _("Subscription renewed")
            body = _("Your %(plan)s plan was renewed until %(end)s for %(price)s.") % {
                "plan": plan.local_name,
                "end": datetime_text(end),
                "price": _tokens(plan.price),
            }
        _notify(subscription, N.SUBSCRIPTION_RENEWED, title, body, event_id=_event(subscription, "renewed", start))
    return True


def _step(subscription: Subscription, now: datetime) -> str | None:
    """Apply the one transition that is due at ``now``; None when nothing is."""
    sub = subscription
    if sub.status in GRANTING_STATUSES and now >= sub.current_period_end:
        if sub.cancel_at_period_end:
            _end(sub, status=SubscriptionStatus.CANCELED, ended_at=sub.current_period_end)
            with member_locale(sub.user):
                title = _("Subscription ended")
                body = _("Your %(plan)s plan ended as you asked.") % {"plan": sub.plan.local_name}
            _notify(sub, N.SUBSCRIPTION_EXPIRED, title, body, event_id=_event(sub, "ended", sub.current_period_start))
            return "canceled"
        if not sub.auto_renew:
            _end(sub, status=SubscriptionStatus.EXPIRED, ended_at=sub.current_period_end)
            with member_locale(sub.user):
                title = _("Subscription expired")
                body = _("Your %(plan)s plan expired (automatic renewal was off).") % {"plan": sub.plan.local_name}
            _notify(sub, N.SUBSCRIPTION_EXPIRED, title, body, event_id=_event(sub, "expired", sub.current_period_start))
            return "expired"
        if _try_renew(sub):
            return "renewed"
        sub.status = SubscriptionStatus.PAST_DUE
        sub.past_due_since = sub.current_period_end
        sub.save()
        plan = sub.scheduled_plan or sub.plan
        with member_locale(sub.user):
            title = _("Subscription renewal failed")
            body = _(
                "We could not renew your %(plan)s plan: your wallet holds less than %(price)s. "
                "Top up before %(deadline)s to keep it."
            ) % {
                "plan": plan.local_name,
                "price": _tokens(plan.price),
                "deadline": datetime_text(_past_due_deadline(sub)),
            }
        _notify(
            sub,
            N.SUBSCRIPTION_RENEWAL_FAILED,
            title,
            body,
            event_id=_event(sub, "renewal_failed", sub.current_period_end),
        )
        return "past_due"
    if sub.status == SubscriptionStatus.PAST_DUE:
        deadline = _past_due_deadline(sub)
        if now >= deadline:
            _end(sub, status=SubscriptionStatus.EXPIRED, ended_at=deadline)
            with member_locale(sub.user):
                title = _("Subscription expired")
                body = _("Your %(plan)s plan expired: the renewal was not paid within the grace period.") % {
                    "plan": sub.plan.local_name
                }
            _notify(sub, N.SUBSCRIPTION_EXPIRED, title, body, event_id=_event(sub, "expired", sub.current_period_start))
            return "expired"
        if _try_renew(sub):
            return "renewed"
    return None


def _advance(subscription: Subscription, now: datetime) -> list[str]:
    """Apply every transition due at ``now`` (a long-unattended free plan may need several)."""
    done: list[str] = []
    for _step_number in range(MAX_CATCH_UP_STEPS):
        outcome = _step(subscription, now)
        if outcome is None:
            break
        done.append(outcome)
    if _expiring_notice(subscription, now):
        done.append("notified")
    return done


def _expiring_notice(subscription: Subscription, now: datetime) -> bool:
    """Send "expiring in N days" once per period (``expiry_notice_for`` remembers the
    period; the event id is the backstop). Free auto-renewing plans need no notice."""
    sub = subscription
    if sub.status not in GRANTING_STATUSES or not (sub.current_period_end - expiring_notice_window() <= now):
        return False
    if now >= sub.current_period_end or sub.expiry_notice_for == sub.current_period_start:
        return False
    sub.expiry_notice_for = sub.current_period_start
    sub.save(update_fields=["expiry_notice_for", "updated_at"])
    next_plan = sub.scheduled_plan or sub.plan
    if sub.will_renew and next_plan.price == 0:
        return False
    days = max(1, round((sub.current_period_end - now).total_seconds() / 86_400))
    with member_locale(sub.user):
        names = {"plan": sub.plan.local_name, "when": datetime_text(sub.current_period_end), "days": days}
        if sub.will_renew:
            title = ngettext("Subscription renews in %(days)d day", "Subscription renews in %(days)d days", days)
            body = _("Your %(plan)s plan renews on %(when)s: %(price)s will be debited.") % {
                **names,
                "price": _tokens(next_plan.price),
            }
            available = sub.user.wallet.available
            if available < next_plan.price:
                body += " " + _("Your wallet holds %(available)s: top up to avoid losing access.") % {
                    "available": _tokens(available)
                }
        else:
            title = ngettext("Subscription ends in %(days)d day", "Subscription ends in %(days)d days", days)
            body = _("Your %(plan)s plan ends on %(when)s.") % names
        title = title % names
    _notify(sub, N.SUBSCRIPTION_EXPIRING, title, body, event_id=_event(sub, "expiring", sub.current_period_start))
    return True


@retry_on_lock_conflict()
@transaction.atomic
def subscription_process(*, subscription_id: int, now: datetime | None = None) -> list[str]:
    """Bring one subscription up to date under its row lock; safe to repeat."""
    now = now or timezone.now()
    sub = subscription_for_update(subscription_id=subscription_id)
    if sub is None:
        return []
    return _advance(sub, now)


@dataclass
class ProcessReport:
    checked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(self.outcomes.items())) or "nothing due"
        return f"{self.checked} subscription(s) checked; {parts}; {len(self.errors)} error(s)."


def subscriptions_process_due(*, now: datetime | None = None, limit: int = 10_000) -> ProcessReport:
    """Renew, move to past_due, cancel and expire what is due, and send the
    "expiring soon" notices. Each subscription is its own transaction, re-checked
    under its row lock, so two concurrent runs do every step once."""
    from subscriptions.selectors import subscriptions_due_ids

    now = now or timezone.now()
    report = ProcessReport()
    for pk in subscriptions_due_ids(now=now, notice_window=expiring_notice_window(), limit=limit):
        report.checked += 1
        try:
            outcomes = subscription_process(subscription_id=pk, now=now)
        except Exception as exc:  # one broken row must not stop the others; reported and retried next run
            logger.exception("Processing subscription %s failed", pk)
            report.errors.append(f"subscription {pk}: {exc}")
            continue
        for outcome in outcomes:
            report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
    return report
