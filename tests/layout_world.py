"""Data for the layout tests and the screenshots in docs/ui.md: one funded member
whose pages all have something to show (balances with long amounts, a ledger
of several kinds, a pending withdrawal, addresses, challenges in every section,
submissions, standings and a leaderboard, badges, a subscription, notifications, open and
closed proposals). Written with the factories and the real services, the way
the e2e tests do; the demo world is built elsewhere and is not needed here.

``build_layout_world()`` runs inside a test (``django_db`` with transactions) or
from ``manage.py shell`` against a scratch database (see docs/ui.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from challenges.models import Challenge, ChallengeStatus, SubmissionStatus
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from core.permissions import ROLE_MEMBER
from governance.models import Proposal
from governance.services import proposal_close, vote_cast
from governance.tests.factories import open_proposal, staked_member
from notifications.services import notify
from subscriptions import services as subscription_services
from wallets import services as wallet_services
from wallets.models import WalletAddress
from wallets.tests.factories import VALID_ADDRESSES

MEMBER_EMAIL = "layout.member@example.test"
#: A long address (a real one is 42 characters, shown whole) and a long amount (18 decimals).
LONG_AMOUNT = "1234567.123456789012345678"


@dataclass
class LayoutWorld:
    member: User
    open_challenge: Challenge
    past_challenge: Challenge
    open_proposal: Proposal
    closed_proposal: Proposal


def build_layout_world(
    *, email: str = MEMBER_EMAIL, password: str | None = None, locale: str = "en", timezone_name: str = "UTC"
) -> LayoutWorld:
    """``locale`` and ``timezone_name``: the member's profile (their notifications are
    written in that language and zone)."""
    now = timezone.now()
    subscription_services.seed_plans()
    extra = {"password": password} if password else {}
    member = UserFactory(
        email=email,
        display_name="Ada Lovelace",
        roles=[ROLE_MEMBER],
        locale=locale,
        timezone=timezone_name,
        **extra,
    )

    # Wallet: a long deposit, a stake, an unstake, two addresses, a pending withdrawal.
    wallet_services.deposit_create(user=member, amount=Decimal(LONG_AMOUNT), memo="on-chain deposit")
    wallet_services.deposit_create(user=member, amount=Decimal("250"), memo="welcome bonus")
    wallet_services.stake_create(user=member, amount=Decimal("1500.5"))
    wallet_services.unstake_create(user=member, amount=Decimal("100"))
    first = wallet_services.address_create(user=member, chain="ethereum", address=VALID_ADDRESSES[0], label="Cold")
    wallet_services.address_confirm(user=member, token=wallet_services.address_confirm_token(first))
    WalletAddress.objects.filter(pk=first.pk).update(usable_from=first.created_at)  # added before the story
    wallet_services.address_create(user=member, chain="polygon", address=VALID_ADDRESSES[1], label="")
    wallet_services.withdrawal_request(user=member, amount=Decimal("75.25"), address_id=first.pk)

    # Challenges: open (with a fee), upcoming, past and judged with a leaderboard.
    open_challenge = ChallengeFactory(
        title="Design the community logo",
        slug="community-logo",
        description="A mark that works at 16 px and on a billboard.\nSVG preferred.",
        rules="One entry per idea. Original work only.",
        entry_fee=Decimal("5"),
        prize_pool=Decimal("1000"),
        prize_split=["500", "300", "200"],
    )
    ChallengeFactory(
        title="Write the onboarding guide",
        slug="onboarding-guide",
        category="writing",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=10),
    )
    past = ChallengeFactory(
        title="Bug bash: the wallet",
        slug="bug-bash-wallet",
        category="engineering",
        starts_at=now - timedelta(days=20),
        ends_at=now - timedelta(days=13),
        status=ChallengeStatus.JUDGED,
    )
    from challenges.services import submission_create

    submission_create(
        user=member,
        challenge_id=open_challenge.pk,
        title="A circle, in gold, with a long title that has to wrap on a phone",
        content="SVG attached.",
        link="https://example.test/a-very/long/link/that/should/not/push/the/page/wider",
    )
    # The open challenge's provisional standings (accepted and scored by moderators).
    for name, score in (("Margaret", "88"), ("Alan", "64.5")):
        SubmissionFactory(
            challenge=open_challenge,
            user=UserFactory(display_name=name),
            title=f"{name}'s mark",
            status=SubmissionStatus.ACCEPTED,
            score=Decimal(score),
        )
    for rank, (name, score) in enumerate([("Grace", "98.5"), ("Ada Lovelace", "91"), ("Linus", "77.25")], start=1):
        user = member if name == "Ada Lovelace" else UserFactory(display_name=name)
        SubmissionFactory(
            challenge=past,
            user=user,
            title=f"Finding #{rank}: a race in the unstake cool-down",
            status=SubmissionStatus.WINNER if rank == 1 else SubmissionStatus.ACCEPTED,
            score=Decimal(score),
            rank=rank,
        )

    # Subscription (a paid plan with a trial) and an announcement.
    subscription_services.subscription_subscribe(user=member, plan_code="pro")
    notify(
        user=member,
        kind="announcement",
        title="Governance week starts Monday",
        body="Three proposals open for voting; stake before the snapshot to take part.",
    )

    # Governance: an open proposal the member voted on, and a closed one.
    proposal = open_proposal(title="Fund a hackathon in Lisbon", author=staked_member("200"))
    vote_cast(proposal_id=proposal.pk, voter=member, choice="for")
    old = open_proposal(title="Plant a community forest", hours=1)
    vote_cast(proposal_id=old.pk, voter=member, choice="against")
    closed = proposal_close(proposal_id=old.pk, now=old.voting_ends_at)

    member.refresh_from_db()
    return LayoutWorld(
        member=member,
        open_challenge=open_challenge,
        past_challenge=past,
        open_proposal=proposal,
        closed_proposal=closed,
    )
