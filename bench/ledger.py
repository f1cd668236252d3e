"""Stake/unstake round trips per second: our service vs. the same operation in raw SQL.

Ours: ``wallets.services.stake_create`` then ``unstake_create`` (amount 1), i.e.
everything production runs: row lock, re-check, balance update, ledger row,
audit entries, notification and the badge hook. Baseline: the same two balance
moves through mysqlclient, each ``BEGIN; UPDATE wallets ... WHERE id=? AND
available >= 1`` (row-count check) ``; INSERT INTO transactions ... SELECT``
(balances-after read from the row just updated) ``; COMMIT``.

Both run in the same invocation, at concurrency 1, 2, 4 and 8, each worker a
separate *process* with its own connection and its own wallet (web workers are
processes; threads would measure the GIL, not the ledger). The ratio is
ours / raw per concurrency; target >= 0.7. Also measured in the same run:

* "no audit": ours inside ``auditlog.context.disable_auditlog()`` (no audit entries);
* "ledger only": no audit entries, no notification, no badge hook (the bench patches
  ``wallets.events.transaction_event`` out in its worker): what the ORM path itself
  costs next to the raw SQL;
* "stmt/s": ``SELECT 1`` through mysqlclient, one statement per iteration: the cost
  of one database round trip at that concurrency. With it the table prints the
  ceiling for ours: raw's time plus one such round trip for every statement ours
  sends beyond raw's, with zero Python time.

After the table: a profile of ours (cProfile, one process) and the statements one
round trip of ours sends.

Runs on the throw-away database ``test_ogc_bench_ledger`` (created and dropped
here). Env: BENCH_LEDGER_SECONDS (per measurement, default 3),
BENCH_LEDGER_CONCURRENCY (default "1,2,4,8").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal

from bench._db import on_throwaway_db
from bench._procs import run_workers

SECONDS = float(os.environ.get("BENCH_LEDGER_SECONDS", "3"))
LEVELS = [int(x) for x in os.environ.get("BENCH_LEDGER_CONCURRENCY", "1,2,4,8").split(",")]
DB_NAME = os.environ.get("BENCH_LEDGER_DB", "test_ogc_bench_ledger")
TARGET = 0.7


# --- the two paths, one round trip each -------------------------------------------------


def _ours_factory(user_id: int) -> Callable[[], None]:
    from accounts.models import User
    from wallets.services import stake_create, unstake_create

    user = User.objects.get(pk=user_id)
    one = Decimal(1)

    def round_trip() -> None:
        stake_create(user=user, amount=one)
        unstake_create(user=user, amount=one)

    return round_trip


def _ours_no_audit_factory(user_id: int) -> Callable[[], None]:
    from auditlog.context import disable_auditlog

    inner = _ours_factory(user_id)

    def round_trip() -> None:
        with disable_auditlog():
            inner()

    return round_trip


RAW_MOVE = """UPDATE wallets SET available = available + %s, staked = staked + %s, updated_at = UTC_TIMESTAMP(6)
WHERE id = %s AND available + %s >= 0 AND staked + %s >= 0"""
RAW_ROW = """INSERT INTO transactions (wallet_id, user_id, kind, status, direction, amount, available_after,
 staked_after, held_after, memo, status_reason, chain, destination_address, created_at, completed_at)
SELECT id, user_id, %s, 'completed', 'internal', %s, available, staked, held, '', '', '', '',
 UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM wallets WHERE id = %s"""


def _raw_connection(*, autocommit: bool):
    """A mysqlclient connection to the bench database, outside Django."""
    import MySQLdb
    from django.db import connection

    db = connection.settings_dict
    return MySQLdb.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 3306),
        user=db["USER"],
        password=db["PASSWORD"],
        database=db["NAME"],
        charset="utf8mb4",
        autocommit=autocommit,
    )


def _raw_factory(user_id: int) -> Callable[[], None]:
    conn = _raw_connection(autocommit=False)
    cursor = conn.cursor()
    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    cursor.execute("SELECT id FROM wallets WHERE user_id = %s", (user_id,))
    (wallet_id,) = cursor.fetchone()
    conn.commit()
    one = Decimal(1)

    def move(kind: str, d_available: Decimal, d_staked: Decimal) -> None:
        cursor.execute("BEGIN")
        cursor.execute(RAW_MOVE, (d_available, d_staked, wallet_id, d_available, d_staked))
        if cursor.rowcount != 1:
            conn.rollback()
            raise RuntimeError("insufficient funds in the raw path")
        cursor.execute(RAW_ROW, (kind, one, wallet_id))
        conn.commit()

    def round_trip() -> None:
        move("stake", -one, one)
        move("unstake", one, -one)

    return round_trip


def _ours_ledger_only_factory(user_id: int) -> Callable[[], None]:
    """Ours without the side effects (audit entries, notification, badge hook):
    what the ORM path itself costs next to the raw SQL."""
    from unittest import mock

    from auditlog.context import disable_auditlog

    inner = _ours_factory(user_id)
    quiet = mock.patch("wallets.events.transaction_event", lambda row, **kwargs: None)
    quiet.start()  # this worker process only runs this path

    def round_trip() -> None:
        with disable_auditlog():
            inner()

    return round_trip


def _statement_factory(user_id: int) -> Callable[[], None]:
    """One database round trip (``SELECT 1``) per call, on a raw connection."""
    cursor = _raw_connection(autocommit=True).cursor()

    def round_trip() -> None:
        cursor.execute("SELECT 1")
        cursor.fetchall()

    return round_trip


PATHS = {
    "ours": _ours_factory,
    "ours (auditlog off)": _ours_no_audit_factory,
    "ours (ledger only)": _ours_ledger_only_factory,
    "raw SQL": _raw_factory,
    "SELECT 1": _statement_factory,
}

#: Database round trips of one raw round trip: per move BEGIN, UPDATE, INSERT, COMMIT.
RAW_STATEMENTS = 8
#: Round trips Django sends that CaptureQueriesContext does not show: per transaction,
#: re-enabling autocommit after the COMMIT (the "BEGIN" it shows is disabling it).
UNLOGGED_PER_TRANSACTION = 1


# --- the harness ------------------------------------------------------------------------------


#: Client CPU seconds per round trip (the worker's own process time), per (path, level).
CLIENT_CPU: dict[tuple[str, int], float] = {}


def _measure(path: str, user_ids: list[int], concurrency: int) -> float:
    count, cpu = run_workers(PATHS[path], user_ids[:concurrency], SECONDS, label=path)
    CLIENT_CPU[(path, concurrency)] = cpu / max(count, 1)
    return count / SECONDS


def _queries_per_round_trip(user_id: int) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_trip = _ours_factory(user_id)
    round_trip()  # steady state: the first stake grants the badges (once per user)
    with CaptureQueriesContext(connection) as ctx:
        round_trip()
    return [q["sql"].split(" ")[0] + " " + _table_of(q["sql"]) for q in ctx.captured_queries]


def _table_of(sql: str) -> str:
    for marker in (" FROM `", " INTO `", "UPDATE `"):
        if marker in sql:
            return sql.split(marker, 1)[1].split("`", 1)[0]
    return ""


#: (label, [(file suffix, function), ...]): cumulative time of those functions.
PROFILED = [
    ("the whole round trip", [("bench/ledger.py", "round_trip")]),
    ("SQL execution (statements, client side)", [("MySQLdb/cursors.py", "execute")]),
    (
        "transaction control (autocommit off/on, COMMIT)",
        [("django/db/backends/mysql/base.py", "_set_autocommit"), ("django/db/backends/base/base.py", "_commit")],
    ),
    ("lock the wallet (SELECT ... FOR UPDATE)", [("wallets/lock_objects.py", "wallet_for_update")]),
    ("balances, row and audit (_write)", [("wallets/services/posting.py", "_write")]),
    ("  of which: audit entries (one INSERT)", [("core/audit.py", "log_entries_create")]),
    ("notification (notify)", [("notifications/services.py", "notify")]),
    ("badge hook (on_ledger_row)", [("challenges/badges.py", "on_ledger_row")]),
]


def _profile(user_id: int, rounds: int = 200) -> None:
    """Where one round trip of ours spends its time (cProfile, one process)."""
    import cProfile
    import pstats

    round_trip = _ours_factory(user_id)
    round_trip()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        round_trip()
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = None
    print(f"\nprofile of {rounds} round trips of ours (cumulative time, share of the round trip):")
    for label, functions in PROFILED:
        cumulative = sum(
            v[3]
            for (f, _line, name), v in stats.items()
            if any(name == func and f.endswith(file_part) for file_part, func in functions)
        )
        if total is None:
            total = cumulative or 1.0
        print(f"  {label:<50} {cumulative / rounds * 1000:7.2f} ms  {cumulative / total:6.1%}")


def main() -> None:
    on_throwaway_db(DB_NAME, "bench.ledger", _run)


def _run() -> None:
    from accounts.models import User
    from wallets.services import deposit_create
    from wallets.verification import verify_ledger

    top = max(LEVELS)
    user_ids = {}
    for path in PATHS:
        ids = []
        for i in range(top):
            user = User.objects.create(email=f"bench-{len(user_ids)}-{i}@example.test", password="!")
            deposit_create(user=user, amount="1000")
            ids.append(user.pk)
        user_ids[path] = ids

    queries = _queries_per_round_trip(user_ids["ours"][0])
    ours_trips = len(queries) + 2 * UNLOGGED_PER_TRANSACTION
    extra = ours_trips - RAW_STATEMENTS

    rates: dict[tuple[str, int], float] = {}
    print(f"stake+unstake round trips per second ({SECONDS:g} s per cell, one wallet per worker process)")
    print(
        f"{'concurrency':>11}  {'ours':>6}  {'raw SQL':>7}  {'ratio':>6}  {'no audit':>8}  {'ledger only':>11}"
        f"  {'ledger/raw':>10}  {'stmt/s':>7}  {'ceil rtt':>8}  {'ceil no-py':>10}"
    )
    for level in LEVELS:
        for path in PATHS:
            rates[(path, level)] = _measure(path, user_ids[path], level)
        ours, raw = rates[("ours", level)], rates[("raw SQL", level)]
        quiet, ledger = rates[("ours (auditlog off)", level)], rates[("ours (ledger only)", level)]
        statements = rates[("SELECT 1", level)]
        # Per worker. "rtt": raw's time plus one measured SELECT 1 per extra statement of ours.
        # "no-py": ours' measured waiting (the server working on its statements) plus raw's
        # client CPU, i.e. ours if its Python cost what raw's does.
        raw_time, statement_time = level / raw, level / statements
        ceiling_rtt = raw_time / (raw_time + extra * statement_time)
        ours_waiting = level / ours - CLIENT_CPU[("ours", level)]
        ceiling_no_python = raw_time / (ours_waiting + CLIENT_CPU[("raw SQL", level)])
        # More workers than cores: waiting includes waiting for a CPU, not only the server.
        no_python = f"{ceiling_no_python:>9.2f}x" if level <= (os.cpu_count() or 1) else f"{'n/a':>10}"
        flag = "" if ours / raw >= TARGET else "  < target"
        print(
            f"{level:>11}  {ours:>6.0f}  {raw:>7.0f}  {ours / raw:>5.2f}x  {quiet:>8.0f}  {ledger:>11.0f}"
            f"  {ledger / raw:>9.2f}x  {statements:>7.0f}  {ceiling_rtt:>7.2f}x  {no_python}{flag}",
            flush=True,
        )
    print(
        f"ceil rtt: raw's rate if each of ours' {extra} extra statements cost one SELECT 1 round trip and Python "
        "nothing (network only)\nceil no-py: ours' measured waiting on the server + raw's client CPU (the ORM's "
        f"Python free; n/a above the core count); statement count alone gives {RAW_STATEMENTS}/{ours_trips} = "
        f"{RAW_STATEMENTS / ours_trips:.2f}x"
    )
    print("\nwhere a round trip's time goes, per worker (client CPU = the worker's own process time):")
    print(f"{'concurrency':>11}  {'path':<20} {'wall ms':>8}  {'client CPU ms':>13}  {'waiting ms':>10}")
    for level in LEVELS:
        for path in ("ours", "ours (ledger only)", "raw SQL"):
            wall = level / rates[(path, level)] * 1000
            cpu = CLIENT_CPU[(path, level)] * 1000
            print(f"{level:>11}  {path:<20} {wall:>8.2f}  {cpu:>13.2f}  {wall - cpu:>10.2f}")
    _profile(user_ids["ours"][0])

    print(
        f"\nstatements in one round trip of ours: {len(queries)} shown + {2 * UNLOGGED_PER_TRANSACTION} "
        f"not shown (autocommit back on after each COMMIT) = {ours_trips} database round trips; "
        f"raw SQL: {RAW_STATEMENTS} (BEGIN, UPDATE, INSERT ... SELECT, COMMIT per move)"
    )
    for statement in queries:
        print(f"  {statement}")
    report = verify_ledger()
    print(f"\n{report.summary()}")
