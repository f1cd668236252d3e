"""Write layer of governance: proposals, votes, closing, operator accounts.

Votes and closing both lock the proposal row (``SELECT ... FOR UPDATE``): a vote is
either counted in the tally or refused because the proposal is closed, never lost
between the two. One vote per (proposal, voter) is also a unique constraint.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.amounts import format_amount
from core.audit import AuditAction, audit_record
from core.db import retry_on_lock_conflict
from core.exceptions import ApplicationError, ConflictError
from core.i18n import member_locale
from core.permissions import ROLE_MEMBER, ROLE_MODERATOR, ROLE_OPERATOR, has_role
from governance.lock_objects import admin_for_update, proposal_for_update
from governance.models import (
    ABSTAIN,
    DEFAULT_CHOICES,
    Admin,
    Proposal,
    ProposalOutcome,
    ProposalStatus,
    Vote,
    choice_label,
)
from governance.selectors import proposal_min_stake, proposal_tally, quorum_reached
from wallets.selectors import staked_balance_at, total_staked_at

if TYPE_CHECKING:
    from accounts.models import User

MAX_CHOICES = 10
CHOICE_MAX_LENGTH = 40


def _normalize_choices(choices: list[str] | None) -> list[str]:
    """At least two distinct choices besides ``abstain``; ``abstain`` is always offered."""
    if not choices:
        return list(DEFAULT_CHOICES)
    cleaned: list[str] = []
    for raw in choices:
        value = str(raw).strip().lower()
        if not value or len(value) > CHOICE_MAX_LENGTH:
            raise ApplicationError(
                _("Each choice must be 1 to %(max)d characters.") % {"max": CHOICE_MAX_LENGTH},
                code="invalid_choices",
                field="choices",
            )
        if value in cleaned:
            raise ApplicationError(
                _("The choice “%(choice)s” is there twice.") % {"choice": value},
                code="invalid_choices",
                field="choices",
            )
        cleaned.append(value)
    if ABSTAIN not in cleaned:
        cleaned.append(ABSTAIN)
    if len([c for c in cleaned if c != ABSTAIN]) < 2:
        raise ApplicationError(
            _("A proposal needs at least two choices besides abstain."), code="invalid_choices", field="choices"
        )
    if len(cleaned) > MAX_CHOICES:
        raise ApplicationError(
            _("A proposal can have at most %(max)d choices.") % {"max": MAX_CHOICES},
            code="invalid_choices",
            field="choices",
        )
    return cleaned


def _require_member(user: User, *, refusal: str) -> None:
    """``refusal``: the whole sentence ("Only members can …"), translated by the caller."""
    if not has_role(user, ROLE_MEMBER):
        raise ApplicationError(refusal, code="not_a_member", status_code=403)


def _locked_proposal(proposal_id: int) -> Proposal:
    return proposal_for_update(proposal_id=proposal_id)


@transaction.atomic
def proposal_create(
    *,
    author: User,
    title: str,
    body: str,
    voting_starts_at: datetime | None = None,
    voting_ends_at: datetime,
    choices: list[str] | None = None,
    publish: bool = False,
    now: datetime | None = None,
) -> Proposal:
    """A member with at least ``OGC_PROPOSAL_MIN_STAKE`` staked drafts a proposal
    (``publish=True`` opens it at once). Voting starts at ``voting_starts_at`` (now
    when omitted, never in the past): that instant is the weight snapshot."""
    now = now or timezone.now()
    _require_member(author, refusal=_("Only members can create proposals."))
    author.wallet.refresh_from_db(fields=["staked"])
    minimum = proposal_min_stake()
    if author.wallet.staked < minimum:
        raise ApplicationError(
            _("Creating a proposal needs at least %(minimum)s staked.")
            % {"minimum": format_amount(minimum, symbol=settings.OGC_TOKEN_SYMBOL)},
            code="insufficient_stake",
            status_code=403,
        )
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise ApplicationError(_("A title is required."), code="required", field="title")
    if not body:
        raise ApplicationError(_("A body is required."), code="required", field="body")
    starts = voting_starts_at or now
    if starts < now:
        raise ApplicationError(_("Voting cannot start in the past."), code="invalid_window", field="voting_starts_at")
    if voting_ends_at <= starts:
        raise ApplicationError(_("Voting must end after it starts."), code="invalid_window", field="voting_ends_at")
    proposal = Proposal.objects.create(
        title=title[:200],
        body=body,
        author=author,
        choices=_normalize_choices(choices),
        voting_starts_at=starts,
        voting_ends_at=voting_ends_at,
        snapshot_at=starts,
        quorum_share=Decimal(settings.OGC_PROPOSAL_QUORUM_SHARE),
    )
    if publish:
        proposal = proposal_publish(proposal_id=proposal.pk, actor=author, now=now)
    return proposal


@transaction.atomic
def proposal_publish(*, proposal_id: int, actor: User, now: datetime | None = None) -> Proposal:
    """Open a draft for voting (its author only: a draft is visible to its author
    alone, and staff roles such as auditors must not put it to a vote). A draft
    whose start time has passed starts now: the snapshot never lies before publication."""
    now = now or timezone.now()
    proposal = _locked_proposal(proposal_id)
    if proposal.author_id != actor.pk:
        raise ApplicationError(_("Only the author can publish this proposal."), code="forbidden", status_code=403)
    if proposal.status != ProposalStatus.DRAFT:
        raise ConflictError(_("Only a draft can be published."), code="invalid_status")
    if proposal.voting_ends_at <= now:
        raise ApplicationError(_("The voting window has already ended."), code="invalid_window", field="voting_ends_at")
    update = ["status", "published_at", "updated_at"]
    if proposal.voting_starts_at < now:
        proposal.voting_starts_at = proposal.snapshot_at = now
        update += ["voting_starts_at", "snapshot_at"]
    proposal.status = ProposalStatus.ACTIVE
    proposal.published_at = now
    proposal.save(update_fields=update)
    return proposal


@transaction.atomic
def proposal_cancel(*, proposal_id: int, actor: User, now: datetime | None = None) -> Proposal:
    """Cancel a draft or active proposal (its author, or a moderator/operator); votes are kept."""
    proposal = _locked_proposal(proposal_id)
    if proposal.author_id != actor.pk and not has_role(actor, ROLE_MODERATOR, ROLE_OPERATOR):
        raise ApplicationError(_("You cannot cancel this proposal."), code="forbidden", status_code=403)
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.ACTIVE):
        raise ConflictError(_("Only a draft or active proposal can be canceled."), code="invalid_status")
    proposal.status = ProposalStatus.CANCELED
    proposal.canceled_at = now or timezone.now()
    proposal.save(update_fields=["status", "canceled_at", "updated_at"])
    audit_record(action=AuditAction.PROPOSAL_CANCEL, instance=proposal, actor=actor, data={"status": proposal.status})
    return proposal


@retry_on_lock_conflict()
@transaction.atomic
def vote_cast(*, proposal_id: int, voter: User, choice: str, now: datetime | None = None) -> Vote:
    """Cast or change ``voter``'s vote. Weight = staked balance at the snapshot; a
    non-member, or a member with nothing staked at the snapshot, cannot vote."""
    now = now or timezone.now()
    _require_member(voter, refusal=_("Only members can vote."))
    proposal = _locked_proposal(proposal_id)
    if not proposal.is_open_at(now):
        raise ConflictError(_("Voting is not open on this proposal."), code="voting_closed")
    choice = (choice or "").strip().lower()
    if choice not in proposal.choices:
        raise ApplicationError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(choice_label(c) for c in proposal.choices)},
            code="invalid_choice",
            field="choice",
        )
    weight = staked_balance_at(user=voter, at=proposal.snapshot_at)
    if weight <= 0:
        raise ConflictError(
            _("You had no tokens staked when this proposal's snapshot was taken, so you have no voting power."),
            code="no_voting_power",
        )
    vote = Vote.objects.filter(proposal=proposal, voter=voter).first()
    if vote is None:
        try:
            with transaction.atomic():
                return Vote.objects.create(proposal=proposal, voter=voter, choice=choice, weight=weight)
        except IntegrityError:  # unreachable while the proposal lock is held; the constraint is the backstop
            vote = Vote.objects.get(proposal=proposal, voter=voter)
    if vote.choice != choice or vote.weight != weight:
        vote.choice = choice
        vote.weight = weight
        vote.save(update_fields=["choice", "weight", "updated_at"])
    return vote


def _outcome(tally: dict[str, Decimal], quorum_met: bool) -> tuple[str, str]:
    if not quorum_met:
        return ProposalOutcome.NO_QUORUM, ""
    ranked = sorted(((w, c) for c, w in tally.items() if c != ABSTAIN), reverse=True)
    if not ranked or ranked[0][0] <= 0 or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return ProposalOutcome.TIE, ""
    return ProposalOutcome.WINNER, ranked[0][1]


@retry_on_lock_conflict()
@transaction.atomic
def proposal_close(*, proposal_id: int, now: datetime | None = None) -> Proposal:
    """Close an active proposal whose voting window has ended (never earlier: a result
    must not depend on when someone pressed a button).

    Stores the tally per choice, the total voting weight, the total staked at the
    snapshot, whether quorum was met (all votes, abstentions included, reach
    ``quorum_share`` of the total staked) and the outcome: the non-abstain choice with
    the most weight wins; equal leaders are a tie. Voters and the author are notified.
    """
    from notifications.kinds import NotificationKind
    from notifications.services import notify

    now = now or timezone.now()
    proposal = _locked_proposal(proposal_id)
    if proposal.status != ProposalStatus.ACTIVE:
        raise ConflictError(_("Only an active proposal can be closed."), code="invalid_status")
    if now < proposal.voting_ends_at:
        raise ConflictError(_("Voting has not ended yet."), code="voting_open")
    tally = proposal_tally(proposal=proposal)
    total_weight = sum(tally.values(), Decimal("0"))
    total_staked = total_staked_at(at=proposal.snapshot_at)
    quorum_met = quorum_reached(
        total_weight=total_weight, total_staked=total_staked, quorum_share=proposal.quorum_share
    )
    outcome, winner = _outcome(tally, quorum_met)
    proposal.tally = {choice: str(weight) for choice, weight in tally.items()}
    proposal.total_weight = total_weight
    proposal.total_staked_at_snapshot = total_staked
    proposal.quorum_met = quorum_met
    proposal.outcome = outcome
    proposal.winning_choice = winner
    proposal.status = ProposalStatus.CLOSED
    proposal.closed_at = now
    proposal.save()
    audit_record(action=AuditAction.PROPOSAL_CLOSE, instance=proposal, data={"outcome": outcome})
    recipients = {proposal.author_id: proposal.author}
    for vote in Vote.objects.filter(proposal=proposal).select_related("voter"):
        recipients.setdefault(vote.voter_id, vote.voter)
    for user_id, user in recipients.items():
        with member_locale(user):
            summary = choice_label(winner) if outcome == ProposalOutcome.WINNER else ProposalOutcome(outcome).label
            title = (_("Proposal closed: %(title)s") % {"title": proposal.title})[:200]
            body = _("Voting on “%(title)s” has closed. Result: %(result)s.") % {
                "title": proposal.title,
                "result": summary,
            }
        notify(
            user=user,
            kind=NotificationKind.PROPOSAL_CLOSED,
            title=title,
            body=body,
            data={"proposal_id": proposal.pk, "outcome": outcome, "winning_choice": winner},
            event_id=f"proposal_closed:{proposal.pk}:{user_id}",
        )
    return proposal


def proposals_close_due(*, now: datetime | None = None) -> list[int]:
    """Close every active proposal whose window has ended (the periodic job). Each is
    its own transaction; one that another process closed first is skipped."""
    now = now or timezone.now()
    due = list(
        Proposal.objects.filter(status=ProposalStatus.ACTIVE, voting_ends_at__lte=now)
        .order_by("voting_ends_at", "pk")
        .values_list("pk", flat=True)
    )
    closed = []
    for pk in due:
        try:
            proposal_close(proposal_id=pk, now=now)
        except ConflictError:
            continue
        closed.append(pk)
    return closed


# --- operator accounts ------------------------------------------------------------------------


@transaction.atomic
def admin_set_active(*, admin_id: int, active: bool, actor: User) -> Admin:
    """Enable or disable a staff account (superusers only; never yourself)."""
    if not (actor and actor.is_superuser):
        raise ApplicationError(_("Only superusers manage admin accounts."), code="forbidden", status_code=403)
    account = admin_for_update(admin_id=admin_id)
    if account.pk == actor.pk and not active:
        raise ApplicationError(_("You cannot disable your own account."), code="forbidden")
    if account.is_active != active:
        account.is_active = active
        account.save(update_fields=["is_active", "updated_at"])
    action = AuditAction.ADMIN_ENABLE if active else AuditAction.ADMIN_DISABLE
    audit_record(action=action, instance=account, actor=actor)
    return account
