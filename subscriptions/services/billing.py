"""Money and periods: each paid period is one ledger payment (idempotent per period
start) and one ``SubscriptionPeriod`` row; proration of an upgrade; the notifications
that go with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core.amounts import EXACT, QUANTUM, format_amount
from core.i18n import member_locale
from notifications.kinds import NotificationKind as N
from notifications.services import notify
from subscriptions.models import Plan, Subscription, SubscriptionPeriod, SubscriptionStatus
from wallets.models import Transaction

if TYPE_CHECKING:
    from accounts.models import User


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
    with member_locale(row.user):
        title = _("Payment debited")
        body = _("%(amount)s were debited from your wallet for the %(plan)s plan.") % {
            "amount": _tokens(row.amount),
            "plan": plan.local_name,
        }
    notify(
        user=row.user,
        kind=N.PAYMENT_DEBITED,
        title=title,
        body=body,
        data={"transaction_id": row.pk, "amount": str(row.amount), "available": str(row.available_after)},
        event_id=f"ledger:{row.pk}:{row.status}",
    )


def _pay(
    subscription: Subscription,
    *,
    plan: Plan,
    amount: Decimal,
    period_start: datetime,
    period_end: datetime,
    actor: User | None,
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
    subscription: Subscription, *, plan: Plan, kind: str, start: datetime, amount: Decimal, actor: User | None
) -> SubscriptionPeriod:
    """Pay ``amount`` for a full period of ``plan`` starting at ``start`` and make it
    the current (active) period. Refused with nothing written when funds are short."""
    end = start + timedelta(days=plan.period_days)
    payment = _pay(subscription, plan=plan, amount=amount, period_start=start, period_end=end, actor=actor)
    return _open_period(
        subscription,
        plan=plan,
        kind=kind,
        start=start,
        end=end,
        status=SubscriptionStatus.ACTIVE,
        amount=amount,
        payment=payment,
    )


def proration_credit(subscription: Subscription, *, now: datetime) -> Decimal:
    """The value of the unused part of the current paid period: the current plan's
    price times the unused share of its nominal period, capped at the price,
    rounded down to the token's precision. Trials and free plans are worth 0."""
    if subscription.status != SubscriptionStatus.ACTIVE or subscription.plan.price <= 0:
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
