"""Models of the accounts app: identity, profile, API tokens and known devices."""

from accounts.models.api_token import ApiToken, TokenScope
from accounts.models.device import KnownDevice
from accounts.models.user import User, UserManager

__all__ = ["ApiToken", "KnownDevice", "TokenScope", "User", "UserManager"]
