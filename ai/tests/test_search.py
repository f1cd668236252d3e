"""Search: GET /api/v1/search/ and the search page. Bad input is a 400 that names the
limit; drafts and other members' private submissions never appear (a test for each);
hybrid ranking when a semantic provider's vectors exist."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from ai.services import embeddings_reconcile
from challenges.models import ChallengeStatus, SubmissionStatus, Visibility
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from governance.models import Proposal, ProposalStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/search/"


def _ids(response, kind):
    return {hit["id"] for hit in response.json()["results"] if hit["kind"] == kind}


def _proposal(status, author=None, **kwargs):
    from django.utils import timezone

    now = timezone.now()
    return Proposal.objects.create(
        title=kwargs.pop("title", "Aquifer recharge"),
        body=kwargs.pop("body", "Recharge the aquifer with rain."),
        author=author or UserFactory(),
        status=status,
        choices=["for", "against"],
        voting_starts_at=now,
        voting_ends_at=now + timezone.timedelta(days=1),
        snapshot_at=now,
        quorum_share=Decimal("0.10"),
    )


@pytest.mark.parametrize(("query", "message"), [("", "1 to 200 characters"), ("   ", "1 to 200 characters")])
def test_an_empty_query_is_a_400_that_names_the_limit(api_client, query, message):
    response = api_client.get(URL, {"q": query})
    assert response.status_code == 400
    assert message in response.json()["fields"]["q"][0]


def test_a_missing_or_oversized_query_is_a_400(api_client):
    assert api_client.get(URL).status_code == 400
    response = api_client.get(URL, {"q": "x" * 201})
    assert response.status_code == 400
    assert "200" in response.json()["fields"]["q"][0]


def test_unknown_parameters_and_bad_limits_are_refused(api_client):
    assert api_client.get(URL, {"q": "water", "page": "2"}).status_code == 400
    assert api_client.get(URL, {"q": "water", "limit": "0"}).status_code == 400
    assert api_client.get(URL, {"q": "water", "kind": "wallet"}).status_code == 400


def test_public_challenges_proposals_and_accepted_submissions_are_found(api_client):
    challenge = ChallengeFactory(title="Aquifer mapping", description="Map the aquifer under the town.")
    proposal = _proposal(ProposalStatus.ACTIVE)
    accepted = SubmissionFactory(challenge=challenge, content="An aquifer model.", status=SubmissionStatus.ACCEPTED)
    response = api_client.get(URL, {"q": "aquifer"})
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "lexical" and body["query"] == "aquifer"
    assert _ids(response, "challenge") == {challenge.pk}
    assert _ids(response, "proposal") == {proposal.pk}
    assert _ids(response, "submission") == {accepted.pk}
    assert body["results"][0]["url"].startswith("/")


def test_draft_challenges_never_appear(api_client):
    ChallengeFactory(title="Aquifer draft", status=ChallengeStatus.DRAFT)
    ChallengeFactory(title="Aquifer unlisted", visibility=Visibility.UNLISTED)
    assert _ids(api_client.get(URL, {"q": "aquifer"}), "challenge") == set()


def test_draft_proposals_never_appear_even_to_their_author(auth_client):
    _proposal(ProposalStatus.DRAFT, author=auth_client.user)
    _proposal(ProposalStatus.DRAFT)
    assert _ids(auth_client.get(URL, {"q": "aquifer"}), "proposal") == set()


def test_other_members_private_submissions_never_appear(auth_client):
    challenge = ChallengeFactory(title="Rain", description="Rain.")
    theirs = [
        SubmissionFactory(challenge=challenge, content="aquifer plan", status=status)
        for status in (SubmissionStatus.SUBMITTED, SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN)
    ]
    mine = SubmissionFactory(challenge=challenge, user=auth_client.user, content="my aquifer plan")
    found = _ids(auth_client.get(URL, {"q": "aquifer"}), "submission")
    assert found == {mine.pk}
    assert not found & {s.pk for s in theirs}


def test_accepted_submissions_of_a_draft_challenge_never_appear(api_client):
    draft = ChallengeFactory(title="Secret", status=ChallengeStatus.DRAFT)
    SubmissionFactory(challenge=draft, content="aquifer", status=SubmissionStatus.ACCEPTED)
    assert _ids(api_client.get(URL, {"q": "aquifer"}), "submission") == set()


def test_the_kind_filter_and_the_limit(api_client):
    for n in range(3):
        ChallengeFactory(title=f"Aquifer {n}")
    _proposal(ProposalStatus.ACTIVE)
    response = api_client.get(URL, {"q": "aquifer", "kind": "challenge", "limit": "2"})
    assert [hit["kind"] for hit in response.json()["results"]] == ["challenge", "challenge"]


def test_hybrid_search_finds_by_meaning_with_the_semantic_provider(api_client, settings, semantic_provider):
    settings.OGC_AI_PROVIDER = "semantic"
    wanted = ChallengeFactory(title="Clean drinking water", description="Filters and wells for villages.")
    ChallengeFactory(title="Bicycle lanes", description="Safer commuting by bike.")
    embeddings_reconcile(provider=semantic_provider)
    response = api_client.get(URL, {"q": "potable h2o for rural communities"})
    body = response.json()
    assert body["mode"] == "hybrid"
    assert body["results"][0]["id"] == wanted.pk  # no shared word: found by meaning


def test_the_search_page_shows_results_and_the_menu_has_a_search_box():
    ChallengeFactory(title="Aquifer mapping", description="Map the aquifer.")
    client = Client()
    page = client.get("/search/", {"q": "aquifer"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="nav-search"' in html and "Aquifer mapping" in html
    assert client.get("/search/", {"q": "x" * 201}).status_code == 400
