"""DRF authentication classes that also tell the audit log who is acting.

API tokens are django-rest-knox tokens (``KNOX_TOKEN_MODEL``: accounts.ApiToken):
hashed, several per member, each with a scope and an expiry. On top of knox:

* an expired token is refused (and not deleted here: the tokens page shows it until the
  member removes it);
* the token's last use (time and address) is written at most once a minute;
* a ``read`` token may only read: any other method is a 403 ``token_scope``, so it
  cannot move money (tests/test_token_scopes.py walks every unsafe operation);
* every ``/api/v1/ops/`` caller must have a second factor (403 ``mfa_required``).
"""

from __future__ import annotations

from datetime import timedelta
from hmac import compare_digest

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from core.audit import bind_actor

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LAST_USED_EVERY = timedelta(minutes=1)
OPS_PREFIX = "/api/v1/ops/"


class TokenScopeDenied(exceptions.PermissionDenied):
    default_code = "token_scope"
    default_detail = _("This token may only read. Create a token that may move money for this action.")


class MfaRequired(exceptions.PermissionDenied):
    default_code = "mfa_required"
    default_detail = _("Operator actions need a second factor. Set one up on the two-step sign-in page first.")


def check_ops_mfa(request, user) -> None:
    if settings.OGC_STAFF_MFA_REQUIRED and request.path.startswith(OPS_PREFIX) and not is_mfa_enabled(user):
        raise MfaRequired()


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class AuditedTokenAuthentication(TokenAuthentication):
    keyword = "Token"  # drf-spectacular documents the scheme from it

    def authenticate_credentials(self, token: bytes):
        message = _("Invalid token.")
        try:
            text = token.decode("utf-8")
            digest = hash_token(text)
        except (UnicodeDecodeError, ValueError, TypeError) as error:
            raise exceptions.AuthenticationFailed(message) from error
        now = timezone.now()
        for auth_token in (
            get_token_model().objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user")
        ):
            if compare_digest(digest, auth_token.digest):
                if auth_token.expiry is not None and auth_token.expiry <= now:
                    raise exceptions.AuthenticationFailed(_("This token has expired."), code="token_expired")
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, auth_token = result
        bind_actor(user)
        self._record_use(request, auth_token)
        if request.method not in SAFE_METHODS and not auth_token.can_move_money:
            raise TokenScopeDenied()
        check_ops_mfa(request, user)
        return result

    @staticmethod
    def _record_use(request, auth_token) -> None:
        now = timezone.now()
        address = client_address(request)
        recent = auth_token.last_used_at and now - auth_token.last_used_at < LAST_USED_EVERY
        if recent and auth_token.last_used_ip == address:
            return
        # A conditional UPDATE: no row lock, no audit noise, one statement.
        type(auth_token).objects.filter(pk=auth_token.pk).update(last_used_at=now, last_used_ip=address)
        auth_token.last_used_at, auth_token.last_used_ip = now, address


class AuditedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            bind_actor(result[0])
            check_ops_mfa(request, result[0])
        return result
