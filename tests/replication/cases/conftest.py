"""Run by tests/replication/test_replication.py in a child pytest whose ``default``
database is the private primary and whose ``replica`` alias is its real replica
(``python_files=cases_*.py``: the main run never collects these files).

Under the test runner the replica alias mirrors the test database (TEST MIRROR), which
makes it connect to the primary; here it is pointed back at the replica server, where
the test database exists by replication."""

from __future__ import annotations

import os

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from core.replicas import forget_replica_states
from tests.replication.servers import MariaDBPair

REPLICA = "replica"


@pytest.fixture(scope="session")
def pair() -> MariaDBPair:
    return MariaDBPair.attach_from_environ()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, pair):
    from django.conf import settings

    from ogc.settings.base import replica_databases

    real = replica_databases(settings.DATABASE_REPLICA_URLS)[REPLICA]
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    replica = connections[REPLICA]
    replica.close()
    replica.settings_dict = {
        **primary,
        **{key: real[key] for key in ("HOST", "PORT", "USER", "PASSWORD", "OPTIONS", "TEST")},
        "NAME": primary["NAME"],
    }
    if not os.environ.get("OGC_REPL_REPLICA_DOWN"):
        pair.wait_caught_up(timeout=120)  # the migrated test database reached the replica
    yield


@pytest.fixture(autouse=True)
def replication_running(pair):
    """Each case starts and ends with replication running, undelayed and caught up."""
    forget_replica_states()
    yield
    pair.start_replication(delay=0)
    pair.wait_caught_up(timeout=60)
    forget_replica_states()
