"""Checks the challenge services share: roles, amounts and prizes, submission bodies
and limits, the open window."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation, localcontext
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from rest_framework import status as http

from challenges.models import Challenge, ChallengePhase, ChallengeStatus, SubmissionStatus
from challenges.selectors import submission_limit
from core.amounts import EXACT, format_amount, parse_amount
from core.exceptions import ApplicationError, ConflictError
from core.i18n import datetime_text
from core.permissions import ROLE_MODERATOR, ROLE_OPERATOR, has_role

if TYPE_CHECKING:
    from accounts.models import User

CS, SS = ChallengeStatus, SubmissionStatus


def _require_role(actor: User, *roles: str, refusal: str) -> None:
    """Entry points check roles too; the services refuse on their own so that no
    path (a command, a future view) can forget it. ``refusal`` is the whole sentence
    ("You do not have the role needed to …"), translated by the caller."""
    if not has_role(actor, *roles):
        raise ApplicationError(
            refusal,
            code="permission_denied",
            status_code=http.HTTP_403_FORBIDDEN,
        )


def _require_moderator(actor: User, refusal: str) -> None:
    _require_role(actor, ROLE_MODERATOR, ROLE_OPERATOR, refusal=refusal)


def _require_operator(actor: User, refusal: str) -> None:
    _require_role(actor, ROLE_OPERATOR, refusal=refusal)


def _decimal(value: Any, *, field: str, allow_zero: bool = True) -> Decimal:
    if isinstance(value, float | bool):
        raise ApplicationError(_("Amounts must be decimal strings, not floats."), code="invalid_amount", field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter a valid decimal number."), code="invalid_amount", field=field) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ApplicationError(
            _("Enter a positive number.") if not allow_zero else _("Enter a number of zero or more."),
            code="invalid_amount",
            field=field,
        )
    return amount


def _validate_prizes(*, prize_pool: Any, prize_split: Any, entry_fee: Any) -> tuple[Decimal, list[str], Decimal]:
    pool = parse_amount(prize_pool, field="prize_pool", allow_zero=True)
    fee = parse_amount(entry_fee, field="entry_fee", allow_zero=True)
    if not isinstance(prize_split, list | tuple):
        raise ApplicationError(_("The prize split is a list of amounts by rank."), code="invalid", field="prize_split")
    amounts = [parse_amount(value, field="prize_split") for value in prize_split]
    with localcontext(EXACT):  # 36-digit amounts: the default 28-digit context rounds
        split_total = sum(amounts, Decimal(0))
    if split_total > pool:
        raise ApplicationError(
            _("The prize split adds up to more than the prize pool."), code="split_exceeds_pool", field="prize_split"
        )
    return pool, [format_amount(amount) for amount in amounts], fee


def _validate_submission_body(*, title: str, content: str, link: str) -> tuple[str, str, str]:
    title, content, link = (title or "").strip(), (content or "").strip(), (link or "").strip()
    if not title:
        raise ApplicationError(_("A title is required."), code="required", field="title")
    if not content and not link:
        raise ApplicationError(_("Give the submission's content, a link, or both."), code="required", field="content")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ApplicationError(_("Enter a valid http(s) link."), code="invalid_link", field="link") from None
    return title[:200], content, link[:500]


def _submission_limit(*, challenge: Challenge, user: User) -> int:
    """The challenge's per-user limit (``challenges.selectors.submission_limit``, which
    the pages read too, so they never offer a form this would refuse)."""
    return submission_limit(challenge=challenge, user=user)


def _refuse_unless_open(challenge: Challenge, now: datetime) -> None:
    phase = challenge.phase_at(now)
    if phase == ChallengePhase.OPEN:
        return
    if phase == ChallengePhase.UPCOMING:
        raise ConflictError(
            _("This challenge opens at %(start)s.") % {"start": datetime_text(challenge.starts_at)},
            code="challenge_not_started",
        )
    if phase == ChallengePhase.DRAFT:
        raise ConflictError(_("This challenge is not open for submissions."), code="challenge_not_open")
    raise ConflictError(_("The deadline of this challenge has passed."), code="challenge_ended")


def _amount_text(amount: Decimal) -> str:
    return format_amount(amount, symbol=True)
