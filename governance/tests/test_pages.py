"""Pages: list, detail with vote form and live tally, results."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from governance.models import Vote
from governance.services import proposal_close, vote_cast
from governance.tests.factories import open_proposal, staked_member

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_list_and_detail_are_public_with_the_live_tally():
    voter = staked_member("8")
    proposal = open_proposal(title="Plant a forest")
    vote_cast(proposal_id=proposal.pk, voter=voter, choice="against")

    listing = _client().get("/governance/")
    assert listing.status_code == 200
    assert "Plant a forest" in listing.content.decode()

    page = _client().get(f"/governance/{proposal.pk}/").content.decode()
    assert "Live tally" in page
    assert 'data-choice="against">8<' in page
    assert "Log in" in page


def test_member_votes_through_the_form_and_can_change_it():
    voter = staked_member("5")
    proposal = open_proposal()
    client = _client(voter)

    response = client.post(f"/governance/{proposal.pk}/", {"choice": "for"})
    assert response.status_code == 302
    client.post(f"/governance/{proposal.pk}/", {"choice": "abstain"})

    vote = Vote.objects.get(proposal=proposal, voter=voter)
    assert (vote.choice, vote.weight) == ("abstain", Decimal("5"))
    assert "You voted <strong>abstain</strong>" in client.get(f"/governance/{proposal.pk}/").content.decode()


def test_non_member_sees_the_refusal_on_the_form():
    proposal = open_proposal()
    response = _client(UserFactory()).post(f"/governance/{proposal.pk}/", {"choice": "for"})
    assert response.status_code == 200
    assert "Only members can vote." in response.content.decode()
    assert not Vote.objects.exists()


def test_results_page_shows_the_stored_outcome():
    voter = staked_member("100")
    proposal = open_proposal(author=voter)
    vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")
    proposal_close(proposal_id=proposal.pk, now=proposal.voting_ends_at)

    page = _client().get(f"/governance/{proposal.pk}/results/").content.decode()
    assert "Outcome: for" in page  # the only staker voted: quorum met
    assert "Quorum" in page
