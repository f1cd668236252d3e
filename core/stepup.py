"""Step-up on the API (issue #17, part 2): sensitive actions carry fresh proof.

The pages use allauth's reauthentication (the password or a code again when the last
one is older than ``ACCOUNT_REAUTHENTICATION_TIMEOUT``). An API client has no such
session, so the request itself carries the proof, in two optional body fields that
the schema documents (``STEP_UP_FIELDS``):

* an account with a second factor sends ``mfa_code`` (a TOTP code or a recovery
  code; each is accepted once: allauth marks a TOTP code used for its period and a
  recovery code for good) — the password alone is not enough;
* an account without one sends ``password``.

A refusal is a 403 naming the field: ``step_up_required`` (nothing sent),
``step_up_failed`` (wrong, or a code already used), ``mfa_required`` (the action needs
a second factor the account does not have: a withdrawal above
``OGC_WITHDRAWAL_MFA_ABOVE``). Core imports no app: this reads allauth's models only.
"""

from __future__ import annotations

from decimal import Decimal

from allauth.core.internal import ratelimit
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers, status

from core.amounts import format_amount
from core.exceptions import ApplicationError

FIELD_PASSWORD = "password"
FIELD_CODE = "mfa_code"
#: Proof, not part of what a request asks for: left out of the Idempotency-Key
#: fingerprint (a retry carries a fresh code) and never stored.
STEP_UP_FIELD_NAMES = frozenset({FIELD_PASSWORD, FIELD_CODE})


class StepUpError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "step_up_required"


def step_up_fields() -> dict[str, serializers.Field]:
    """The two optional fields an input serializer adds for step-up."""
    return {
        FIELD_PASSWORD: serializers.CharField(
            required=False,
            write_only=True,
            max_length=128,
            trim_whitespace=False,
            help_text="Your password: required for this action when the account has no second factor.",
        ),
        FIELD_CODE: serializers.RegexField(
            r"^[0-9A-Za-z-]{6,20}$",
            required=False,
            write_only=True,
            help_text="A code from your authenticator app (or a recovery code): required for this "
            "action when the account has a second factor. Each code works once.",
        ),
    }


def withdrawal_needs_mfa(*, amount: Decimal) -> bool:
    threshold = settings.OGC_WITHDRAWAL_MFA_ABOVE
    return threshold is not None and amount > threshold


def withdrawal_mfa_missing(*, user, amount: Decimal) -> bool:
    """A withdrawal of ``amount`` needs a second factor that ``user`` lacks."""
    return withdrawal_needs_mfa(amount=amount) and not is_mfa_enabled(user)


def withdrawal_mfa_message() -> str:
    threshold = settings.OGC_WITHDRAWAL_MFA_ABOVE or Decimal(0)
    return _("Withdrawals above %(amount)s need two-step sign-in. Set up an authenticator app first.") % {
        "amount": format_amount(threshold, grouping=True, symbol=True)
    }


def _consume(request, key: str):
    """One attempt against allauth's ``login_failed`` limit (per IP and per account).
    A right answer rolls its attempt back, as allauth's login does: successful
    step-ups never use up the limit, and cannot wipe an attacker's failures."""
    return ratelimit.consume(request, app="allauth.account", action="login_failed", key=key)


def _code_is_valid(request, user, code: str) -> bool:
    usage = _consume(request, f"mfa-auth-user-{user.pk}")
    if not usage:
        raise StepUpError(_("Too many wrong codes. Wait a few minutes."), code="step_up_failed", field=FIELD_CODE)
    for authenticator in Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            usage.rollback()
            return True
    return False


def verify_step_up(*, request, user, data: dict, amount: Decimal | None = None) -> None:
    """Raise ``StepUpError`` unless ``data`` carries the proof this user must give."""
    has_mfa = is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES])
    if amount is not None and withdrawal_mfa_missing(user=user, amount=amount):
        raise StepUpError(withdrawal_mfa_message(), code="mfa_required", field=FIELD_CODE)
    if has_mfa:
        code = data.get(FIELD_CODE)
        if not code:
            raise StepUpError(_("Enter a code from your authenticator app."), field=FIELD_CODE)
        if not _code_is_valid(request, user, code):
            raise StepUpError(_("This code is wrong or was already used."), code="step_up_failed", field=FIELD_CODE)
        return
    password = data.get(FIELD_PASSWORD)
    if not password:
        raise StepUpError(_("Enter your password to confirm."), field=FIELD_PASSWORD)
    usage = _consume(request, f"step-up-password-user-{user.pk}")
    if not usage:
        raise StepUpError(
            _("Too many wrong passwords. Wait a few minutes."), code="step_up_failed", field=FIELD_PASSWORD
        )
    if not user.check_password(password):
        raise StepUpError(_("This password is wrong."), code="step_up_failed", field=FIELD_PASSWORD)
    usage.rollback()


def step_up_verified(*, request, user, data: dict, amount: Decimal | None = None) -> dict:
    """``verify_step_up`` for an API view (a DRF request): ``data`` without the proof."""
    verify_step_up(request=getattr(request, "_request", request), user=user, data=data, amount=amount)
    return {name: value for name, value in data.items() if name not in STEP_UP_FIELD_NAMES}
