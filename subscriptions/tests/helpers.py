"""Assertions shared by the subscription tests."""

from __future__ import annotations

from collections import Counter

from notifications.models import Notification
from subscriptions.models import SubscriptionPeriod
from wallets.models import Transaction, TransactionKind
from wallets.verification import verify_ledger


def payments_of(user) -> list[Transaction]:
    return list(Transaction.objects.filter(user=user, kind=TransactionKind.PAYMENT).order_by("pk"))


def kinds_notified(user) -> Counter:
    return Counter(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def periods_of(subscription) -> list[SubscriptionPeriod]:
    return list(SubscriptionPeriod.objects.filter(subscription=subscription).order_by("period_start"))


def assert_ledger_clean() -> None:
    report = verify_ledger()
    assert report.clean, report.summary()
