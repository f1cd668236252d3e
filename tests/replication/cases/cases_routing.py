"""Routing per selector: the reads that opted in (``@reads_from_replica``) come from the
replica; services, locks, reads inside a transaction and everything else from the primary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from accounts.tests.factories import SuperuserFactory, UserFactory
from challenges import selectors as challenge_selectors
from challenges.models import Challenge
from challenges.tests.factories import ChallengeFactory, SubmissionFactory
from conftest import make_token_client
from core.db_router import replica_reads
from governance import selectors as governance_selectors
from tests.replication.cases.helpers import app_queries, database_name, on
from wallets import selectors as wallet_selectors
from wallets.services import stake_create
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def test_each_selector_marked_safe_to_be_stale_reads_from_the_replica_only(pair):
    member = funded_user("10")
    challenge = ChallengeFactory()
    SubmissionFactory(challenge=challenge, user=member, status="accepted", score=Decimal("7"))
    pair.wait_caught_up()
    reads = {
        "challenge_list": lambda: list(challenge_selectors.challenge_list(user=AnonymousUser())),
        "challenge_sections": lambda: challenge_selectors.challenge_sections(user=AnonymousUser()),
        "leaderboard": lambda: list(challenge_selectors.leaderboard(challenge=challenge)),
        "submission_list": lambda: list(challenge_selectors.submission_list(challenge=challenge, user=member)),
        "badge_catalog": lambda: list(challenge_selectors.badge_catalog()),
        "public_profile": lambda: challenge_selectors.public_profile(user_id=member.pk),
        "proposal_list": lambda: list(governance_selectors.proposal_list()),
        "audit_log_list": lambda: list(governance_selectors.audit_log_list()[:10]),
        "transaction_list_for_user": lambda: list(wallet_selectors.transaction_list_for_user(user=member)),
        "supply_report": lambda: wallet_selectors.supply_report(),
    }
    for name, read in reads.items():
        with on("replica") as replica, on("default") as primary:
            read()
        assert app_queries(replica), f"{name} did not read from the replica"
        assert not app_queries(primary), f"{name} read from the primary: {app_queries(primary)}"


def test_a_row_changed_on_the_replica_alone_shows_in_the_opted_in_list_not_in_the_detail(pair):
    member = UserFactory()
    challenge = ChallengeFactory(title="Title on the primary")
    pair.wait_caught_up()
    # Diverge the replica on purpose (not binlogged: replication stays consistent).
    pair.replica.sql(
        f"SET sql_log_bin=0; UPDATE `{database_name()}`.challenges SET title='Title on the replica' "
        f"WHERE id={challenge.pk}"
    )
    client = make_token_client(member)
    listed = client.get("/api/v1/challenges/")
    assert listed.status_code == 200
    assert [row["title"] for row in listed.json()["results"]] == ["Title on the replica"]
    detail = client.get(f"/api/v1/challenges/{challenge.slug}/")  # challenge_get: primary
    assert detail.status_code == 200 and detail.json()["title"] == "Title on the primary"
    pair.replica.sql(
        f"SET sql_log_bin=0; UPDATE `{database_name()}`.challenges SET title='Title on the primary' "
        f"WHERE id={challenge.pk}"
    )


def test_services_locks_and_reads_in_a_transaction_use_the_primary(pair):
    member = funded_user("10")
    challenge = ChallengeFactory()
    pair.wait_caught_up()
    with on("replica") as replica:
        with replica_reads() as alias:
            assert alias == "replica"
            stake_create(user=member, amount=Decimal("2"))  # a service inside an opted-in block
            with transaction.atomic():
                list(Challenge.objects.select_for_update().filter(pk=challenge.pk))
                list(challenge_selectors.leaderboard(challenge=challenge))
        with transaction.atomic():
            list(challenge_selectors.challenge_list(user=member))
            list(wallet_selectors.transaction_list_for_user(user=member))
        # Not opted in: the primary even with a healthy replica.
        assert challenge_selectors.challenge_get(slug=challenge.slug, user=member).pk == challenge.pk
        wallet_selectors.wallet_get_for_user(user=member)
    assert app_queries(replica) == []


def test_the_admin_change_form_reads_the_primary(pair, client):
    admin = SuperuserFactory()  # staff enrol a second factor (the console refuses them otherwise)
    challenge = ChallengeFactory()
    pair.wait_caught_up()
    client.force_login(admin)
    with on("replica") as replica:
        response = client.get(f"/admin/challenges/challenge/{challenge.pk}/change/")
    assert response.status_code == 200
    assert app_queries(replica) == []
