"""The wallet API: flows, bad input, BOLA (404 not 403), operator-only endpoints,
ignored privileged fields, constant query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory, step_up
from conftest import make_token_client
from wallets import services
from wallets.models import Transaction, Wallet, WalletAddress
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db
D = Decimal


def snapshot():
    """Everything a refused request must leave untouched."""
    return (
        list(Wallet.objects.order_by("pk").values_list("available", "staked", "held")),
        Transaction.objects.count(),
        list(Transaction.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.fixture
def alice():
    return make_token_client(funded_user("100"))


@pytest.fixture
def bob():
    return make_token_client(funded_user("100"))


@pytest.fixture
def operator():
    return make_token_client(UserFactory(roles=["operator"]))


def test_wallet_stake_unstake_and_transactions(alice):
    r = alice.get("/api/v1/wallet/")
    assert r.status_code == 200
    assert r.json()["available"] == "100.000000000000000000"
    r = alice.post("/api/v1/wallet/stake/", {"amount": "40.5"})
    assert r.status_code == 201, r.json()
    assert r.json()["kind"] == "stake" and r.json()["available_after"] == "59.500000000000000000"
    r = alice.post("/api/v1/wallet/unstake/", {"amount": 10})  # JSON integers are fine
    assert r.status_code == 201
    body = alice.get("/api/v1/wallet/").json()
    assert (body["available"], body["staked"], body["held"]) == (
        "69.500000000000000000",
        "30.500000000000000000",
        "0.000000000000000000",
    )
    rows = alice.get("/api/v1/wallet/transactions/").json()["results"]
    assert [r["kind"] for r in rows] == ["unstake", "stake", "deposit"]
    rows = alice.get("/api/v1/wallet/transactions/", {"kind": "stake"}).json()["results"]
    assert [r["kind"] for r in rows] == ["stake"]
    assert alice.get("/api/v1/wallet/transactions/", {"kind": "bogus"}).status_code == 400


def test_transactions_cursor_pagination_and_date_filters(alice):
    for _ in range(4):
        services.stake_create(user=alice.user, amount="1")
    first = alice.get("/api/v1/wallet/transactions/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = alice.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    newest = Transaction.objects.filter(user=alice.user).order_by("-created_at", "-id").first()
    after = alice.get("/api/v1/wallet/transactions/", {"created_after": "2999-01-01T00:00:00Z"}).json()
    assert after["results"] == []
    before = alice.get("/api/v1/wallet/transactions/", {"created_before": "2999-01-01T00:00:00Z"}).json()
    assert before["results"][0]["id"] == newest.pk
    assert alice.get("/api/v1/wallet/transactions/", {"created_after": "yesterday"}).status_code == 400


def test_withdrawal_request_list_cancel(alice):
    address = WalletAddressFactory(wallet=alice.user.wallet)
    r = alice.post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "30", "address_id": address.pk, **step_up(alice.user)},
        HTTP_IDEMPOTENCY_KEY="w1",
    )
    assert r.status_code == 201, r.json()
    wid = r.json()["id"]
    assert r.json()["status"] == "pending" and r.json()["held_after"] == "30.000000000000000000"
    listed = alice.get("/api/v1/wallet/withdrawals/").json()["results"]
    assert [w["id"] for w in listed] == [wid]
    r = alice.post(f"/api/v1/wallet/withdrawals/{wid}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "canceled"
    before = snapshot()
    r = alice.post(f"/api/v1/wallet/withdrawals/{wid}/cancel/")
    assert r.status_code == 409 and r.json()["code"] == "withdrawal_not_pending"
    assert snapshot() == before
    assert Wallet.objects.get(user=alice.user).available == D(100)


def test_withdrawal_requires_idempotency_key(alice):
    address = WalletAddressFactory(wallet=alice.user.wallet)
    before = snapshot()
    r = alice.post("/api/v1/wallet/withdrawals/", {"amount": "1", "address_id": address.pk})
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_required"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("abc", "valid decimal"),
        ("", "valid decimal"),
        ("NaN", "digits 0-9"),
        ("Infinity", "digits 0-9"),
        ("-Infinity", "digits 0-9"),
        ("1_000", "valid decimal"),
        ("0.0000000000000000001", "18 decimal places"),
        ("1" + "0" * 30, "too large"),
        (1.5, "decimal strings"),
        (True, "valid decimal"),
        (None, "null"),
        ({"x": 1}, "valid decimal"),
    ],
)
def test_bad_amounts_are_400_with_field_message_and_write_nothing(alice, amount, message):
    before = snapshot()
    r = alice.post("/api/v1/wallet/stake/", {"amount": amount}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert r.status_code == 400, r.json()
    assert message in r.json()["fields"]["amount"][0]
    assert snapshot() == before
    # A validation error releases the key: the corrected request goes through.
    assert alice.post("/api/v1/wallet/stake/", {"amount": "1"}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201


def test_nan_literal_in_json_is_refused(alice):
    before = snapshot()
    r = alice.post("/api/v1/wallet/stake/", data='{"amount": NaN}', content_type="application/json")
    assert r.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("path", ["stake", "withdrawals"])
def test_more_than_available_is_refused_and_writes_nothing(alice, path):
    address = WalletAddressFactory(wallet=alice.user.wallet)
    before = snapshot()
    body = {"amount": "100.000000000000000001"}
    if path == "withdrawals":
        body.update(address_id=address.pk, **step_up(alice.user))
    r = alice.post(f"/api/v1/wallet/{path}/", body, HTTP_IDEMPOTENCY_KEY="too-much")
    assert r.status_code == 409
    assert r.json()["code"] == "insufficient_funds"
    assert r.json()["fields"] == {"amount": ["Insufficient available balance."]}
    assert snapshot() == before


def test_unstake_more_than_staked_is_refused(alice):
    before = snapshot()
    r = alice.post("/api/v1/wallet/unstake/", {"amount": "1"})
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    assert snapshot() == before


@pytest.mark.parametrize("field", ["balance", "available", "status", "user", "wallet", "kind"])
def test_privileged_fields_are_refused_and_change_nothing(alice, bob, field):
    before = snapshot()
    r = alice.post("/api/v1/wallet/stake/", {"amount": "1", field: bob.user.pk})
    assert r.status_code == 400
    assert field in r.json()["fields"]
    address = WalletAddressFactory(wallet=alice.user.wallet)
    r = alice.post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "1", "address_id": address.pk, field: bob.user.pk},
        HTTP_IDEMPOTENCY_KEY=f"x-{field}",
    )
    assert r.status_code == 400
    assert snapshot() == before


def test_bola_other_users_objects_are_404(alice, bob):
    address = WalletAddressFactory(wallet=alice.user.wallet, address=VALID_ADDRESSES[0])
    withdrawal = services.withdrawal_request(user=alice.user, amount="5", address_id=address.pk)
    deposit = Transaction.objects.filter(user=alice.user, kind="deposit").get()
    before = snapshot()
    for url in (
        f"/api/v1/wallet/transactions/{deposit.pk}/",
        f"/api/v1/wallet/transactions/{withdrawal.pk}/",
        f"/api/v1/wallet/withdrawals/{withdrawal.pk}/",
        f"/api/v1/wallet/addresses/{address.pk}/",
    ):
        assert bob.get(url).status_code == 404, url
        assert alice.get(url).status_code == 200, url
    assert bob.post(f"/api/v1/wallet/withdrawals/{withdrawal.pk}/cancel/").status_code == 404
    assert bob.delete(f"/api/v1/wallet/addresses/{address.pk}/").status_code == 404
    # Bob cannot withdraw to Alice's address, nor see her rows in his lists.
    r = bob.post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "1", "address_id": address.pk, **step_up(bob.user)},
        HTTP_IDEMPOTENCY_KEY="b",
    )
    assert r.status_code == 404 and r.json()["fields"] == {"address_id": ["Unknown withdrawal address."]}
    listed = bob.get("/api/v1/wallet/transactions/").json()["results"]
    assert {row["id"] for row in listed}.isdisjoint({deposit.pk, withdrawal.pk})
    assert bob.get("/api/v1/wallet/withdrawals/").json()["results"] == []
    assert bob.get("/api/v1/wallet/addresses/").json()["results"] == []
    # Bob's wallet endpoint is his own whatever he passes.
    own = bob.get("/api/v1/wallet/", {"wallet": alice.user.wallet.pk, "user": alice.user.pk}).json()
    assert own["deposit_address"] == bob.user.wallet.deposit_address
    assert snapshot() == before
    assert WalletAddress.objects.filter(pk=address.pk).exists()


def test_unknown_ids_are_404(alice):
    assert alice.get("/api/v1/wallet/transactions/999999/").status_code == 404
    assert alice.post("/api/v1/wallet/withdrawals/999999/cancel/").status_code == 404


def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/v1/wallet/").status_code in (401, 403)
    assert api_client.post("/api/v1/wallet/stake/", {"amount": "1"}).status_code in (401, 403)


OPS_POSTS = [
    ("/api/v1/ops/deposits/", {"user_id": 0, "amount": "5"}),
    ("/api/v1/ops/adjustments/", {"user_id": 0, "amount": "5", "direction": "credit", "reason": "x"}),
    ("/api/v1/ops/withdrawals/{wid}/approve/", {}),
    ("/api/v1/ops/withdrawals/{wid}/reject/", {"reason": "no"}),
]


@pytest.mark.parametrize(("url", "body"), OPS_POSTS)
def test_non_operators_get_403_on_operator_endpoints(alice, url, body):
    moderator = make_token_client(UserFactory(roles=["moderator"]))
    address = WalletAddressFactory(wallet=alice.user.wallet)
    withdrawal = services.withdrawal_request(user=alice.user, amount="5", address_id=address.pk)
    body = {**body, "user_id": alice.user.pk} if "user_id" in body else body
    before = snapshot()
    for client in (alice, moderator):
        r = client.post(url.format(wid=withdrawal.pk), body, HTTP_IDEMPOTENCY_KEY="ops")
        assert r.status_code == 403
    assert alice.get("/api/v1/ops/withdrawals/").status_code == 403
    assert snapshot() == before


def test_operator_deposit_adjustment_approve_reject(alice, operator):
    r = operator.post(
        "/api/v1/ops/deposits/",
        {"email": alice.user.email.upper(), "amount": "25", "external_reference": "0xdead", "memo": "bank"},
        HTTP_IDEMPOTENCY_KEY="dep-1",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["user_id"] == alice.user.pk and r.json()["available_after"] == "125.000000000000000000"
    r = operator.post("/api/v1/ops/deposits/", {"user_id": alice.user.pk, "amount": "25"})
    assert r.status_code == 400 and r.json()["code"] == "idempotency_key_required"
    r = operator.post(
        "/api/v1/ops/adjustments/",
        {"user_id": alice.user.pk, "amount": "5", "direction": "debit", "reason": "double credit"},
        HTTP_IDEMPOTENCY_KEY="adj-1",
    )
    assert r.status_code == 201 and r.json()["kind"] == "adjustment"
    address = WalletAddressFactory(wallet=alice.user.wallet)
    w1 = services.withdrawal_request(user=alice.user, amount="20", address_id=address.pk)
    w2 = services.withdrawal_request(user=alice.user, amount="10", address_id=address.pk)
    pending = operator.get("/api/v1/ops/withdrawals/", {"status": "pending"}).json()["results"]
    assert {w["id"] for w in pending} == {w1.pk, w2.pk}
    r = operator.post(f"/api/v1/ops/withdrawals/{w1.pk}/approve/", {"external_reference": "0xsent"})
    assert r.status_code == 200 and r.json()["status"] == "completed"
    before = snapshot()
    r = operator.post(f"/api/v1/ops/withdrawals/{w1.pk}/approve/", {})
    assert r.status_code == 409 and r.json()["code"] == "withdrawal_not_pending"
    assert operator.post(f"/api/v1/ops/withdrawals/{w1.pk}/reject/", {"reason": "late"}).status_code == 409
    assert operator.post("/api/v1/ops/withdrawals/999999/approve/", {}).status_code == 404
    assert snapshot() == before
    assert operator.post(f"/api/v1/ops/withdrawals/{w2.pk}/reject/", {}).status_code == 400
    r = operator.post(f"/api/v1/ops/withdrawals/{w2.pk}/reject/", {"reason": "sanctions"})
    assert r.status_code == 200 and r.json()["status_reason"] == "Rejected: sanctions"
    assert Wallet.objects.get(user=alice.user).available == D("100")  # 125 - 5 - 20 (sent)


def test_operator_unknown_user_is_404_with_field(operator):
    r = operator.post("/api/v1/ops/deposits/", {"user_id": 999999, "amount": "1"}, HTTP_IDEMPOTENCY_KEY="u")
    assert r.status_code == 404 and "user_id" in r.json()["fields"]
    # Neither user_id nor email: each is optional in the schema, so "exactly one" is a 422.
    r = operator.post("/api/v1/ops/deposits/", {"amount": "1"}, HTTP_IDEMPOTENCY_KEY="u2")
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (422, "user_ref", ["user_id"])


def test_addresses_create_list_delete(alice):
    proof = step_up(alice.user)
    r = alice.post("/api/v1/wallet/addresses/", {"chain": "polygon", "address": VALID_ADDRESSES[1].lower(), **proof})
    assert r.status_code == 201 and r.json()["address"] == VALID_ADDRESSES[1]
    r = alice.post("/api/v1/wallet/addresses/", {"chain": "polygon", "address": VALID_ADDRESSES[1], **proof})
    assert r.status_code == 409 and r.json()["code"] == "address_taken"
    r = alice.post("/api/v1/wallet/addresses/", {"chain": "ethereum", "address": "0x123", **proof})
    assert r.status_code == 400 and "address" in r.json()["fields"]
    listed = alice.get("/api/v1/wallet/addresses/").json()["results"]
    assert [a["chain"] for a in listed] == ["polygon"]
    assert alice.delete(f"/api/v1/wallet/addresses/{listed[0]['id']}/").status_code == 204
    assert alice.get("/api/v1/wallet/addresses/").json()["results"] == []


def _count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/wallet/transactions/", {"page_size": 100})
    assert r.status_code == 200
    return len(ctx.captured_queries), len(r.json()["results"])


def test_transactions_list_query_count_is_constant(django_assert_num_queries):
    one = make_token_client(funded_user("100"))
    many = make_token_client(funded_user("1000"))
    for _ in range(99):
        services.stake_create(user=many.user, amount="1")
    queries, rows = _count_list_queries(one)
    assert rows == 1
    with django_assert_num_queries(queries):
        r = many.get("/api/v1/wallet/transactions/", {"page_size": 100})
    assert len(r.json()["results"]) == 100
