"""Proposals: who may create, vote rules, closing with quorum and outcome."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError, ConflictError
from governance.models import ProposalOutcome, ProposalStatus, Vote
from governance.services import (
    proposal_cancel,
    proposal_close,
    proposal_create,
    proposals_close_due,
    vote_cast,
)
from governance.tests.factories import open_proposal, staked_member
from notifications.models import Notification
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _low_author_minimum(settings):
    """Authors in these tests stake little; the minimum itself is tested with its own override."""
    settings.OGC_PROPOSAL_MIN_STAKE = Decimal("1")


def _after_end(proposal):
    return proposal.voting_ends_at + timedelta(seconds=1)


# --- creation -------------------------------------------------------------------------------


@override_settings(OGC_PROPOSAL_MIN_STAKE=Decimal("100"))
def test_author_needs_the_minimum_stake():
    poor = staked_member("99.999")
    with pytest.raises(ApplicationError) as exc:
        proposal_create(author=poor, title="t", body="b", voting_ends_at=timezone.now() + timedelta(days=1))
    assert exc.value.code == "insufficient_stake"
    assert exc.value.status_code == 403


def test_non_member_cannot_create_even_with_stake():
    from wallets.services import stake_create

    outsider = funded_user("500")  # no member group
    stake_create(user=outsider, amount=Decimal("500"))
    with pytest.raises(ApplicationError) as exc:
        proposal_create(author=outsider, title="t", body="b", voting_ends_at=timezone.now() + timedelta(days=1))
    assert exc.value.code == "not_a_member"


def test_choices_default_and_abstain_always_offered():
    assert open_proposal().choices == ["for", "against", "abstain"]
    assert open_proposal(choices=["Red", "blue"]).choices == ["red", "blue", "abstain"]
    with pytest.raises(ApplicationError):
        open_proposal(choices=["only", "abstain"])


def test_draft_snapshot_is_voting_start_and_cannot_be_in_the_past():
    author = staked_member("100")
    start = timezone.now() + timedelta(hours=1)
    draft = proposal_create(
        author=author, title="t", body="b", voting_starts_at=start, voting_ends_at=start + timedelta(days=1)
    )
    assert draft.status == ProposalStatus.DRAFT
    assert draft.snapshot_at == start
    with pytest.raises(ApplicationError) as exc:
        proposal_create(
            author=author,
            title="t",
            body="b",
            voting_starts_at=timezone.now() - timedelta(hours=1),
            voting_ends_at=start,
        )
    assert exc.value.field == "voting_starts_at"


# --- voting ---------------------------------------------------------------------------------


def test_non_member_cannot_vote():
    from wallets.services import stake_create

    outsider = funded_user("50")
    stake_create(user=outsider, amount=Decimal("50"))
    proposal = open_proposal()
    with pytest.raises(ApplicationError) as exc:
        vote_cast(proposal_id=proposal.pk, voter=outsider, choice="for")
    assert exc.value.code == "not_a_member"
    assert not Vote.objects.exists()


def test_vote_can_change_while_active_but_stays_one_row():
    voter = staked_member("7")
    proposal = open_proposal()
    vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")
    vote = vote_cast(proposal_id=proposal.pk, voter=voter, choice="against")

    assert vote.choice == "against"
    assert Vote.objects.filter(proposal=proposal, voter=voter).count() == 1


def test_unknown_choice_and_closed_or_not_started_proposals_are_refused():
    voter = staked_member("7")
    proposal = open_proposal()
    with pytest.raises(ApplicationError) as exc:
        vote_cast(proposal_id=proposal.pk, voter=voter, choice="maybe")
    assert exc.value.field == "choice"

    with pytest.raises(ConflictError):
        vote_cast(proposal_id=proposal.pk, voter=voter, choice="for", now=_after_end(proposal))
    with pytest.raises(ConflictError):
        vote_cast(
            proposal_id=proposal.pk, voter=voter, choice="for", now=proposal.voting_starts_at - timedelta(seconds=1)
        )

    proposal_cancel(proposal_id=proposal.pk, actor=proposal.author)
    with pytest.raises(ConflictError):
        vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")


@pytest.mark.django_db(transaction=True)
def test_one_vote_per_user_under_concurrency():
    voter = staked_member("5")
    proposal = open_proposal()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def cast(choice):
        try:
            barrier.wait()
            vote_cast(proposal_id=proposal.pk, voter=voter, choice=choice)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(c,)) for c in ["for", "against"] * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    votes = list(Vote.objects.filter(proposal=proposal))
    assert len(votes) == 1
    assert votes[0].weight == Decimal("5")


# --- closing ----------------------------------------------------------------------------------


@override_settings(OGC_PROPOSAL_QUORUM_SHARE=Decimal("0.5"))
def test_close_computes_tally_quorum_and_winner_and_notifies():
    a, b, c = staked_member("30"), staked_member("20"), staked_member("10")
    staked_member("40")  # staked, does not vote
    proposal = open_proposal(author=a)  # author stakes 30 too: total staked = 30+20+10+40 = 100
    vote_cast(proposal_id=proposal.pk, voter=a, choice="for")
    vote_cast(proposal_id=proposal.pk, voter=b, choice="against")
    vote_cast(proposal_id=proposal.pk, voter=c, choice="abstain")

    closed = proposal_close(proposal_id=proposal.pk, now=_after_end(proposal))

    closed.refresh_from_db()
    assert closed.status == ProposalStatus.CLOSED
    assert {k: Decimal(v) for k, v in closed.tally.items()} == {
        "for": Decimal("30"),
        "against": Decimal("20"),
        "abstain": Decimal("10"),
    }
    assert closed.total_weight == Decimal("60")
    assert closed.total_staked_at_snapshot == Decimal("100")
    assert closed.quorum_met is True  # 60 >= 50% of 100, abstentions count toward quorum
    assert closed.outcome == ProposalOutcome.WINNER
    assert closed.winning_choice == "for"
    notified = set(Notification.objects.filter(kind="proposal_closed").values_list("recipient_id", flat=True))
    assert notified == {a.pk, b.pk, c.pk}


@override_settings(OGC_PROPOSAL_QUORUM_SHARE=Decimal("0.5"))
def test_quorum_not_met():
    a = staked_member("30")
    staked_member("71")
    proposal = open_proposal(author=a)
    vote_cast(proposal_id=proposal.pk, voter=a, choice="for")

    closed = proposal_close(proposal_id=proposal.pk, now=_after_end(proposal))

    assert closed.quorum_met is False  # 30 < 50.5
    assert closed.outcome == ProposalOutcome.NO_QUORUM
    assert closed.winning_choice == ""


@override_settings(OGC_PROPOSAL_QUORUM_SHARE=Decimal("0.1"))
def test_equal_leaders_are_a_tie():
    a, b = staked_member("10"), staked_member("10")
    proposal = open_proposal(author=a)
    vote_cast(proposal_id=proposal.pk, voter=a, choice="for")
    vote_cast(proposal_id=proposal.pk, voter=b, choice="against")

    closed = proposal_close(proposal_id=proposal.pk, now=_after_end(proposal))

    assert closed.quorum_met is True
    assert closed.outcome == ProposalOutcome.TIE


def test_cannot_close_before_the_end_or_twice():
    proposal = open_proposal()
    with pytest.raises(ConflictError):
        proposal_close(proposal_id=proposal.pk)
    proposal_close(proposal_id=proposal.pk, now=_after_end(proposal))
    with pytest.raises(ConflictError):
        proposal_close(proposal_id=proposal.pk, now=_after_end(proposal))


def test_close_due_closes_only_ended_active_proposals():
    ended = open_proposal(hours=1)
    running = open_proposal(hours=48)
    later = timezone.now() + timedelta(hours=2)

    assert proposals_close_due(now=later) == [ended.pk]
    running.refresh_from_db()
    assert running.status == ProposalStatus.ACTIVE
    assert proposals_close_due(now=later) == []


def test_cancel_by_stranger_refused():
    proposal = open_proposal()
    stranger = UserFactory(roles=["member"])
    with pytest.raises(ApplicationError):
        proposal_cancel(proposal_id=proposal.pk, actor=stranger)
