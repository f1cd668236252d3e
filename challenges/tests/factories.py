"""Factories of the challenges app."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import StaffFactory, UserFactory
from challenges.lock_objects import challenge_for_update
from challenges.models import Badge, Challenge, ChallengeStatus, Submission, SubmissionStatus
from challenges.services.escrow import FUNDED_STATUSES, escrow_sync


def operator(**kwargs):
    return StaffFactory(roles=["operator"], **kwargs)


def moderator(**kwargs):
    return StaffFactory(roles=["moderator"], **kwargs)


class ChallengeFactory(factory.django.DjangoModelFactory):
    """An open challenge (scheduled, started an hour ago, ends in a day)."""

    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = factory.Sequence(lambda n: f"Challenge {n}")
    description = "Build something great."
    category = "design"
    tags = factory.LazyFunction(lambda: ["art"])
    status = ChallengeStatus.SCHEDULED
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=1))
    entry_fee = Decimal("0")
    prize_pool = Decimal("100")
    prize_split = factory.LazyFunction(lambda: ["50", "30", "20"])
    max_submissions_per_user = 3

    @factory.post_generation
    def funded(obj, create, extracted, **kwargs):
        """A published challenge's escrow holds its pool, as ``challenge_publish`` leaves
        it (``funded=False``: a challenge written around the services, unfunded)."""
        if create and extracted is not False and obj.status in FUNDED_STATUSES:
            with transaction.atomic():
                escrow_sync(challenge_for_update(challenge_id=obj.pk), actor=None)  # as stored


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submission row written directly (service tests go through submission_create)."""

    class Meta:
        model = Submission

    challenge = factory.SubFactory(ChallengeFactory)
    user = factory.SubFactory(UserFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Entry {n}")
    content = "My entry."
    status = SubmissionStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"badge-{n}")
    name = factory.Sequence(lambda n: f"Badge {n}")
    description = "A badge."
    icon = "*"


def run_badge_messages(operation):
    """Run ``operation()`` as if its transaction committed (its on-commit callbacks run:
    the staking-badge request goes to the test settings' stub broker), then process the
    badge messages waiting on the broker in this thread, with the actor's own function.
    For tests inside pytest-django's transaction; a real Worker needs committed rows
    (``challenges/tests/services/test_ledger_badges.py``)."""
    import dramatiq
    from django.test import TestCase
    from dramatiq import Message

    from challenges.tasks import QUEUE

    with TestCase.captureOnCommitCallbacks(execute=True):
        result = operation()
    broker = dramatiq.get_broker()
    queue = broker.queues.get(QUEUE)
    while queue is not None and not queue.empty():
        message = Message.decode(queue.get_nowait())
        try:
            broker.get_actor(message.actor_name).fn(*message.args, **message.kwargs)
        finally:
            queue.task_done()  # StubBroker.join waits for every message to be done
    return result
