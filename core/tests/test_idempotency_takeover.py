"""An ``in_progress`` Idempotency-Key left by a request that died (its worker was
SIGKILLed before it could finish or release the key) is taken over by a retry
once it is older than ``OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS``; before that the
retry still gets 409. ``tests/faults/`` proves the same with a real gunicorn."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from conftest import make_token_client
from core.idempotency import request_fingerprint
from core.models import IdempotencyRecord
from wallets.models import Transaction, Wallet
from wallets.tests.concurrency import run_concurrently
from wallets.tests.factories import funded_user

STAKE = "/api/v1/wallet/stake/"


def _fingerprint(path: str, body: dict) -> str:
    raw = APIRequestFactory().post(path, body, format="json")
    return request_fingerprint(Request(raw, parsers=[JSONParser()]))


def _abandoned(user, key: str, body: dict, *, age: timedelta) -> IdempotencyRecord:
    """The record a request killed mid-flight leaves: in progress, never finished."""
    record = IdempotencyRecord.objects.create(
        user=user, key=key, scope="wallet.stake", request_hash=_fingerprint(STAKE, body)
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - age)
    record.refresh_from_db()
    return record


@pytest.mark.django_db
def test_a_fresh_in_progress_key_is_still_409(settings):
    settings.OGC_IDEMPOTENCY_WAIT_SECONDS = 0.1
    settings.OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 60
    user = funded_user("10")
    _abandoned(user, "k", {"amount": "1"}, age=timedelta(seconds=30))
    r = make_token_client(user).post(STAKE, {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"
    assert not Transaction.objects.filter(user=user, kind="stake").exists()


@pytest.mark.django_db
def test_an_abandoned_key_is_taken_over_and_the_retry_moves_money_once(settings):
    settings.OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 60
    user = funded_user("10")
    stale = _abandoned(user, "k", {"amount": "1"}, age=timedelta(seconds=61))
    client = make_token_client(user)

    r = client.post(STAKE, {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 201, r.content
    record = IdempotencyRecord.objects.get(pk=stale.pk)
    assert record.state == "completed" and record.response_body == r.json()
    assert record.created_at > stale.created_at  # claimed: the lock restarts with the new owner

    replay = client.post(STAKE, {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true" and replay.json() == r.json()
    assert Transaction.objects.filter(user=user, kind="stake").count() == 1
    assert Wallet.objects.get(user=user).staked == Decimal(1)


@pytest.mark.django_db
def test_takeover_after_the_dead_request_committed_returns_its_row(settings):
    """The worker died after the ledger commit but before storing the response:
    the retry finds the row by the ledger's idempotency key and moves nothing."""
    settings.OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 60
    user = funded_user("10")
    client = make_token_client(user)
    first = client.post(STAKE, {"amount": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    IdempotencyRecord.objects.filter(user=user, key="k").update(
        state="in_progress", response_body=None, response_status=None, created_at=timezone.now() - timedelta(hours=1)
    )
    retry = client.post(STAKE, {"amount": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    assert Transaction.objects.filter(user=user, kind="stake").count() == 1
    assert Wallet.objects.get(user=user).available == Decimal(8)


@pytest.mark.django_db
def test_an_abandoned_key_still_refuses_another_payload(settings):
    settings.OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 1
    user = funded_user("10")
    _abandoned(user, "k", {"amount": "1"}, age=timedelta(hours=1))
    r = make_token_client(user).post(STAKE, {"amount": "3"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert IdempotencyRecord.objects.get(user=user, key="k").state == "in_progress"


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_an_abandoned_key_take_it_over_once(settings):
    settings.OGC_IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 60
    settings.OGC_IDEMPOTENCY_WAIT_SECONDS = 30
    user = funded_user("10")
    make_token_client(user)
    _abandoned(user, "k", {"amount": "1.5"}, age=timedelta(minutes=5))

    def retry(_i: int):
        r = make_token_client(user).post(STAKE, {"amount": "1.5"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        return r.status_code, r.json()

    results = run_concurrently(12, retry)
    assert {code for code, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert Transaction.objects.filter(user=user, kind="stake").count() == 1
    wallet = Wallet.objects.get(user=user)
    assert (wallet.available, wallet.staked) == (Decimal("8.5"), Decimal("1.5"))
    connections.close_all()


@pytest.mark.django_db
def test_a_superseded_owner_cannot_overwrite_its_successor(settings):
    """A first request slower than the lock timeout was taken over: when it
    finally finishes it must not replace the stored answer (nor delete the key)."""
    from core.idempotency import _run_owned

    user = funded_user("10")
    record = _abandoned(user, "k", {"amount": "1"}, age=timedelta(0))
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() + timedelta(seconds=1))

    def failing_handler():
        raise RuntimeError("the first request crashes late")

    with pytest.raises(RuntimeError):
        _run_owned(record, failing_handler)
    assert IdempotencyRecord.objects.filter(pk=record.pk, state="in_progress").exists()
