"""``POST /api/v1/wallet/transfers/``: 201 with the sender's row, Idempotency-Key
required and replayed, every refusal's status and code, the schema."""

from decimal import Decimal

import pytest
from django.test import override_settings

from accounts.tests.factories import UserFactory
from conftest import make_token_client
from wallets.models import Transaction, Wallet
from wallets.tests.factories import funded_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/wallet/transfers/"


@pytest.fixture
def alice():
    return make_token_client(funded_user("100"))


@pytest.fixture
def bob():
    return funded_user("0")


def post(client, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, body, format="json", **headers)


def test_transfer_201_returns_the_senders_row(alice, bob):
    r = post(alice, {"recipient": bob.email, "amount": "12.5", "memo": "rent"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["kind"], body["direction"], body["status"], body["amount"], body["available_after"]) == (
        "transfer_out",
        "debit",
        "completed",
        "12.500000000000000000",
        "87.500000000000000000",
    )
    assert Wallet.objects.get(user=bob).available == Decimal("12.5")
    # The receiver sees the row in their own ledger.
    rows = make_token_client(bob).get("/api/v1/wallet/transactions/").json()["results"]
    assert [(row["kind"], row["amount"]) for row in rows] == [("transfer_in", "12.500000000000000000")]


def test_idempotency_key_required_replayed_and_reused(alice, bob):
    assert post(alice, {"recipient": bob.email, "amount": "1"}, key=None).status_code == 400
    first = post(alice, {"recipient": bob.email, "amount": "1"})
    replay = post(alice, {"recipient": bob.email, "amount": "1"})
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    other = post(alice, {"recipient": bob.email, "amount": "2"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Transaction.objects.filter(kind="transfer_out").count() == 1


def test_refusals_status_and_code(alice, bob):
    inactive = UserFactory(is_active=False)
    cases = [
        ({"recipient": alice.user.email, "amount": "1"}, 422, "recipient_self"),
        ({"recipient": "nobody@example.test", "amount": "1"}, 422, "recipient_unavailable"),
        ({"recipient": inactive.email, "amount": "1"}, 422, "recipient_unavailable"),
        ({"recipient": bob.email, "amount": "100.01"}, 409, "insufficient_funds"),
        ({"recipient": bob.email, "amount": "1.5e1"}, 400, None),
        ({"recipient": "not-an-email", "amount": "1"}, 400, None),
        ({"recipient": bob.email, "amount": "1", "fee": "0"}, 400, None),
        ({"recipient": bob.email, "amount": "1", "memo": "x" * 201}, 400, None),
    ]
    for i, (body, status, code) in enumerate(cases):
        r = post(alice, body, key=f"case-{i}")
        assert r.status_code == status, (body, r.json())
        if code:
            assert r.json()["code"] == code
    unknown = post(alice, {"recipient": "nobody@example.test", "amount": "1"}, key="u").json()
    disabled = post(alice, {"recipient": inactive.email, "amount": "1"}, key="d").json()
    assert unknown == disabled  # same status, code, message and fields
    assert unknown["fields"].keys() == {"recipient"}
    assert not Transaction.objects.filter(kind__startswith="transfer").exists()


@override_settings(OGC_TRANSFER_MAX=Decimal("10"), OGC_TRANSFER_DAILY_LIMIT=Decimal("15"))
def test_limits_are_field_level_refusals(alice, bob):
    r = post(alice, {"recipient": bob.email, "amount": "11"}, key="a")
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (422, "transfer_max_exceeded", ["amount"])
    assert post(alice, {"recipient": bob.email, "amount": "10"}, key="b").status_code == 201
    r = post(alice, {"recipient": bob.email, "amount": "6"}, key="c")
    assert (r.status_code, r.json()["code"], list(r.json()["fields"])) == (409, "transfer_daily_limit", ["amount"])


def test_schema_documents_the_operation(alice):
    schema = alice.get("/api/v1/schema/?format=json").json()
    op = schema["paths"]["/api/v1/wallet/transfers/"]["post"]
    assert {"201", "400", "409", "422", "429"} <= set(op["responses"])
    for code in ("recipient_unavailable", "recipient_self", "transfer_max_exceeded", "transfer_daily_limit"):
        assert code in op["description"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in op["parameters"])
    body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    props = schema["components"]["schemas"][body]
    assert set(props["required"]) == {"recipient", "amount"} and props["additionalProperties"] is False
