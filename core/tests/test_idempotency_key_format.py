"""The Idempotency-Key is 1 to 255 visible ASCII characters, 0x21-0x7E (issue 13,
part 3): a key with a space, a tab, a control or a non-ASCII character, or an empty
one, is a 400 naming the header, and nothing runs; the schema says so."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from conftest import make_token_client
from core.idempotency import IdempotentPostMixin
from core.models import IdempotencyRecord
from wallets.models import Transaction
from wallets.tests.factories import VALID_ADDRESSES, WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db

MESSAGE = "The Idempotency-Key header must be 1 to 255 visible ASCII characters (no spaces or tabs)."
INVALID = {"code": "idempotency_key_invalid", "detail": MESSAGE, "fields": {"Idempotency-Key": [MESSAGE]}}
BAD_KEYS = [
    "",
    "   ",
    "a b",
    "a\tb",
    "caf\u00e9",
    "caf\u00c3\u00a9",  # UTF-8 "café" as WSGI hands it over (latin-1)
    "\u043a\u043b\u044e\u0447",
    "key\u00a0",  # no-break space: not trimmed as HTTP whitespace
    "a\x7fb",
    "a\x0bb",
    "\x1fkey",
    "x" * 256,
]
VISIBLE_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def _stake(client, key):
    return client.post("/api/v1/wallet/stake/", {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.parametrize("key", BAD_KEYS)
def test_a_key_that_is_not_visible_ascii_is_a_400_and_nothing_moves(key):
    user = funded_user("10")
    response = _stake(make_token_client(user), key)
    assert (response.status_code, response.json()) == (400, INVALID)
    user.wallet.refresh_from_db()
    assert user.wallet.staked == Decimal("0")
    assert not Transaction.objects.filter(wallet=user.wallet, kind="stake").exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_required_key_that_is_malformed_is_invalid_not_missing():
    user = funded_user("10")
    address = WalletAddressFactory(wallet=user.wallet, address=VALID_ADDRESSES[0])
    response = make_token_client(user).post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "1", "address_id": address.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="pay\tme",
    )
    assert (response.status_code, response.json()) == (400, INVALID)


@pytest.mark.parametrize("key", ["!", "~" * 255, VISIBLE_ASCII, "order-42:retry_1/a.b"])
def test_every_visible_ascii_key_up_to_255_is_accepted_and_replayed(key):
    client = make_token_client(funded_user("10"))
    first = _stake(client, key)
    assert first.status_code == 201, first.json()
    again = _stake(client, key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get().key == key


def test_whitespace_around_the_value_is_not_part_of_it():
    """HTTP drops a field value's surrounding spaces and tabs (RFC 9110, 5.5); so does
    gunicorn before Django sees the header."""
    client = make_token_client(funded_user("10"))
    assert _stake(client, " \tabc ").status_code == 201
    assert _stake(client, "abc")["Idempotent-Replayed"] == "true"


def test_the_message_is_translated():
    response = make_token_client(funded_user("10")).post(
        "/api/v1/wallet/stake/", {"amount": "1"}, format="json", HTTP_IDEMPOTENCY_KEY="a b", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 400 and response.json()["detail"] != MESSAGE


def test_every_idempotent_post_documents_the_key_format_and_the_400():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    idempotent = {
        (path.removeprefix("/api/v1"), method.lower())
        for path, _regex, method, view in generator._get_paths_and_endpoints()
        if method == "POST" and isinstance(view, IdempotentPostMixin)
    }
    documented = set()
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "Idempotency-Key":
                    assert parameter["in"] == "header"
                    assert parameter["schema"] == {
                        "type": "string",
                        "pattern": r"^[\x21-\x7E]{1,255}$",
                        "minLength": 1,
                        "maxLength": 255,
                    }
                    assert "400" in operation["responses"]
                    documented.add((path.removeprefix("/api/v1"), method))
    assert len(idempotent) >= 8
    assert documented == idempotent
