"""The lag guard: a replica further behind than OGC_REPLICA_MAX_LAG_SECONDS is skipped."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from challenges.tests.factories import ChallengeFactory
from core.replicas import check_replica, forget_replica_states
from tests.replication.cases.helpers import app_queries, on, wait_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_a_replica_lagging_past_the_limit_is_skipped(pair, settings):
    settings.OGC_REPLICA_MAX_LAG_SECONDS = 1
    member = UserFactory()
    pair.wait_caught_up()
    pair.start_replication(delay=6)
    fresh = ChallengeFactory(title="Newer than the replica")
    wait_for(lambda: (check_replica("replica").lag_seconds or 0) > 1, timeout=10, what="the replica to lag")
    state = check_replica("replica")
    assert not state.usable and state.reason.startswith("lagging"), state
    # A session, not an API token: a token's first use in a minute records its last use (a
    # write), and the member's own reads would then go to the primary (read-your-writes).
    client = APIClient()
    client.force_authenticate(member)
    with on("replica") as replica:
        listed = client.get("/api/v1/challenges/")
    assert listed.status_code == 200
    assert [row["title"] for row in listed.json()["results"]] == [fresh.title]
    assert app_queries(replica) == []

    # The same moment with a looser limit: the replica answers, without the new row
    # (it really was behind; the guard is what kept the member from a stale list).
    settings.OGC_REPLICA_MAX_LAG_SECONDS = 600
    forget_replica_states()
    with on("replica") as replica:
        stale = client.get("/api/v1/challenges/")
    assert stale.status_code == 200 and stale.json()["results"] == []
    assert app_queries(replica)
