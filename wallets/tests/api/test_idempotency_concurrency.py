"""Idempotency-Key under real concurrency: threads calling the API view, each on
its own database connection (hence ``transaction=True``)."""

from decimal import Decimal

import pytest
from django.db import connections

from accounts.tests.factories import step_up
from conftest import make_token_client
from core.models import IdempotencyRecord
from wallets.models import Transaction, Wallet
from wallets.tests.concurrency import run_concurrently
from wallets.tests.factories import funded_user

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_50_concurrent_replays_write_one_row_and_return_identical_responses():
    user = funded_user("100")
    make_token_client(user)  # create the token once, before the threads race

    def call(_i: int):
        client = make_token_client(user)
        r = client.post("/api/v1/wallet/stake/", {"amount": "7.25"}, HTTP_IDEMPOTENCY_KEY="stake-once")
        return r.status_code, r.json()

    results = run_concurrently(THREADS, call)
    statuses = {status for status, _ in results}
    assert statuses == {201}
    bodies = [body for _, body in results]
    assert all(body == bodies[0] for body in bodies)
    assert Transaction.objects.filter(user=user, kind="stake").count() == 1
    wallet = Wallet.objects.get(user=user)
    assert (wallet.available, wallet.staked) == (Decimal("92.75"), Decimal("7.25"))
    assert IdempotencyRecord.objects.filter(user=user, key="stake-once", state="completed").count() == 1

    client = make_token_client(user)
    r = client.post("/api/v1/wallet/stake/", {"amount": "8"}, HTTP_IDEMPOTENCY_KEY="stake-once")
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    r = client.post("/api/v1/wallet/unstake/", {"amount": "7.25"}, HTTP_IDEMPOTENCY_KEY="stake-once")
    assert r.status_code == 422
    replay = client.post("/api/v1/wallet/stake/", {"amount": "7.25"}, HTTP_IDEMPOTENCY_KEY="stake-once")
    assert replay.status_code == 201 and replay.json() == bodies[0]
    assert replay["Idempotent-Replayed"] == "true"
    assert Transaction.objects.filter(user=user, kind="stake").count() == 1
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_with_one_key_reserve_once():
    from wallets.tests.factories import WalletAddressFactory

    user = funded_user("100")
    address = WalletAddressFactory(wallet=user.wallet)
    make_token_client(user)

    def call(_i: int):
        client = make_token_client(user)
        r = client.post(
            "/api/v1/wallet/withdrawals/",
            {"amount": "60", "address_id": address.pk, **step_up(user)},
            HTTP_IDEMPOTENCY_KEY="w-1",
        )
        return r.status_code, r.json()

    results = run_concurrently(10, call)
    assert {status for status, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    wallet = Wallet.objects.get(user=user)
    assert (wallet.available, wallet.held) == (Decimal(40), Decimal(60))
    connections.close_all()


@pytest.mark.django_db
def test_replay_while_first_is_running_is_409(settings):
    settings.OGC_IDEMPOTENCY_WAIT_SECONDS = 0.2
    user = funded_user("10")
    client = make_token_client(user)
    first = client.post("/api/v1/wallet/stake/", {"amount": "1"}, HTTP_IDEMPOTENCY_KEY="slow")
    assert first.status_code == 201
    # Simulate the first request still running under this key.
    IdempotencyRecord.objects.filter(user=user, key="slow").update(state="in_progress", response_body=None)
    r = client.post("/api/v1/wallet/stake/", {"amount": "1"}, HTTP_IDEMPOTENCY_KEY="slow")
    assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"
    assert Transaction.objects.filter(user=user, kind="stake").count() == 1


@pytest.mark.django_db
def test_domain_refusal_is_stored_and_replayed_without_moving_money():
    user = funded_user("10")
    client = make_token_client(user)
    r1 = client.post("/api/v1/wallet/stake/", {"amount": "11"}, HTTP_IDEMPOTENCY_KEY="short")
    assert r1.status_code == 409 and r1.json()["code"] == "insufficient_funds"
    from wallets.services import deposit_create

    deposit_create(user=user, amount="5")
    r2 = client.post("/api/v1/wallet/stake/", {"amount": "11"}, HTTP_IDEMPOTENCY_KEY="short")
    assert (r2.status_code, r2.json()) == (409, r1.json())
    assert not Transaction.objects.filter(user=user, kind="stake").exists()


@pytest.mark.django_db
def test_api_key_cannot_preempt_an_internal_service_key():
    """A client sending ``reward:...`` as its key must not block a later reward."""
    from wallets.services import reward_credit

    user = funded_user("10")
    client = make_token_client(user)
    assert client.post("/api/v1/wallet/stake/", {"amount": "1"}, HTTP_IDEMPOTENCY_KEY="reward:1:1").status_code == 201
    row = reward_credit(user=user, amount="1", idempotency_key="reward:1:1")
    assert row.kind == "reward"
