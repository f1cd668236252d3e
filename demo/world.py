"""The small living demo world of ``seed --demo`` (what ``make run`` shows).

Everything is written **through the services**, in the order it would have happened,
so every ledger row, audit entry, badge and notification is the one the live platform
writes, and ``verify_ledger`` and ``check_integrity`` are clean afterwards:

* the demo operator credits each member's deposit; members stake, unstake, register
  a withdrawal address and request withdrawals (two left pending for the operator, one
  approved, one rejected); one goodwill adjustment;
* four challenges: open (with submissions, one reviewed), upcoming, past and judged
  with the winners paid (a leaderboard), past and closed with reviews pending;
* two proposals: one active (stakers voted, alice has not; voting ends in a few days)
  and one closed with its tally;
* one subscription in each state: trialing, active, active and canceled at the period
  end, past due, expired;
* the badges and notifications the services grant on the way (a few of alice's read).

Times: challenge windows, submissions and subscription periods lie in the past through
the services' ``now=`` parameters. Ledger rows keep their real time (now). Only the
closed proposal needs a past the services cannot give it (its voting weights come from
stakes made now), so it is voted and closed by the services and then moved back in time
(``_move_back``: documented ``QuerySet.update`` calls on the proposal and its votes,
never on a ledger row).

Idempotent: the world is built once, in the caller's transaction (``seed`` runs in
one); when its marker challenge exists a run writes nothing, and on an older database
whose demo members already have a history of their own it is not built at all.

The world's data (members, amounts, challenge and proposal specs, subscriptions) lives in
``demo.world_story``; its names are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from challenges.ledger_badges import ledger_badges_evaluate
from challenges.models import Challenge, Submission, UserBadge
from challenges.services import (
    challenge_close,
    challenge_create,
    challenge_judge,
    challenge_publish,
    rewards_award,
    submission_create,
    submission_review,
)
from demo.plan import DEMO_DOMAIN, digest
from demo.world_story import (
    ADJUSTMENT,
    CHALLENGES,
    CLOSED_PROPOSAL_ENDED_DAYS_AGO,
    FUNDING,
    MARKER_SLUG,
    MEMBERS,
    PLAN,
    PROPOSALS,
    SUBSCRIPTIONS,
    UNSTAKES,
    WITHDRAWALS,
    ChallengeSpec,
    Entry,
)
from governance.models import Proposal, Vote
from governance.services import proposal_close, proposal_create, vote_cast
from notifications.models import Notification
from notifications.services import notification_mark_read
from subscriptions.models import Subscription
from subscriptions.services import subscription_cancel, subscription_process, subscription_subscribe
from wallets.models import Chain, Transaction, WalletAddress
from wallets.services import (
    address_confirm,
    address_confirm_token,
    address_create,
    adjustment_create,
    deposit_create,
    stake_create,
    unstake_create,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)

__all__ = [
    "ADJUSTMENT",
    "CHALLENGES",
    "CLOSED_PROPOSAL_ENDED_DAYS_AGO",
    "FUNDING",
    "MARKER_SLUG",
    "MEMBERS",
    "PLAN",
    "PROPOSALS",
    "SUBSCRIPTIONS",
    "UNSTAKES",
    "WITHDRAWALS",
    "ChallengeSpec",
    "Entry",
    "World",
    "build_demo_world",
    "demo_member_email",
    "members_have_history",
    "world_counts",
    "world_exists",
]


def demo_member_email(name: str) -> str:
    return f"{name}@{DEMO_DOMAIN}"


def world_exists() -> bool:
    return Challenge.objects.filter(slug=MARKER_SLUG).exists()


def members_have_history(people: dict[str, User]) -> bool:
    """An older local database whose demo members were used by hand: the world's story
    (first deposits, first subscriptions) would not fit, so it is not built there."""
    users = list(people.values())
    return (
        any(model.objects.filter(user__in=users).exists() for model in (Transaction, Subscription, Submission))
        or Vote.objects.filter(voter__in=users).exists()
    )


def build_demo_world(*, operator: User) -> tuple[str, dict[str, int]]:
    """Build the world once (call inside a transaction). Returns ``("created", counts
    by kind)``, ``("exists", {})`` when it was built before, or ``("skipped", {})`` when
    the demo members already have a history of their own (nothing is written then)."""
    if world_exists():
        return "exists", {}
    people = {name: User.objects.get(email=demo_member_email(name)) for name in MEMBERS}
    if members_have_history(people):
        return "skipped", {}
    World(people=people, operator=operator, start=timezone.now()).build()
    return "created", world_counts(people)


@dataclass
class World:
    people: dict[str, User]
    operator: User
    start: datetime  # the build's "now" for the times in the past

    def at(self, days: float) -> datetime:
        return self.start + timedelta(days=days)

    def build(self) -> None:
        self.wallets()
        # Staking badges are granted after commit by a worker (challenges.ledger_badges); no
        # worker runs during the seed, so it evaluates them as the scheduled reconcile would.
        for user in self.people.values():
            ledger_badges_evaluate(user_id=user.pk)
        for spec in CHALLENGES:
            self.challenge(spec)
        self.subscriptions()
        for proposal in PROPOSALS:
            self.proposal(*proposal)
        self.read_some()

    # --- wallets --------------------------------------------------------------------------

    def wallets(self) -> None:
        addresses = {}
        for name, (deposit, stake) in FUNDING.items():
            user = self.people[name]
            deposit_create(
                user=user,
                amount=deposit,
                actor=self.operator,
                external_reference=f"0x{digest('world', 'deposit', name)}",
                memo="Demo deposit",
            )
            stake_create(user=user, amount=stake, idempotency_key=f"demo-world:stake:{name}")
            addresses[name] = _seasoned_address(
                user, address=f"0x{digest('world', 'address', name, length=40)}", label="My hardware wallet"
            )
        for name, amount in UNSTAKES.items():
            unstake_create(user=self.people[name], amount=amount, idempotency_key=f"demo-world:unstake:{name}")
        for name, (amount, decision) in WITHDRAWALS.items():
            user = self.people[name]
            row = withdrawal_request(
                user=user,
                amount=amount,
                address_id=addresses[name].pk,
                idempotency_key=f"demo-world:withdrawal:{name}",
            )
            if decision == "approve":
                withdrawal_approve(
                    withdrawal_id=row.pk,
                    actor=self.operator,
                    external_reference=f"0x{digest('world', 'withdrawal', name)}",
                )
            elif decision == "reject":
                withdrawal_reject(withdrawal_id=row.pk, actor=self.operator, reason="amount above the daily limit")
        name, amount, reason = ADJUSTMENT
        adjustment_create(
            user=self.people[name],
            amount=amount,
            direction="credit",
            reason=reason,
            actor=self.operator,
            idempotency_key=f"demo-world:adjustment:{name}",
        )

    # --- challenges -----------------------------------------------------------------------

    def challenge(self, spec: ChallengeSpec) -> None:
        operator = self.operator
        challenge = challenge_create(
            created_by=operator,
            slug=spec.slug,
            title=spec.title,
            description=spec.description,
            rules="One entry per member (two on the Pro plan). Entries are reviewed before judging.",
            category=spec.category,
            starts_at=self.at(spec.starts_in),
            ends_at=self.at(spec.ends_in),
            entry_fee=spec.entry_fee,
            prize_pool=spec.prize_pool,
            prize_split=list(spec.prize_split),
        )
        challenge_publish(challenge_id=challenge.pk, actor=operator)
        for entry in spec.entries:
            submission = submission_create(
                user=self.people[entry.member],
                challenge_id=challenge.pk,
                title=entry.title,
                content=f"{entry.title}. A demo entry by {self.people[entry.member].display_name}.",
                now=self.at(-entry.days_ago),
            )
            if entry.review is not None:
                submission_review(
                    reviewer=operator,
                    submission_id=submission.pk,
                    decision=entry.review,
                    score=entry.score,
                    note=entry.note,
                )
        if spec.after == "closed":
            challenge_close(challenge_id=challenge.pk, actor=operator, now=challenge.ends_at)
        elif spec.after == "judged":
            challenge_judge(challenge_id=challenge.pk, actor=operator)
            rewards_award(challenge_id=challenge.pk, actor=operator)

    # --- subscriptions --------------------------------------------------------------------

    def subscriptions(self) -> None:
        for name, (days_ago, auto_renew, cancel) in SUBSCRIPTIONS.items():
            user = self.people[name]
            result = subscription_subscribe(user=user, plan_code=PLAN, auto_renew=auto_renew, now=self.at(-days_ago))
            # What the periodic job (process_subscriptions) did since: renew, fall past due, expire.
            subscription_process(subscription_id=result.subscription.pk)
            if cancel:
                subscription_cancel(user=user, at_period_end=True)

    # --- governance -----------------------------------------------------------------------

    def proposal(
        self, author: str, title: str, body: str, votes: dict[str, str], closed: bool, length_days: int
    ) -> None:
        # Voting starts now: the weights are the stakes made above (ledger rows of now).
        opened = timezone.now()
        proposal = proposal_create(
            author=self.people[author],
            title=title,
            body=body,
            voting_ends_at=opened + timedelta(days=length_days),
            publish=True,
            now=opened,
        )
        for name, choice in votes.items():
            vote_cast(proposal_id=proposal.pk, voter=self.people[name], choice=choice)
        if closed:
            proposal = proposal_close(proposal_id=proposal.pk, now=proposal.voting_ends_at)
            _move_back(proposal, by=proposal.voting_ends_at - self.at(-CLOSED_PROPOSAL_ENDED_DAYS_AGO))

    # --- notifications --------------------------------------------------------------------

    def read_some(self) -> None:
        """Alice has read her older notifications; the newest five stay unread."""
        alice = self.people["alice"]
        older = Notification.objects.filter(recipient=alice).order_by("-created_at", "-pk")[5:]
        for notification_id in older.values_list("pk", flat=True):
            notification_mark_read(user=alice, notification_id=notification_id)


def _move_back(proposal: Proposal, *, by: timedelta) -> None:
    """Move a closed proposal's timeline ``by`` into the past (voting window, snapshot,
    publication, closing, its votes spread over the window).

    The one place the world sets timestamps itself, and why: a closed proposal's window
    lies in the past, but its vote weights are the staked balances at the snapshot, and
    the world's stakes are ledger rows written now (ledger rows are never back-dated).
    So the services vote and close it with a window that starts now (``now=``), and
    this ``QuerySet.update`` then moves the non-ledger rows back. The stored tally,
    weights and quorum are the service's; recomputing a weight at the moved snapshot
    would find no stake (the demo ledger starts today). ``update()`` writes no audit
    entry: this is demo history, not an operator's change."""
    fields = ("voting_starts_at", "voting_ends_at", "snapshot_at", "published_at", "closed_at", "created_at")
    moved = {name: getattr(proposal, name) - by for name in fields}
    Proposal.objects.filter(pk=proposal.pk).update(**moved, updated_at=moved["closed_at"])
    window = moved["voting_ends_at"] - moved["voting_starts_at"]
    votes = list(Vote.objects.filter(proposal=proposal).order_by("pk").values_list("pk", flat=True))
    for number, vote_id in enumerate(votes, start=1):
        cast = moved["voting_starts_at"] + window * number / (len(votes) + 1)
        Vote.objects.filter(pk=vote_id).update(created_at=cast, updated_at=cast)


def world_counts(people: dict[str, User]) -> dict[str, int]:
    users = list(people.values())
    return {
        "transactions": Transaction.objects.filter(user__in=users).count(),
        "challenges": Challenge.objects.filter(slug__in=[spec.slug for spec in CHALLENGES]).count(),
        "submissions": Submission.objects.filter(user__in=users).count(),
        "proposals": len(PROPOSALS),
        "subscriptions": Subscription.objects.filter(user__in=users).count(),
        "badges": UserBadge.objects.filter(user__in=users).count(),
        "notifications": Notification.objects.filter(recipient__in=users).count(),
    }


def _seasoned_address(user, *, address: str, label: str) -> WalletAddress:
    """A withdrawal address the member added, confirmed from the emailed link and owned
    past the new-address cool-down before the story starts (so the demo's withdrawals can
    use it): added and confirmed through the services, then its cool-down moved to the
    moment it was added."""
    added = address_create(user=user, chain=Chain.ETHEREUM, address=address, label=label)
    address_confirm(user=user, token=address_confirm_token(added))
    WalletAddress.objects.filter(pk=added.pk).update(usable_from=added.created_at)
    added.refresh_from_db()
    return added
