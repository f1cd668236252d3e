"""Read-your-writes: right after a member's stake, submission or vote, that member's
opted-in reads show it although the replica is behind (others still read the replica).
The replica is delayed (MASTER_DELAY) but within the lag guard."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from challenges.selectors import submission_list
from challenges.tests.factories import ChallengeFactory
from conftest import make_token_client
from core.db_router import replica_reads
from core.replicas import as_member
from governance.selectors import proposal_list
from governance.tests.factories import open_proposal, staked_member
from tests.replication.cases.helpers import app_queries, on
from wallets.selectors import transaction_list_for_user
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

DELAY = 3


@pytest.fixture
def delayed_replica(pair, settings):
    settings.OGC_REPLICA_MAX_LAG_SECONDS = 60  # behind, but not enough to be skipped
    pair.wait_caught_up()
    pair.start_replication(delay=DELAY)
    return pair


def _read_by_someone_else(read):
    """The same read with no member's writes to honour: served by the (stale) replica."""
    with as_member(None), replica_reads() as alias:
        assert alias == "replica"
        return read()


def test_a_member_sees_their_stake_at_once(delayed_replica):
    member = funded_user("50")
    delayed_replica.wait_caught_up()  # (the delay applies to events written from now on)
    client = make_token_client(member)
    response = client.post("/api/v1/wallet/stake/", {"amount": "5"}, HTTP_IDEMPOTENCY_KEY="ryw-stake")
    assert response.status_code == 201, response.content
    assert not [
        t for t in _read_by_someone_else(lambda: list(transaction_list_for_user(user=member))) if t.kind == "stake"
    ]
    with on("replica") as replica:
        listed = client.get("/api/v1/wallet/transactions/")
    assert listed.status_code == 200
    assert "stake" in [row["kind"] for row in listed.json()["results"]]
    assert app_queries(replica) == []  # the replica had not applied it: the primary answered
    delayed_replica.wait_caught_up(timeout=DELAY + 10)
    with on("replica") as replica:
        again = client.get("/api/v1/wallet/transactions/")
    assert "stake" in [row["kind"] for row in again.json()["results"]]
    assert app_queries(replica), "once caught up, the replica serves the member again"


def test_a_member_sees_their_submission_at_once(delayed_replica):
    member = UserFactory()
    challenge = ChallengeFactory()
    delayed_replica.wait_caught_up()
    client = make_token_client(member)
    created = client.post(f"/api/v1/challenges/{challenge.slug}/submissions/", {"title": "Mine", "content": "c"})
    assert created.status_code == 201, created.content
    assert _read_by_someone_else(lambda: list(submission_list(challenge=challenge, user=member))) == []
    listed = client.get(f"/api/v1/challenges/{challenge.slug}/submissions/")
    assert listed.status_code == 200
    assert [row["title"] for row in listed.json()["results"]] == ["Mine"]


def test_a_member_sees_their_vote_at_once(delayed_replica):
    voter = staked_member("20")  # staked before the proposal's snapshot: voting power
    proposal = open_proposal()
    delayed_replica.wait_caught_up()
    client = make_token_client(voter)
    assert client.post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "for"}).status_code == 200
    stale = _read_by_someone_else(lambda: {p.pk: p.vote_count for p in proposal_list()})
    assert stale[proposal.pk] == 0
    listed = client.get("/api/v1/proposals/")
    assert listed.status_code == 200
    counts = {row["id"]: row["vote_count"] for row in listed.json()["results"]}
    assert counts[proposal.pk] == 1
