"""Money comes from somewhere (issue #16 item 3): a challenge's prizes are funded from the
treasury into its escrow when it is published, rewards are paid out of the escrow and
never beyond it, entry fees go to revenue or into the escrow, and what is left returns
to the treasury once, when the challenge is archived."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from challenges import services
from challenges.models import Challenge
from challenges.services.escrow import escrow_settle
from challenges.tests.factories import ChallengeFactory, SubmissionFactory, moderator, operator
from core.exceptions import ApplicationError
from wallets.models import JournalEntry, JournalLine, LedgerAccount
from wallets.selectors import supply_totals
from wallets.services import deposit_create, escrow_balance, escrow_fund, reward_credit
from wallets.verification import assert_ledger_clean, verify_ledger

pytestmark = pytest.mark.django_db
D = Decimal


def lines_of(entry):
    return {(line.account_id or f"{line.wallet_id}.{line.bucket}", line.amount) for line in entry.lines.all()}


def held(challenge):
    return escrow_balance(reference=challenge.escrow_reference)


def draft(actor, **fields):
    now = timezone.now()
    values = {
        "slug": "funded",
        "title": "Funded",
        "description": "d",
        "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(days=2),
        "prize_pool": "100",
        "prize_split": ["60", "40"],
    } | fields
    return services.challenge_create(created_by=actor, **values)


def test_publish_funds_the_escrow_with_one_system_entry():
    actor = operator()
    challenge = draft(actor)
    assert not JournalEntry.objects.exists() and held(challenge) == 0  # a draft holds nothing
    services.challenge_publish(challenge_id=challenge.pk, actor=actor)
    entry = JournalEntry.objects.get()
    assert (entry.kind, entry.status, entry.transaction_id, entry.actor, entry.reference) == (
        "escrow_fund",
        "completed",
        None,
        actor,
        f"challenge:{challenge.pk}",
    )
    assert lines_of(entry) == {(f"escrow:challenge:{challenge.pk}", D(100)), ("issuance", D(-100))}
    supply = supply_totals()
    assert (supply.issued, supply.escrowed, supply.members) == (D(100), D(100), 0)
    assert_ledger_clean()


def test_a_challenge_created_scheduled_is_funded_at_once():
    challenge = draft(operator(), status="scheduled", prize_pool="70", prize_split=["70"])
    assert held(challenge) == D(70)


def test_the_treasury_policy_refuses_funding_and_nothing_changes(settings):
    settings.OGC_TREASURY_MAX_ESCROW = D(99)
    actor = operator()
    challenge = draft(actor)
    with pytest.raises(ApplicationError) as info:
        services.challenge_publish(challenge_id=challenge.pk, actor=actor)
    assert (info.value.status_code, info.value.code, info.value.field) == (409, "treasury_refused", "prize_pool")
    assert Challenge.objects.get(pk=challenge.pk).status == "draft"
    assert not JournalEntry.objects.exists()


def test_a_crash_mid_funding_leaves_no_half_entry():
    actor = operator()
    challenge = draft(actor)
    with (
        mock.patch.object(JournalLine.objects, "bulk_create", side_effect=RuntimeError("crash after the header")),
        pytest.raises(RuntimeError),
    ):
        services.challenge_publish(challenge_id=challenge.pk, actor=actor)
    assert not JournalEntry.objects.exists()
    assert not JournalLine.objects.exists()
    assert Challenge.objects.get(pk=challenge.pk).status == "draft"
    assert_ledger_clean()


def judged(pool="100", split=("50", "30", "20"), winners=3, **fields):
    start = timezone.now() - timedelta(days=3)
    challenge = ChallengeFactory(
        starts_at=start, ends_at=start + timedelta(days=1), prize_pool=D(pool), prize_split=list(split), **fields
    )
    subs = [
        SubmissionFactory(
            challenge=challenge, user=UserFactory(), status="accepted", score=D(90 - i), submitted_at=start
        )
        for i in range(winners)
    ]
    actor = operator()
    services.challenge_judge(challenge_id=challenge.pk, actor=actor)
    return challenge, subs, actor


def test_rewards_are_paid_out_of_the_escrow():
    challenge, _subs, actor = judged()
    issued_before = supply_totals().issued
    rewards = services.rewards_award(challenge_id=challenge.pk, actor=actor)
    for reward in rewards:
        entry = JournalEntry.objects.get(transaction=reward.transaction)
        assert reward.transaction.kind == "reward"
        assert lines_of(entry) == {
            (f"{reward.wallet_id}.available", reward.amount),
            (f"escrow:challenge:{challenge.pk}", -reward.amount),
        }
    assert held(challenge) == 0
    assert supply_totals().issued == issued_before  # nothing minted at payout
    assert_ledger_clean()


def test_rewards_never_exceed_the_escrow():
    challenge, subs, actor = judged(funded=False)  # written around the services: no escrow
    with pytest.raises(ApplicationError) as info:
        services.rewards_award(challenge_id=challenge.pk, actor=actor)
    assert (info.value.status_code, info.value.code) == (409, "prize_pool_exceeded")
    assert not challenge.rewards.exists()
    # The ledger refuses on its own too (its floor, under the escrow's lock).
    with pytest.raises(ApplicationError) as info:
        reward_credit(user=subs[0].user, amount="1", escrow=challenge.escrow_reference)
    assert info.value.code == "escrow_insufficient"
    assert_ledger_clean()


@pytest.mark.parametrize(("destination", "escrowed", "revenue"), [("revenue", 100, 5), ("escrow", 105, 0)])
def test_entry_fees_go_to_revenue_or_into_the_escrow(destination, escrowed, revenue):
    challenge = ChallengeFactory(entry_fee=D(5), entry_fee_to=destination)
    member = UserFactory()
    deposit_create(user=member, amount="10")
    services.submission_create(user=member, challenge_id=challenge.pk, title="Mine", content="x")
    fee = JournalEntry.objects.get(kind="payment")
    other = "revenue" if destination == "revenue" else f"escrow:challenge:{challenge.pk}"
    assert lines_of(fee) == {(f"{member.wallet.pk}.available", D(-5)), (other, D(5))}
    assert (held(challenge), supply_totals().revenue) == (D(escrowed), D(revenue))
    assert_ledger_clean()


def test_raising_the_pool_funds_the_difference_and_lowering_returns_it():
    challenge, actor = ChallengeFactory(prize_pool=D(100), prize_split=["50"]), operator()
    services.challenge_update(challenge_id=challenge.pk, actor=actor, prize_pool="130")
    assert held(challenge) == D(130)
    services.challenge_update(challenge_id=challenge.pk, actor=actor, prize_pool="80")
    assert held(challenge) == D(80)
    kinds = list(JournalEntry.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["escrow_fund", "escrow_fund", "escrow_release"]
    assert supply_totals().issued == D(80)
    assert_ledger_clean()


def test_fees_in_the_escrow_count_toward_a_raised_pool():
    challenge = ChallengeFactory(prize_pool=D(100), prize_split=["50"], entry_fee=D(30), entry_fee_to="escrow")
    member = UserFactory()
    deposit_create(user=member, amount="30")
    services.submission_create(user=member, challenge_id=challenge.pk, title="Mine", content="x")
    services.challenge_update(challenge_id=challenge.pk, actor=operator(), prize_pool="130")
    assert held(challenge) == D(130)
    assert JournalEntry.objects.filter(kind="escrow_fund").count() == 1  # the fees paid the raise


def test_archiving_returns_the_leftover_exactly_once():
    challenge, subs, actor = judged()
    services.rewards_award(challenge_id=challenge.pk, actor=actor, submission_ids=[subs[0].pk])
    services.challenge_archive(challenge_id=challenge.pk, actor=actor)
    release = JournalEntry.objects.get(kind="escrow_release")
    assert lines_of(release) == {(f"escrow:challenge:{challenge.pk}", D(-50)), ("issuance", D(50))}
    assert held(challenge) == 0
    assert LedgerAccount.objects.get(code=f"escrow:challenge:{challenge.pk}").closed_at is not None
    assert escrow_settle(Challenge.objects.get(pk=challenge.pk), actor=actor) == 0  # a second time moves nothing
    assert JournalEntry.objects.filter(kind="escrow_release").count() == 1
    with pytest.raises(ApplicationError) as info:
        escrow_fund(reference=challenge.escrow_reference, amount="1")
    assert info.value.code == "escrow_closed"
    assert supply_totals().issued == D(50)  # only the paid prize left the treasury
    assert_ledger_clean()


def test_verify_ledger_names_a_closed_escrow_that_still_holds_money():
    challenge = ChallengeFactory(prize_pool=D(10), prize_split=["10"])
    LedgerAccount.objects.filter(code=f"escrow:challenge:{challenge.pk}").update(closed_at=timezone.now())
    report = verify_ledger()
    assert not report.clean
    assert f"account escrow:challenge:{challenge.pk}: closed but holds 10.000000000000000000" in report.problems()


def test_a_full_challenge_life_keeps_the_ledger_clean():
    staff, mod = operator(), moderator()
    now = timezone.now()
    challenge = draft(
        staff, status="scheduled", entry_fee="2", entry_fee_to="escrow", starts_at=now - timedelta(hours=1)
    )
    members = [UserFactory() for _ in range(3)]
    subs = []
    for member in members:
        deposit_create(user=member, amount="5")
        subs.append(services.submission_create(user=member, challenge_id=challenge.pk, title="Entry", content="x"))
    for score, sub in zip((9, 8, 7), subs, strict=True):
        services.submission_review(reviewer=mod, submission_id=sub.pk, decision="accepted", score=str(score))
    services.challenge_judge(challenge_id=challenge.pk, actor=staff, now=now + timedelta(days=3))
    services.rewards_award(challenge_id=challenge.pk, actor=staff)
    assert held(challenge) == D(6)  # 100 + 3 fees - 60 - 40
    services.challenge_archive(challenge_id=challenge.pk, actor=staff)
    assert held(challenge) == 0
    supply = supply_totals()
    assert (supply.issued, supply.external, supply.escrowed, supply.revenue) == (D(94), D(15), 0, 0)
    assert_ledger_clean()
