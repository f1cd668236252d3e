from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from challenges import integrity, services
from challenges.models import Challenge
from challenges.tests.factories import ChallengeFactory, SubmissionFactory, operator

pytestmark = pytest.mark.django_db


def test_checks_are_clean_after_paying_and_find_drift():
    start = timezone.now() - timedelta(days=2)
    challenge = ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1))
    SubmissionFactory(challenge=challenge, status="accepted", score=Decimal(1))
    actor = operator()
    services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert integrity.reward_ledger_mismatch() == []
    assert integrity.prize_paid_mismatch() == []
    Challenge.objects.filter(pk=challenge.pk).update(prize_paid=Decimal(1))
    assert [line.split(":")[0] for line in integrity.prize_paid_mismatch()] == [
        f"challenge {challenge.pk} ({challenge.slug})"
    ]
