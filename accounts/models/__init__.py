"""Models of the accounts app: identity, profile and API tokens."""

from accounts.models.api_token import ApiToken, TokenScope
from accounts.models.user import User, UserManager

__all__ = ["ApiToken", "TokenScope", "User", "UserManager"]
