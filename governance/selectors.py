"""Read layer of governance: vote weight from the ledger, proposals, tallies, audit log.

Staked balance at a past instant
--------------------------------
A live ``Wallet.staked`` says nothing about the past, so vote weight is rebuilt from
the append-only ledger (``wallets.models.Transaction``) with the staked column of
``wallets.ledger.EFFECTS``. A row counts when ``created_at <= T``, with the effect of
the status it had *at T*: only pending rows ever change status, and the change stamps
``completed_at``; so a row whose ``completed_at`` is after ``T`` was still pending at
``T``. Today this reduces to

    staked(T) = sum(stake, completed, created <= T) - sum(unstake, pending or completed, created <= T)

because a pending unstake already leaves ``staked`` when it is written and its later
completion does not touch ``staked`` again; building the expression from ``EFFECTS``
keeps it right if the ledger grows new kinds. ``created_at`` is set by the database
row insert under the wallet lock, so rows of one wallet are ordered in time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.amounts import ZERO, amount_sum_field
from core.permissions import ROLE_MEMBER, has_role
from governance.models import Proposal, ProposalStatus, Vote
from wallets.ledger import EFFECTS
from wallets.models import Transaction, TransactionStatus, Wallet

_OUT = amount_sum_field()
_STAKED = 1  # index of the staked balance in an EFFECTS triple


def _staked_at_expression(at: datetime) -> Coalesce:
    """SUM of each row's staked effect as of ``at`` (rows must already be filtered to created <= at)."""
    settled = Q(completed_at__isnull=True) | Q(completed_at__lte=at)
    whens = []
    for (kind, status, direction), effect in EFFECTS.items():
        row = Q(kind=kind, direction=direction)
        if effect[_STAKED]:
            # The row has this status now and already had it at ``at``.
            whens.append(When(row & Q(status=status) & settled, then=F("amount") * Value(Decimal(effect[_STAKED]))))
        if status == TransactionStatus.PENDING:
            # The row was pending at ``at`` and moved on afterwards.
            pending_effect = effect[_STAKED]
            if pending_effect:
                whens.append(
                    When(
                        row & ~Q(status=status) & Q(completed_at__gt=at),
                        then=F("amount") * Value(Decimal(pending_effect)),
                    )
                )
    return Coalesce(Sum(Case(*whens, default=Value(ZERO), output_field=_OUT)), Value(ZERO), output_field=_OUT)


def staked_balance_at(*, user, at: datetime) -> Decimal:
    """``user``'s staked balance at instant ``at``, from the ledger (one query)."""
    result = Transaction.objects.filter(user_id=user.pk, created_at__lte=at).aggregate(staked=_staked_at_expression(at))
    return result["staked"] or ZERO


def total_staked_at(*, at: datetime) -> Decimal:
    """All tokens staked across every wallet at instant ``at`` (one query)."""
    result = Transaction.objects.filter(created_at__lte=at).aggregate(staked=_staked_at_expression(at))
    return result["staked"] or ZERO


# --- proposals -----------------------------------------------------------------------------


def proposal_min_stake() -> Decimal:
    """The live stake a member needs to create a proposal (``OGC_PROPOSAL_MIN_STAKE``)."""
    return Decimal(settings.OGC_PROPOSAL_MIN_STAKE)


def user_may_propose(*, user) -> bool:
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


def vote_get(*, proposal: Proposal, voter) -> Vote | None:
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
