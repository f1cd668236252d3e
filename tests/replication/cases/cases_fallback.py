"""A replica whose replication is stopped is skipped: reads go to the primary, nothing fails."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from challenges.tests.factories import ChallengeFactory
from conftest import make_token_client
from core.replicas import check_replica
from tests.replication.cases.helpers import app_queries, on

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.mark.parametrize("statement", ["STOP SLAVE", "STOP SLAVE SQL_THREAD", "STOP SLAVE IO_THREAD"])
def test_stopped_replication_sends_the_reads_to_the_primary(pair, statement):
    member = UserFactory()
    pair.wait_caught_up()
    pair.replica.sql(statement)
    fresh = ChallengeFactory(title="Written while replication was stopped")
    assert check_replica("replica").reason == "replication stopped"
    client = make_token_client(member)
    with on("replica") as replica:
        listed = client.get("/api/v1/challenges/")
        leaderboard = client.get(f"/api/v1/challenges/{fresh.slug}/leaderboard/")
        badges = client.get("/api/v1/badges/")
    assert (listed.status_code, leaderboard.status_code, badges.status_code) == (200, 200, 200)
    assert [row["title"] for row in listed.json()["results"]] == [fresh.title]
    assert app_queries(replica) == []
