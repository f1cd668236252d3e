"""Proposals API: create, vote, results; public reads, member-only writes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from conftest import make_token_client
from governance.models import Vote
from governance.services import proposal_close
from governance.tests.factories import open_proposal, staked_member

pytestmark = pytest.mark.django_db


def test_member_with_stake_creates_a_proposal():
    author = staked_member("100")
    client = make_token_client(author)
    ends = (timezone.now() + timedelta(days=3)).isoformat()

    response = client.post("/api/v1/proposals/", {"title": "Plant trees", "body": "Many.", "voting_ends_at": ends})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "active"
    assert body["choices"] == ["for", "against", "abstain"]
    assert body["author"]["id"] == author.pk


def test_create_refuses_unknown_fields_and_thin_stake():
    author = staked_member("5")
    client = make_token_client(author)
    ends = (timezone.now() + timedelta(days=3)).isoformat()
    assert (
        client.post(
            "/api/v1/proposals/", {"title": "t", "body": "b", "voting_ends_at": ends, "status": "closed"}
        ).status_code
        == 400
    )
    response = client.post("/api/v1/proposals/", {"title": "t", "body": "b", "voting_ends_at": ends})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_stake"


def test_vote_change_and_results_are_public():
    voter = staked_member("12")
    proposal = open_proposal()
    client = make_token_client(voter)

    assert client.post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"}).status_code == 200
    response = client.post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "against"})
    assert response.status_code == 200
    assert response.json()["weight"] == "12.000000000000000000"

    anonymous = APIClient()
    results = anonymous.get(f"/api/v1/proposals/{proposal.pk}/results/").json()
    assert results["final"] is False
    assert Decimal(results["tally"]["against"]) == Decimal("12")
    assert Decimal(results["tally"]["for"]) == Decimal("0")
    assert anonymous.get("/api/v1/proposals/").status_code == 200
    assert anonymous.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200


def test_results_after_close_are_the_stored_ones():
    voter = staked_member("12")
    proposal = open_proposal()
    make_token_client(voter).post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"})
    proposal_close(proposal_id=proposal.pk, now=proposal.voting_ends_at)

    results = APIClient().get(f"/api/v1/proposals/{proposal.pk}/results/").json()

    assert results["final"] is True
    assert results["quorum_met"] is not None
    assert results["outcome"] in {"winner", "no_quorum", "tie"}


def test_non_member_cannot_vote_and_anonymous_must_log_in():
    outsider = UserFactory()  # not in the member group
    proposal = open_proposal()
    response = make_token_client(outsider).post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"})
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_member"
    assert APIClient().post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"}).status_code in (401, 403)
    assert not Vote.objects.exists()


def test_zero_stake_member_gets_a_clear_409():
    member = UserFactory(roles=["member"])
    proposal = open_proposal()
    response = make_token_client(member).post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"})
    assert response.status_code == 409
    assert response.json()["code"] == "no_voting_power"


def test_drafts_are_visible_to_their_author_only():
    author = staked_member("100")
    client = make_token_client(author)
    ends = (timezone.now() + timedelta(days=3)).isoformat()
    draft = client.post(
        "/api/v1/proposals/", {"title": "t", "body": "b", "voting_ends_at": ends, "publish": False}
    ).json()
    assert draft["status"] == "draft"
    assert APIClient().get(f"/api/v1/proposals/{draft['id']}/").status_code == 404
    assert [p["id"] for p in APIClient().get("/api/v1/proposals/").json()["results"]] == []
    assert client.get(f"/api/v1/proposals/{draft['id']}/").status_code == 200
    assert client.post(f"/api/v1/proposals/{draft['id']}/publish/").json()["status"] == "active"


def test_list_query_count_is_constant(django_assert_max_num_queries):
    for _ in range(3):
        open_proposal()
    with django_assert_max_num_queries(3):
        response = APIClient().get("/api/v1/proposals/")
    assert response.json()["count"] == 3
