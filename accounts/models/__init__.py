"""Models of the accounts app: identity and profile (``user``); subscriptions live
in their own module and are re-exported here."""

from accounts.models.user import User, UserManager

__all__ = ["User", "UserManager"]
