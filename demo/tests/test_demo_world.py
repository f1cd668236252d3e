"""``seed --demo`` (what ``make run`` runs) builds a small living world through the
services: every state a first visitor should see, clean ledger and integrity checks,
and a second run that changes nothing."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from challenges.models import BadgeRule, Challenge, ChallengePhase, ChallengeStatus, Reward, SubmissionStatus
from core.amounts import format_amount
from core.audit import AuditAction
from demo.world import MEMBERS
from governance.models import Proposal, ProposalOutcome, ProposalStatus, Vote
from notifications.models import Notification
from subscriptions.models import Subscription, SubscriptionStatus
from wallets.models import Transaction, TransactionKind, TransactionStatus
from wallets.selectors import staked_balance_at
from wallets.verification import verify_ledger

pytestmark = pytest.mark.django_db

K, S = TransactionKind, TransactionStatus
OPERATOR = "operator@demo.ogc.local"


def _seed() -> str:
    out = StringIO()
    call_command("seed", "--demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def world():
    return _seed()


def member(name: str) -> User:
    return User.objects.select_related("wallet").get(email=f"{name}@demo.ogc.local")


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_funded_members_with_stakes_and_withdrawals(world):
    assert "Demo world created" in world
    operator = User.objects.get(email=OPERATOR)
    for name in MEMBERS:
        user = member(name)
        assert user.check_password("demo-password-2026") and user.groups.filter(name="member").exists()
        assert user.wallet.available > 0 and user.wallet.staked > 0, name
        deposit = Transaction.objects.get(user=user, kind=K.DEPOSIT)
        assert deposit.status == S.COMPLETED and deposit.actor == operator and deposit.external_reference
    withdrawals = Transaction.objects.with_state().filter(kind=K.WITHDRAWAL)  # the state is the settlement's
    pending = withdrawals.filter(state=S.PENDING)
    assert sorted(pending.values_list("user__email", flat=True)) == ["bob@demo.ogc.local", "carol@demo.ogc.local"]
    assert member("bob").wallet.held == Decimal("150")
    approved = withdrawals.get(state=S.COMPLETED)
    assert approved.state_reference and approved.user == member("dave")
    rejected = withdrawals.get(state=S.CANCELED)
    assert rejected.state_reason.startswith("Rejected:")
    assert Transaction.objects.filter(kind=K.UNSTAKE, user=member("dave")).exists()
    assert Transaction.objects.filter(kind=K.ADJUSTMENT, direction="credit", actor=operator).count() == 1
    # Real audit entries, named as the services name them, with the operator as actor.
    deposits = LogEntry.objects.filter(additional_data__action=AuditAction.DEPOSIT_CREATE)
    assert deposits.count() == len(MEMBERS) and {e.actor for e in deposits} == {operator}
    assert all(e.cid.startswith("cmd:seed:") for e in deposits)
    assert LogEntry.objects.filter(additional_data__action=AuditAction.WITHDRAWAL_APPROVE, actor=operator).exists()


def test_challenges_open_upcoming_judged_and_awaiting_judging(world):
    now = timezone.now()
    by_phase: dict[str, list[Challenge]] = {}
    for challenge in Challenge.objects.all():
        by_phase.setdefault(challenge.phase_at(now), []).append(challenge)
    assert {phase: len(items) for phase, items in by_phase.items()} == {
        ChallengePhase.OPEN: 1,
        ChallengePhase.UPCOMING: 1,
        ChallengePhase.JUDGED: 1,
        ChallengePhase.CLOSED: 1,
    }
    (open_,) = by_phase[ChallengePhase.OPEN]
    assert open_.submissions.count() >= 3 and open_.entry_fee > 0
    assert open_.submissions.filter(status=SubmissionStatus.ACCEPTED).exists()
    assert open_.submissions.filter(status=SubmissionStatus.SUBMITTED).exists()
    assert not open_.submissions.filter(user=member("alice")).exists()  # left for the visitor to try
    (upcoming,) = by_phase[ChallengePhase.UPCOMING]
    assert upcoming.starts_at > now and upcoming.status == ChallengeStatus.SCHEDULED

    (judged,) = by_phase[ChallengePhase.JUDGED]
    assert judged.ends_at < now
    ranked = judged.submissions.filter(rank__isnull=False).order_by("rank")
    assert [(s.rank, s.user.email.split("@")[0], s.status) for s in ranked] == [
        (1, "alice", SubmissionStatus.WINNER),
        (2, "carol", SubmissionStatus.WINNER),
        (3, "bob", SubmissionStatus.WINNER),
    ]
    rewards = Reward.objects.filter(challenge=judged).select_related("transaction")
    assert rewards.count() == 3 and judged.prize_paid == judged.prize_pool == sum(r.amount for r in rewards)
    assert all(r.transaction.kind == K.REWARD and r.transaction.status == S.COMPLETED for r in rewards)
    assert judged.submissions.filter(status=SubmissionStatus.REJECTED).exists()

    (closed,) = by_phase[ChallengePhase.CLOSED]
    assert closed.status == ChallengeStatus.CLOSED and closed.closed_at == closed.ends_at < now
    assert closed.submissions.filter(status=SubmissionStatus.SUBMITTED).count() >= 1  # awaiting review
    assert not closed.submissions.filter(rank__isnull=False).exists()
    for challenge in (judged, closed):
        assert all(challenge.starts_at <= s.submitted_at < challenge.ends_at for s in challenge.submissions.all())


def test_proposals_active_and_closed(world):
    now = timezone.now()
    active = Proposal.objects.get(status=ProposalStatus.ACTIVE)
    assert now + timedelta(days=2) < active.voting_ends_at < now + timedelta(days=7)
    assert active.voting_starts_at == active.snapshot_at <= now
    votes = Vote.objects.filter(proposal=active).select_related("voter")
    assert votes.count() >= 3
    for vote in votes:  # weights are the stakes at the snapshot, as the service computed them
        assert vote.weight > 0 and vote.weight == staked_balance_at(user=vote.voter, at=active.snapshot_at)
    alice = member("alice")
    assert not votes.filter(voter=alice).exists()
    assert staked_balance_at(user=alice, at=active.snapshot_at) > 0  # she can vote

    closed = Proposal.objects.get(status=ProposalStatus.CLOSED)
    assert closed.voting_ends_at <= closed.closed_at < now - timedelta(days=2)
    assert closed.snapshot_at == closed.voting_starts_at < closed.voting_ends_at
    assert closed.quorum_met and closed.outcome == ProposalOutcome.WINNER and closed.winning_choice == "for"
    assert closed.total_weight == sum(Vote.objects.filter(proposal=closed).values_list("weight", flat=True))
    assert all(closed.voting_starts_at < v.created_at < closed.voting_ends_at for v in closed.votes.all())
    assert Notification.objects.filter(kind="proposal_closed").count() == closed.votes.count()


def test_a_subscription_in_each_state(world):
    subscriptions = {s.user.email.split("@")[0]: s for s in Subscription.objects.select_related("user", "plan")}
    assert {name: s.status for name, s in subscriptions.items()} == {
        "alice": SubscriptionStatus.ACTIVE,
        "bob": SubscriptionStatus.TRIALING,
        "carol": SubscriptionStatus.ACTIVE,
        "frank": SubscriptionStatus.PAST_DUE,
        "erin": SubscriptionStatus.EXPIRED,
    }
    assert subscriptions["carol"].cancel_at_period_end and not subscriptions["alice"].cancel_at_period_end
    assert subscriptions["alice"].periods.filter(payment__isnull=False).exists()  # the renewal was paid
    assert member("frank").wallet.available < subscriptions["frank"].plan.price  # why it is past due


def test_badges_and_notifications(world):
    alice = member("alice")
    assert set(alice.user_badges.values_list("badge__rule", flat=True)) == {
        BadgeRule.FIRST_STAKE,
        BadgeRule.STAKER,
        BadgeRule.FIRST_SUBMISSION,
        BadgeRule.FIRST_ACCEPTED,
        BadgeRule.CHALLENGE_WINNER,
    }
    for name in MEMBERS:
        assert Notification.objects.filter(recipient=member(name), read_at__isnull=True).exists(), name
    assert Notification.objects.filter(recipient=alice, read_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 5


def test_ledger_and_integrity_checks_are_clean(world):
    report = verify_ledger()
    assert report.clean, [d.describe() for d in report.drifts]
    assert report.rows_checked == Transaction.objects.count() > 20
    out = StringIO()
    call_command("check_integrity", stdout=out)  # raises CommandError when a check fails
    assert "integrity checks passed" in out.getvalue()


def test_second_run_changes_nothing(world):
    counts = _row_counts()
    wallets = sorted(
        User.objects.values_list("email", "wallet__available", "wallet__staked", "wallet__held", "wallet__updated_at")
    )
    assert "Demo world exists; left unchanged." in _seed()
    assert _row_counts() == counts
    assert (
        sorted(
            User.objects.values_list(
                "email", "wallet__available", "wallet__staked", "wallet__held", "wallet__updated_at"
            )
        )
        == wallets
    )


def test_pages_show_the_world_to_alice(world, client):
    alice = member("alice")
    client.force_login(alice)
    judged = Challenge.objects.get(status=ChallengeStatus.JUDGED)
    open_ = next(c for c in Challenge.objects.all() if c.phase == ChallengePhase.OPEN)
    active = Proposal.objects.get(status=ProposalStatus.ACTIVE)
    newest = Notification.objects.filter(recipient=alice).order_by("-created_at").first()
    expected = {
        "/dashboard/": ["Welcome, Alice", format_amount(alice.wallet.available, grouping=True)],
        "/wallet/": [
            format_amount(alice.wallet.available, grouping=True),
            format_amount(alice.wallet.staked, grouping=True),
            "Reward",
        ],
        "/challenges/": [c.title for c in Challenge.objects.all()],
        f"/challenges/{open_.slug}/": [open_.title],
        f"/challenges/{judged.slug}/": [judged.title],
        f"/challenges/{judged.slug}/leaderboard/": ["Alice", "Carol", "Bob", "300"],
        "/governance/": list(Proposal.objects.values_list("title", flat=True)),
        f"/governance/{active.pk}/": [active.title, active.body],
        "/notifications/": [newest.title],
        "/subscription/": ["Pro", "Active"],
        "/badges/": ["First stake"],
    }
    assert alice.wallet.available > 0
    for url, texts in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for text in texts:
            assert escape(text) in page, (url, text)
    # Alice has not voted on the active proposal: its page offers the choices.
    assert response_has_choices(client.get(f"/governance/{active.pk}/"), active.choices)


def response_has_choices(response, choices: list[str]) -> bool:
    page = response.content.decode()
    return all(f'name="choice" value="{choice}"' in page for choice in choices)


def test_members_with_a_history_of_their_own_get_no_world():
    """An older local database whose demo members were used by hand: seed writes no world."""
    from accounts.services import account_create
    from wallets.services import deposit_create

    bob, _ = account_create(email="bob@demo.ogc.local", password="demo-password-2026", role="member")
    deposit_create(user=bob, amount="7")
    out = _seed()
    assert "Demo world skipped" in out
    assert not Challenge.objects.exists() and not Proposal.objects.exists()
    assert list(Transaction.objects.values_list("user__email", "amount")) == [("bob@demo.ogc.local", Decimal("7"))]
    assert "Demo world skipped" in _seed()
