"""Pages: list sections, detail with submit form and my submissions, leaderboard, badges, profile."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges.models import Submission, UserBadge
from challenges.tests.factories import BadgeFactory, ChallengeFactory, SubmissionFactory
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def test_list_page_sections(client):
    open_one = ChallengeFactory(title="Open one")
    soon = ChallengeFactory(title="Soon one", starts_at=timezone.now() + timedelta(days=2))
    start = timezone.now() - timedelta(days=5)
    done = ChallengeFactory(title="Done one", starts_at=start, ends_at=start + timedelta(days=1))
    ChallengeFactory(title="Secret draft", status="draft")
    html = client.get("/challenges/").content.decode()
    open_part, rest = html.split('data-testid="upcoming-challenges"')
    upcoming_part, past_part = rest.split('data-testid="past-challenges"')
    assert open_one.title in open_part and soon.title in upcoming_part and done.title in past_part
    assert "Secret draft" not in html


def test_detail_submit_and_withdraw(client):
    user = funded_user("10")
    challenge = ChallengeFactory(entry_fee=Decimal("3"), max_submissions_per_user=1)
    client.force_login(user)
    page = client.get(f"/challenges/{challenge.slug}/").content.decode()
    assert 'data-testid="submission-form"' in page and "3 OGC" in page
    response = client.post(
        f"/challenges/{challenge.slug}/", {"title": "Mine", "content": "Here"}, REMOTE_ADDR="192.0.2.4"
    )
    assert response.status_code == 302
    submission = Submission.objects.get(user=user)
    assert submission.submitter_ip == "192.0.2.4"
    page = client.get(f"/challenges/{challenge.slug}/").content.decode()
    assert 'data-testid="my-submissions"' in page and "Mine" in page
    response = client.post(f"/challenges/{challenge.slug}/", {"title": "Again", "content": "x"})
    assert response.status_code == 200 and 'data-blocker="limit"' in response.content.decode()
    assert Submission.objects.filter(user=user).count() == 1
    client.post(f"/challenges/{challenge.slug}/submissions/{submission.pk}/withdraw/")
    submission.refresh_from_db()
    assert submission.status == "withdrawn"


def test_unpaid_fee_shows_on_the_form(client):
    client.force_login(funded_user("1"))
    challenge = ChallengeFactory(entry_fee=Decimal("3"))
    response = client.post(f"/challenges/{challenge.slug}/", {"title": "Mine", "content": "Here"})
    assert response.status_code == 200
    assert "The entry fee is 3 OGC and your available balance is 1 OGC." in response.content.decode()
    assert not Submission.objects.exists()


def test_other_users_withdraw_is_404(client):
    submission = SubmissionFactory()
    client.force_login(UserFactory())
    response = client.post(f"/challenges/{submission.challenge.slug}/submissions/{submission.pk}/withdraw/")
    assert response.status_code == 404
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_leaderboard_page_query_count(client, django_assert_max_num_queries):
    challenge = ChallengeFactory()
    for i in range(8):
        SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(i))
    with django_assert_max_num_queries(6):
        html = client.get(f"/challenges/{challenge.slug}/leaderboard/").content.decode()
    assert html.count("<tr>") == 9


def test_badges_page_and_public_profile(client):
    user = UserFactory(display_name="Ada")
    UserBadge.objects.create(user=user, badge=BadgeFactory(slug="helper", name="Helper"), reason="r")
    UserBadge.objects.create(
        user=user,
        badge=BadgeFactory(slug="gone", name="Gone badge"),
        reason="r",
        revoked_at=timezone.now(),
        revoke_reason="x",
    )
    client.force_login(user)
    html = client.get("/badges/").content.decode()
    mine, catalog = html.split('data-testid="badge-catalog"')
    assert "Helper" in mine and "First stake" in catalog and "Gone badge" not in mine
    client.logout()
    html = client.get(f"/u/{user.pk}/").content.decode()
    assert "Ada" in html and "Helper" in html and "Gone badge" not in html
    assert user.email not in html
    assert client.get("/u/999999/").status_code == 404
    assert client.get("/badges/").status_code == 302
