"""Demo subscriptions in every status, with their periods and payments.

Mirrors ``subscriptions.services``: a paid plan with a trial starts
with a ``trial`` period; each later period is a ``renewal`` paid at its start
(a ``payment`` row with the key ``payment_key(subscription, period_start)``,
linked from the ``SubscriptionPeriod``); a free plan renews every period
without payment. The end states are the ones the clock produces: ``past_due``
(the last renewal failed, inside the grace period), ``canceled`` (canceled at
the period end), ``expired`` (automatic renewal off).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from django.conf import settings

from demo.plan import DemoPlan, Notice, Person, iso
from subscriptions.models import Plan, Subscription, SubscriptionPeriod, SubscriptionStatus
from subscriptions.services import payment_key
from wallets.models import Direction, TransactionKind

S, P = SubscriptionStatus, SubscriptionPeriod.Kind
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
#: One of each first (so a small build shows every state), then by weight.
STATES = ("free", "trialing", "active", "cancel_pending", "downgrade", "past_due", "canceled", "expired")
WEIGHTS = (30, 8, 30, 4, 3, 6, 9, 10)
SHARE_OF_USERS = 0.3


def _event(sub: Subscription, what: str, moment: datetime) -> str:
    return f"sub:{sub.pk}:{what}:{iso(moment)}"


def plan_subscriptions(plan: DemoPlan, plans: dict[str, Plan]) -> dict[str, list]:
    out: dict[str, list] = {"subscriptions": [], "periods": []}
    free, pro = plans.get("free"), plans.get("pro")
    if free is None or pro is None:
        return out  # an operator removed a default plan: no demo subscriptions
    rng = plan.rng
    subscribers = [p for p in plan.active_people if rng.random() < SHARE_OF_USERS]
    # The longest-standing subscribers take one state each first: they have the
    # history that ended or past-due subscriptions need.
    forced = sorted(subscribers, key=lambda p: p.funded_at)[: len(STATES)]
    subscribers = forced + [p for p in subscribers if p not in forced]
    for number, person in enumerate(subscribers):
        state = STATES[number] if number < len(STATES) else rng.choices(STATES, WEIGHTS)[0]
        _subscribe(plan, person, state, free, pro, out)
    return out


def _periods_until(start: datetime, first: timedelta, length: timedelta, end_after: datetime) -> list[datetime]:
    """Period boundaries from ``start``: the first period lasts ``first``, the next ``length``
    each, until a period ends after ``end_after``."""
    bounds = [start, start + first]
    while bounds[-1] <= end_after:
        bounds.append(bounds[-1] + length)
    return bounds


def _subscribe(plan: DemoPlan, person: Person, state: str, free: Plan, pro: Plan, out) -> None:
    rng, now = plan.rng, plan.now
    earliest = person.funded_at + HOUR
    product = free if state == "free" else pro
    length = timedelta(days=product.period_days)
    trial = timedelta(days=pro.trial_days) if product is pro and pro.trial_days and pro.price > 0 else None
    first = trial or length
    grace = timedelta(days=int(getattr(settings, "OGC_SUBSCRIPTION_GRACE_DAYS", 3)))

    if state == "trialing" and trial is None:
        state = "active"
    if state in ("free", "active", "cancel_pending", "downgrade"):
        start = plan.moment(earliest, now - HOUR)
        if trial is not None and start + trial > now:
            start = max(earliest, now - trial - DAY * rng.uniform(1, 60))
        if trial is not None and start + trial > now:
            state = "trialing"  # joined too recently to be past the trial
        bounds = _periods_until(start, first, length, now)
    if state == "trialing":
        start = plan.moment(max(earliest, now - trial + HOUR), now - HOUR)
        bounds = [start, start + trial]
    elif state in ("past_due", "canceled", "expired"):  # the last period ended in the past
        if state == "past_due":
            last_end = now - timedelta(seconds=rng.uniform(HOUR.total_seconds(), (grace - HOUR).total_seconds()))
        else:
            last_end = now - DAY * rng.uniform(2, 60)
        paid = rng.randint(1, 4)
        while paid > 0 and last_end - first - length * paid < earliest:
            paid -= 1
        start = last_end - first - length * paid
        if start < earliest or paid == 0:
            return _subscribe(plan, person, "free", free, pro, out)
        bounds = [start, start + first] + [start + first + length * k for k in range(1, paid + 1)]

    sub = Subscription(
        user=person.user,
        plan=product,
        status=S.ACTIVE,
        current_period_start=bounds[-2],
        current_period_end=bounds[-1],
        trial_used=trial is not None,
        trial_end=bounds[1] if trial is not None else None,
        auto_renew=state != "expired",
        created_at=bounds[0],
        updated_at=bounds[-2],
    )
    started_body = (
        f"Your {product.name} trial runs until {bounds[1]:%Y-%m-%d %H:%M} UTC."
        if trial is not None
        else f"Your {product.name} plan is active until {bounds[1]:%Y-%m-%d %H:%M} UTC."
    )
    person.notices.append(
        Notice(
            bounds[0],
            "subscription_started",
            "Subscription started",
            started_body,
            lambda: {"subscription_id": sub.pk, "plan": product.code},
            lambda: _event(sub, "started", bounds[0]),
        )
    )
    for number, (period_start, period_end) in enumerate(pairwise(bounds)):
        kind = (P.TRIAL if trial is not None else P.START) if number == 0 else P.RENEWAL
        payment = None
        if kind != P.TRIAL and product.price > 0:
            payment = _payment(plan, person, sub, product, period_start, period_end)
        out["periods"].append(
            SubscriptionPeriod(
                subscription=sub,
                plan=product,
                kind=kind,
                period_start=period_start,
                period_end=period_end,
                amount=product.price if payment is not None else 0,
                payment=payment,
                created_at=period_start,
            )
        )
    _finish(plan, person, sub, state, trial, grace, free)
    out["subscriptions"].append(sub)


def _payment(plan: DemoPlan, person: Person, sub: Subscription, product: Plan, start: datetime, end: datetime):
    row = person.ledger.fixed(
        start,
        kind=TransactionKind.PAYMENT,
        direction=Direction.DEBIT,
        amount=product.price,
        actor=person.user,
        memo=f"Subscription {product.name}: {start:%Y-%m-%d} to {end:%Y-%m-%d}",
    )
    row._demo_source = sub
    row._demo_key = lambda: payment_key(sub, start)
    person.notices.append(
        Notice(
            start,
            "payment_debited",
            "Payment debited",
            f"{plan.amount_text(product.price)} were debited from your wallet for the {product.name} plan.",
            lambda: {"transaction_id": row.pk, "amount": str(row.amount), "available": str(row.available_after)},
            lambda: f"ledger:{row.pk}:completed",
        )
    )
    return row


def _finish(plan: DemoPlan, person: Person, sub: Subscription, state: str, trial, grace, free: Plan) -> None:
    """Set the status fields of the end state (as ``_step`` and the user operations do)."""
    now = plan.now
    end = sub.current_period_end
    if state == "trialing":
        sub.status = S.TRIALING
    elif state == "cancel_pending":
        sub.cancel_at_period_end = True
        sub.canceled_at = plan.moment(sub.current_period_start, now)
        sub.updated_at = sub.canceled_at
    elif state == "downgrade":
        sub.scheduled_plan = free
        sub.updated_at = plan.moment(sub.current_period_start, now)
    elif state == "past_due":
        sub.status = S.PAST_DUE
        sub.past_due_since = end
        sub.updated_at = end
        person.notices.append(
            Notice(
                end,
                "subscription_renewal_failed",
                "Subscription renewal failed",
                f"We could not renew your {sub.plan.name} plan: top up before "
                f"{end + grace:%Y-%m-%d %H:%M} UTC to keep it.",
                lambda: {"subscription_id": sub.pk, "plan": sub.plan.code, "status": sub.status},
                lambda: _event(sub, "renewal_failed", end),
            )
        )
    elif state in ("canceled", "expired"):
        sub.status = S.CANCELED if state == "canceled" else S.EXPIRED
        sub.ended_at = end
        sub.updated_at = end
        if state == "canceled":
            sub.canceled_at = plan.moment(sub.current_period_start, end - timedelta(minutes=1))
        how = "ended as you asked" if state == "canceled" else "expired (automatic renewal was off)"
        person.notices.append(
            Notice(
                end,
                "subscription_expired",
                "Subscription ended" if state == "canceled" else "Subscription expired",
                f"Your {sub.plan.name} plan {how}.",
                lambda: {"subscription_id": sub.pk, "plan": sub.plan.code, "status": sub.status},
                lambda: _event(sub, "ended" if state == "canceled" else "expired", sub.current_period_start),
            )
        )
