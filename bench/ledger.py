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
ours / raw per concurrency; target >= 0.7. A ``--profile`` style breakdown (the
queries one round trip of ours issues, and the rate with auditlog switched off)
is printed after the table to say where the time goes.

Runs on the throw-away database ``test_ogc_bench_ledger`` (created and dropped
here). Env: BENCH_LEDGER_SECONDS (per measurement, default 3),
BENCH_LEDGER_CONCURRENCY (default "1,2,4,8").
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections.abc import Callable
from decimal import Decimal

SECONDS = float(os.environ.get("BENCH_LEDGER_SECONDS", "3"))
LEVELS = [int(x) for x in os.environ.get("BENCH_LEDGER_CONCURRENCY", "1,2,4,8").split(",")]
DB_NAME = "test_ogc_bench_ledger"
TARGET = 0.7


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogc.settings.test")
    os.environ["OGC_TEST_DATABASE_NAME"] = DB_NAME
    import django

    django.setup()


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


def _raw_factory(user_id: int) -> Callable[[], None]:
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
        autocommit=False,
    )
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


def _ours_core_factory(user_id: int) -> Callable[[], None]:
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


PATHS = {
    "ours": _ours_factory,
    "ours (auditlog off)": _ours_no_audit_factory,
    "ours (core only)": _ours_core_factory,
    "raw SQL": _raw_factory,
}


# --- the harness ------------------------------------------------------------------------------


def _worker(path: str, user_id: int, barrier, results, seconds: float) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    round_trip = PATHS[path](user_id)
    round_trip()  # warm up (connection, caches)
    barrier.wait()
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        round_trip()
        count += 1
    results.put(count)
    connections.close_all()


def _measure(path: str, user_ids: list[int], concurrency: int) -> float:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(concurrency)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(path, user_ids[i], barrier, results, SECONDS)) for i in range(concurrency)
    ]
    for p in procs:
        p.start()
    counts = [results.get(timeout=SECONDS * 10 + 60) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"{path} worker failed (exit {p.exitcode})")
    return sum(counts) / SECONDS


def _queries_per_round_trip(user_id: int) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    round_trip = _ours_factory(user_id)
    with CaptureQueriesContext(connection) as ctx:
        round_trip()
    return [q["sql"].split(" ")[0] + " " + _table_of(q["sql"]) for q in ctx.captured_queries]


def _table_of(sql: str) -> str:
    for marker in (" FROM `", " INTO `", "UPDATE `"):
        if marker in sql:
            return sql.split(marker, 1)[1].split("`", 1)[0]
    return ""


PROFILED = [
    ("the whole round trip", "bench/ledger.py", "round_trip"),
    ("SQL execution (all statements, client side)", "MySQLdb/cursors.py", "execute"),
    ("notification (notify)", "notifications/services.py", "notify"),
    ("badge hook (on_ledger_row)", "challenges/badges.py", "on_ledger_row"),
    ("audit entries (LogEntry writes)", "auditlog/models.py", "log_create"),
    ("transaction row save", "wallets/services.py", "_write"),
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
    for label, file_part, func in PROFILED:
        cumulative = sum(v[3] for (f, _line, name), v in stats.items() if name == func and f.endswith(file_part))
        if total is None:
            total = cumulative or 1.0
        print(f"  {label:<46} {cumulative / rounds * 1000:7.2f} ms  {cumulative / total:6.1%}")


def main() -> None:
    _setup_django()
    from django.db import connection

    if connection.vendor != "mysql":
        print("bench.ledger needs MariaDB/MySQL (DATABASE_URL); skipped.")
        return
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DB_NAME
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        _run()
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)


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

    rates: dict[tuple[str, int], float] = {}
    print(f"stake+unstake round trips per second ({SECONDS:g} s per cell, one wallet per worker process)")
    print(
        f"{'concurrency':>11}  {'ours':>7}  {'raw SQL':>7}  {'ratio':>6}  {'no audit':>8}  {'core only':>9}  {'core/raw':>8}"
    )
    for level in LEVELS:
        for path in PATHS:
            rates[(path, level)] = _measure(path, user_ids[path], level)
        ours, raw = rates[("ours", level)], rates[("raw SQL", level)]
        quiet, core = rates[("ours (auditlog off)", level)], rates[("ours (core only)", level)]
        flag = "" if ours / raw >= TARGET else "  < target"
        print(
            f"{level:>11}  {ours:>7.0f}  {raw:>7.0f}  {ours / raw:>5.2f}x  {quiet:>8.0f}  {core:>9.0f}  "
            f"{core / raw:>7.2f}x{flag}",
            flush=True,
        )
    _profile(user_ids["ours"][0])

    queries = _queries_per_round_trip(user_ids["ours"][0])
    print(f"\nqueries in one round trip of ours ({len(queries)}; raw SQL: 8 + 2 BEGIN):")
    for statement in queries:
        print(f"  {statement}")
    report = verify_ledger()
    print(f"\n{report.summary()}")
