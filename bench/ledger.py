"""The ledger's hot path against raw SQL (issue #16, item 8): stake+unstake round trips
and member-transfer round trips per second, three paths each, in one run.

* **minimal raw**: the least SQL that moves the balances and leaves one ledger row per
  wallet: per move ``UPDATE wallets ... WHERE <enough>`` (row-count check) and
  ``INSERT INTO transactions ... SELECT`` (balances after, read from the row just
  updated), in a transaction. A transfer: both UPDATEs (pk order) and both INSERTs.
* **same-work raw**: exactly the statements and rows ours writes, on a mysqlclient
  cursor, with nothing else: the lock read (``SELECT ... FOR UPDATE``), the balance
  UPDATE, the ledger row, the journal entry and its lines, the audit entries in one
  INSERT, for a transfer also the recipient lookup, the 24-hour sum and the receiver's
  notification and deliveries (opt-out folded in), inside the same transaction control
  Django sends (autocommit off, COMMIT, autocommit on). The column lists are the ones
  ours uses (``core.rows.Table``: the models' concrete fields); the run checks that
  its rows equal ours, column by column, before measuring.
* **ours**: ``stake_create`` + ``unstake_create``, or ``transfer_create`` there and back,
  i.e. everything production runs (the staking badges' request enqueued on commit; on
  the test settings' stub broker, which only the worker process consumes).

Each cell: concurrency 1, 2, 4, 8 worker *processes* (each with its own connection and
its own wallet, or its own pair of members for transfers: no cross-worker locks), the
median of 3 runs (``BENCH_LEDGER_REPEATS``), with the client CPU per round trip
(``time.process_time`` in the workers). Targets: ours >= 0.85x same-work raw and
>= 0.35x minimal raw. Then a profile of ours and the statements of one round trip.

Env: BENCH_LEDGER_SECONDS (per run, default 3), BENCH_LEDGER_CONCURRENCY ("1,2,4,8"),
BENCH_LEDGER_REPEATS (3), BENCH_LEDGER_DB (the throw-away database,
``test_ogc_bench_ledger``), BENCH_LEDGER_SHORT=1 (a smoke run: 0.3 s, c=1,2, one run).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal

from bench._db import on_throwaway_db
from bench._procs import run_workers

SHORT = os.environ.get("BENCH_LEDGER_SHORT") == "1"
SECONDS = float(os.environ.get("BENCH_LEDGER_SECONDS", "0.3" if SHORT else "3"))
LEVELS = [int(x) for x in os.environ.get("BENCH_LEDGER_CONCURRENCY", "1,2" if SHORT else "1,2,4,8").split(",")]
REPEATS = int(os.environ.get("BENCH_LEDGER_REPEATS", "1" if SHORT else "3"))
DB_NAME = os.environ.get("BENCH_LEDGER_DB", "test_ogc_bench_ledger")
SAME_WORK_TARGET, MINIMAL_TARGET = 0.85, 0.35
ONE = Decimal(1)

# The workers transfer thousands of times a minute between their two members.
os.environ.setdefault("OGC_TRANSFER_DAILY_LIMIT", "1000000000")


def _raw_connection():
    """A mysqlclient connection to the bench database, outside Django (autocommit on,
    READ COMMITTED like Django's connections)."""
    import MySQLdb
    from django.db import connection

    db = connection.settings_dict
    conn = MySQLdb.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 3306),
        user=db["USER"],
        password=db["PASSWORD"],
        database=db["NAME"],
        charset="utf8mb4",
        autocommit=True,
    )
    conn.cursor().execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    _RAW.append(conn)
    return conn


#: This process's raw connections, closed before the database is dropped (an open
#: transaction on one would make DROP DATABASE wait for ever).
_RAW: list = []


# --- ours ----------------------------------------------------------------------------------------


def _ours_stake(key: tuple[int, ...]) -> Callable[[], None]:
    from accounts.models import User
    from wallets.services import stake_create, unstake_create

    user = User.objects.get(pk=key[0])

    def round_trip() -> None:
        stake_create(user=user, amount=ONE)
        unstake_create(user=user, amount=ONE)

    return round_trip


def _ours_transfer(key: tuple[int, ...]) -> Callable[[], None]:
    from accounts.models import User
    from wallets.services import transfer_create

    a, b = User.objects.get(pk=key[0]), User.objects.get(pk=key[1])

    def round_trip() -> None:
        transfer_create(sender=a, recipient=b.email, amount=ONE)
        transfer_create(sender=b, recipient=a.email, amount=ONE)

    return round_trip


# --- minimal raw ----------------------------------------------------------------------------------

MIN_MOVE = """UPDATE wallets SET available = available + %s, staked = staked + %s, updated_at = UTC_TIMESTAMP(6)
WHERE id = %s AND available + %s >= 0 AND staked + %s >= 0"""
MIN_ROW = """INSERT INTO transactions (wallet_id, user_id, kind, status, direction, amount, available_after,
 staked_after, held_after, memo, status_reason, chain, destination_address, created_at, completed_at)
SELECT id, user_id, %s, 'completed', %s, %s, available, staked, held, '', '', '', '',
 UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM wallets WHERE id = %s"""


def _wallet_ids(cursor, user_ids) -> list[int]:
    out = []
    for user_id in user_ids:
        cursor.execute("SELECT id FROM wallets WHERE user_id = %s", (user_id,))
        out.append(cursor.fetchone()[0])
    return out


def _minimal_stake(key: tuple[int, ...]) -> Callable[[], None]:
    conn = _raw_connection()
    cursor = conn.cursor()
    (wallet_id,) = _wallet_ids(cursor, key[:1])

    def move(kind: str, d_available: Decimal, d_staked: Decimal) -> None:
        cursor.execute("BEGIN")
        cursor.execute(MIN_MOVE, (d_available, d_staked, wallet_id, d_available, d_staked))
        if cursor.rowcount != 1:
            conn.rollback()
            raise RuntimeError("insufficient funds in the raw path")
        cursor.execute(MIN_ROW, (kind, "internal", ONE, wallet_id))
        cursor.execute("COMMIT")

    def round_trip() -> None:
        move("stake", -ONE, ONE)
        move("unstake", ONE, -ONE)

    return round_trip


def _minimal_transfer(key: tuple[int, ...]) -> Callable[[], None]:
    conn = _raw_connection()
    cursor = conn.cursor()
    a, b = _wallet_ids(cursor, key[:2])

    def send(sender: int, receiver: int) -> None:
        cursor.execute("BEGIN")
        for wallet_id in sorted((sender, receiver)):  # pk order, like ours
            delta = -ONE if wallet_id == sender else ONE
            cursor.execute(MIN_MOVE, (delta, 0, wallet_id, delta, 0))
            if cursor.rowcount != 1:
                conn.rollback()
                raise RuntimeError("insufficient funds in the raw path")
        cursor.execute(MIN_ROW, ("transfer_out", "debit", ONE, sender))
        cursor.execute(MIN_ROW, ("transfer_in", "credit", ONE, receiver))
        cursor.execute("COMMIT")

    def round_trip() -> None:
        send(a, b)
        send(b, a)

    return round_trip


# --- same-work raw: bench/_same_work.py ---------------------------------------------------------


def _same_work_stake(key: tuple[int, ...]) -> Callable[[], None]:
    from bench._same_work import SameWork

    return SameWork(_raw_connection()).stake_round_trip(key[0])


def _same_work_transfer(key: tuple[int, ...]) -> Callable[[], None]:
    from bench._same_work import SameWork

    return SameWork(_raw_connection()).transfer_round_trip(key[0], key[1])


OPERATIONS = {
    "stake+unstake": {"minimal raw": _minimal_stake, "same-work raw": _same_work_stake, "ours": _ours_stake},
    "transfer there and back": {
        "minimal raw": _minimal_transfer,
        "same-work raw": _same_work_transfer,
        "ours": _ours_transfer,
    },
}


# --- the harness --------------------------------------------------------------------------------------


def _members(count: int, label: str) -> list[int]:
    from accounts.models import User
    from wallets.services import deposit_create

    ids = []
    for i in range(count):
        user = User.objects.create(email=f"bench-{label}-{i}@example.test", password="!")
        deposit_create(user=user, amount="1000000")
        ids.append(user.pk)
    return ids


def _keys(operation: str, level: int, label: str) -> list[tuple[int, ...]]:
    """One key per worker, on members no other cell uses: one member (stake) or a pair (transfer)."""
    per_worker = 1 if operation == "stake+unstake" else 2
    ids = _members(level * per_worker, label)
    return [tuple(ids[i * per_worker : (i + 1) * per_worker]) for i in range(level)]


def _cell(operation: str, path: str, level: int) -> tuple[float, float]:
    """Median of REPEATS runs: (round trips per second, client CPU ms per round trip of that run)."""
    runs = []
    for repeat in range(REPEATS):
        keys = _keys(operation, level, f"{operation[:5]}-{path[:4]}-{level}-{repeat}")
        count, cpu = run_workers(OPERATIONS[operation][path], keys, SECONDS, label=f"{operation}/{path}")
        runs.append((count / SECONDS, cpu / max(count, 1) * 1000))
    runs.sort()
    return runs[len(runs) // 2]


def _verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio >= target else "MISS"


def _table() -> list[str]:
    misses = []
    for operation in OPERATIONS:
        print(
            f"\n{operation}: round trips per second (median of {REPEATS} x {SECONDS:g} s), client CPU ms per round trip"
        )
        print(
            f"{'c':>2}  {'minimal':>8} {'cpu':>5}  {'same-work':>9} {'cpu':>5}  {'ours':>6} {'cpu':>5}"
            f"  {'ours/same-work':>14}  {'ours/minimal':>12}  {'same-work/minimal':>17}"
        )
        for level in LEVELS:
            (minimal, m_cpu), (same, s_cpu), (ours, o_cpu) = (
                _cell(operation, path, level) for path in ("minimal raw", "same-work raw", "ours")
            )
            vs_same, vs_min = ours / same, ours / minimal
            a, b = _verdict(vs_same, SAME_WORK_TARGET), _verdict(vs_min, MINIMAL_TARGET)
            if "MISS" in (a, b):
                misses.append(f"{operation} c={level}")
            print(
                f"{level:>2}  {minimal:>8.0f} {m_cpu:>5.2f}  {same:>9.0f} {s_cpu:>5.2f}  {ours:>6.0f} {o_cpu:>5.2f}"
                f"  {vs_same:>8.2f}x {a}  {vs_min:>6.2f}x {b}  {same / minimal:>16.2f}x",
                flush=True,
            )
    return misses


#: (label, [(file suffix, function), ...]): cumulative time of those functions.
PROFILED = [
    ("the whole round trip", [("bench/ledger.py", "round_trip")]),
    ("SQL execution (mysqlclient, incl. waiting)", [("MySQLdb/cursors.py", "execute")]),
    (
        "transaction control (autocommit off/on, COMMIT)",
        [("django/db/backends/mysql/base.py", "_set_autocommit"), ("django/db/backends/base/base.py", "_commit")],
    ),
    ("lock the wallet (SELECT ... FOR UPDATE)", [("wallets/lock_objects.py", "wallet_for_update")]),
    ("balances, row, entry and audit (_write)", [("wallets/services/posting.py", "_write")]),
    ("  of which: journal entry and lines", [("wallets/services/posting.py", "_journal")]),
    ("  of which: audit entries (one INSERT)", [("core/audit.py", "log_entries_create")]),
    ("ledger listeners (badge request on commit)", [("wallets/listeners.py", "ledger_row_written")]),
    ("after commit: badge request to the broker", [("challenges/ledger_badges.py", "ledger_badges_enqueue")]),
    ("notification (notify)", [("notifications/services.py", "notify")]),
]


def _profile(operation: str, key: tuple[int, ...], rounds: int = 200) -> None:
    """Where one round trip of ours spends its time (cProfile, one process; wall time)."""
    import cProfile
    import pstats

    round_trip = OPERATIONS[operation]["ours"](key)
    round_trip()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        round_trip()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = None
    print(f"\nprofile of {rounds} {operation} round trips of ours (cumulative wall time under cProfile):")
    for label, functions in PROFILED:
        cumulative = sum(
            v[3]
            for (f, _line, name), v in stats.items()
            if any(name == func and f.endswith(file_part) for file_part, func in functions)
        )
        if total is None:
            total = cumulative or 1.0
        if cumulative:
            print(f"  {label:<50} {cumulative / rounds * 1000:7.2f} ms  {cumulative / total:6.1%}")


def _statements(operation: str, key: tuple[int, ...]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_trip = OPERATIONS[operation]["ours"](key)
    round_trip()
    with CaptureQueriesContext(connection) as ctx:
        round_trip()
    return [_short(q["sql"]) for q in ctx.captured_queries]


def _short(sql: str) -> str:
    for marker in (" INTO `", "UPDATE `", " FROM `"):
        if marker in sql:
            return sql.split(" ")[0] + " " + sql.split(marker, 1)[1].split("`", 1)[0]
    return sql.split(" ")[0]


def main() -> None:
    on_throwaway_db(DB_NAME, "bench.ledger", _run)


def _run() -> None:
    try:
        _measure_all()
    finally:
        for conn in _RAW:
            conn.close()


def _measure_all() -> None:
    from bench._same_work import check_same_rows
    from wallets.verification import verify_ledger

    check_same_rows(_raw_connection, _members)
    print("same-work raw writes ours' rows: checked column by column (bench/_same_work.py)")
    misses = _table()
    print(
        f"\ntargets: ours >= {SAME_WORK_TARGET}x same-work raw and >= {MINIMAL_TARGET}x minimal raw; "
        + ("all met" if not misses else f"missed at: {', '.join(misses)}")
    )
    for operation in OPERATIONS:
        key = _keys(operation, 1, f"prof-{operation[:5]}")[0]
        _profile(operation, key)
        statements = _statements(operation, key)
        print(f"statements of one {operation} round trip of ours ({len(statements)} shown, + 1 autocommit-on each):")
        print("  " + ", ".join(statements))
    report = verify_ledger()
    print(f"\n{report.summary()}")
