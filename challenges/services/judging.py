"""Judging (rank the accepted submissions of a closed challenge) and paying the
prizes through the ledger, once per submission."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges import badges as badge_rules
from challenges.lock_objects import challenge_for_update
from challenges.models import BadgeRule, Challenge, Reward, Submission
from challenges.services.lifecycle import _close
from challenges.services.rules import CS, SS, _amount_text, _require_operator
from core.amounts import EXACT
from core.audit import AuditAction, audit_record
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError
from core.i18n import member_locale

if TYPE_CHECKING:
    from accounts.models import User


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
def challenge_judge(*, challenge_id: int, actor: User, now: datetime | None = None) -> list[Submission]:
    """Rank the accepted submissions and mark the challenge judged.

    Allowed once the deadline passed (a scheduled challenge past its end is closed
    first) and while no submission awaits review; a judged challenge may be judged
    again (after a score correction) until a reward is paid. Returns the ranking."""
    _require_operator(actor, _("You do not have the role needed to judge challenges."))
    now = now or timezone.now()
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status == CS.SCHEDULED and challenge.ends_at <= now:
        _close(challenge, now)
    if challenge.status not in (CS.CLOSED, CS.JUDGED):
        raise ConflictError(_("A challenge is judged after it closes."), code="challenge_not_closed")
    if challenge.rewards.exists():
        raise ConflictError(_("Rewards were paid: the ranking is final."), code="rewards_paid")
    pending = challenge.submissions.filter(status=SS.SUBMITTED).count()
    if pending:
        raise ConflictError(
            ngettext("%(count)d submission still awaits review.", "%(count)d submissions still await review.", pending)
            % {"count": pending},
            code="reviews_pending",
        )
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
    audit_record(instance=challenge, action=AuditAction.CHALLENGE_JUDGE, actor=actor, data={"ranked": len(ranking)})
    return ranking


def _rank(submission: Submission) -> int:
    if submission.rank is None:  # filtered out by the caller; a guard for the type checker
        raise ConflictError(_("Only ranked submissions win prizes."), code="not_ranked")
    return submission.rank


@retry_on_lock_conflict()
@transaction.atomic
def rewards_award(*, challenge_id: int, actor: User, submission_ids: list[int] | None = None) -> list[Reward]:
    """Pay the prizes of a judged challenge: rank ``n`` receives ``prize_split[n-1]``.

    Locks the challenge, then the winners' wallets in primary-key order, and for each
    ranked submission not yet paid writes the ``reward`` ledger row, the ``Reward``,
    the winner status, the notification and the winner badge, all in this one
    transaction. Already-paid submissions are skipped, so a second click (even a
    concurrent one, which waits for the lock) pays nothing; the unique constraints on
    ``rewards`` and the ledger's idempotency key are the backstops. ``submission_ids``
    restricts the payment to those submissions. Returns the rewards paid now."""
    from notifications.services import notify
    from wallets.services import escrow_balance, escrow_lock, reward_credit, wallets_lock

    _require_operator(actor, _("You do not have the role needed to pay rewards."))
    challenge = challenge_for_update(challenge_id=challenge_id)
    if challenge.status != CS.JUDGED:
        raise ConflictError(_("Rewards are paid once the challenge is judged."), code="challenge_not_judged")
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
                _("Only ranked submissions within the prize split can be rewarded."),
                code="not_a_prize_rank",
                field="submission_ids",
            )
    paid_ids = set(Reward.objects.filter(challenge=challenge).values_list("submission_id", flat=True))
    # Ranked (rank__isnull=False above): the rank indexes the prize split.
    to_pay = [s for s in candidates if s.pk not in paid_ids and s.status == SS.ACCEPTED and s.rank is not None]
    if not to_pay:
        return []
    with localcontext(EXACT):  # 36-digit amounts: the default 28-digit context rounds
        total = sum((prizes[_rank(s) - 1] for s in to_pay), Decimal(0))
        over_pool = challenge.prize_paid + total > challenge.prize_pool
    # Paid out of the escrow, never beyond it: locked (before the wallets) and read here.
    escrow_lock(reference=challenge.escrow_reference)
    if over_pool or escrow_balance(reference=challenge.escrow_reference) < total:
        raise ConflictError(
            _("These rewards would exceed the prize pool."), code="prize_pool_exceeded", field="submission_ids"
        )
    wallets_lock(wallet_ids=[s.user.wallet.pk for s in to_pay])
    rewards: list[Reward] = []
    for submission in to_pay:
        rank = _rank(submission)
        amount = prizes[rank - 1]
        row = reward_credit(
            user=submission.user,
            amount=amount,
            source=submission,
            memo=f"Rank {submission.rank} in {challenge.title}",
            idempotency_key=f"reward:{challenge.pk}:{submission.pk}",
            actor=actor,
            escrow=challenge.escrow_reference,
        )
        try:
            with transaction.atomic():
                reward = Reward.objects.create(
                    challenge=challenge,
                    submission=submission,
                    wallet_id=row.wallet_id,
                    rank=rank,
                    amount=amount,
                    transaction=row,
                    awarded_by=actor,
                )
        except IntegrityError as exc:  # only reachable if the lock discipline is broken somewhere
            raise ConflictError(_("This reward was already paid."), code="reward_already_paid") from exc
        submission.status = SS.WINNER
        submission.save(update_fields=["status", "updated_at"])
        with localcontext(EXACT):
            challenge.prize_paid += amount
        with member_locale(submission.user):
            title = _("You won rank %(rank)s in %(challenge)s") % {"rank": rank, "challenge": challenge.title}
            body = _("%(amount)s were credited to your wallet.") % {"amount": _amount_text(amount)}
        notify(
            user=submission.user,
            kind="reward_paid",
            title=title,
            body=body,
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
        audit_record(
            instance=reward,
            action=AuditAction.REWARD_AWARD,
            actor=actor,
            data={"amount": str(amount), "transaction": row.pk},
        )
        rewards.append(reward)
    challenge.save(update_fields=["prize_paid", "updated_at"])  # the CHECK prize_paid <= prize_pool backstop
    return rewards
