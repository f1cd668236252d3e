"""Judging (ranks, ties) and rewards (paid once, through the ledger, within the pool)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges import services
from challenges.models import Challenge, Reward, Submission, UserBadge
from challenges.tests.factories import ChallengeFactory, SubmissionFactory, moderator, operator
from core.exceptions import ApplicationError, ConflictError
from notifications.models import Notification
from wallets.models import Transaction, Wallet
from wallets.verification import assert_ledger_clean

pytestmark = pytest.mark.django_db
D = Decimal


def past_challenge(**kwargs):
    start = timezone.now() - timedelta(days=3)
    return ChallengeFactory(starts_at=start, ends_at=start + timedelta(days=1), **kwargs)


def accepted(challenge, score, *, minutes_ago, user=None):
    return SubmissionFactory(
        challenge=challenge,
        user=user or UserFactory(),
        status="accepted",
        score=D(score),
        submitted_at=challenge.starts_at + timedelta(minutes=60 * 24 - minutes_ago),
    )


def test_ranks_by_score_and_ties_go_to_the_earlier_submission():
    challenge = past_challenge()
    late_high = accepted(challenge, "90", minutes_ago=5)
    early_tie = accepted(challenge, "80", minutes_ago=50)
    late_tie = accepted(challenge, "80", minutes_ago=10)
    low = accepted(challenge, "10", minutes_ago=100)
    rejected = SubmissionFactory(challenge=challenge, status="rejected")
    withdrawn = SubmissionFactory(challenge=challenge, status="withdrawn")
    ranking = services.challenge_judge(challenge_id=challenge.pk, actor=operator())
    assert [s.pk for s in ranking] == [late_high.pk, early_tie.pk, late_tie.pk, low.pk]
    ranks = dict(Submission.objects.filter(challenge=challenge).values_list("pk", "rank"))
    assert ranks == {late_high.pk: 1, early_tie.pk: 2, late_tie.pk: 3, low.pk: 4, rejected.pk: None, withdrawn.pk: None}
    challenge.refresh_from_db()
    assert challenge.status == "judged" and challenge.closed_at is not None and challenge.judged_at is not None


def test_exact_tie_on_score_and_time_goes_to_the_lower_id():
    challenge = past_challenge()
    first = accepted(challenge, "5", minutes_ago=30)
    second = accepted(challenge, "5", minutes_ago=30)
    ranking = services.challenge_judge(challenge_id=challenge.pk, actor=operator())
    assert [s.pk for s in ranking] == [first.pk, second.pk]


def test_judging_waits_for_the_deadline_and_for_reviews():
    actor = operator()
    open_challenge = ChallengeFactory()
    with pytest.raises(ConflictError) as info:
        services.challenge_judge(challenge_id=open_challenge.pk, actor=actor)
    assert info.value.code == "challenge_not_closed"
    challenge = past_challenge()
    SubmissionFactory(challenge=challenge)
    with pytest.raises(ConflictError) as info:
        services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    assert info.value.code == "reviews_pending"
    with pytest.raises(ApplicationError) as info:
        services.challenge_judge(challenge_id=challenge.pk, actor=moderator())
    assert info.value.status_code == 403


def test_a_correction_after_judging_reopens_the_ranking():
    actor = operator()
    challenge = past_challenge()
    a = accepted(challenge, "50", minutes_ago=10)
    b = accepted(challenge, "40", minutes_ago=20)
    services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    services.submission_review(reviewer=actor, submission_id=b.pk, decision="accepted", score="60")
    challenge.refresh_from_db()
    assert challenge.status == "closed"
    assert not Submission.objects.filter(challenge=challenge, rank__isnull=False).exists()
    with pytest.raises(ConflictError):
        services.rewards_award(challenge_id=challenge.pk, actor=actor)
    ranking = services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    assert [s.pk for s in ranking] == [b.pk, a.pk]


def award_setup(pool="100", split=("50", "30", "20"), winners=3):
    challenge = past_challenge(prize_pool=D(pool), prize_split=list(split))
    subs = [accepted(challenge, str(100 - i), minutes_ago=10 + i) for i in range(winners)]
    actor = operator()
    services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    return challenge, subs, actor


def test_award_pays_each_rank_through_the_ledger(django_capture_on_commit_callbacks):
    challenge, subs, actor = award_setup(winners=4)
    with django_capture_on_commit_callbacks(execute=False):
        rewards = services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert [(r.rank, r.amount, r.submission_id) for r in rewards] == [
        (1, D(50), subs[0].pk),
        (2, D(30), subs[1].pk),
        (3, D(20), subs[2].pk),
    ]
    for reward in rewards:
        row = reward.transaction
        assert (row.kind, row.status, row.direction, row.amount) == ("reward", "completed", "credit", reward.amount)
        assert row.idempotency_key == f"reward:{challenge.pk}:{reward.submission_id}"
        assert row.wallet_id == reward.wallet_id == Wallet.objects.get(user=reward.submission.user).pk
        assert row.actor == actor
        assert Wallet.objects.get(pk=reward.wallet_id).available == reward.amount
        assert Notification.objects.filter(
            recipient=reward.submission.user, kind="reward_paid", event_id=f"reward:{reward.pk}"
        ).exists()
        assert UserBadge.objects.filter(user=reward.submission.user, badge__slug="challenge-winner").count() == 1
        assert LogEntry.objects.filter(object_pk=str(reward.pk), additional_data__action="reward_award").exists()
    statuses = list(
        Submission.objects.filter(pk__in=[s.pk for s in subs]).order_by("rank").values_list("status", flat=True)
    )
    assert statuses == ["winner", "winner", "winner", "accepted"]
    challenge.refresh_from_db()
    assert challenge.prize_paid == D(100)
    assert Transaction.objects.filter(kind="reward").count() == 3
    assert_ledger_clean()


def test_second_award_pays_nothing():
    challenge, subs, actor = award_setup()
    services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert services.rewards_award(challenge_id=challenge.pk, actor=actor) == []
    assert services.rewards_award(challenge_id=challenge.pk, actor=actor, submission_ids=[subs[0].pk]) == []
    assert Reward.objects.count() == 3
    assert Transaction.objects.filter(kind="reward").count() == 3
    assert_ledger_clean()


def test_award_one_submission_then_the_rest():
    challenge, subs, actor = award_setup()
    [only] = services.rewards_award(challenge_id=challenge.pk, actor=actor, submission_ids=[subs[1].pk])
    assert (only.rank, only.amount) == (2, D(30))
    rest = services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert sorted(r.rank for r in rest) == [1, 3]


def test_unranked_submission_cannot_be_rewarded():
    challenge, subs, actor = award_setup(split=("50",), winners=2)
    with pytest.raises(ApplicationError) as info:
        services.rewards_award(challenge_id=challenge.pk, actor=actor, submission_ids=[subs[1].pk])
    assert info.value.code == "not_a_prize_rank"
    assert not Reward.objects.exists()


def test_rewards_never_exceed_the_pool():
    challenge, subs, actor = award_setup()
    # An operator lowered the pool after judging: the award is refused whole.
    Challenge.objects.filter(pk=challenge.pk).update(prize_pool=D("90"))
    with pytest.raises(ApplicationError) as info:
        services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert info.value.code == "prize_pool_exceeded"
    assert not Reward.objects.exists()
    assert not Transaction.objects.filter(kind="reward").exists()
    # The first two still fit.
    services.rewards_award(challenge_id=challenge.pk, actor=actor, submission_ids=[subs[0].pk, subs[1].pk])
    challenge.refresh_from_db()
    assert challenge.prize_paid == D(80) <= challenge.prize_pool
    assert_ledger_clean()


def test_database_refuses_prize_paid_above_the_pool():
    challenge = ChallengeFactory(prize_pool=D("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(prize_paid=D("10.000000000000000001"))


def test_split_above_the_pool_is_refused_at_creation():
    with pytest.raises(ApplicationError) as info:
        services.challenge_create(
            created_by=operator(),
            slug="too-generous",
            title="Too generous",
            description="x",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(days=1),
            prize_pool="10",
            prize_split=["6", "5"],
        )
    assert info.value.field == "prize_split"
    assert not Challenge.objects.filter(slug="too-generous").exists()


def test_database_refuses_a_second_reward_for_a_submission_or_rank():
    challenge, subs, actor = award_setup()
    [reward] = services.rewards_award(challenge_id=challenge.pk, actor=actor, submission_ids=[subs[0].pk])
    from wallets.services import reward_credit

    for fields in ({"submission": subs[0], "rank": 9}, {"submission": subs[1], "rank": 1}):
        other_txn = reward_credit(user=UserFactory(), amount="1")  # a fresh row: only the reward rules can fail
        with pytest.raises(IntegrityError), transaction.atomic():
            Reward.objects.create(
                challenge=challenge, wallet_id=reward.wallet_id, amount=D(1), transaction=other_txn, **fields
            )


def test_ranking_is_final_once_paid_and_award_needs_judging():
    challenge, _subs, actor = award_setup()
    open_challenge = ChallengeFactory()
    with pytest.raises(ConflictError):
        services.rewards_award(challenge_id=open_challenge.pk, actor=actor)
    services.rewards_award(challenge_id=challenge.pk, actor=actor)
    with pytest.raises(ConflictError) as info:
        services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    assert info.value.code == "rewards_paid"
    with pytest.raises(ApplicationError) as info:
        services.rewards_award(challenge_id=challenge.pk, actor=moderator())
    assert info.value.status_code == 403


def test_close_due_closes_only_past_deadline_challenges():
    due = past_challenge()
    running = ChallengeFactory()
    draft = past_challenge(status="draft")
    assert services.challenges_close_due() == 1
    assert services.challenges_close_due() == 0
    statuses = dict(Challenge.objects.values_list("pk", "status"))
    assert statuses == {due.pk: "closed", running.pk: "scheduled", draft.pk: "draft"}


def test_close_command(capsys):
    from django.core.management import call_command

    due = past_challenge()
    call_command("close_challenges")
    due.refresh_from_db()
    assert due.status == "closed"
    assert "1 challenge(s) closed" in capsys.readouterr().out
