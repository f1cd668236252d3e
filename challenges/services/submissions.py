"""Members' submissions (with the entry fee through the ledger) and moderators' reviews."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges import badges as badge_rules
from challenges.listeners import SUBMISSION_CREATED, SUBMISSION_REVIEWED, SUBMISSION_UPDATED, submission_event
from challenges.lock_objects import challenge_for_update, submission_for_update
from challenges.models import (
    ACTIVE_SUBMISSION_STATUSES,
    BadgeRule,
    Challenge,
    ChallengeEntry,
    FeeDestination,
    Submission,
)
from challenges.services.judging import _unjudge
from challenges.services.rules import (
    CS,
    SS,
    _amount_text,
    _decimal,
    _refuse_unless_open,
    _require_moderator,
    _submission_limit,
    _validate_submission_body,
)
from core.audit import AuditAction, audit_record
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from core.i18n import member_locale

if TYPE_CHECKING:
    from accounts.models import User


def _charge_entry_fee(*, challenge: Challenge, user: User) -> ChallengeEntry:
    """The user's entry, created at the first submission with the fee's ledger row.
    Short funds raise ``insufficient_funds`` and the caller's transaction writes nothing."""
    from notifications.services import notify
    from wallets.services import payment_debit

    entry = ChallengeEntry.objects.filter(challenge=challenge, user=user).first()
    if entry is not None:
        return entry
    fee_row = None
    if challenge.entry_fee > 0:
        try:
            fee_row = payment_debit(
                user=user,
                amount=challenge.entry_fee,
                source=challenge,
                memo=f"Entry fee: {challenge.title}",
                idempotency_key=f"entry-fee:{challenge.pk}:{user.pk}:1",
                actor=user,
                escrow=challenge.escrow_reference if challenge.entry_fee_to == FeeDestination.ESCROW else None,
            )
        except ApplicationError as exc:
            if exc.code != "insufficient_funds":
                raise
            raise ConflictError(
                _("Your available balance cannot pay the entry fee of %(fee)s.")
                % {"fee": _amount_text(challenge.entry_fee)},
                code="insufficient_funds",
                field="entry_fee",
            ) from exc
        with member_locale(user):
            title = _("Entry fee paid")
            body = _("%(fee)s were debited for entering “%(challenge)s”.") % {
                "fee": _amount_text(challenge.entry_fee),
                "challenge": challenge.title,
            }
        notify(
            user=user,
            kind="payment_debited",
            title=title,
            body=body,
            data={"challenge": challenge.slug, "transaction_id": fee_row.pk, "amount": str(fee_row.amount)},
            event_id=f"ledger:{fee_row.pk}:completed",
        )
    return ChallengeEntry.objects.create(challenge=challenge, user=user, fee_transaction=fee_row)


@retry_on_lock_conflict()
@transaction.atomic
def submission_create(
    *,
    user: User,
    challenge_id: int,
    title: str,
    content: str = "",
    link: str = "",
    ip_address: str | None = None,
    now: datetime | None = None,
) -> Submission:
    """Submit an entry while the challenge is open, within the user's limit; the
    first submission pays the entry fee (if any) and grants the first-submission badge."""
    title, content, link = _validate_submission_body(title=title, content=content, link=link)
    now = now or timezone.now()
    challenge = challenge_for_update(challenge_id=challenge_id)
    _refuse_unless_open(challenge, now)
    mine = Submission.objects.filter(challenge=challenge, user=user)
    limit = _submission_limit(challenge=challenge, user=user)
    if mine.filter(status__in=ACTIVE_SUBMISSION_STATUSES).count() >= limit:
        raise ConflictError(
            ngettext(
                "You reached the limit of %(limit)d submission for this challenge.",
                "You reached the limit of %(limit)d submissions for this challenge.",
                limit,
            )
            % {"limit": limit},
            code="submission_limit_reached",
        )
    _charge_entry_fee(challenge=challenge, user=user)
    submission = Submission.objects.create(
        challenge=challenge,
        user=user,
        sequence=mine.count() + 1,
        title=title,
        content=content,
        link=link,
        submitted_at=now,
        submitter_ip=ip_address or None,
    )
    badge_rules.badges_grant_by_rule(
        user=user, rule=BadgeRule.FIRST_SUBMISSION, source=submission, reason=f"First submission: {challenge.title}"
    )
    submission_event(SUBMISSION_CREATED, submission)
    return submission


def _own_submission_for_update(
    *, user: User, submission_id: int, challenge_id: int | None
) -> tuple[Challenge, Submission]:
    """Lock the submission if ``user`` owns it; another user's id is a 404 (no hint it exists)."""
    if not Submission.objects.filter(pk=submission_id, user=user).exists():
        raise NotFoundError(_("Submission not found."), code="submission_not_found")
    return submission_for_update(submission_id=submission_id, challenge_id=challenge_id)


@retry_on_lock_conflict()
@transaction.atomic
def submission_update(
    *,
    user: User,
    submission_id: int,
    challenge_id: int | None = None,
    title: str | None = None,
    content: str | None = None,
    link: str | None = None,
    now: datetime | None = None,
) -> Submission:
    """The owner edits a submission that awaits review, while the challenge is open."""
    challenge, submission = _own_submission_for_update(
        user=user, submission_id=submission_id, challenge_id=challenge_id
    )
    _refuse_unless_open(challenge, now or timezone.now())
    if submission.status != SS.SUBMITTED:
        raise ConflictError(_("Only a submission that awaits review can be edited."), code="submission_not_editable")
    title, content, link = _validate_submission_body(
        title=submission.title if title is None else title,
        content=submission.content if content is None else content,
        link=submission.link if link is None else link,
    )
    submission.title, submission.content, submission.link = title, content, link
    submission.save(update_fields=["title", "content", "link", "updated_at"])
    submission_event(SUBMISSION_UPDATED, submission)
    return submission


@retry_on_lock_conflict()
@transaction.atomic
def submission_withdraw(
    *, user: User, submission_id: int, challenge_id: int | None = None, now: datetime | None = None
) -> Submission:
    """The owner withdraws a submitted or accepted entry before the deadline; its slot
    is freed (the entry fee is not refunded)."""
    now = now or timezone.now()
    challenge, submission = _own_submission_for_update(
        user=user, submission_id=submission_id, challenge_id=challenge_id
    )
    _refuse_unless_open(challenge, now)
    if submission.status not in (SS.SUBMITTED, SS.ACCEPTED):
        raise ConflictError(
            _("Only a submission that awaits review or was accepted can be withdrawn."),
            code="submission_not_withdrawable",
        )
    submission.status = SS.WITHDRAWN
    submission.withdrawn_at = now
    submission.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return submission


@retry_on_lock_conflict()
@transaction.atomic
def submission_review(
    *,
    reviewer: User,
    submission_id: int,
    decision: str,
    score: Any = None,
    note: str = "",
    challenge_id: int | None = None,
) -> Submission:
    """A moderator accepts (with a score) or rejects a submission, until the challenge
    is judged. The submitter is notified; a first acceptance grants its badge."""
    from notifications.services import notify

    _require_moderator(reviewer, _("You do not have the role needed to review submissions."))
    if decision not in (SS.ACCEPTED, SS.REJECTED):
        raise ApplicationError(_("Decide accepted or rejected."), code="invalid_decision", field="status")
    if decision == SS.ACCEPTED:
        if score is None or score == "":
            raise ApplicationError(_("An accepted submission needs a score."), code="required", field="score")
        score = _decimal(score, field="score")
        if score >= Decimal("1e8") or -int(score.as_tuple().exponent) > 4:
            raise ApplicationError(_("At most 8 digits and 4 decimals."), code="invalid_amount", field="score")
    else:
        score = None
    challenge, submission = submission_for_update(submission_id=submission_id, challenge_id=challenge_id)
    if challenge.status not in (CS.SCHEDULED, CS.CLOSED, CS.JUDGED) or (
        challenge.status == CS.JUDGED and challenge.rewards.exists()
    ):
        raise ConflictError(
            _("Submissions of this challenge can no longer be reviewed (it is %(status)s).")
            % {"status": challenge.get_status_display()},
            code="review_closed",
        )
    if challenge.status == CS.JUDGED:
        _unjudge(challenge)  # a correction before payment: the ranking must be computed again
    if submission.status not in (SS.SUBMITTED, SS.ACCEPTED, SS.REJECTED):
        raise ConflictError(
            _("This submission cannot be reviewed (it is %(status)s).") % {"status": submission.get_status_display()},
            code="submission_not_reviewable",
        )
    submission.status = decision
    submission.score = score
    submission.review_note = (note or "").strip()
    submission.reviewer = reviewer
    submission.reviewed_at = timezone.now()
    submission.save(update_fields=["status", "score", "review_note", "reviewer", "reviewed_at", "updated_at"])
    audit_record(
        action=AuditAction.SUBMISSION_REVIEW,
        instance=submission,
        actor=reviewer,
        data={"status": decision, "score": score},
    )
    submission_event(SUBMISSION_REVIEWED, submission)
    with member_locale(submission.user):
        names = {"submission": submission.title, "challenge": challenge.title}
        if score is not None:
            title = _("Submission accepted")
            body = _("Your submission “%(submission)s” to “%(challenge)s” was accepted with a score of %(score)s.") % {
                **names,
                "score": f"{score.normalize():f}",
            }
        else:
            title = _("Submission rejected")
            body = _("Your submission “%(submission)s” to “%(challenge)s” was rejected.") % names
        if submission.review_note:
            body = f"{body} {submission.review_note}"
    notify(
        user=submission.user,
        kind="submission_reviewed",
        title=title,
        body=body,
        data={"challenge": challenge.slug, "submission_id": submission.pk, "status": decision, "score": score},
        event_id=f"review:{submission.pk}:{submission.reviewed_at.isoformat()}",
    )
    if decision == SS.ACCEPTED:
        badge_rules.badges_grant_by_rule(
            user=submission.user,
            rule=BadgeRule.FIRST_ACCEPTED,
            source=submission,
            reason=f"Accepted in {challenge.title}",
        )
    return submission
