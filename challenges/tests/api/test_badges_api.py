"""Badges API: catalog, my badges, public profile badges, staff award/revoke."""

import pytest

from accounts.tests.factories import UserFactory
from challenges.models import UserBadge
from challenges.tests.factories import BadgeFactory, moderator
from conftest import make_token_client

pytestmark = pytest.mark.django_db


def test_catalog_lists_active_badges(api_client):
    BadgeFactory(slug="retired", active=False)
    slugs = {b["slug"] for b in api_client.get("/api/v1/badges/").json()}
    assert "first-stake" in slugs and "retired" not in slugs


def test_award_revoke_and_listings():
    user = UserFactory()
    BadgeFactory(slug="helper", name="Helper")
    staff = make_token_client(moderator())
    member = make_token_client(UserFactory())
    body = {"user_id": user.pk, "reason": "Helped newcomers"}
    assert member.post("/api/v1/badges/helper/award/", body).status_code == 403
    response = staff.post("/api/v1/badges/helper/award/", body)
    assert response.status_code == 201, response.json()
    assert staff.post("/api/v1/badges/helper/award/", body).status_code == 409
    mine = make_token_client(user).get("/api/v1/me/badges/").json()
    assert [b["badge"]["slug"] for b in mine] == ["helper"]
    public = make_token_client(UserFactory()).get(f"/api/v1/users/{user.pk}/badges/").json()
    assert [b["badge"]["slug"] for b in public] == ["helper"]
    assert member.post("/api/v1/badges/helper/revoke/", body).status_code == 403
    response = staff.post("/api/v1/badges/helper/revoke/", {"user_id": user.pk, "reason": "Spam"})
    assert response.status_code == 200 and response.json()["revoke_reason"] == "Spam"
    assert make_token_client(user).get("/api/v1/me/badges/").json() == []
    assert UserBadge.objects.get(user=user).revoked_at is not None
    assert staff.post("/api/v1/badges/nope/award/", body).status_code == 404
    assert staff.post("/api/v1/badges/helper/award/", {"user_id": 999999, "reason": "x"}).status_code == 404


def test_public_badges_query_count(api_client, django_assert_num_queries):
    user = UserFactory()
    for i in range(5):
        UserBadge.objects.create(user=user, badge=BadgeFactory(slug=f"b{i}"), reason="r")
    with django_assert_num_queries(2):
        assert len(api_client.get(f"/api/v1/users/{user.pk}/badges/").json()) == 5
    assert api_client.get("/api/v1/users/999999/badges/").status_code == 404
