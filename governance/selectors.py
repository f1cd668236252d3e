"""Read layer of governance: vote weight (the member's stake, from
``wallets.selectors.staked_balance_at``), proposals, tallies, audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from auditlog.models import LogEntry
from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from core.amounts import ZERO, format_amount
from core.db_router import reads_from_replica
from core.permissions import ROLE_MEMBER, has_role
from governance.models import ABSTAIN, Proposal, ProposalStatus, Vote
from wallets.models import Wallet
from wallets.selectors import staked_balance_at, total_staked_at

if TYPE_CHECKING:
    from accounts.models import User

# --- proposals -----------------------------------------------------------------------------


def proposal_min_stake() -> Decimal:
    """The live stake a member needs to create a proposal (``OGC_PROPOSAL_MIN_STAKE``)."""
    return Decimal(settings.OGC_PROPOSAL_MIN_STAKE)


def user_may_propose(*, user: User) -> bool:
    """Whether ``user`` meets ``proposal_create``'s conditions right now (member role,
    enough stake): the pages offer "New proposal" only then. The service re-checks."""
    return propose_outlook(user=user).can_propose


@dataclass(frozen=True)
class ProposeOutlook:
    """Whether ``user`` may create a proposal now and, if not, why: ``blocker`` is ""
    (they may), "login", "not_member" or "stake" (``staked`` is below ``minimum``)."""

    blocker: str
    minimum: Decimal
    staked: Decimal = ZERO

    @property
    def can_propose(self) -> bool:
        return not self.blocker

    @property
    def shortfall(self) -> Decimal:
        return max(self.minimum - self.staked, ZERO)


def propose_outlook(*, user: User) -> ProposeOutlook:
    """``proposal_create``'s conditions (member role, ``OGC_PROPOSAL_MIN_STAKE`` staked),
    read before the member tries. At most two queries (roles, the wallet's stake)."""
    minimum = proposal_min_stake()
    if not getattr(user, "is_authenticated", False):
        return ProposeOutlook(blocker="login", minimum=minimum)
    if not has_role(user, ROLE_MEMBER):
        return ProposeOutlook(blocker="not_member", minimum=minimum)
    staked = Wallet.objects.filter(user_id=user.pk).values_list("staked", flat=True).first() or ZERO
    return ProposeOutlook(blocker="" if staked >= minimum else "stake", minimum=minimum, staked=staked)


@dataclass(frozen=True)
class VoteOutlook:
    """Whether ``user`` can vote on a proposal now and, if not, why: ``blocker`` is ""
    (they can, with ``weight``), "login", "not_member", "no_power" (nothing staked at
    the snapshot), "upcoming" (voting has not opened), "ended" (voting is over) or
    "canceled"/"draft"."""

    blocker: str
    weight: Decimal = ZERO

    @property
    def can_vote(self) -> bool:
        return not self.blocker


def vote_outlook(*, proposal: Proposal, user: User, now: datetime | None = None) -> VoteOutlook:
    """``vote_cast``'s conditions, read before the member tries: the weight is
    ``wallets.selectors.staked_balance_at`` at the proposal's snapshot, as the service
    computes it. At most two queries (roles, the weight)."""
    now = now or timezone.now()
    if proposal.status in (ProposalStatus.CANCELED, ProposalStatus.DRAFT):
        return VoteOutlook(blocker=str(proposal.status))
    if proposal.status == ProposalStatus.CLOSED or now >= proposal.voting_ends_at:
        return VoteOutlook(blocker="ended")
    if now < proposal.voting_starts_at:
        return VoteOutlook(blocker="upcoming")
    if not getattr(user, "is_authenticated", False):
        return VoteOutlook(blocker="login")
    if not has_role(user, ROLE_MEMBER):
        return VoteOutlook(blocker="not_member")
    weight = staked_balance_at(user=user, at=proposal.snapshot_at)
    return VoteOutlook(blocker="" if weight > 0 else "no_power", weight=weight)


@reads_from_replica
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


def quorum_reached(*, total_weight: Decimal, total_staked: Decimal | None, quorum_share: Decimal) -> bool:
    """The quorum rule: every vote cast (abstentions included) reaches ``quorum_share``
    of the tokens staked at the snapshot (``proposal_close`` stores its verdict)."""
    return total_staked is not None and total_staked > 0 and total_weight >= total_staked * quorum_share


def _percent(value: Decimal, whole: Decimal | None) -> str:
    """``value`` as a percentage of ``whole``, for a bar ("62.5", at most "100.0")."""
    if not whole or whole <= 0 or value <= 0:
        return "0"
    return f"{min(value * 100 / whole, Decimal(100)):.1f}"


def results_chart(*, results: dict) -> dict:
    """What the tally's bars show (no query), from ``proposal_results``: each choice's
    share of the votes cast, and the turnout (votes cast as a share of the stake at the
    snapshot) against the quorum, met or not (so far, while voting runs)."""
    total = results["total_weight"]
    staked = results["total_staked_at_snapshot"]
    choices = [
        {
            "choice": choice,
            "weight": weight,
            "share": (share := _percent(weight, total)),
            "share_text": format_amount(Decimal(share)),
            "won": results["final"] and choice == results["winning_choice"],
            "abstain": choice == ABSTAIN,
        }
        for choice, weight in results["tally"].items()
    ]
    reached = (
        results["quorum_met"]
        if results["final"]
        else quorum_reached(total_weight=total, total_staked=staked, quorum_share=results["quorum_share"])
    )
    needed = staked * results["quorum_share"] if staked else None
    turnout = _percent(total, staked) if staked is not None else None
    return {
        "choices": choices,
        "turnout": turnout,
        "turnout_text": format_amount(Decimal(turnout)) if turnout is not None else None,
        "quorum": f"{results['quorum_share'] * 100:.1f}",
        "quorum_text": format_amount(results["quorum_share"] * 100),
        "quorum_reached": reached,
        "quorum_weight": needed,
        "missing_weight": max(needed - total, ZERO) if needed is not None else None,
    }


def vote_count_for_user(*, user: User, since: datetime, until: datetime) -> int:
    """How many votes ``user`` cast from ``since`` (included) to ``until`` (excluded), one
    per proposal (a changed vote counts once, when first cast); one query."""
    return Vote.objects.filter(voter_id=user.pk, created_at__gte=since, created_at__lt=until).count()


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


@reads_from_replica
def audit_log_list() -> QuerySet[LogEntry]:
    """The audit trail for auditors and operators (from a replica when one is usable)."""
    return LogEntry.objects.select_related("content_type")
