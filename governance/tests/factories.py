"""Governance test data: members with stake (through the real ledger) and proposals
(through the real services)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.permissions import ROLE_MEMBER
from governance.models import Proposal
from governance.services import proposal_create
from wallets.tests.factories import funded_user


def staked_member(staked: str = "100", *, available: str = "0", **kwargs):
    """A member who deposited ``staked + available`` and staked ``staked``."""
    from wallets.services import stake_create

    total = Decimal(staked) + Decimal(available)
    user = funded_user(str(total), roles=[ROLE_MEMBER], **kwargs)
    if Decimal(staked) > 0:
        stake_create(user=user, amount=Decimal(staked))
    user.wallet.refresh_from_db()
    return user


def open_proposal(*, author=None, hours: int = 24, choices: list[str] | None = None, **kwargs) -> Proposal:
    """An active proposal whose snapshot is now (the author stakes the minimum first)."""
    author = author or staked_member("100")
    return proposal_create(
        author=author,
        title=kwargs.pop("title", "Fund the community garden"),
        body=kwargs.pop("body", "Spend 1,000 OGC on seeds."),
        voting_ends_at=timezone.now() + timedelta(hours=hours),
        choices=choices,
        publish=True,
        **kwargs,
    )
