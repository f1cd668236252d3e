"""The read replicas on real MariaDB replication (issue #20): a private primary and GTID
replica (``mariadb_pair``, once per session) and the cases of ``tests/replication/cases/``
run in a child pytest whose ``default`` is that primary and whose ``replica`` is that
replica (this process's own database is the machine's server, which stays untouched)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.replication.servers import MariaDBPair

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent.parent
CASES = Path(__file__).resolve().parent / "cases"
TEST_DATABASE = "test_ogc_replication"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--reuse-db", "-o", "python_files=cases_*.py"]


def pair_environ(pair: MariaDBPair, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "OGC_", "CACHE_URL", "DRAMATIQ_", "PYTEST_"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "ogc.settings.test",
        "DATABASE_URL": pair.url(),
        "DATABASE_REPLICA_URLS": pair.replica_url(),
        "OGC_TEST_DATABASE_NAME": TEST_DATABASE,
        "OGC_REPLICA_HEALTH_TTL_SECONDS": "0",
        **pair.environ(),
        **extra,
    }


def run_cases(pair: MariaDBPair, name: str, **extra: str) -> None:
    result = subprocess.run(
        [*PYTEST, str(CASES / name)],
        cwd=BASE_DIR,
        env=pair_environ(pair, **extra),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout[-8000:]}\n{result.stderr[-4000:]}"


def test_each_selector_reads_where_it_should(mariadb_pair):
    run_cases(mariadb_pair, "cases_routing.py")


def test_a_member_reads_their_own_stake_submission_and_vote_at_once(mariadb_pair):
    run_cases(mariadb_pair, "cases_read_your_writes.py")


def test_stopped_replication_falls_back_to_the_primary(mariadb_pair):
    run_cases(mariadb_pair, "cases_fallback.py")


def test_the_lag_guard_skips_a_delayed_replica(mariadb_pair):
    run_cases(mariadb_pair, "cases_lag.py")


def test_a_killed_replica_falls_back_to_the_primary(mariadb_pair):
    mariadb_pair.replica.kill()
    try:
        run_cases(mariadb_pair, "cases_replica_down.py", OGC_REPL_REPLICA_DOWN="1")
    finally:
        mariadb_pair.restart_replica()


def test_two_webs_and_two_workers_survive_losing_one_of_each(mariadb_pair):
    run_cases(mariadb_pair, "cases_cluster.py")


def test_throttles_lockouts_and_sessions_hold_across_web_nodes(mariadb_pair):
    run_cases(mariadb_pair, "cases_cluster_shared_state.py")
