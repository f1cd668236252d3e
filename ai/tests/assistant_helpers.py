"""Test data of the paid assistant: a funded member, a challenge, a proposal."""

from __future__ import annotations

from decimal import Decimal

from ai.models import AIFeature
from ai.services import request_create
from challenges.tests.factories import ChallengeFactory
from governance.tests.factories import open_proposal, staked_member

DRAFT = (
    "Our community garden plan plants native seeds along the river. Volunteers water the beds every week. "
    "We measure the harvest and share it with the food bank."
)
BRIEF = "Design a community garden: native seeds, volunteers, water use and sharing the harvest."


def member(available: str = "10"):
    """A member with ``available`` OGC to spend (and the stake a proposal author needs)."""
    return staked_member("100", available=available)


def challenge():
    return ChallengeFactory(title="Garden challenge", description=BRIEF)


def proposal(**kwargs):
    return open_proposal(
        title="Fund the community garden",
        body="Spend 1,000 OGC on seeds. The garden feeds the neighbourhood. Volunteers keep it.",
        **kwargs,
    )


def feedback_request(user, key: str = "k1", draft: str = DRAFT, ch=None):
    return request_create(
        user=user,
        feature=AIFeature.FEEDBACK,
        idempotency_key=key,
        challenge=(ch or challenge()).slug,
        draft=draft,
    )


def balances(user) -> tuple[Decimal, Decimal]:
    user.wallet.refresh_from_db()
    return user.wallet.available, user.wallet.held
