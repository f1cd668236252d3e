"""The "real place" a plan feature is checked: a challenge's per-user submission
limit is doubled for subscribers whose plan has ``extra_submissions``."""

import pytest

from challenges.services import submission_create
from challenges.tests.factories import ChallengeFactory
from core.exceptions import ApplicationError
from subscriptions import services
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db


def _submit(user, challenge, n):
    return submission_create(user=user, challenge_id=challenge.pk, title=f"Entry {n}", content="My entry")


def test_pro_subscribers_get_twice_the_submissions_until_the_subscription_ends():
    services.seed_plans()
    challenge = ChallengeFactory(max_submissions_per_user=1)
    member, subscriber = funded_user("0"), funded_user("100")

    _submit(member, challenge, 1)
    with pytest.raises(ApplicationError) as exc:
        _submit(member, challenge, 2)
    assert exc.value.code == "submission_limit_reached"

    services.subscription_subscribe(user=subscriber, plan_code="pro")  # the 7-day trial grants the plan
    _submit(subscriber, challenge, 1)
    _submit(subscriber, challenge, 2)
    with pytest.raises(ApplicationError) as exc:
        _submit(subscriber, challenge, 3)
    assert "limit of 2" in exc.value.message

    services.subscription_cancel(user=subscriber, at_period_end=False)
    other = ChallengeFactory(max_submissions_per_user=1)
    _submit(subscriber, other, 1)
    with pytest.raises(ApplicationError):
        _submit(subscriber, other, 2)
