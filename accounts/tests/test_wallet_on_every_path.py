"""Every way a user comes to exist gives it a wallet, in the same transaction."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.tests.factories import SuperuserFactory
from wallets.models import Wallet

pytestmark = pytest.mark.django_db

STRONG = "a-Long-enough-passphrase-77"


def _assert_wallet(email: str, *, empty: bool = True) -> Wallet:
    user = User.objects.get(email=email)
    wallet = Wallet.objects.get(user=user)
    if empty:
        assert wallet.available == wallet.staked == wallet.held == 0
    assert wallet.deposit_address.startswith("0x") and len(wallet.deposit_address) == 42
    return wallet


def test_create_user_creates_wallet():
    User.objects.create_user(email="plain@example.test", password=STRONG)
    _assert_wallet("plain@example.test")


def test_wallet_insert_is_inside_the_user_transaction():
    with CaptureQueriesContext(connection) as ctx:
        User.objects.create_user(email="tx@example.test", password=STRONG)
    sql = [q["sql"].upper() for q in ctx.captured_queries]
    user_insert = next(i for i, q in enumerate(sql) if q.startswith("INSERT INTO `USERS`"))
    wallet_insert = next(i for i, q in enumerate(sql) if q.startswith("INSERT INTO `WALLETS`"))
    # Both inserts sit between one SAVEPOINT and its RELEASE (the atomic block in User.save).
    savepoints = [i for i, q in enumerate(sql) if q.startswith("SAVEPOINT")]
    releases = [i for i, q in enumerate(sql) if q.startswith("RELEASE SAVEPOINT")]
    assert savepoints and releases
    assert savepoints[0] < user_insert < wallet_insert < releases[-1]


def test_createsuperuser_command_creates_wallet(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", "--noinput", "--email", "root@example.test", verbosity=0)
    _assert_wallet("root@example.test")
    assert User.objects.get(email="root@example.test").is_superuser


def test_admin_add_user_form_creates_wallet(client):
    admin = SuperuserFactory()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {"email": "Added@Example.test", "password1": STRONG, "password2": STRONG, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_wallet("added@example.test")


def test_allauth_signup_page_creates_wallet(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "page@example.test", "display_name": "Page", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    _assert_wallet("page@example.test")
    assert User.objects.get(email="page@example.test").display_name == "Page"


def test_api_signup_creates_wallet(api_client):
    response = api_client.post("/api/v1/auth/signup/", {"email": "api@example.test", "password": STRONG})
    assert response.status_code == 201, response.json()
    wallet = _assert_wallet("api@example.test")
    assert response.json()["user"]["wallet"]["deposit_address"] == wallet.deposit_address


def test_seed_command_creates_wallets():
    call_command("seed", "--demo", verbosity=0)
    for email in ("admin@test.local", "operator@demo.ogc.local"):
        _assert_wallet(email)
    _assert_wallet("alice@demo.ogc.local", empty=False)  # funded by the demo world (demo/world.py)


def test_failed_wallet_creation_leaves_no_user(monkeypatch):
    import wallets.services

    def boom(*, user):
        raise RuntimeError("wallet service down")

    monkeypatch.setattr(wallets.services, "wallet_create", boom)
    with pytest.raises(RuntimeError):
        User.objects.create_user(email="half@example.test", password=STRONG)
    assert not User.objects.filter(email="half@example.test").exists()
    assert Wallet.objects.count() == 0
