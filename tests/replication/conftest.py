"""The private MariaDB primary and replica of the replication and cluster tests: started
once per session (only when a test here asks for them), stopped at its end."""

from __future__ import annotations

import pytest

from tests.replication.servers import MariaDBPair, missing_reason


@pytest.fixture(scope="session")
def mariadb_pair():
    reason = missing_reason()
    if reason:
        pytest.skip(f"Replication tests need their own MariaDB servers: {reason}.")
    pair = MariaDBPair().start()
    try:
        yield pair
    finally:
        pair.stop()
