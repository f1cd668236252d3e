"""No hot row (issue #16, item 7): do movements against a system account serialize?

Every deposit has the ``external`` account on its other side, every payment the
``revenue`` account. If those accounts cached a balance on a row, every deposit (and
every payment) of every member would lock and update that one row, and N workers would
run no faster than one. They cache nothing (a system balance is the sum of its journal
lines, docs/wallets.md "Double entry"), so they should scale like the paths that touch
only the member's own wallet row.

Measured in one run, each worker a separate process with its own connection and its own
member (web workers are processes), at concurrency 1, 2, 4 and 8, median of
``BENCH_HOT_REPEATS`` (default 3) runs of ``BENCH_HOT_SECONDS`` (default 2) each:

* **stake+unstake**: the member's own rows only (the reference: it scales as far as the
  machine does);
* **deposit**: an operator credits the worker's member (external → member);
* **payment**: the worker's member pays a fee (member → revenue), as a subscription
  renewal or an entry fee does;
* **control (hot row)**: a deposit that also takes ``SELECT ... FOR UPDATE`` on the
  external account's row inside its transaction, i.e. what a cached system balance would
  cost. It shows that the bench can see a hot row: it must stop scaling.

Printed: operations per second, the speed-up over concurrency 1, and each path's
speed-up as a share of stake+unstake's at the same concurrency (1.00 = scales as well
as the per-wallet path; a hot row drives it towards 1/N). Client CPU per operation too.
With more workers than cores the machine, not the database, limits every path alike,
and on a shared machine the rates are noisy; so the bench also counts what a hot row
*is*: InnoDB row-lock waits (``Innodb_row_lock_waits``, a server-wide counter read
before and after each run) per 1,000 operations. Each worker has its own member, so the
per-wallet paths wait for no lock; a hot row makes every concurrent operation wait.

Runs on the throw-away database ``test_ogc_bench_hot_rows``.
"""

from __future__ import annotations

import functools
import os
import statistics
from collections.abc import Callable
from decimal import Decimal

from bench._db import on_throwaway_db
from bench._procs import run_workers

SECONDS = float(os.environ.get("BENCH_HOT_SECONDS", "2"))
REPEATS = int(os.environ.get("BENCH_HOT_REPEATS", "3"))
LEVELS = [int(x) for x in os.environ.get("BENCH_HOT_CONCURRENCY", "1,2,4,8").split(",")]
DB_NAME = "test_ogc_bench_hot_rows"
#: A path "scales like the per-wallet path" when its speed-up is at least this share of
#: stake+unstake's at the same concurrency.
SHARE = 0.8


def _stake_factory(user_id: int, operator_id: int) -> Callable[[], None]:
    from accounts.models import User
    from wallets.services import stake_create, unstake_create

    user, one = User.objects.get(pk=user_id), Decimal(1)

    def operation() -> None:
        stake_create(user=user, amount=one)
        unstake_create(user=user, amount=one)

    return operation


def _deposit_factory(user_id: int, operator_id: int) -> Callable[[], None]:
    from accounts.models import User
    from wallets.services import deposit_create

    user, operator, one = User.objects.get(pk=user_id), User.objects.get(pk=operator_id), Decimal(1)

    def operation() -> None:
        deposit_create(user=user, amount=one, actor=operator)

    return operation


def _payment_factory(user_id: int, operator_id: int) -> Callable[[], None]:
    from accounts.models import User
    from wallets.services import payment_debit

    user, fee = User.objects.get(pk=user_id), Decimal("0.001")

    def operation() -> None:
        payment_debit(user=user, amount=fee, memo="bench fee")

    return operation


def _hot_row_factory(user_id: int, operator_id: int) -> Callable[[], None]:
    from django.db import connection, transaction

    deposit = _deposit_factory(user_id, operator_id)

    def operation() -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:  # what a cached system balance would lock
                cursor.execute("SELECT code FROM ledger_accounts WHERE code = 'external' FOR UPDATE")
            deposit()

    return operation


PATHS: dict[str, Callable[[int, int], Callable[[], None]]] = {
    "stake+unstake": _stake_factory,
    "deposit": _deposit_factory,
    "payment": _payment_factory,
    "control (hot row)": _hot_row_factory,
}


def _row_lock_waits() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_waits'")
        return int(cursor.fetchone()[1])


def _measure(path: str, user_ids: list[int], operator_id: int, concurrency: int) -> tuple[float, float, float]:
    """(operations per second, client CPU seconds per operation, row-lock waits per
    1,000 operations) of one run."""

    waits_before = _row_lock_waits()
    count, cpu = run_workers(
        functools.partial(_operation, path, operator_id), user_ids[:concurrency], SECONDS, label=path
    )
    waits = _row_lock_waits() - waits_before
    return count / SECONDS, cpu / max(count, 1), 1000 * waits / max(count, 1)


def _operation(path: str, operator_id: int, user_id: int) -> Callable[[], None]:
    return PATHS[path](user_id, operator_id)


def main() -> None:
    on_throwaway_db(DB_NAME, "bench.ledger_hot_rows", _run)


def _run() -> None:
    from accounts.models import User
    from wallets.services import deposit_create
    from wallets.verification import verify_ledger

    operator = User.objects.create(email="bench-operator@example.test", password="!", is_staff=True)
    top = max(LEVELS)
    users: dict[str, list[int]] = {}
    for p, path in enumerate(PATHS):
        users[path] = []
        for i in range(top):
            user = User.objects.create(email=f"bench-hot-{p}-{i}@example.test", password="!")
            deposit_create(user=user, amount="100000")
            users[path].append(user.pk)

    rate: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], float] = {}
    waits: dict[tuple[str, int], float] = {}
    for level in LEVELS:
        for path in PATHS:
            runs = [_measure(path, users[path], operator.pk, level) for _ in range(REPEATS)]
            rate[(path, level)] = statistics.median(r for r, _c, _w in runs)
            cpu[(path, level)] = statistics.median(c for _r, c, _w in runs)
            waits[(path, level)] = statistics.median(w for _r, _c, w in runs)

    print(
        f"operations per second, median of {REPEATS} x {SECONDS:g} s, one member per worker process "
        f"({os.cpu_count()} cores)"
    )
    print(f"{'path':<20}" + "".join(f"  {'c=' + str(level):>8}" for level in LEVELS) + "  client CPU/op (c=1)")
    for path in PATHS:
        cells = "".join(f"  {rate[(path, level)]:>8.0f}" for level in LEVELS)
        print(f"{path:<20}{cells}  {cpu[(path, LEVELS[0])] * 1000:>8.2f} ms")
    print("\nspeed-up over c=1, and as a share of stake+unstake's speed-up at the same concurrency")
    print(f"{'path':<20}" + "".join(f"  {'c=' + str(level):>14}" for level in LEVELS))
    base = LEVELS[0]
    for path in PATHS:
        cells = ""
        for level in LEVELS:
            speedup = rate[(path, level)] / rate[(path, base)]
            reference = rate[("stake+unstake", level)] / rate[("stake+unstake", base)]
            share = speedup / reference
            flag = "" if path.startswith("control") or share >= SHARE or level == base else "!"
            cells += f"  {speedup:>5.2f}x ({share:>4.2f}){flag:1}"
        print(f"{path:<20}{cells}")
    print(f"(!: below {SHARE:.0%} of the per-wallet path's speed-up; the control is expected to fall)")
    print("\nInnoDB row-lock waits per 1,000 operations (server-wide counter; 0 = nothing serialized)")
    print(f"{'path':<20}" + "".join(f"  {'c=' + str(level):>8}" for level in LEVELS))
    for path in PATHS:
        print(f"{path:<20}" + "".join(f"  {waits[(path, level)]:>8.1f}" for level in LEVELS))
    report = verify_ledger()
    print(f"\n{report.summary()}")
