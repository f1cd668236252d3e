"""Demo data at scale: ``seed --demo --users N`` (default 10,000) on MariaDB.

Creates and migrates a throw-away database ``test_ogc_bench_seed`` (Django's
test-database creation, like the test runner), times ``seed --demo --users N``
(roles, plans, admin, the five demo users and the N-user platform, one
transaction), then times ``verify_ledger`` and ``check_integrity`` on the result
and drops the database. Target: under 60 s for 10,000 users and about 100,000
ledger rows (issue 8, part 5). Env: BENCH_SEED_USERS.
"""

from __future__ import annotations

import os
import sys
import time
from io import StringIO

USERS = int(os.environ.get("BENCH_SEED_USERS", "10000"))
DB_NAME = "test_ogc_bench_seed"
TARGET_SECONDS = 60.0


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ogc.settings.test")
    os.environ["OGC_TEST_DATABASE_NAME"] = DB_NAME
    import django

    django.setup()


def _timed(*args: str) -> tuple[float, str]:
    from django.core.management import call_command

    out = StringIO()
    start = time.perf_counter()
    call_command(*args, stdout=out, stderr=sys.stderr)
    return time.perf_counter() - start, out.getvalue().strip().splitlines()[-1]


def main() -> None:
    _setup_django()
    from django.db import connection

    from wallets.models import Transaction

    if connection.vendor != "mysql":
        print("bench.seed_scale needs MariaDB/MySQL (DATABASE_URL); skipped.")
        return
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        seed_seconds, seed_line = _timed("seed", "--demo", "--users", str(USERS))
        rows = Transaction.objects.count()
        verify_seconds, verify_line = _timed("verify_ledger", "--no-progress")
        integrity_seconds, integrity_line = _timed("check_integrity")
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    print(f"{'step':<40}{'seconds':>10}  result")
    print(f"{f'seed --demo --users {USERS}':<40}{seed_seconds:>10.2f}  {seed_line}")
    print(f"{'verify_ledger':<40}{verify_seconds:>10.2f}  {verify_line}")
    print(f"{'check_integrity':<40}{integrity_seconds:>10.2f}  {integrity_line}")
    verdict = "within" if seed_seconds < TARGET_SECONDS else "OVER"
    print(f"{USERS} users, {rows} ledger rows: {seed_seconds:.1f} s ({verdict} the {TARGET_SECONDS:.0f} s target)")
