"""Write layer of the subscriptions app (its public interface for writes), one module per
concern: ``lifecycle`` (what a member or an operator does: subscribe, upgrade, cancel,
reactivate, extend), ``clock`` (what time does: renewals, past due, expiry, notices; the
periodic job), ``billing`` (payments through the ledger, periods, proration) and
``plans`` (the default plan data)."""

from subscriptions.services.billing import payment_key, proration_credit
from subscriptions.services.clock import (
    MAX_CATCH_UP_STEPS,
    ProcessReport,
    expiring_notice_window,
    grace_period,
    subscription_process,
    subscriptions_process_due,
)
from subscriptions.services.lifecycle import (
    MAX_EXTEND_DAYS,
    SubscribeResult,
    subscription_cancel,
    subscription_extend,
    subscription_reactivate,
    subscription_subscribe,
)
from subscriptions.services.plans import DEFAULT_PLANS, seed_plans

__all__ = [
    "DEFAULT_PLANS",
    "MAX_CATCH_UP_STEPS",
    "MAX_EXTEND_DAYS",
    "ProcessReport",
    "SubscribeResult",
    "expiring_notice_window",
    "grace_period",
    "payment_key",
    "proration_credit",
    "seed_plans",
    "subscription_cancel",
    "subscription_extend",
    "subscription_process",
    "subscription_reactivate",
    "subscription_subscribe",
    "subscriptions_process_due",
]
