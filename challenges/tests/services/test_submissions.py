"""submission_create / update / withdraw / review: refusals write nothing, limits hold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges import services
from challenges.models import ChallengeEntry, ChallengeStatus, Submission, SubmissionStatus, UserBadge
from challenges.tests.factories import ChallengeFactory, SubmissionFactory, moderator
from core.exceptions import ApplicationError, ConflictError, NotFoundError
from notifications.models import Notification
from subscriptions.tests.factories import SubscriptionFactory
from wallets.models import Transaction, Wallet
from wallets.tests.factories import funded_user
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db
D = Decimal


def submit(user, challenge, **kwargs):
    kwargs.setdefault("title", "My entry")
    kwargs.setdefault("content", "Here it is.")
    return services.submission_create(user=user, challenge_id=challenge.pk, **kwargs)


def assert_nothing_written(user):
    assert not Submission.objects.filter(user=user).exists()
    assert not ChallengeEntry.objects.filter(user=user).exists()
    assert not UserBadge.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ({"starts_at": timezone.now() + timedelta(hours=1)}, "challenge_not_started"),
        (
            {"starts_at": timezone.now() - timedelta(days=2), "ends_at": timezone.now() - timedelta(seconds=1)},
            "challenge_ended",
        ),
        ({"status": ChallengeStatus.DRAFT}, "challenge_not_open"),
        ({"status": ChallengeStatus.CLOSED}, "challenge_ended"),
        ({"status": ChallengeStatus.JUDGED}, "challenge_ended"),
    ],
    ids=["before-start", "after-end", "draft", "closed-early", "judged"],
)
def test_submission_refused_outside_the_open_window(setup, code):
    user = UserFactory()
    challenge = ChallengeFactory(**setup)
    with pytest.raises(ApplicationError) as info:
        submit(user, challenge)
    assert info.value.code == code
    assert info.value.status_code == 409
    assert_nothing_written(user)


def test_deadline_is_exclusive():
    user = UserFactory()
    challenge = ChallengeFactory()
    with pytest.raises(ApplicationError) as info:
        submit(user, challenge, now=challenge.ends_at)
    assert info.value.code == "challenge_ended"
    assert submit(user, challenge, now=challenge.ends_at - timedelta(microseconds=1)).sequence == 1


def test_limit_per_user_and_withdrawn_frees_a_slot():
    user, other = UserFactory(), UserFactory()
    challenge = ChallengeFactory(max_submissions_per_user=2)
    first = submit(user, challenge)
    second = submit(user, challenge)
    assert (first.sequence, second.sequence) == (1, 2)
    with pytest.raises(ApplicationError) as info:
        submit(user, challenge)
    assert info.value.code == "submission_limit_reached"
    assert Submission.objects.filter(user=user).count() == 2
    submit(other, challenge)  # the limit is per user
    services.submission_withdraw(user=user, submission_id=first.pk)
    third = submit(user, challenge)
    assert third.sequence == 3
    with pytest.raises(ApplicationError):
        submit(user, challenge)


def test_extra_submissions_feature_doubles_the_limit():
    subscription = SubscriptionFactory()
    user = subscription.user
    challenge = ChallengeFactory(max_submissions_per_user=1)
    submit(user, challenge)
    submit(user, challenge)
    with pytest.raises(ApplicationError) as info:
        submit(user, challenge)
    assert "limit of 2" in info.value.message


def test_expired_subscription_gives_no_extra_submission():
    now = timezone.now()
    subscription = SubscriptionFactory(
        current_period_start=now - timedelta(days=40), current_period_end=now - timedelta(days=10)
    )
    challenge = ChallengeFactory(max_submissions_per_user=1)
    submit(subscription.user, challenge)
    with pytest.raises(ApplicationError):
        submit(subscription.user, challenge)


def test_entry_fee_paid_once_at_first_submission(django_capture_on_commit_callbacks):
    user = funded_user("20")
    challenge = ChallengeFactory(entry_fee=D("7.5"))
    with django_capture_on_commit_callbacks(execute=False):
        submit(user, challenge)
        submit(user, challenge)
    payments = Transaction.objects.filter(user=user, kind="payment")
    assert payments.count() == 1
    fee = payments.get()
    assert (fee.amount, fee.status, fee.idempotency_key) == (
        D("7.5"),
        "completed",
        f"entry-fee:{challenge.pk}:{user.pk}:1",
    )
    assert fee.source == challenge
    assert ChallengeEntry.objects.get(user=user, challenge=challenge).fee_transaction == fee
    assert Wallet.objects.get(user=user).available == D("12.5")
    assert Notification.objects.filter(recipient=user, kind="payment_debited").count() == 1
    assert_ledger_clean()


def test_unpaid_entry_fee_is_a_clear_409_and_writes_nothing():
    user = funded_user("5")
    challenge = ChallengeFactory(entry_fee=D("7.5"))
    before = Transaction.objects.count()
    with pytest.raises(ApplicationError) as info:
        submit(user, challenge)
    assert (info.value.code, info.value.field, info.value.status_code) == ("insufficient_funds", "entry_fee", 409)
    assert "7.5 OGC" in info.value.message
    assert Transaction.objects.count() == before
    assert Wallet.objects.get(user=user).available == D("5")
    assert_nothing_written(user)
    assert not Notification.objects.filter(recipient=user, kind="payment_debited").exists()


def test_free_challenge_records_the_entry_without_a_payment():
    user = UserFactory()
    submit(user, ChallengeFactory())
    entry = ChallengeEntry.objects.get(user=user)
    assert entry.fee_transaction is None
    assert not Transaction.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": " "}, "title"),
        ({"content": "", "link": ""}, "content"),
        ({"content": "", "link": "javascript:alert(1)"}, "link"),
    ],
)
def test_invalid_body_is_refused_with_its_field(body, field):
    user = UserFactory()
    with pytest.raises(ApplicationError) as info:
        submit(user, ChallengeFactory(), **body)
    assert info.value.field == field
    assert_nothing_written(user)


def test_ip_is_recorded():
    submission = submit(UserFactory(), ChallengeFactory(), ip_address="203.0.113.9", link="https://example.org/x")
    assert submission.submitter_ip == "203.0.113.9"
    assert submission.link == "https://example.org/x"


def test_other_user_cannot_withdraw_or_edit():
    owner, intruder = UserFactory(), UserFactory()
    submission = submit(owner, ChallengeFactory())
    with pytest.raises(NotFoundError):
        services.submission_withdraw(user=intruder, submission_id=submission.pk)
    with pytest.raises(NotFoundError):
        services.submission_update(user=intruder, submission_id=submission.pk, title="Mine now")
    submission.refresh_from_db()
    assert (submission.status, submission.title) == ("submitted", "My entry")


def test_owner_edits_until_reviewed_and_not_after_the_deadline():
    owner = UserFactory()
    challenge = ChallengeFactory()
    submission = submit(owner, challenge)
    services.submission_update(user=owner, submission_id=submission.pk, title="Better title")
    submission.refresh_from_db()
    assert (submission.title, submission.content) == ("Better title", "Here it is.")
    with pytest.raises(ApplicationError) as info:
        services.submission_update(user=owner, submission_id=submission.pk, title="Late", now=challenge.ends_at)
    assert info.value.code == "challenge_ended"
    services.submission_review(reviewer=moderator(), submission_id=submission.pk, decision="accepted", score="5")
    with pytest.raises(ConflictError):
        services.submission_update(user=owner, submission_id=submission.pk, title="After review")


def test_withdraw_after_the_deadline_is_refused():
    owner = UserFactory()
    challenge = ChallengeFactory()
    submission = submit(owner, challenge)
    with pytest.raises(ApplicationError) as info:
        services.submission_withdraw(user=owner, submission_id=submission.pk, now=challenge.ends_at)
    assert info.value.code == "challenge_ended"


def test_review_accept_notifies_and_needs_a_score():
    mod = moderator()
    submission = submit(UserFactory(), ChallengeFactory())
    with pytest.raises(ApplicationError) as info:
        services.submission_review(reviewer=mod, submission_id=submission.pk, decision="accepted")
    assert info.value.field == "score"
    reviewed = services.submission_review(
        reviewer=mod, submission_id=submission.pk, decision="accepted", score="87.5", note="Solid."
    )
    assert (reviewed.status, reviewed.score, reviewed.reviewer, reviewed.review_note) == (
        "accepted",
        D("87.5"),
        mod,
        "Solid.",
    )
    assert reviewed.reviewed_at is not None
    note = Notification.objects.get(recipient=submission.user, kind="submission_reviewed")
    assert "87.5" in note.body


@pytest.mark.parametrize("roles", [[], ["member"], ["auditor"]])
def test_non_moderators_cannot_review(roles):
    submission = submit(UserFactory(), ChallengeFactory())
    with pytest.raises(ApplicationError) as info:
        services.submission_review(reviewer=UserFactory(roles=roles), submission_id=submission.pk, decision="rejected")
    assert info.value.status_code == 403
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_withdrawn_submission_cannot_be_reviewed():
    owner = UserFactory()
    submission = submit(owner, ChallengeFactory())
    services.submission_withdraw(user=owner, submission_id=submission.pk)
    with pytest.raises(ConflictError):
        services.submission_review(reviewer=moderator(), submission_id=submission.pk, decision="rejected")


def test_database_refuses_a_duplicate_sequence():
    from django.db import IntegrityError, transaction

    submission = SubmissionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionFactory(challenge=submission.challenge, user=submission.user, sequence=submission.sequence)
    assert submission.status == SubmissionStatus.SUBMITTED
