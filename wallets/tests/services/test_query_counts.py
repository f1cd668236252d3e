"""The stake/unstake hot path's statement count, pinned (docs/performance.md, Ledger).

A stake is: lock the wallet (SELECT ... FOR UPDATE), UPDATE it, INSERT the row, INSERT
its journal entry and INSERT all the entry's lines (one multi-row INSERT), one INSERT
for both audit entries, inside BEGIN/COMMIT (here SAVEPOINT/RELEASE: the test runs inside
pytest-django's transaction), all on the raw cursor (``core.rows``). The staking badges
are evaluated after commit by a worker (``challenges.ledger_badges``): no statement here. No notification: the member staked or unstaked themselves (issue #16; a
notification is for what others or the platform did, see ``wallets.events``).
"""

from decimal import Decimal

import pytest
from django.test import override_settings

from notifications.models import Notification
from wallets.models import Transaction
from wallets.services import stake_create, unstake_create
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db

STAKE_STATEMENTS = 8  # 10 before double entry, + the entry header and its lines, - the notification's 3, - the badge hook's SELECT (after commit now)
UNSTAKE_STATEMENTS = 8


@pytest.fixture
def staker():
    """A user who already holds (or could never get) both staking badges."""
    with override_settings(OGC_BADGE_STAKER_MIN=Decimal("1")):
        user = funded_user("100")
        stake_create(user=user, amount="5")
        yield user


def test_stake_and_unstake_statement_counts(staker, django_assert_num_queries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with django_assert_num_queries(STAKE_STATEMENTS):
            stake = stake_create(user=staker, amount="1")
        with django_assert_num_queries(UNSTAKE_STATEMENTS):
            unstake = unstake_create(user=staker, amount="1")
    # Everything the invariants ask for was written by those statements, and no
    # notification for the member's own action.
    assert not Notification.objects.filter(event_id__in=[f"ledger:{r.pk}:completed" for r in (stake, unstake)])
    # After commit: only the staking badges' request (a worker evaluates them), no delivery.
    assert [getattr(c, "func", c).__name__ for c in callbacks] == ["ledger_badges_enqueue"]
    assert Transaction.objects.filter(pk__in=[stake.pk, unstake.pk]).count() == 2


def test_an_idempotency_key_costs_one_lookup(staker, django_assert_num_queries):
    with django_assert_num_queries(STAKE_STATEMENTS + 1):
        first = stake_create(user=staker, amount="1", idempotency_key="api:k1")
    with django_assert_num_queries(4):  # savepoint, lock, lookup, release: a replay writes nothing
        replay = stake_create(user=staker, amount="1", idempotency_key="api:k1")
    assert replay.pk == first.pk


TRANSFER_STATEMENTS = 15  # 18 before: the named audit entry and the notification's preference read folded in


def test_transfer_statement_count(django_assert_num_queries, django_capture_on_commit_callbacks):
    """A transfer: the recipient with their wallet (one SELECT), the sender's wallet id,
    both wallets locked in one SELECT ... FOR UPDATE, the 24-hour sum; the sender's
    wallet UPDATE, row INSERT, the one entry (header + all lines: two INSERTs); the
    receiver's wallet UPDATE and row INSERT (no entry of its own); ONE INSERT of all five
    audit entries (both wallets, both rows, the named transfer entry); the receiver's
    notification and its deliveries (two INSERTs, the email opt-out folded into the
    second); inside SAVEPOINT/RELEASE."""
    sender, recipient = funded_user("100"), funded_user("0")
    from wallets.services import transfer_create

    transfer_create(sender=sender, recipient=recipient.email, amount="1")  # warm the caches
    with django_capture_on_commit_callbacks(), django_assert_num_queries(TRANSFER_STATEMENTS):
        transfer_create(sender=sender, recipient=recipient.email, amount="1")
