"""Admin: actions call the services and write an audit entry naming the action."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from accounts.tests.factories import StaffFactory, SuperuserFactory, UserFactory
from challenges.models import Challenge, Reward, Submission, UserBadge
from challenges.tests.factories import BadgeFactory, ChallengeFactory, SubmissionFactory
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = SuperuserFactory()
    client.force_login(user)
    client.user = user
    return client


def action_entries(name):
    return LogEntry.objects.filter(additional_data__action=name)


def test_review_judge_and_pay_from_the_admin(admin_client):
    start = timezone.now() - timedelta(days=3)
    challenge = ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1), prize_split=["70"])
    submission = SubmissionFactory(challenge=challenge, submitted_at=start)
    assert admin_client.get("/admin/challenges/submission/?status__exact=submitted").status_code == 200
    url = f"/admin/challenges/submission/{submission.pk}/review/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"status": "accepted", "score": "9", "review_note": "ok"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.score, submission.reviewer) == ("accepted", Decimal(9), admin_client.user)
    assert action_entries("submission_review").filter(object_pk=str(submission.pk), actor=admin_client.user).exists()
    changelist = "/admin/challenges/challenge/"
    admin_client.post(changelist, {"action": "judge", "_selected_action": [challenge.pk]})
    admin_client.post(changelist, {"action": "award_rewards", "_selected_action": [challenge.pk]})
    admin_client.post(changelist, {"action": "award_rewards", "_selected_action": [challenge.pk]})
    challenge.refresh_from_db()
    assert challenge.status == "judged" and challenge.prize_paid == Decimal(70)
    assert Reward.objects.get().amount == Decimal(70)
    assert action_entries("challenge_judge").count() == 1
    # One entry per reward paid, written by the service: the second click paid nothing, so wrote nothing.
    assert action_entries("reward_award").count() == 1
    assert_ledger_clean()


def test_refused_action_reports_and_writes_no_entry(admin_client):
    challenge = ChallengeFactory()  # still open
    response = admin_client.post(
        "/admin/challenges/challenge/", {"action": "judge", "_selected_action": [challenge.pk]}, follow=True
    )
    assert "judged after it closes" in response.content.decode()
    assert not action_entries("challenge_judge").exists()
    assert Challenge.objects.get().status == "scheduled"


def test_badge_award_and_revoke_forms(admin_client):
    user = UserFactory()
    badge = BadgeFactory(slug="helper", name="Helper")
    response = admin_client.post(f"/admin/challenges/badge/{badge.pk}/award/", {"member": user.pk, "reason": "Kind"})
    assert response.status_code == 302
    held = UserBadge.objects.get(user=user, badge=badge)
    assert action_entries("badge_award").filter(object_pk=str(held.pk)).exists()
    response = admin_client.post(f"/admin/challenges/badge/{badge.pk}/revoke/", {"member": user.pk, "reason": "Oops"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.revoke_reason == "Oops" and held.revoked_by == admin_client.user
    assert action_entries("badge_revoke").exists()
    response = admin_client.post(f"/admin/challenges/badge/{badge.pk}/award/", {"member": 999_999_999, "reason": "r"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_members_and_moderators_without_permission_are_refused(client):
    member = StaffFactory()
    client.force_login(member)
    submission = SubmissionFactory()
    assert client.get(f"/admin/challenges/submission/{submission.pk}/review/").status_code == 403
    assert Submission.objects.get().status == "submitted"


def test_admin_pages_render(admin_client):
    ChallengeFactory()
    for url in (
        "/admin/challenges/challenge/",
        "/admin/challenges/challenge/add/",
        "/admin/challenges/reward/",
        "/admin/challenges/challengeentry/",
        "/admin/challenges/badge/",
        "/admin/challenges/userbadge/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_form_refuses_a_split_above_the_pool(admin_client):
    challenge = ChallengeFactory(prize_pool=Decimal("100"))
    response = admin_client.post(
        f"/admin/challenges/challenge/{challenge.pk}/change/",
        {
            "slug": challenge.slug,
            "title": challenge.title,
            "description": "d",
            "rules": "",
            "category": "",
            "tags": "[]",
            "visibility": "public",
            "starts_at_0": challenge.starts_at.strftime("%Y-%m-%d"),
            "starts_at_1": challenge.starts_at.strftime("%H:%M:%S"),
            "ends_at_0": challenge.ends_at.strftime("%Y-%m-%d"),
            "ends_at_1": challenge.ends_at.strftime("%H:%M:%S"),
            "entry_fee": "0",
            "entry_fee_to": "revenue",
            "prize_pool": "100",
            "prize_split": '["80", "30"]',
            "max_submissions_per_user": "1",
        },
    )
    assert response.status_code == 200
    assert "more than the prize pool" in response.content.decode()
