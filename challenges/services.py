"""Write layer of the challenges app: challenges, submissions, judging, rewards, badges.

Every public function is one database transaction. Submitting, reviewing,
judging and paying lock the challenge row first (``lock_objects``), so the
per-user limit, the deadline, the ranking and the prize pool are checked on
locked, fresh data. Money moves only through ``wallets.services`` in the same
transaction: an entry fee is a ``payment`` row, a prize a ``reward`` row, each
with a deterministic idempotency key, and each linked 1-1 from this app's rows.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status as http

from challenges import badges as badge_rules
from challenges.audit import record_action
from challenges.lock_objects import challenge_for_update, submission_for_update
from challenges.models import (
    ACTIVE_SUBMISSION_STATUSES,
    Badge,
    BadgeRule,
    Challenge,
    ChallengeEntry,
    ChallengePhase,
    ChallengeStatus,
    Reward,
    Submission,
    SubmissionStatus,
    UserBadge,
    Visibility,
)
from core.amounts import EXACT, format_amount, parse_amount
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from core.permissions import ROLE_MODERATOR, ROLE_OPERATOR, has_role

CS, SS = ChallengeStatus, SubmissionStatus
EXTRA_SUBMISSIONS_FEATURE = "extra_submissions"


# --- helpers -----------------------------------------------------------------------


def _require_role(actor, *roles: str, what: str) -> None:
    """Entry points check roles too; the services refuse on their own so that no
    path (a command, a future view) can forget it."""
    if not has_role(actor, *roles):
        raise ApplicationError(
            f"You do not have the role needed to {what}.",
            code="permission_denied",
            status_code=http.HTTP_403_FORBIDDEN,
        )


def _require_moderator(actor, what: str) -> None:
    _require_role(actor, ROLE_MODERATOR, ROLE_OPERATOR, what=what)


def _require_operator(actor, what: str) -> None:
    _require_role(actor, ROLE_OPERATOR, what=what)


def _decimal(value: Any, *, field: str, allow_zero: bool = True) -> Decimal:
    if isinstance(value, float | bool):
        raise ApplicationError("Amounts must be decimal strings, not floats.", code="invalid_amount", field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError("Enter a valid decimal number.", code="invalid_amount", field=field) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise ApplicationError(
            "Enter a positive number." if not allow_zero else "Enter a number of zero or more.",
            code="invalid_amount",
            field=field,
        )
    return amount


def _validate_prizes(*, prize_pool: Any, prize_split: Any, entry_fee: Any) -> tuple[Decimal, list[str], Decimal]:
    pool = parse_amount(prize_pool, field="prize_pool", allow_zero=True)
    fee = parse_amount(entry_fee, field="entry_fee", allow_zero=True)
    if not isinstance(prize_split, list | tuple):
        raise ApplicationError("The prize split is a list of amounts by rank.", code="invalid", field="prize_split")
    amounts = [parse_amount(value, field="prize_split") for value in prize_split]
    with localcontext(EXACT):  # 36-digit amounts: the default 28-digit context rounds
        split_total = sum(amounts, Decimal(0))
    if split_total > pool:
        raise ApplicationError(
            "The prize split adds up to more than the prize pool.", code="split_exceeds_pool", field="prize_split"
        )
    return pool, [format_amount(amount) for amount in amounts], fee


def _validate_submission_body(*, title: str, content: str, link: str) -> tuple[str, str, str]:
    title, content, link = (title or "").strip(), (content or "").strip(), (link or "").strip()
    if not title:
        raise ApplicationError("A title is required.", code="required", field="title")
    if not content and not link:
        raise ApplicationError("Give the submission's content, a link, or both.", code="required", field="content")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ApplicationError("Enter a valid http(s) link.", code="invalid_link", field="link") from None
    return title[:200], content, link[:500]


def _submission_limit(*, challenge: Challenge, user) -> int:
    """The challenge's per-user limit; doubled for plans with ``extra_submissions``."""
    from accounts.subscriptions.selectors import user_has_feature

    limit = challenge.max_submissions_per_user
    if user_has_feature(user=user, feature=EXTRA_SUBMISSIONS_FEATURE):
        limit *= 2
    return limit


def _refuse_unless_open(challenge: Challenge, now: datetime) -> None:
    phase = challenge.phase_at(now)
    if phase == ChallengePhase.OPEN:
        return
    if phase == ChallengePhase.UPCOMING:
        raise ApplicationError(
            f"This challenge opens at {challenge.starts_at:%Y-%m-%d %H:%M} UTC.", code="challenge_not_started"
        )
    if phase == ChallengePhase.DRAFT:
        raise ApplicationError("This challenge is not open for submissions.", code="challenge_not_open")
    raise ApplicationError("The deadline of this challenge has passed.", code="challenge_ended")


def _amount_text(amount: Decimal) -> str:
    return format_amount(amount, symbol=True)


# --- challenges ------------------------------------------------------------------------


@transaction.atomic
def challenge_create(
    *,
    created_by,
    slug: str,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    rules: str = "",
    category: str = "",
    tags: list[str] | None = None,
    entry_fee: Any = "0",
    prize_pool: Any = "0",
    prize_split: list[Any] | None = None,
    max_submissions_per_user: int = 1,
    visibility: str = Visibility.PUBLIC,
    status: str = CS.DRAFT,
) -> Challenge:
    """Create a challenge (operators). ``status`` may be draft or scheduled."""
    _require_operator(created_by, "create challenges")
    if status not in (CS.DRAFT, CS.SCHEDULED):
        raise ApplicationError("A new challenge is a draft or scheduled.", code="invalid_status", field="status")
    if ends_at <= starts_at:
        raise ApplicationError("The end must be after the start.", code="invalid_window", field="ends_at")
    if Challenge.objects.filter(slug=slug).exists():
        raise ApplicationError("This slug is already used.", code="slug_taken", field="slug")
    pool, split, fee = _validate_prizes(prize_pool=prize_pool, prize_split=prize_split or [], entry_fee=entry_fee)
    if max_submissions_per_user < 1:
        raise ApplicationError("At least one submission per user.", code="invalid", field="max_submissions_per_user")
    challenge = Challenge(
        slug=slug,
        title=title.strip(),
        description=description,
        rules=rules,
        category=category.strip().lower(),
        tags=[str(tag).strip().lower() for tag in (tags or []) if str(tag).strip()],
        status=status,
        visibility=visibility,
        starts_at=starts_at,
        ends_at=ends_at,
        entry_fee=fee,
        prize_pool=pool,
        prize_split=split,
        max_submissions_per_user=max_submissions_per_user,
        created_by=created_by,
    )
    challenge.full_clean()
    challenge.save()
    return challenge


@retry_on_lock_conflict()
@transaction.atomic
def challenge_publish(*, challenge_id: int, actor) -> Challenge:
    """Draft -> scheduled: the challenge becomes visible; it opens at ``starts_at``."""
    _require_operator(actor, "publish challenges")
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.DRAFT:
        raise ConflictError(f"Only a draft can be published (this one is {challenge.status}).", code="not_draft")
    challenge.status = CS.SCHEDULED
    challenge.save(update_fields=["status", "updated_at"])
    record_action(instance=challenge, action="challenge_publish", actor=actor)
    return challenge


def _close(challenge: Challenge, now: datetime) -> None:
    challenge.status = CS.CLOSED
    challenge.closed_at = now
    challenge.save(update_fields=["status", "closed_at", "updated_at"])


@retry_on_lock_conflict()
@transaction.atomic
def challenge_close(*, challenge_id: int, actor, now: datetime | None = None) -> Challenge:
    """Scheduled -> closed by an operator, also before the deadline (closes early)."""
    _require_operator(actor, "close challenges")
    now = now or timezone.now()
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.SCHEDULED:
        raise ConflictError(f"Only a scheduled challenge can be closed (this one is {challenge.status}).")
    _close(challenge, now)
    record_action(instance=challenge, action="challenge_close", actor=actor, data={"early": now < challenge.ends_at})
    return challenge


@retry_on_lock_conflict()
@transaction.atomic
def _close_if_due(*, challenge_id: int, now: datetime) -> bool:
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.SCHEDULED or challenge.ends_at > now:
        return False
    _close(challenge, now)
    return True


def challenges_close_due(*, now: datetime | None = None) -> int:
    """The expiry job: close every scheduled challenge whose deadline passed.
    Each challenge is re-checked under its lock, so concurrent runs are safe."""
    now = now or timezone.now()
    due = Challenge.objects.filter(status=CS.SCHEDULED, ends_at__lte=now).order_by("ends_at", "pk")
    return sum(1 for pk in due.values_list("pk", flat=True) if _close_if_due(challenge_id=pk, now=now))


def _clear_ranks(challenge: Challenge) -> None:
    # Row by row (not QuerySet.update) so each change has its audit entry. No row
    # locks on submissions: every path that changes one holds the challenge's lock.
    for stale in challenge.submissions.filter(rank__isnull=False).order_by("pk"):
        stale.rank = None
        stale.save(update_fields=["rank", "updated_at"])


def _unjudge(challenge: Challenge) -> None:
    _clear_ranks(challenge)
    challenge.status = CS.CLOSED
    challenge.judged_at = None
    challenge.save(update_fields=["status", "judged_at", "updated_at"])


def _ranked_order(queryset):
    """Higher score first; ties go to the earlier submission (then the lower id)."""
    return queryset.order_by("-score", "submitted_at", "pk")


@retry_on_lock_conflict()
@transaction.atomic
def challenge_judge(*, challenge_id: int, actor, now: datetime | None = None) -> list[Submission]:
    """Rank the accepted submissions and mark the challenge judged.

    Allowed once the deadline passed (a scheduled challenge past its end is closed
    first) and while no submission awaits review; a judged challenge may be judged
    again (after a score correction) until a reward is paid. Returns the ranking."""
    _require_operator(actor, "judge challenges")
    now = now or timezone.now()
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status == CS.SCHEDULED and challenge.ends_at <= now:
        _close(challenge, now)
    if challenge.status not in (CS.CLOSED, CS.JUDGED):
        raise ConflictError("A challenge is judged after it closes.", code="challenge_not_closed")
    if challenge.rewards.exists():
        raise ConflictError("Rewards were paid: the ranking is final.", code="rewards_paid")
    pending = challenge.submissions.filter(status=SS.SUBMITTED).count()
    if pending:
        raise ConflictError(f"{pending} submission(s) still await review.", code="reviews_pending")
    _clear_ranks(challenge)  # ranks are unique per challenge: clear the previous ranking first
    ranking = list(
        _ranked_order(challenge.submissions.filter(status=SS.ACCEPTED, score__isnull=False)).select_related("user")
    )
    for position, submission in enumerate(ranking, start=1):
        submission.rank = position
        submission.save(update_fields=["rank", "updated_at"])
    challenge.status = CS.JUDGED
    challenge.judged_at = now
    challenge.save(update_fields=["status", "judged_at", "updated_at"])
    record_action(instance=challenge, action="challenge_judge", actor=actor, data={"ranked": len(ranking)})
    return ranking


@retry_on_lock_conflict()
@transaction.atomic
def challenge_archive(*, challenge_id: int, actor) -> Challenge:
    """Closed or judged -> archived (read-only from then on)."""
    _require_operator(actor, "archive challenges")
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status not in (CS.CLOSED, CS.JUDGED):
        raise ConflictError("Only a closed or judged challenge can be archived.", code="challenge_not_closed")
    challenge.status = CS.ARCHIVED
    challenge.save(update_fields=["status", "updated_at"])
    record_action(instance=challenge, action="challenge_archive", actor=actor)
    return challenge


# --- submissions -------------------------------------------------------------------------


def _charge_entry_fee(*, challenge: Challenge, user) -> ChallengeEntry:
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
            )
        except ApplicationError as exc:
            if exc.code != "insufficient_funds":
                raise
            raise ApplicationError(
                f"Your available balance cannot pay the entry fee of {_amount_text(challenge.entry_fee)}.",
                code="insufficient_funds",
                field="entry_fee",
            ) from exc
        notify(
            user=user,
            kind="payment_debited",
            title="Entry fee paid",
            body=f"{_amount_text(challenge.entry_fee)} were debited for entering “{challenge.title}”.",
            data={"challenge": challenge.slug, "transaction_id": fee_row.pk, "amount": str(fee_row.amount)},
            event_id=f"ledger:{fee_row.pk}:completed",
        )
    return ChallengeEntry.objects.create(challenge=challenge, user=user, fee_transaction=fee_row)


@retry_on_lock_conflict()
@transaction.atomic
def submission_create(
    *,
    user,
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
        raise ApplicationError(
            f"You reached the limit of {limit} submission(s) for this challenge.", code="submission_limit_reached"
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
    return submission


def _own_submission_for_update(*, user, submission_id: int, challenge_id: int | None) -> tuple[Challenge, Submission]:
    """Lock the submission if ``user`` owns it; another user's id is a 404 (no hint it exists)."""
    if not Submission.objects.filter(pk=submission_id, user=user).exists():
        raise NotFoundError("Submission not found.", code="submission_not_found")
    return submission_for_update(submission_id=submission_id, challenge_id=challenge_id)


@retry_on_lock_conflict()
@transaction.atomic
def submission_update(
    *,
    user,
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
        raise ConflictError(f"A {submission.status} submission cannot be edited.", code="submission_not_editable")
    title, content, link = _validate_submission_body(
        title=submission.title if title is None else title,
        content=submission.content if content is None else content,
        link=submission.link if link is None else link,
    )
    submission.title, submission.content, submission.link = title, content, link
    submission.save(update_fields=["title", "content", "link", "updated_at"])
    return submission


@retry_on_lock_conflict()
@transaction.atomic
def submission_withdraw(
    *, user, submission_id: int, challenge_id: int | None = None, now: datetime | None = None
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
            f"A {submission.status} submission cannot be withdrawn.", code="submission_not_withdrawable"
        )
    submission.status = SS.WITHDRAWN
    submission.withdrawn_at = now
    submission.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return submission


@retry_on_lock_conflict()
@transaction.atomic
def submission_review(
    *,
    reviewer,
    submission_id: int,
    decision: str,
    score: Any = None,
    note: str = "",
    challenge_id: int | None = None,
) -> Submission:
    """A moderator accepts (with a score) or rejects a submission, until the challenge
    is judged. The submitter is notified; a first acceptance grants its badge."""
    from notifications.services import notify

    _require_moderator(reviewer, "review submissions")
    if decision not in (SS.ACCEPTED, SS.REJECTED):
        raise ApplicationError("Decide accepted or rejected.", code="invalid_decision", field="status")
    if decision == SS.ACCEPTED:
        if score is None or score == "":
            raise ApplicationError("An accepted submission needs a score.", code="required", field="score")
        score = _decimal(score, field="score")
        if score >= Decimal("1e8") or -score.as_tuple().exponent > 4:  # type: ignore[operator]
            raise ApplicationError("At most 8 digits and 4 decimals.", code="invalid_amount", field="score")
    else:
        score = None
    challenge, submission = submission_for_update(submission_id=submission_id, challenge_id=challenge_id)
    if challenge.status not in (CS.SCHEDULED, CS.CLOSED, CS.JUDGED) or (
        challenge.status == CS.JUDGED and challenge.rewards.exists()
    ):
        raise ConflictError(f"Submissions of a {challenge.status} challenge cannot be reviewed.", code="review_closed")
    if challenge.status == CS.JUDGED:
        _unjudge(challenge)  # a correction before payment: the ranking must be computed again
    if submission.status not in (SS.SUBMITTED, SS.ACCEPTED, SS.REJECTED):
        raise ConflictError(f"A {submission.status} submission cannot be reviewed.", code="submission_not_reviewable")
    submission.status = decision
    submission.score = score
    submission.review_note = (note or "").strip()
    submission.reviewer = reviewer
    submission.reviewed_at = timezone.now()
    submission.save(update_fields=["status", "score", "review_note", "reviewer", "reviewed_at", "updated_at"])
    verdict = f"accepted with a score of {score.normalize():f}" if score is not None else "rejected"
    notify(
        user=submission.user,
        kind="submission_reviewed",
        title=f"Submission {decision}",
        body=f"Your submission “{submission.title}” to “{challenge.title}” was {verdict}."
        + (f" {submission.review_note}" if submission.review_note else ""),
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


# --- rewards -------------------------------------------------------------------------------


@retry_on_lock_conflict()
@transaction.atomic
def rewards_award(*, challenge_id: int, actor, submission_ids: list[int] | None = None) -> list[Reward]:
    """Pay the prizes of a judged challenge: rank ``n`` receives ``prize_split[n-1]``.

    Locks the challenge, then the winners' wallets in primary-key order, and for each
    ranked submission not yet paid writes the ``reward`` ledger row, the ``Reward``,
    the winner status, the notification and the winner badge, all in this one
    transaction. Already-paid submissions are skipped, so a second click (even a
    concurrent one, which waits for the lock) pays nothing; the unique constraints on
    ``rewards`` and the ledger's idempotency key are the backstops. ``submission_ids``
    restricts the payment to those submissions. Returns the rewards paid now."""
    from notifications.services import notify
    from wallets.lock_objects import wallets_for_update
    from wallets.services import reward_credit

    _require_operator(actor, "pay rewards")
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.JUDGED:
        raise ConflictError("Rewards are paid once the challenge is judged.", code="challenge_not_judged")
    prizes = challenge.prize_amounts
    candidates = (
        challenge.submissions.filter(rank__isnull=False, rank__lte=len(prizes))
        .select_related("user__wallet")
        .order_by("rank")
    )
    if submission_ids is not None:
        wanted = set(submission_ids)
        candidates = candidates.filter(pk__in=wanted)
        found = {s.pk for s in candidates}
        if wanted - found:
            raise ApplicationError(
                "Only ranked submissions within the prize split can be rewarded.",
                code="not_a_prize_rank",
                field="submission_ids",
            )
    paid_ids = set(Reward.objects.filter(challenge=challenge).values_list("submission_id", flat=True))
    to_pay = [s for s in candidates if s.pk not in paid_ids and s.status == SS.ACCEPTED]
    if not to_pay:
        return []
    with localcontext(EXACT):  # 36-digit amounts: the default 28-digit context rounds
        total = sum((prizes[s.rank - 1] for s in to_pay), Decimal(0))
        over_pool = challenge.prize_paid + total > challenge.prize_pool
    if over_pool:
        raise ApplicationError(
            "These rewards would exceed the prize pool.", code="prize_pool_exceeded", field="submission_ids"
        )
    wallets_for_update(wallet_ids=[s.user.wallet.pk for s in to_pay])
    rewards: list[Reward] = []
    for submission in to_pay:
        amount = prizes[submission.rank - 1]
        row = reward_credit(
            user=submission.user,
            amount=amount,
            source=submission,
            memo=f"Rank {submission.rank} in {challenge.title}",
            idempotency_key=f"reward:{challenge.pk}:{submission.pk}",
            actor=actor,
        )
        try:
            with transaction.atomic():
                reward = Reward.objects.create(
                    challenge=challenge,
                    submission=submission,
                    wallet_id=row.wallet_id,
                    rank=submission.rank,
                    amount=amount,
                    transaction=row,
                    awarded_by=actor,
                )
        except IntegrityError as exc:  # only reachable if the lock discipline is broken somewhere
            raise ConflictError("This reward was already paid.", code="reward_already_paid") from exc
        submission.status = SS.WINNER
        submission.save(update_fields=["status", "updated_at"])
        with localcontext(EXACT):
            challenge.prize_paid += amount
        notify(
            user=submission.user,
            kind="reward_paid",
            title=f"You won rank {submission.rank} in {challenge.title}",
            body=f"{_amount_text(amount)} were credited to your wallet.",
            data={
                "challenge": challenge.slug,
                "rank": submission.rank,
                "amount": str(amount),
                "transaction_id": row.pk,
            },
            event_id=f"reward:{reward.pk}",
        )
        badge_rules.badges_grant_by_rule(
            user=submission.user,
            rule=BadgeRule.CHALLENGE_WINNER,
            source=reward,
            reason=f"Rank {submission.rank} in {challenge.title}",
        )
        record_action(
            instance=reward, action="reward_award", actor=actor, data={"amount": str(amount), "transaction": row.pk}
        )
        rewards.append(reward)
    challenge.save(update_fields=["prize_paid", "updated_at"])  # the CHECK prize_paid <= prize_pool backstop
    return rewards


# --- badges ------------------------------------------------------------------------------------


def _badge(slug: str) -> Badge:
    badge = Badge.objects.filter(slug=slug).first()
    if badge is None:
        raise NotFoundError("Badge not found.", code="badge_not_found")
    return badge


@transaction.atomic
def badge_award(*, badge_slug: str, user, actor, reason: str, source: Any = None) -> UserBadge:
    """Staff award a badge (or reinstate a revoked one). Awarding a badge the user
    holds is a 409."""
    _require_moderator(actor, "award badges")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A reason is required.", code="required", field="reason")
    badge = _badge(badge_slug)
    user_badge = UserBadge.objects.select_for_update().filter(user=user, badge=badge).first()
    if user_badge is not None and not user_badge.is_revoked:
        raise ConflictError("The user already holds this badge.", code="badge_already_held")
    if user_badge is None:
        try:
            with transaction.atomic():
                user_badge = UserBadge.objects.create(user=user, badge=badge, awarded_by=actor, reason=reason[:300])
        except IntegrityError as exc:
            raise ConflictError("The user already holds this badge.", code="badge_already_held") from exc
    else:
        user_badge.awarded_at = timezone.now()
        user_badge.awarded_by = actor
        user_badge.reason = reason[:300]
        user_badge.revoked_at = None
        user_badge.revoked_by = None
        user_badge.revoke_reason = ""
        user_badge.save()
    if source is not None:
        user_badge.source = source
        user_badge.save(update_fields=["source_type", "source_id"])
    record_action(instance=user_badge, action="badge_award", actor=actor, data={"reason": user_badge.reason})
    badge_rules.badge_earned_notify(user_badge=user_badge)
    return user_badge


@transaction.atomic
def badge_revoke(*, badge_slug: str, user, actor, reason: str) -> UserBadge:
    """Staff revoke a badge: the row stays, marked revoked with who, when and why."""
    from notifications.services import notify

    _require_moderator(actor, "revoke badges")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A reason is required.", code="required", field="reason")
    badge = _badge(badge_slug)
    user_badge = UserBadge.objects.select_for_update().filter(user=user, badge=badge).first()
    if user_badge is None or user_badge.is_revoked:
        raise NotFoundError("The user does not hold this badge.", code="badge_not_held")
    user_badge.revoked_at = timezone.now()
    user_badge.revoked_by = actor
    user_badge.revoke_reason = reason[:300]
    user_badge.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record_action(instance=user_badge, action="badge_revoke", actor=actor, data={"reason": user_badge.revoke_reason})
    notify(
        user=user,
        kind="badge_revoked",
        title=f"Badge revoked: {badge.name}",
        body=f"Your {badge.name} badge was revoked: {user_badge.revoke_reason}",
        data={"badge": badge.slug},
        event_id=f"badge-revoked:{user_badge.pk}:{user_badge.revoked_at.isoformat()}",
    )
    return user_badge
