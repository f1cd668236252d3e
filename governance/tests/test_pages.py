"""Pages: list, detail with vote form and live tally, results, new proposal."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from governance.models import Proposal, Vote
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
    assert "You voted <strong>Abstain</strong>" in client.get(f"/governance/{proposal.pk}/").content.decode()


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
    assert "Outcome: For" in page  # the only staker voted: quorum met
    assert "Quorum" in page


# --- new proposal page ---------------------------------------------------------------------


def _ends(days: int = 3) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


@pytest.fixture
def min_stake_100(settings):
    settings.OGC_PROPOSAL_MIN_STAKE = Decimal("100")


def test_new_proposal_page_renders_and_is_linked_for_members_who_may_propose(min_stake_100):
    proposer, short = staked_member("100"), staked_member("99")

    page = _client(proposer).get("/governance/new/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("title", "body", "choices", "voting_starts_at", "voting_ends_at"):
        assert f'name="{name}"' in html
    assert 'data-testid="stake-hint"' not in html
    assert 'data-testid="new-proposal"' in _client(proposer).get("/governance/").content.decode()

    listing = _client(short).get("/governance/").content.decode()
    assert 'data-testid="new-proposal"' not in listing
    assert "Stake 100 OGC to propose." in listing and "You have 99 OGC staked: 1 OGC more." in listing
    new_page = _client(short).get("/governance/new/").content.decode()
    assert 'data-testid="stake-hint"' in new_page and 'data-testid="proposal-form"' not in new_page
    anonymous = _client().get("/governance/").content.decode()
    assert 'data-testid="new-proposal"' not in anonymous
    assert "Members with 100 OGC staked can make proposals." in anonymous


def test_valid_post_creates_the_proposal_through_the_service_and_redirects(min_stake_100):
    author = staked_member("100")
    ends = _ends()
    response = _client(author).post(
        "/governance/new/",
        {
            "title": "  Fund a hackathon ",
            "body": "Spend 500 OGC on prizes.",
            "choices": "Yes\n\n No \n",
            "voting_starts_at": "",
            "voting_ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/governance/{proposal.pk}/"
    assert (proposal.author, proposal.title, proposal.status) == (author, "Fund a hackathon", "active")
    assert proposal.choices == ["yes", "no", "abstain"]
    assert proposal.voting_ends_at == ends
    assert proposal.snapshot_at == proposal.voting_starts_at <= timezone.now()
    entry = LogEntry.objects.get_for_object(proposal).get(action=LogEntry.Action.CREATE)
    assert entry.actor == author


def test_insufficient_stake_is_refused_with_the_way_there_and_creates_nothing(min_stake_100):
    response = _client(staked_member("99")).post(
        "/governance/new/", {"title": "T", "body": "B", "voting_ends_at": _ends().strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Stake 100 OGC to propose." in html and 'href="/wallet/#wallet-actions"' in html
    assert 'data-testid="proposal-form"' not in html
    assert not Proposal.objects.exists()


def test_window_refusal_lands_on_its_field(min_stake_100):
    response = _client(staked_member("100")).post(
        "/governance/new/",
        {
            "title": "T",
            "body": "B",
            "voting_starts_at": _ends(5).strftime("%Y-%m-%dT%H:%M"),
            "voting_ends_at": _ends(4).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"voting_ends_at": ["Voting must end after it starts."]}
    assert not Proposal.objects.exists()


def test_anonymous_is_sent_to_login_and_creates_nothing():
    for response in (
        _client().get("/governance/new/"),
        _client().post("/governance/new/", {"title": "T", "body": "B", "voting_ends_at": "2099-01-01T00:00"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/governance/new/")
    assert not Proposal.objects.exists()
