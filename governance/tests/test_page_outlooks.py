"""The proposal pages say what a member cannot do before they try: no vote form without
voting power (the service's own ``staked_balance_at`` at the snapshot), no proposal
form without the stake; the tally's bars and the turnout against the quorum; the live
tally as an htmx fragment."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from governance.selectors import vote_outlook
from governance.services import proposal_cancel, proposal_close, vote_cast
from governance.tests.factories import open_proposal, staked_member

pytestmark = pytest.mark.django_db

VOTE_FORM = 'data-testid="vote-form"'
HTMX = {"HTTP_HX_REQUEST": "true"}


def _get(path: str, user=None, **extra):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path, **extra)


def _html(proposal, user=None) -> str:
    response = _get(f"/governance/{proposal.pk}/", user)
    assert response.status_code == 200
    return response.content.decode()


def _blocker(html: str) -> str | None:
    match = re.search(r'data-testid="cannot-vote" data-blocker="(\w+)"', html)
    return match.group(1) if match else None


# --- voting -------------------------------------------------------------------------------


def test_a_member_with_stake_at_the_snapshot_gets_the_form_and_their_weight():
    voter = staked_member("40")
    proposal = open_proposal()
    html = _html(proposal, voter)
    assert VOTE_FORM in html and _blocker(html) is None
    assert "Your vote weighs 40 OGC: what you had staked when voting opened." in html


def test_no_stake_when_voting_opened_means_no_form_and_a_way_to_stake():
    proposal = open_proposal()
    late = staked_member("500")  # staked after the snapshot: it does not count
    for member in (late, staked_member("0")):
        html = _html(proposal, member)
        assert VOTE_FORM not in html and _blocker(html) == "no_power"
        assert "You had no stake when voting opened, so this vote has no weight." in html
        assert 'href="/wallet/#wallet-actions"' in html


def test_the_outlook_agrees_with_vote_cast():
    proposal = open_proposal()
    for member in (staked_member("0"), UserFactory(), staked_member("5")):
        outlook = vote_outlook(proposal=proposal, user=member)
        try:
            vote_cast(proposal_id=proposal.pk, voter=member, choice="for")
            accepted = True
        except ApplicationError:
            accepted = False
        assert outlook.can_vote is accepted, outlook


def test_non_members_and_visitors_are_told_instead_of_the_form():
    proposal = open_proposal()
    html = _html(proposal, UserFactory())
    assert VOTE_FORM not in html and _blocker(html) == "not_member" and "Only members can vote." in html
    html = _html(proposal)
    assert _blocker(html) == "login" and "/accounts/login/?next=/governance/" in html


def test_voting_not_open_yet_says_when():
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    proposal = open_proposal(voting_starts_at=start, hours=24 * 5)
    html = _html(proposal, staked_member("10"))
    assert VOTE_FORM not in html and _blocker(html) == "upcoming"
    assert f"Voting opens on {start:%Y-%m-%d %H:%M} UTC, in 1\xa0day, 23\xa0hours." in html
    assert "Voting has not opened: turnout is measured" in html


def test_a_closed_proposal_shows_the_result_and_my_vote_without_a_form():
    voter = staked_member("30")
    proposal = open_proposal()
    vote_cast(proposal_id=proposal.pk, voter=voter, choice="against")
    proposal_close(proposal_id=proposal.pk, now=proposal.voting_ends_at)
    html = _html(proposal, voter)
    assert VOTE_FORM not in html and _blocker(html) == "ended"
    assert "The result above is final." in html and "You voted <strong>Against</strong> with weight 30." in html


def test_a_window_that_ended_before_closing_is_not_offered():
    voter = staked_member("30")
    proposal = open_proposal()
    outlook = vote_outlook(proposal=proposal, user=voter, now=proposal.voting_ends_at)
    assert outlook.blocker == "ended"


def test_a_canceled_proposal_has_nothing_to_vote_on():
    proposal = open_proposal()
    proposal_cancel(proposal_id=proposal.pk, actor=proposal.author)
    html = _html(proposal, staked_member("10"))
    assert _blocker(html) == "canceled" and VOTE_FORM not in html


# --- proposing ------------------------------------------------------------------------------


@pytest.fixture
def min_stake_100(settings):
    settings.OGC_PROPOSAL_MIN_STAKE = Decimal("100")


def test_propose_hint_names_the_minimum_and_the_shortfall(min_stake_100):
    html = _get("/governance/", staked_member("0")).content.decode()
    assert "Stake 100 OGC to propose." in html and "You have nothing staked yet." in html
    assert 'href="/wallet/#wallet-actions"' in html and "Stake now" in html


def test_a_non_member_is_told_only_members_propose(min_stake_100):
    response = _get("/governance/new/", UserFactory())
    html = response.content.decode()
    assert 'data-testid="member-hint"' in html and "Only members can make proposals." in html
    assert 'data-testid="proposal-form"' not in html


def test_empty_proposal_lists_offer_the_next_step(min_stake_100):
    html = _get("/governance/", staked_member("10")).content.decode()
    assert "No proposals yet" in html and "Stake to make the first proposal" in html
    html = _get("/governance/?status=closed", staked_member("100")).content.decode()
    assert "No proposals with this status" in html and 'href="/governance/">See every proposal' in html


# --- the tally's pictures and the live fragment --------------------------------------------


def _voted_proposal():
    """Stakes at the snapshot: 60 + 30 + 10 (author 100) = 200; quorum 10 % = 20."""
    voters = [staked_member(amount) for amount in ("60", "30", "10")]
    proposal = open_proposal()
    vote_cast(proposal_id=proposal.pk, voter=voters[0], choice="for")
    vote_cast(proposal_id=proposal.pk, voter=voters[1], choice="against")
    return proposal, voters


def test_tally_bars_and_turnout_against_the_quorum():
    proposal, _ = _voted_proposal()
    html = _html(proposal)
    tally = html.split('data-testid="tally"')[1].split("</ul>")[0]
    assert re.findall(r'class="bar-fill" y="0" width="([\d.]+)%"', tally) == ["66.7", "33.3"]  # abstain: 0
    assert 'data-share-text="abstain">0%<' in tally and 'data-share-text="for">66.7%<' in tally
    turnout = html.split('data-testid="turnout"')[1].split("</div>")[0]
    assert "<strong>45%</strong> of the tokens staked at the snapshot have voted" in turnout
    assert '<rect class="bar-fill" y="5" width="45.0%"' in turnout
    assert '<line class="bar-marker" x1="10.0%" x2="10.0%"' in turnout
    assert "Quorum: 10% (20 OGC) must vote for the result to count." in turnout and "Reached so far" in turnout


def test_turnout_below_the_quorum_says_how_much_is_missing():
    voters = [staked_member("5"), staked_member("900")]
    proposal = open_proposal()  # the author stakes 100: 1005 at the snapshot, quorum 100.5
    vote_cast(proposal_id=proposal.pk, voter=voters[0], choice="for")
    turnout = _html(proposal).split('data-testid="turnout"')[1]
    assert (
        "Quorum: 10% (100.5 OGC)" in turnout
        and "95.5 OGC more needed" in turnout
        and "bar-success" not in turnout.split("</svg>")[0]
    )


def test_the_live_tally_is_an_htmx_fragment_that_stops_once_final():
    proposal, _ = _voted_proposal()
    page = _html(proposal)
    assert f'hx-get="/governance/{proposal.pk}/tally/" hx-trigger="every 15s"' in page
    assert "governance-tally.js" not in page
    response = _get(f"/governance/{proposal.pk}/tally/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="tally"') and "<html" not in html
    assert 'hx-trigger="every 15s"' in html and 'data-choice="for">60<' in html
    plain = _get(f"/governance/{proposal.pk}/tally/")
    assert plain.status_code == 302 and plain["Location"] == f"/governance/{proposal.pk}/results/"
    proposal_close(proposal_id=proposal.pk, now=proposal.voting_ends_at)
    html = _get(f"/governance/{proposal.pk}/tally/", **HTMX).content.decode()
    assert "hx-trigger" not in html and "Quorum met" in html and "pill-winner" in html


def test_proposal_page_query_count(django_assert_num_queries):
    proposal, voters = _voted_proposal()
    client = Client()
    client.force_login(voters[0])
    client.get(f"/governance/{proposal.pk}/")
    # Session, user, proposal (author joined), my vote, the tally, the stake at the
    # snapshot (all members), roles, my weight at the snapshot, the unread count.
    with django_assert_num_queries(9):
        html = client.get(f"/governance/{proposal.pk}/").content.decode()
    assert VOTE_FORM in html
