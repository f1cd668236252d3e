"""challenge_update: operators edit a challenge's settings under the same rules as
challenge_create, on the locked row, with a named audit entry; nothing else moves."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from accounts.tests.factories import UserFactory
from challenges.models import Challenge
from challenges.services import challenge_update
from challenges.tests.factories import ChallengeFactory, operator
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def _entries(challenge):
    return LogEntry.objects.filter(additional_data__action="challenge_update", object_pk=str(challenge.pk))


def test_edit_saves_the_changed_fields_and_names_them_in_the_audit_entry():
    challenge, staff = ChallengeFactory(prize_pool=Decimal("100"), prize_split=["50"]), operator()
    edited = challenge_update(
        challenge_id=challenge.pk, actor=staff, title="  New title ", prize_pool="120", prize_split=["70", "50"]
    )
    assert (edited.title, edited.prize_pool, edited.prize_split) == ("New title", Decimal(120), ["70", "50"])
    entry = _entries(challenge).get()
    assert entry.actor == staff
    data = entry.additional_data
    assert (data["action"], data["fields"]) == ("challenge_update", ["title", "prize_pool", "prize_split"])
    assert Decimal(data["escrow_moved"]) == 20  # the raised pool was funded


def test_an_edit_that_changes_nothing_writes_nothing():
    challenge = ChallengeFactory()
    challenge_update(challenge_id=challenge.pk, actor=operator(), title=challenge.title)
    assert not _entries(challenge).exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"prize_split": ["80", "30"]}, "prize_split", "split_exceeds_pool"),
        ({"prize_split": ["NaN"]}, "prize_split", "invalid_amount"),
        ({"prize_pool": "40", "prize_split": ["40"]}, "prize_pool", "pool_below_paid"),
        ({"max_submissions_per_user": 0}, "max_submissions_per_user", "invalid"),
        ({"slug": "taken"}, "slug", "slug_taken"),
    ],
)
def test_refused_edit_names_the_field_and_changes_nothing(changes, field, code):
    ChallengeFactory(slug="taken")
    challenge = ChallengeFactory(prize_pool=Decimal("100"), prize_split=["50"], prize_paid=Decimal("50"))
    before = Challenge.objects.filter(pk=challenge.pk).values().get()
    with pytest.raises(ApplicationError) as info:
        challenge_update(challenge_id=challenge.pk, actor=operator(), **changes)
    assert (info.value.field, info.value.code) == (field, code)
    assert Challenge.objects.filter(pk=challenge.pk).values().get() == before
    assert not _entries(challenge).exists()


def test_window_must_stay_ordered():
    challenge = ChallengeFactory()
    with pytest.raises(ApplicationError) as info:
        challenge_update(challenge_id=challenge.pk, actor=operator(), ends_at=challenge.starts_at - timedelta(hours=1))
    assert info.value.field == "ends_at"


def test_only_operators_edit_and_status_is_not_editable():
    challenge = ChallengeFactory()
    with pytest.raises(ApplicationError):
        challenge_update(challenge_id=challenge.pk, actor=UserFactory(), title="x")
    with pytest.raises(ApplicationError):
        challenge_update(challenge_id=challenge.pk, actor=operator(), status="archived")
    assert Challenge.objects.get(pk=challenge.pk).title == challenge.title
