"""Vote weight is the staked balance at the snapshot, rebuilt from the ledger."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from core.exceptions import ApplicationError
from governance.services import vote_cast
from governance.tests.factories import open_proposal, staked_member
from wallets.selectors import staked_balance_at, total_staked_at
from wallets.services import stake_create, unstake_create, unstake_release_due

pytestmark = pytest.mark.django_db


def test_stake_after_the_snapshot_does_not_count():
    voter = staked_member("10", available="50")
    proposal = open_proposal()
    stake_create(user=voter, amount=Decimal("50"))  # after the snapshot

    vote = vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")

    assert vote.weight == Decimal("10")
    voter.wallet.refresh_from_db()
    assert voter.wallet.staked == Decimal("60")  # the live balance is not what counts


def test_unstake_after_the_snapshot_does_not_reduce_the_weight():
    voter = staked_member("40")
    proposal = open_proposal()
    unstake_create(user=voter, amount=Decimal("30"))

    vote = vote_cast(proposal_id=proposal.pk, voter=voter, choice="against")

    assert vote.weight == Decimal("40")


def test_unstake_before_the_snapshot_reduces_the_weight():
    voter = staked_member("40")
    unstake_create(user=voter, amount=Decimal("15"))
    proposal = open_proposal()

    assert vote_cast(proposal_id=proposal.pk, voter=voter, choice="for").weight == Decimal("25")


@override_settings(OGC_UNSTAKE_COOLDOWN_HOURS=1)
def test_pending_unstake_before_snapshot_counts_as_left_even_if_released_after():
    voter = staked_member("40")
    unstake_create(user=voter, amount=Decimal("15"))  # pending, cooling down
    proposal = open_proposal()
    assert unstake_release_due(now=timezone.now() + timedelta(hours=2)) == 1  # completes after the snapshot

    assert staked_balance_at(user=voter, at=proposal.snapshot_at) == Decimal("25")
    assert vote_cast(proposal_id=proposal.pk, voter=voter, choice="for").weight == Decimal("25")


def test_staked_balance_at_walks_the_history():
    user = staked_member("10", available="30")
    t1 = timezone.now()
    stake_create(user=user, amount=Decimal("20"))
    t2 = timezone.now()
    unstake_create(user=user, amount=Decimal("5"))
    t3 = timezone.now()

    before = user.date_joined - timedelta(seconds=1)
    assert staked_balance_at(user=user, at=before) == Decimal("0")
    assert staked_balance_at(user=user, at=t1) == Decimal("10")
    assert staked_balance_at(user=user, at=t2) == Decimal("30")
    assert staked_balance_at(user=user, at=t3) == Decimal("25")
    user.wallet.refresh_from_db()
    assert staked_balance_at(user=user, at=t3) == user.wallet.staked


def test_total_staked_at_sums_every_wallet_in_one_query(django_assert_num_queries):
    staked_member("10")
    staked_member("15")
    at = timezone.now()
    staked_member("99")  # later

    with django_assert_num_queries(1):
        assert total_staked_at(at=at) == Decimal("25")


def test_member_with_nothing_staked_at_snapshot_cannot_vote():
    voter = staked_member("0", available="10")
    proposal = open_proposal()
    stake_create(user=voter, amount=Decimal("10"))

    with pytest.raises(ApplicationError) as exc:
        vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")
    assert exc.value.code == "no_voting_power"
