"""Write layer of subscriptions: the only code that changes a subscription.

Every public function is one transaction that locks the subscription row
(``lock_objects``), first brings it up to date with the clock (``_advance``: a
period that ended while nobody looked is renewed, moved to past_due, canceled or
expired exactly as the periodic job would have done), then applies the operation.
Payments go through ``wallets.services.payment_debit`` inside that transaction
(lock order: subscription, then wallet), with the idempotency key
``subscription:<id>:<period start>``; ``SubscriptionPeriod`` is unique per
(subscription, period start). A refused payment (insufficient funds) of a user's
own request rolls everything back: nothing is written.

The rules the issue left open (proration, grace, trials) are in docs/subscriptions.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Plan, Subscription, SubscriptionPeriod, SubscriptionStatus
from accounts.models.subscriptions import ENDED_STATUSES, GRANTING_STATUSES
from accounts.subscriptions.lock_objects import subscription_for_update, user_for_update
from core.amounts import EXACT, QUANTUM, format_amount
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from notifications.kinds import NotificationKind as N
from notifications.services import notify
from wallets.models import Transaction

logger = logging.getLogger(__name__)

S = SubscriptionStatus
#: Upper bound of catch-up steps in one call (a free plan left alone for years).
MAX_CATCH_UP_STEPS = 500
#: Operators extend by at most this many days at once.
MAX_EXTEND_DAYS = 366

DEFAULT_PLANS: list[dict[str, Any]] = [
    {
        "code": "free",
        "name": "Free",
        "description": "Everything you need to take part: challenges, staking, governance.",
        "price": Decimal("0"),
        "period_days": 30,
        "trial_days": 0,
        "features": [],
        "sort_order": 0,
    },
    {
        "code": "pro",
        "name": "Pro",
        "description": "Twice the submissions per challenge. 7-day free trial.",
        "price": Decimal("50"),
        "period_days": 30,
        "trial_days": 7,
        "features": ["extra_submissions"],
        "sort_order": 10,
    },
]


# --- helpers -----------------------------------------------------------------------------


def grace_period() -> timedelta:
    return timedelta(days=int(getattr(settings, "OGC_SUBSCRIPTION_GRACE_DAYS", 3)))


def expiring_notice_window() -> timedelta:
    return timedelta(days=int(getattr(settings, "OGC_SUBSCRIPTION_EXPIRING_NOTICE_DAYS", 3)))


def _iso(moment: datetime) -> str:
    """A stable text form of an instant (keys and event ids must not depend on the
    connection's time zone)."""
    return moment.astimezone(UTC).isoformat()


def _tokens(amount: Decimal) -> str:
    return format_amount(amount, symbol=True)


def payment_key(subscription: Subscription, period_start: datetime) -> str:
    """The ledger idempotency key of the payment for one period."""
    return f"subscription:{subscription.pk}:{_iso(period_start)}"


def _event(subscription: Subscription, what: str, moment: datetime) -> str:
    return f"sub:{subscription.pk}:{what}:{_iso(moment)}"


def _notify(subscription: Subscription, kind: str, title: str, body: str, *, event_id: str) -> None:
    notify(
        user=subscription.user,
        kind=kind,
        title=title,
        body=body,
        data={
            "subscription_id": subscription.pk,
            "plan": subscription.plan.code,
            "status": subscription.status,
            "current_period_end": _iso(subscription.current_period_end),
        },
        event_id=event_id,
    )


def _notify_payment(row: Transaction, plan: Plan) -> None:
    notify(
        user=row.user,
        kind=N.PAYMENT_DEBITED,
        title="Payment debited",
        body=f"{_tokens(row.amount)} were debited from your wallet for the {plan.name} plan.",
        data={"transaction_id": row.pk, "amount": str(row.amount), "available": str(row.available_after)},
        event_id=f"ledger:{row.pk}:{row.status}",
    )


def _pay(
    subscription: Subscription, *, plan: Plan, amount: Decimal, period_start: datetime, period_end: datetime, actor
) -> Transaction | None:
    """Debit ``amount`` for the period starting at ``period_start`` (nothing when 0).
    Raises ``ApplicationError(code="insufficient_funds")`` and writes nothing when short."""
    if amount <= 0:
        return None
    from wallets.services import payment_debit

    return payment_debit(
        user=subscription.user,
        amount=amount,
        source=subscription,
        memo=f"Subscription {plan.name}: {period_start:%Y-%m-%d} to {period_end:%Y-%m-%d}",
        idempotency_key=payment_key(subscription, period_start),
        actor=actor,
    )


def _open_period(
    subscription: Subscription,
    *,
    plan: Plan,
    kind: str,
    start: datetime,
    end: datetime,
    status: str,
    amount: Decimal = Decimal(0),
    payment: Transaction | None = None,
) -> SubscriptionPeriod:
    """Make [start, end) the subscription's current period on ``plan`` and record it."""
    subscription.plan = plan
    subscription.scheduled_plan = None
    subscription.status = status
    subscription.current_period_start = start
    subscription.current_period_end = end
    subscription.past_due_since = None
    subscription.save()
    period = SubscriptionPeriod.objects.create(
        subscription=subscription,
        plan=plan,
        kind=kind,
        period_start=start,
        period_end=end,
        amount=amount if payment is not None else Decimal(0),
        payment=payment,
    )
    if payment is not None:
        _notify_payment(payment, plan)
    return period


def _pay_and_open(
    subscription: Subscription, *, plan: Plan, kind: str, start: datetime, amount: Decimal, actor
) -> SubscriptionPeriod:
    """Pay ``amount`` for a full period of ``plan`` starting at ``start`` and make it
    the current (active) period. Refused with nothing written when funds are short."""
    end = start + timedelta(days=plan.period_days)
    payment = _pay(subscription, plan=plan, amount=amount, period_start=start, period_end=end, actor=actor)
    return _open_period(
        subscription, plan=plan, kind=kind, start=start, end=end, status=S.ACTIVE, amount=amount, payment=payment
    )


def _plan_for_subscribe(plan_code: str) -> Plan:
    plan = Plan.objects.filter(code=(plan_code or "").strip(), is_active=True).first()
    if plan is None:
        raise NotFoundError("No such plan.", code="plan_not_found", field="plan")
    return plan


def _is_upgrade(current: Plan, new: Plan) -> bool:
    """An upgrade costs more per day than the current plan; it takes effect at once.
    Anything else (cheaper, equal) is a downgrade, applied at the period end."""
    return new.price * current.period_days > current.price * new.period_days


def proration_credit(subscription: Subscription, *, now: datetime) -> Decimal:
    """The value of the unused part of the current paid period: the current plan's
    price times the unused share of its nominal period, capped at the price,
    rounded down to the token's precision. Trials and free plans are worth 0."""
    if subscription.status != S.ACTIVE or subscription.plan.price <= 0:
        return Decimal(0)
    remaining = (subscription.current_period_end - now).total_seconds()
    nominal = subscription.plan.period_days * 86_400
    if remaining <= 0:
        return Decimal(0)
    # Amounts have 36 significant digits: Python's default 28-digit context would
    # round a large price and make quantize() raise InvalidOperation.
    with localcontext(EXACT):
        share = min(Decimal(1), Decimal(str(remaining)) / Decimal(nominal))
        return (subscription.plan.price * share).quantize(QUANTUM, rounding=ROUND_DOWN)


# --- the clock: renewal, past_due, expiry, notices ------------------------------------------------


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
        _notify(
            subscription,
            N.SUBSCRIPTION_RENEWED,
            "Subscription renewed",
            f"Your {plan.name} plan was renewed until {end:%Y-%m-%d %H:%M} UTC for {_tokens(plan.price)}.",
            event_id=_event(subscription, "renewed", start),
        )
    return True


def _step(subscription: Subscription, now: datetime) -> str | None:
    """Apply the one transition that is due at ``now``; None when nothing is."""
    sub = subscription
    if sub.status in GRANTING_STATUSES and now >= sub.current_period_end:
        if sub.cancel_at_period_end:
            _end(sub, status=S.CANCELED, ended_at=sub.current_period_end)
            _notify(
                sub,
                N.SUBSCRIPTION_EXPIRED,
                "Subscription ended",
                f"Your {sub.plan.name} plan ended as you asked.",
                event_id=_event(sub, "ended", sub.current_period_start),
            )
            return "canceled"
        if not sub.auto_renew:
            _end(sub, status=S.EXPIRED, ended_at=sub.current_period_end)
            _notify(
                sub,
                N.SUBSCRIPTION_EXPIRED,
                "Subscription expired",
                f"Your {sub.plan.name} plan expired (automatic renewal was off).",
                event_id=_event(sub, "expired", sub.current_period_start),
            )
            return "expired"
        if _try_renew(sub):
            return "renewed"
        sub.status = S.PAST_DUE
        sub.past_due_since = sub.current_period_end
        sub.save()
        plan = sub.scheduled_plan or sub.plan
        _notify(
            sub,
            N.SUBSCRIPTION_RENEWAL_FAILED,
            "Subscription renewal failed",
            f"We could not renew your {plan.name} plan: your wallet holds less than {_tokens(plan.price)}. "
            f"Top up before {sub.past_due_since + grace_period():%Y-%m-%d %H:%M} UTC to keep it.",
            event_id=_event(sub, "renewal_failed", sub.current_period_end),
        )
        return "past_due"
    if sub.status == S.PAST_DUE:
        deadline = sub.past_due_since + grace_period()
        if now >= deadline:
            _end(sub, status=S.EXPIRED, ended_at=deadline)
            _notify(
                sub,
                N.SUBSCRIPTION_EXPIRED,
                "Subscription expired",
                f"Your {sub.plan.name} plan expired: the renewal was not paid within the grace period.",
                event_id=_event(sub, "expired", sub.current_period_start),
            )
            return "expired"
        if _try_renew(sub):
            return "renewed"
    return None


def _advance(subscription: Subscription, now: datetime) -> list[str]:
    """Apply every transition due at ``now`` (a long-unattended free plan may need several)."""
    done: list[str] = []
    for _ in range(MAX_CATCH_UP_STEPS):
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
    when = f"{sub.current_period_end:%Y-%m-%d %H:%M} UTC"
    if sub.will_renew and next_plan.price == 0:
        return False
    if sub.will_renew:
        body = f"Your {sub.plan.name} plan renews on {when}: {_tokens(next_plan.price)} will be debited."
        available = sub.user.wallet.available
        if available < next_plan.price:
            body += f" Your wallet holds {_tokens(available)}: top up to avoid losing access."
    else:
        body = f"Your {sub.plan.name} plan ends on {when}."
    days = max(1, round((sub.current_period_end - now).total_seconds() / 86_400))
    _notify(
        sub,
        N.SUBSCRIPTION_EXPIRING,
        f"Subscription {'renews' if sub.will_renew else 'ends'} in {days} day{'s' if days != 1 else ''}",
        body,
        event_id=_event(sub, "expiring", sub.current_period_start),
    )
    return True


# --- user operations ----------------------------------------------------------------------------------


def _start(subscription: Subscription, *, plan: Plan, now: datetime, auto_renew: bool, actor) -> Subscription:
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
        _open_period(sub, plan=plan, kind=SubscriptionPeriod.Kind.TRIAL, start=now, end=end, status=S.TRIALING)
        body = f"Your {plan.name} trial runs until {end:%Y-%m-%d %H:%M} UTC."
        if auto_renew:
            body += f" Then {_tokens(plan.price)} will be debited every {plan.period_days} days."
    else:
        end = _pay_and_open(
            sub, plan=plan, kind=SubscriptionPeriod.Kind.START, start=now, amount=plan.price, actor=actor
        ).period_end
        body = f"Your {plan.name} plan is active until {end:%Y-%m-%d %H:%M} UTC."
    _notify(sub, N.SUBSCRIPTION_STARTED, "Subscription started", body, event_id=_event(sub, "started", now))
    return sub


def _upgrade(subscription: Subscription, *, plan: Plan, now: datetime, actor) -> Subscription:
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
    _notify(
        sub,
        N.SUBSCRIPTION_STARTED,
        "Plan upgraded",
        f"You are now on the {plan.name} plan until {end:%Y-%m-%d %H:%M} UTC "
        f"({_tokens(charge)} charged after a credit of {_tokens(credit)} for the unused time).",
        event_id=_event(sub, "upgraded", now),
    )
    return sub


@dataclass(frozen=True)
class SubscribeResult:
    subscription: Subscription
    #: started | upgraded | downgrade_scheduled | downgrade_unscheduled
    action: str


@retry_on_lock_conflict()
@transaction.atomic
def subscription_subscribe(
    *, user, plan_code: str, auto_renew: bool = True, now: datetime | None = None, actor=None
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
        sub = Subscription(user=user, plan=plan, status=S.ACTIVE, current_period_start=now)
        sub.current_period_end = now + timedelta(days=plan.period_days)
        sub.save()  # a first row to hang the payment on; rolled back with the rest on refusal
        return SubscribeResult(_start(sub, plan=plan, now=now, auto_renew=auto_renew, actor=actor), "started")
    _advance(sub, now)
    if sub.status in ENDED_STATUSES:
        return SubscribeResult(_start(sub, plan=plan, now=now, auto_renew=auto_renew, actor=actor), "started")
    if sub.status == S.PAST_DUE:
        target = sub.scheduled_plan or sub.plan
        if plan.pk != target.pk:
            return SubscribeResult(_start(sub, plan=plan, now=now, auto_renew=auto_renew, actor=actor), "started")
        # _advance just retried the overdue renewal and the wallet was short: say so.
        raise ApplicationError(
            f"Your wallet holds less than the {_tokens(plan.price)} the renewal costs; top up and try again.",
            code="insufficient_funds",
            field="amount",
        )
    # Running (trialing or active, inside the period).
    if plan.pk == sub.plan_id:
        if sub.scheduled_plan_id is not None:
            sub.scheduled_plan = None
            sub.save()
            return SubscribeResult(sub, "downgrade_unscheduled")
        raise ConflictError(f"You are already subscribed to the {plan.name} plan.", code="already_subscribed")
    if _is_upgrade(sub.plan, plan):
        return SubscribeResult(_upgrade(sub, plan=plan, now=now, actor=actor), "upgraded")
    sub.scheduled_plan = plan
    sub.cancel_at_period_end = False  # choosing the next plan means continuing
    sub.canceled_at = None
    sub.save()
    return SubscribeResult(sub, "downgrade_scheduled")


def _running_subscription(user, now: datetime) -> Subscription:
    sub = subscription_for_update(user_id=user.pk)
    if sub is None:
        raise NotFoundError("You have no subscription.", code="no_subscription")
    _advance(sub, now)
    return sub


@retry_on_lock_conflict()
@transaction.atomic
def subscription_cancel(*, user, at_period_end: bool = True, now: datetime | None = None) -> Subscription:
    """Cancel at the period end (access continues until then; ``reactivate`` undoes it)
    or now (access stops at once; no refund). A past-due subscription has no period
    left, so it is always canceled now."""
    now = now or timezone.now()
    sub = _running_subscription(user, now)
    if sub.status in ENDED_STATUSES:
        raise ConflictError("Your subscription has already ended.", code="subscription_ended")
    if at_period_end and sub.status in GRANTING_STATUSES:
        if sub.cancel_at_period_end:
            return sub  # already scheduled: a repeated click changes nothing
        sub.cancel_at_period_end = True
        sub.canceled_at = now
        sub.scheduled_plan = None
        sub.save()
        body = f"Your {sub.plan.name} plan stays active until {sub.current_period_end:%Y-%m-%d %H:%M} UTC, then ends."
    else:
        sub.canceled_at = now
        _end(sub, status=S.CANCELED, ended_at=now)
        body = f"Your {sub.plan.name} plan was canceled and has ended."
    _notify(sub, N.SUBSCRIPTION_CANCELED, "Subscription canceled", body, event_id=_event(sub, "canceled", now))
    return sub


@retry_on_lock_conflict()
@transaction.atomic
def subscription_reactivate(*, user, now: datetime | None = None) -> Subscription:
    """Undo a cancel-at-period-end before the period ends."""
    now = now or timezone.now()
    sub = _running_subscription(user, now)
    if sub.status not in GRANTING_STATUSES:
        raise ConflictError(
            "Only a running subscription can be reactivated; subscribe again instead.", code="not_reactivatable"
        )
    if not sub.cancel_at_period_end:
        raise ConflictError("Your subscription is not set to end.", code="not_canceled")
    sub.cancel_at_period_end = False
    sub.canceled_at = None
    sub.save()
    return sub


@retry_on_lock_conflict()
@transaction.atomic
def subscription_extend(*, subscription_id: int, days: int, reason: str, now: datetime | None = None) -> Subscription:
    """An operator adds ``days`` to the current period (a goodwill gesture, an outage).
    A past-due subscription becomes active again for ``days`` from now. The caller
    (the admin action) writes the audit entry naming the action in this transaction."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A reason is required.", code="reason_required", field="reason")
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTEND_DAYS:
        raise ApplicationError(f"Days must be between 1 and {MAX_EXTEND_DAYS}.", code="invalid_days", field="days")
    sub = subscription_for_update(subscription_id=subscription_id)
    if sub is None:
        raise NotFoundError("Subscription not found.", code="subscription_not_found")
    _advance(sub, now)
    if sub.status in ENDED_STATUSES:
        raise ConflictError("An ended subscription cannot be extended.", code="subscription_ended")
    if sub.status == S.PAST_DUE:
        sub.status = S.ACTIVE
        sub.past_due_since = None
        sub.current_period_end = now + timedelta(days=days)
    else:
        sub.current_period_end += timedelta(days=days)
        if sub.status == S.TRIALING:
            sub.trial_end = sub.current_period_end
    sub.save()
    logger.info("Subscription %s extended by %s day(s): %s", sub.pk, days, reason)
    return sub


# --- the periodic job ----------------------------------------------------------------------------------


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
    from accounts.subscriptions.selectors import subscriptions_due_ids

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


# --- plans ---------------------------------------------------------------------------------------------


@transaction.atomic
def seed_plans() -> int:
    """Create the default plans that do not exist yet (operators' edits are kept).
    Returns how many were created."""
    created = 0
    for spec in DEFAULT_PLANS:
        _, was_created = Plan.objects.get_or_create(code=spec["code"], defaults=spec)
        created += int(was_created)
    return created
