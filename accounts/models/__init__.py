"""Models of the accounts app: identity and profile."""

from accounts.models.user import User, UserManager

__all__ = ["User", "UserManager"]
