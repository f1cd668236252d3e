"""Run while the replica's server process is killed (tests/replication/test_replication.py
kills it first): every opted-in read is answered from the primary."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from challenges.tests.factories import ChallengeFactory
from conftest import make_token_client
from core.replicas import check_replica, replica_state

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def replication_running():
    """(Overrides the usual reset: the replica is down for this whole file.)"""
    yield


def test_a_dead_replica_is_skipped_and_every_read_answers():
    member = UserFactory(is_staff=True, roles=["operator"])
    challenge = ChallengeFactory(title="Served by the primary")
    state = check_replica("replica")
    assert not state.usable and state.reason.startswith("unreachable"), state
    client = make_token_client(member)
    for path in (
        "/api/v1/challenges/",
        f"/api/v1/challenges/{challenge.slug}/leaderboard/",
        f"/api/v1/challenges/{challenge.slug}/submissions/",
        "/api/v1/badges/",
        "/api/v1/proposals/",
        "/api/v1/audit-logs/",
        "/api/v1/ops/supply/",
        "/api/v1/wallet/transactions/",
        "/challenges/",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert [row["title"] for row in client.get("/api/v1/challenges/").json()["results"]] == [challenge.title]
    assert not replica_state("replica").usable
