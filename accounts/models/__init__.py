"""Models of the accounts app: identity and profile (``user``); subscriptions live
in their own module and are re-exported here."""

from accounts.models.subscriptions import Plan, Subscription, SubscriptionPeriod, SubscriptionStatus
from accounts.models.user import User, UserManager

__all__ = ["Plan", "Subscription", "SubscriptionPeriod", "SubscriptionStatus", "User", "UserManager"]
