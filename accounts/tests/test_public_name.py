"""A member who chose no display name is shown on public pages and endpoints
(profile, leaderboard, proposals) without any part of their email address: the
local part of many addresses is the address itself at a well-known provider."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from challenges.tests.factories import ChallengeFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

LOCAL_PART = "jane.doe.1985"


@pytest.fixture
def anonymous_member():
    return UserFactory(email=f"{LOCAL_PART}@example.test", display_name="")


def test_public_name_never_derives_from_the_email(anonymous_member):
    assert LOCAL_PART not in anonymous_member.public_name
    assert anonymous_member.public_name == f"Member #{anonymous_member.pk}"
    assert UserFactory(display_name="Ada").public_name == "Ada"


def test_public_profile_and_leaderboard_do_not_show_the_email(anonymous_member):
    challenge = ChallengeFactory()
    SubmissionFactory(challenge=challenge, user=anonymous_member, status="accepted", score=Decimal("5"))
    anonymous = Client()

    for url in (
        f"/u/{anonymous_member.pk}/",
        f"/challenges/{challenge.slug}/leaderboard/",
        f"/api/v1/challenges/{challenge.slug}/leaderboard/",
    ):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert LOCAL_PART not in response.content.decode(), url
