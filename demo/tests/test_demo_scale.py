"""``seed --demo --users N``: a believable platform that passes verify_ledger and check_integrity."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from challenges.models import (
    BadgeRule,
    Challenge,
    ChallengeEntry,
    ChallengePhase,
    ChallengeStatus,
    Reward,
    Submission,
    SubmissionStatus,
    UserBadge,
)
from demo.builder import existing_demo_indices
from demo.bulk import bulk_insert
from governance.models import Proposal, ProposalStatus, Vote
from notifications.models import DeliveryStatus, Notification, NotificationDelivery
from subscriptions.models import Subscription, SubscriptionPeriod
from wallets.models import Transaction, TransactionKind, TransactionStatus, Wallet, WalletAddress
from wallets.selectors import staked_balance_at
from wallets.verification import verify_ledger

pytestmark = pytest.mark.django_db

K, S = TransactionKind, TransactionStatus
N = 200


def _seed(users: int) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed", "--demo", "--users", str(users), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def platform():
    return _seed(N)


def _demo_users():
    return User.objects.filter(email__regex=r"^demo[0-9]+@demo\.ogc\.local$")


def test_builds_n_users_with_wallets_and_progress(platform):
    out, err = platform
    assert _demo_users().count() == N
    assert Wallet.objects.filter(user__in=_demo_users()).count() == N
    assert not _demo_users().exclude(groups__name="member").exists()
    for phase in ("users", "simulated", "wallets", "ledger", "badges", "governance", "notifications", "done"):
        assert f"demo: {phase}" in err, phase
    assert "total" in err
    rows = Transaction.objects.filter(user__in=_demo_users()).count()
    assert rows >= N * 5  # about ten per user
    assert f"{rows} ledger row(s)" in out
    demo = User.objects.get(email="demo1@demo.ogc.local")
    assert demo.check_password("demo-password-2026")


def test_verify_ledger_and_check_integrity_pass(platform):
    report = verify_ledger()
    assert report.clean, [d.describe() for d in report.drifts[:5]]
    assert report.wallets_checked >= N and report.rows_checked >= N * 5
    out = StringIO()
    call_command("verify_ledger", "--no-progress", stdout=out)  # exits 1 (SystemExit) on drift
    assert "Ledger consistent" in out.getvalue()
    out = StringIO()
    call_command("check_integrity", stdout=out)  # raises CommandError when a check fails
    assert "integrity checks passed" in out.getvalue()


def test_published_challenges_hold_what_their_pools_still_owe(platform):
    from challenges.models import Challenge
    from wallets.services import escrow_balance

    live = Challenge.objects.filter(status__in=("scheduled", "closed", "judged"))
    assert live.exists()
    for challenge in live:
        owed = challenge.prize_pool - challenge.prize_paid
        assert escrow_balance(reference=challenge.escrow_reference) == owed, challenge.slug
    assert verify_ledger().clean


def test_every_ledger_state_is_present(platform):
    present = set(Transaction.objects.values_list("kind", "status", "direction").distinct())
    for kind, status, direction in [
        (K.DEPOSIT, S.COMPLETED, "credit"),
        (K.STAKE, S.COMPLETED, "internal"),
        (K.UNSTAKE, S.COMPLETED, "internal"),
        (K.UNSTAKE, S.PENDING, "internal"),
        (K.WITHDRAWAL, S.PENDING, "debit"),
        (K.WITHDRAWAL, S.COMPLETED, "debit"),
        (K.WITHDRAWAL, S.CANCELED, "debit"),
        (K.REWARD, S.COMPLETED, "credit"),
        (K.PAYMENT, S.COMPLETED, "debit"),
        (K.ADJUSTMENT, S.COMPLETED, "credit"),
        (K.ADJUSTMENT, S.COMPLETED, "debit"),
    ]:
        assert (kind, status, direction) in present, (kind, status, direction)
    canceled = Transaction.objects.filter(kind=K.WITHDRAWAL, status=S.CANCELED)
    assert canceled.filter(status_reason__startswith="Rejected:").exists()
    assert canceled.filter(status_reason="Canceled by the owner.").exists()
    assert not Transaction.objects.filter(kind=K.WITHDRAWAL, status=S.COMPLETED, external_reference=None).exists()
    assert WalletAddress.objects.filter(wallet__user__in=_demo_users()).exists()
    # Ids follow time, and a wallet's history never goes back in time.
    stamps = list(Transaction.objects.order_by("pk").values_list("created_at", flat=True))
    assert stamps == sorted(stamps)
    # The bulk path kept the generated timestamps (auto_now_add would stamp "now").
    assert stamps[-1] - stamps[0] > timedelta(days=90)
    joined = User.objects.filter(email__startswith="demo").order_by("created_at").values_list("created_at", flat=True)
    assert joined.last() - joined.first() > timedelta(days=90)
    # (The builder's rows; the demo world's rows beside them come from the live services.)
    assert not Transaction.objects.filter(user__in=_demo_users(), completed_at__lt=F("created_at")).exists()


def test_payments_and_rewards_are_linked(platform):
    assert Reward.objects.count() > 0
    assert not Reward.objects.exclude(transaction__kind=K.REWARD).exists()
    reward = Reward.objects.select_related("transaction", "submission").first()
    assert reward.transaction.idempotency_key == f"reward:{reward.challenge_id}:{reward.submission_id}"
    assert reward.transaction.source == reward.submission
    assert reward.submission.status == SubmissionStatus.WINNER
    fees = ChallengeEntry.objects.filter(fee_transaction__isnull=False).select_related("fee_transaction")
    assert fees.exists()
    entry = fees.first()
    assert entry.fee_transaction.idempotency_key == f"entry-fee:{entry.challenge_id}:{entry.user_id}:1"
    assert entry.fee_transaction.amount == entry.challenge.entry_fee
    paid = SubscriptionPeriod.objects.filter(payment__isnull=False).select_related("payment", "subscription")
    assert paid.exists()
    for period in paid[:20]:
        assert period.payment.kind == K.PAYMENT and period.payment.amount == period.amount
        assert period.payment.source == period.subscription
    payments = Transaction.objects.filter(kind=K.PAYMENT).count()
    linked = ChallengeEntry.objects.filter(fee_transaction__isnull=False).count() + paid.count()
    assert payments == linked


def test_every_challenge_and_submission_state_is_present(platform):
    statuses = set(Challenge.objects.values_list("status", flat=True))
    assert statuses == set(ChallengeStatus.values)
    phases = {c.phase for c in Challenge.objects.all()}
    assert {ChallengePhase.OPEN, ChallengePhase.UPCOMING} <= phases
    assert set(Submission.objects.values_list("status", flat=True)) == set(SubmissionStatus.values)
    for challenge in Challenge.objects.filter(status__in=[ChallengeStatus.JUDGED, ChallengeStatus.ARCHIVED]):
        ranks = list(challenge.submissions.filter(rank__isnull=False).order_by("rank").values_list("rank", flat=True))
        assert ranks == list(range(1, len(ranks) + 1))
        assert not challenge.submissions.filter(status=SubmissionStatus.SUBMITTED).exists()
    assert Challenge.objects.filter(status=ChallengeStatus.JUDGED, prize_paid=0).exists()  # judged, not paid yet


def test_subscriptions_badges_notifications_and_governance(platform):
    assert set(Subscription.objects.values_list("status", flat=True)) == {
        "trialing",
        "active",
        "past_due",
        "canceled",
        "expired",
    }
    assert Subscription.objects.filter(cancel_at_period_end=True).exists()
    assert Subscription.objects.filter(scheduled_plan__code="free").exists()
    assert set(UserBadge.objects.values_list("badge__rule", flat=True)) == set(BadgeRule.values) - {"manual"}
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == set(DeliveryStatus.values)
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)
    closed = Proposal.objects.filter(status=ProposalStatus.CLOSED)
    assert closed.exists() and not closed.filter(quorum_met__isnull=True).exists()
    assert Notification.objects.filter(kind="proposal_closed").exists()  # sent by the real proposal_close
    for vote in Vote.objects.filter(voter__in=_demo_users()).select_related("proposal", "voter")[:50]:
        assert vote.weight == staked_balance_at(user=vote.voter, at=vote.proposal.snapshot_at)


def test_one_audit_entry_summarises_the_build(platform):
    entries = LogEntry.objects.filter(changes_text__startswith="demo data at scale")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor is None and entry.cid.startswith("cmd:seed:")
    assert entry.additional_data["counts"]["users"] == N
    assert entry.additional_data["counts"]["transactions"] == Transaction.objects.filter(user__in=_demo_users()).count()
    # The bulk rows themselves wrote no per-row entries (the demo world's service calls do).
    ledger_type = ContentType.objects.get_for_model(Transaction)
    bulk_rows = [str(pk) for pk in Transaction.objects.filter(user__in=_demo_users()).values_list("pk", flat=True)]
    assert not LogEntry.objects.filter(content_type=ledger_type, object_pk__in=bulk_rows).exists()


def test_second_run_only_tops_up():
    _seed(30)
    rows = Transaction.objects.count()
    users = User.objects.count()
    _out, err = _seed(30)
    assert "nothing" in err and Transaction.objects.count() == rows and User.objects.count() == users
    _seed(40)
    assert existing_demo_indices() == set(range(1, 41))
    assert verify_ledger().clean
    call_command("check_integrity", stdout=StringIO())
    assert LogEntry.objects.filter(changes_text__startswith="demo data at scale").count() == 2


def test_users_needs_demo():
    with pytest.raises(CommandError, match="--users N needs --demo"):
        call_command("seed", "--users", "10", stdout=StringIO())
    assert not User.objects.exists()


def test_bulk_insert_writes_values_verbatim():
    """Explicit auto_now_add timestamps (microseconds included), 18-digit decimals and
    JSON survive the MariaDB fast path; primary keys come back on the instances."""
    user = UserFactory()
    at = timezone.now() - timedelta(days=42, microseconds=123)
    amount = Decimal("123456789.000000000000000001")
    row = Transaction(
        wallet=user.wallet,
        user=user,
        kind=K.DEPOSIT,
        status=S.COMPLETED,
        direction="credit",
        amount=amount,
        available_after=amount,
        staked_after=0,
        held_after=0,
        created_at=at,
        completed_at=at,
    )
    note = Notification(recipient=user, kind="announcement", title="t", data={"amount": Decimal("1.5")}, created_at=at)
    bulk_insert(Transaction, [row])
    bulk_insert(Notification, [note])
    assert row.pk and note.pk
    stored = Transaction.objects.get(pk=row.pk)
    assert (stored.amount, stored.created_at, stored.idempotency_key) == (amount, at, None)
    stored_note = Notification.objects.get(pk=note.pk)
    assert (stored_note.created_at, stored_note.data, stored_note.read_at) == (at, {"amount": "1.5"}, None)
