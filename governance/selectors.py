"""Read layer of governance: vote weight (the member's stake, from
``wallets.selectors.staked_balance_at``), proposals, tallies, audit log."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from core.amounts import ZERO
from core.permissions import ROLE_MEMBER, has_role
from governance.models import Proposal, ProposalStatus, Vote
from wallets.models import Wallet
from wallets.selectors import total_staked_at

if TYPE_CHECKING:
    from accounts.models import User

# --- proposals -----------------------------------------------------------------------------


def proposal_min_stake() -> Decimal:
    """The live stake a member needs to create a proposal (``OGC_PROPOSAL_MIN_STAKE``)."""
    return Decimal(settings.OGC_PROPOSAL_MIN_STAKE)


def user_may_propose(*, user: User) -> bool:
    """Whether ``user`` meets ``proposal_create``'s conditions right now (member role,
    enough stake): the pages offer "New proposal" only then. The service re-checks."""
    if not has_role(user, ROLE_MEMBER):
        return False
    staked = Wallet.objects.filter(user_id=user.pk).values_list("staked", flat=True).first()
    return staked is not None and staked >= proposal_min_stake()


def proposal_list(*, status: str | None = None, viewer=None) -> QuerySet[Proposal]:
    """Every non-draft proposal, plus the viewer's own drafts, newest first."""
    visible = ~Q(status=ProposalStatus.DRAFT)
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        visible |= Q(author_id=viewer.pk)
    qs = Proposal.objects.filter(visible).select_related("author").annotate(vote_count=Count("votes"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def proposal_get(*, proposal_id: int) -> Proposal | None:
    return Proposal.objects.select_related("author").filter(pk=proposal_id).first()


def proposal_tally(*, proposal: Proposal) -> dict[str, Decimal]:
    """Weight per choice from the votes as they stand (every choice present, zero when unvoted)."""
    tally = {choice: ZERO for choice in proposal.choices}
    rows = Vote.objects.filter(proposal=proposal).values("choice").annotate(weight=Sum("weight")).order_by()
    for row in rows:
        tally[row["choice"]] = tally.get(row["choice"], ZERO) + (row["weight"] or ZERO)
    return tally


def vote_get(*, proposal: Proposal, voter: User) -> Vote | None:
    if not getattr(voter, "is_authenticated", False):
        return None
    return Vote.objects.filter(proposal=proposal, voter=voter).first()


def proposal_results(*, proposal: Proposal) -> dict:
    """The stored result of a closed proposal, or the live tally (not final) otherwise."""
    if proposal.status == ProposalStatus.CLOSED:
        return {
            "final": True,
            "tally": {choice: Decimal(weight) for choice, weight in proposal.tally.items()},
            "total_weight": proposal.total_weight,
            "total_staked_at_snapshot": proposal.total_staked_at_snapshot,
            "quorum_share": proposal.quorum_share,
            "quorum_met": proposal.quorum_met,
            "outcome": proposal.outcome,
            "winning_choice": proposal.winning_choice,
        }
    tally = proposal_tally(proposal=proposal)
    return {
        "final": False,
        "tally": tally,
        "total_weight": sum(tally.values(), ZERO),
        "total_staked_at_snapshot": (
            total_staked_at(at=proposal.snapshot_at) if proposal.snapshot_at <= timezone.now() else None
        ),
        "quorum_share": proposal.quorum_share,
        "quorum_met": None,
        "outcome": "",
        "winning_choice": "",
    }


# --- operator console -----------------------------------------------------------------------


def proposals_closing_within(*, hours: int = 24, now=None) -> QuerySet[Proposal]:
    """Active proposals whose voting ends in the next ``hours`` (``idx_proposal_status_end``)."""
    from datetime import timedelta

    now = now or timezone.now()
    return Proposal.objects.filter(
        status=ProposalStatus.ACTIVE, voting_ends_at__gt=now, voting_ends_at__lte=now + timedelta(hours=hours)
    ).order_by("voting_ends_at", "pk")
