"""Badges: each rule grants once, staff award and revoke (recorded), rules never re-grant a revoked badge."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges import services
from challenges.models import UserBadge
from challenges.tests.factories import (
    BadgeFactory,
    ChallengeFactory,
    SubmissionFactory,
    moderator,
    operator,
    run_badge_messages,
)
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from notifications.models import Notification
from wallets.services import stake_create, unstake_create
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def slugs(user, *, include_revoked=False):
    qs = UserBadge.objects.filter(user=user)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return sorted(qs.values_list("badge__slug", flat=True))


def test_first_submission_badge_once():
    user = UserFactory()
    challenge = ChallengeFactory(max_submissions_per_user=3)
    first = services.submission_create(user=user, challenge_id=challenge.pk, title="a", content="x")
    services.submission_create(user=user, challenge_id=challenge.pk, title="b", content="x")
    services.submission_create(user=user, challenge_id=ChallengeFactory().pk, title="c", content="x")
    assert slugs(user) == ["first-submission"]
    held = UserBadge.objects.get(user=user)
    assert held.source == first
    assert Notification.objects.filter(recipient=user, kind="badge_earned").count() == 1


def test_first_accepted_badge_once():
    mod = moderator()
    user = UserFactory()
    subs = [SubmissionFactory(user=user) for _ in range(2)]
    services.submission_review(reviewer=mod, submission_id=subs[0].pk, decision="rejected")
    assert slugs(user) == []
    for sub in subs:
        services.submission_review(reviewer=mod, submission_id=sub.pk, decision="accepted", score="1")
    services.submission_review(reviewer=mod, submission_id=subs[0].pk, decision="accepted", score="2")
    assert slugs(user) == ["first-accepted"]


def test_winner_badge_once_across_challenges():
    actor = operator()
    user = UserFactory()
    for _ in range(2):
        start = timezone.now() - timedelta(days=2)
        challenge = ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1))
        SubmissionFactory(challenge=challenge, user=user, status="accepted", score=Decimal(1))
        services.challenge_judge(challenge_id=challenge.pk, actor=actor)
        services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert slugs(user) == ["challenge-winner"]


def staked(user, amount):
    """A stake, committed as far as the test's transaction allows: its on-commit
    callbacks run (the badge request goes to the stub broker) and the broker's badge
    messages are then processed here, in the test's thread (a real Worker runs in
    ``test_ledger_badges.py``, which can commit)."""
    return run_badge_messages(lambda: stake_create(user=user, amount=amount))


@override_settings(OGC_BADGE_STAKER_MIN=Decimal("50"))
def test_stake_badges_first_stake_and_threshold_once(broker):
    user = funded_user("200")
    staked(user, "10")
    assert slugs(user) == ["first-stake"]
    staked(user, "39.999999999999999999")
    assert slugs(user) == ["first-stake"]  # 49.999... staked: below the threshold
    third = staked(user, "0.000000000000000001")
    assert slugs(user) == ["first-stake", "staker"]
    assert UserBadge.objects.get(user=user, badge__slug="staker").source == third
    unstake_create(user=user, amount="50")
    staked(user, "60")
    assert UserBadge.objects.filter(user=user).count() == 2
    assert Notification.objects.filter(recipient=user, kind="badge_earned").count() == 2


@override_settings(OGC_BADGE_STAKER_MIN=Decimal("5"))
def test_the_ledger_transaction_evaluates_no_badge(broker, django_capture_on_commit_callbacks):
    """Inside the ledger's transaction a stake only schedules the evaluation (on commit):
    no badge, no badge query; the evaluation costs one query when nothing is owed."""
    from challenges.ledger_badges import ledger_badges_evaluate

    user = funded_user("100")
    with django_capture_on_commit_callbacks() as callbacks:
        stake_create(user=user, amount="10")
    assert slugs(user) == [] and len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        unstake_create(user=user, amount="1")
    assert callbacks == []  # an unstake earns nothing: nothing scheduled
    assert [b.badge.slug for b in ledger_badges_evaluate(user_id=user.pk)] == ["first-stake", "staker"]
    with CaptureQueriesContext(connection) as ctx:
        assert ledger_badges_evaluate(user_id=user.pk) == []
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["SAVEPOINT", "SELECT", "RELEASE"]


def test_non_stake_rows_grant_nothing():
    user = funded_user("10000")
    assert slugs(user) == []


def test_inactive_badge_is_not_granted(broker):
    from challenges.models import Badge

    Badge.objects.filter(slug="first-stake").update(active=False)
    user = funded_user("10")
    staked(user, "1")
    assert slugs(user) == []


def test_revoke_is_recorded_and_rules_do_not_regrant(broker):
    mod = moderator()
    user = funded_user("10")
    staked(user, "1")
    revoked = services.badge_revoke(badge_slug="first-stake", user=user, actor=mod, reason="Wash staking")
    assert (revoked.revoked_by, revoked.revoke_reason) == (mod, "Wash staking")
    assert revoked.revoked_at is not None
    assert slugs(user) == [] and slugs(user, include_revoked=True) == ["first-stake"]
    assert Notification.objects.filter(recipient=user, kind="badge_revoked").count() == 1
    assert LogEntry.objects.filter(object_pk=str(revoked.pk), additional_data__action="badge_revoke").exists()
    staked(user, "1")
    assert slugs(user) == []
    with pytest.raises(NotFoundError):
        services.badge_revoke(badge_slug="first-stake", user=user, actor=mod, reason="again")


def test_staff_award_and_reinstate():
    mod = moderator()
    user = UserFactory()
    badge = BadgeFactory(slug="helper", name="Helper")
    held = services.badge_award(badge_slug="helper", user=user, actor=mod, reason="Helped newcomers")
    assert (held.badge, held.awarded_by, held.reason) == (badge, mod, "Helped newcomers")
    with pytest.raises(ConflictError):
        services.badge_award(badge_slug="helper", user=user, actor=mod, reason="Again")
    services.badge_revoke(badge_slug="helper", user=user, actor=mod, reason="Mistake")
    again = services.badge_award(badge_slug="helper", user=user, actor=operator(), reason="Reinstated")
    assert again.pk == held.pk and again.revoked_at is None and again.revoke_reason == ""
    assert Notification.objects.filter(recipient=user, kind="badge_earned").count() == 2


@pytest.mark.parametrize("call", ["award", "revoke"])
def test_members_cannot_award_or_revoke(call):
    user = UserFactory()
    BadgeFactory(slug="helper")
    fn = services.badge_award if call == "award" else services.badge_revoke
    with pytest.raises(ApplicationError) as info:
        fn(badge_slug="helper", user=user, actor=UserFactory(), reason="because")
    assert info.value.status_code == 403
    assert not UserBadge.objects.exists()


def test_reason_is_required():
    with pytest.raises(ApplicationError) as info:
        services.badge_award(badge_slug="first-stake", user=UserFactory(), actor=moderator(), reason=" ")
    assert info.value.field == "reason"
