"""Concurrent requests on MariaDB: real threads, real row locks."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges import services
from challenges.badges import badges_grant_by_rule
from challenges.models import Reward, Submission, UserBadge
from challenges.tests.factories import ChallengeFactory, SubmissionFactory, operator
from core.exceptions import ApplicationError
from wallets.models import Transaction
from wallets.tests.factories import funded_user
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(count, fn):
    """Run ``fn(i)`` in ``count`` threads released together; returns results/exceptions."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def judged_challenge():
    start = timezone.now() - timedelta(days=2)
    challenge = ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1), prize_split=["60", "40"])
    first = SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(9), submitted_at=start)
    second = SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(8), submitted_at=start)
    actor = operator()
    services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    return challenge, first, second, actor


def test_two_concurrent_awards_for_one_submission_pay_once():
    challenge, first, _second, actor = judged_challenge()
    second_operator = operator()
    actors = [actor, second_operator]
    results = run_concurrently(
        2, lambda i: services.rewards_award(challenge_id=challenge.pk, actor=actors[i], submission_ids=[first.pk])
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r) for r in results) == [0, 1]
    assert Reward.objects.filter(submission=first).count() == 1
    assert Transaction.objects.filter(kind="reward", user=first.user).count() == 1
    assert first.user.wallet.__class__.objects.get(user=first.user).available == Decimal(60)
    assert_ledger_clean()


def test_concurrent_full_awards_pay_every_rank_once():
    challenge, _first, _second, actor = judged_challenge()
    results = run_concurrently(3, lambda i: services.rewards_award(challenge_id=challenge.pk, actor=actor))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r) for r in results) == [0, 0, 2]
    assert Reward.objects.filter(challenge=challenge).count() == 2
    challenge.refresh_from_db()
    assert challenge.prize_paid == Decimal(100)
    assert_ledger_clean()


def test_concurrent_submissions_respect_the_limit_and_charge_the_fee_once():
    user = funded_user("100")
    challenge = ChallengeFactory(max_submissions_per_user=2, entry_fee=Decimal("10"))
    results = run_concurrently(
        5,
        lambda i: services.submission_create(user=user, challenge_id=challenge.pk, title=f"Entry {i}", content="x"),
    )
    made = [r for r in results if isinstance(r, Submission)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(made) == 2 and len(refused) == 3, results
    assert {r.code for r in refused} == {"submission_limit_reached"}
    assert sorted(s.sequence for s in made) == [1, 2]
    assert Transaction.objects.filter(user=user, kind="payment").count() == 1
    assert_ledger_clean()


def test_concurrent_rule_grants_give_the_badge_once():
    user = UserFactory()

    def grant(_i):
        from django.db import transaction

        with transaction.atomic():
            return badges_grant_by_rule(user=user, rule="first_submission")

    results = run_concurrently(4, grant)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r) for r in results) == 1
    assert UserBadge.objects.filter(user=user, badge__slug="first-submission").count() == 1
