"""Stress: 8 threads, each on its own connection, 2,000+ mixed operations on a few
hot wallets, many refused for insufficient funds. Afterwards: no balance was ever
negative (every row's balances-after, which trace each wallet's history), the
ledger proves every balance (verify_ledger), and each successful operation wrote
or moved exactly one row while each refused one wrote nothing."""

import random
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import Q

from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from wallets import services
from wallets.models import Transaction, Wallet
from wallets.tests.concurrency import run_concurrently
from wallets.tests.factories import WalletAddressFactory, funded_user
from wallets.verification import assert_ledger_clean

THREADS = 8
OPS_PER_THREAD = 260
EXPECTED_REFUSALS = {"insufficient_funds", "withdrawal_not_pending"}


@pytest.mark.django_db(transaction=True)
def test_hot_wallets_under_concurrent_mixed_operations():
    users = [funded_user("500") for _ in range(3)]
    addresses = {u.pk: WalletAddressFactory(wallet=u.wallet).pk for u in users}
    operator = UserFactory()
    start_rows = Transaction.objects.count()
    pending: list[tuple[int, int]] = []  # (user_id, withdrawal_id), shared on purpose: threads race to settle them
    pending_lock = threading.Lock()
    created_ids: list[int] = []
    transitioned: list[int] = []
    outcomes: Counter = Counter()

    def one_op(rng: random.Random) -> None:
        user = rng.choice(users)
        amount = Decimal(rng.randint(1, 25000)) / 100
        op = rng.choice(["stake", "stake", "unstake", "unstake", "withdraw", "settle", "deposit"])
        try:
            if op == "stake":
                created_ids.append(services.stake_create(user=user, amount=amount).pk)
            elif op == "unstake":
                created_ids.append(services.unstake_create(user=user, amount=amount).pk)
            elif op == "deposit":
                created_ids.append(services.deposit_create(user=user, amount=amount / 4, actor=operator).pk)
            elif op == "withdraw":
                row = services.withdrawal_request(user=user, amount=amount, address_id=addresses[user.pk])
                created_ids.append(row.pk)
                with pending_lock:
                    pending.append((user.pk, row.pk))
            else:
                with pending_lock:
                    if not pending:
                        outcomes["settle:none"] += 1
                        return
                    owner_id, wid = rng.choice(pending)
                owner = next(u for u in users if u.pk == owner_id)
                how = rng.choice(["cancel", "approve", "reject"])
                if how == "cancel":
                    services.withdrawal_cancel(user=owner, withdrawal_id=wid)
                elif how == "approve":
                    services.withdrawal_approve(withdrawal_id=wid, actor=operator)
                else:
                    services.withdrawal_reject(withdrawal_id=wid, actor=operator, reason="stress")
                transitioned.append(wid)
                with pending_lock:
                    if (owner_id, wid) in pending:
                        pending.remove((owner_id, wid))
            outcomes[f"{op}:ok"] += 1
        except ApplicationError as exc:
            if exc.code not in EXPECTED_REFUSALS:
                raise
            outcomes[f"{op}:{exc.code}"] += 1

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(OPS_PER_THREAD):
            one_op(rng)

    run_concurrently(THREADS, worker)

    total_ops = sum(outcomes.values())
    assert total_ops == THREADS * OPS_PER_THREAD >= 2000
    refusals = sum(n for key, n in outcomes.items() if key.endswith("insufficient_funds"))
    assert refusals > 100, outcomes  # the scenario really exercised overdraw attempts
    assert outcomes["settle:ok"] > 10, outcomes

    # Every success wrote exactly one new row (or moved one pending row once); refusals wrote nothing.
    assert Transaction.objects.count() - start_rows == len(created_ids) == len(set(created_ids))
    assert len(transitioned) == len(set(transitioned))
    assert Transaction.objects.filter(pk__in=transitioned).in_state("pending").count() == 0
    settled = Transaction.objects.filter(kind="withdrawal").in_state("completed", "canceled", "failed").count()
    assert settled == len(transitioned)

    # No balance was ever negative: each row's *_after is the wallet at that commit.
    assert not Transaction.objects.filter(Q(available_after__lt=0) | Q(staked_after__lt=0) | Q(held_after__lt=0))
    assert not Wallet.objects.filter(Q(available__lt=0) | Q(staked__lt=0) | Q(held__lt=0)).exists()
    report = assert_ledger_clean()
    assert report.wallets_checked == Wallet.objects.count()
    connections.close_all()
