"""Issue #17, parts 1, 2 and 5: staff need a second factor, TOTP codes work once,
API tokens are hashed, named, scoped and expiring, and sensitive API actions carry a
fresh password or code (step-up)."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from knox.crypto import hash_token
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    StaffFactory,
    UserFactory,
    api_token_for,
    enrol_totp,
    totp_code,
)

pytestmark = pytest.mark.django_db
UNSAFE = ("post", "put", "patch", "delete")
# No authentication at all (anyone may call them): a token's scope does not apply.
UNAUTHENTICATED = {("post", "/api/v1/auth/signup/"), ("post", "/api/v1/auth/token/")}


def _token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


# --- staff must have a second factor ---------------------------------------------------


def test_staff_without_a_second_factor_reach_only_the_enrolment_page(client):
    staff = StaffFactory(mfa=False, is_superuser=True)
    client.force_login(staff)
    for path in ("/admin/", "/admin/accounts/user/", "/admin/wallets/transaction/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/totp/activate/")
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)  # reachable (step-up may ask first)
    api = _token_client(api_token_for(staff))
    response = api.get("/api/v1/ops/supply/")
    assert response.status_code == 403 and response.json()["code"] == "mfa_required"


def test_staff_with_a_second_factor_reach_the_console_and_the_operator_api(client):
    staff = StaffFactory(is_superuser=True)  # enrolled by the factory
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert _token_client(api_token_for(staff)).get("/api/v1/ops/supply/").status_code == 200


def test_the_rule_off_lets_staff_in_without_a_second_factor(client, settings):
    settings.OGC_STAFF_MFA_REQUIRED = False
    staff = StaffFactory(mfa=False, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert _token_client(api_token_for(staff)).get("/api/v1/ops/supply/").status_code == 200


def test_console_login_asks_for_the_code_and_each_code_works_once():
    staff = StaffFactory(is_superuser=True)
    secret = enrol_totp(staff)
    client = Client()
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session  # not signed in before the code
    wrong = client.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if totp_code(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = totp_code(secret)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
    # The same code again (another browser): refused.
    other = Client()
    other.post("/accounts/login/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert other.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in other.session


def test_api_login_of_an_account_with_a_second_factor_needs_a_fresh_code(api_client):
    user = UserFactory()
    secret = enrol_totp(user)
    body = {"email": user.email, "password": DEFAULT_PASSWORD}
    missing = api_client.post("/api/v1/auth/token/", body, format="json")
    assert missing.status_code == 401 and missing.json()["code"] == "mfa_required"
    assert list(missing.json()["fields"]) == ["mfa_code"]
    code = totp_code(secret)
    assert api_client.post("/api/v1/auth/token/", {**body, "mfa_code": code}, format="json").status_code == 200
    replay = api_client.post("/api/v1/auth/token/", {**body, "mfa_code": code}, format="json")
    assert replay.status_code == 401 and replay.json()["code"] == "mfa_failed"
    assert ApiToken.objects.filter(user=user).count() == 1


# --- named, scoped, hashed tokens ------------------------------------------------------------


def test_creating_a_token_needs_the_password_and_shows_the_secret_once(auth_client):
    body = {"name": "CI reader", "scope": "read"}
    missing = auth_client.post("/api/v1/auth/tokens/", body, format="json")
    assert missing.status_code == 403
    assert missing.json()["code"] == "step_up_required" and list(missing.json()["fields"]) == ["password"]
    wrong = auth_client.post("/api/v1/auth/tokens/", {**body, "password": "nope-nope-1"}, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "step_up_failed"
    created = auth_client.post("/api/v1/auth/tokens/", {**body, "password": DEFAULT_PASSWORD, "days": 7}, format="json")
    assert created.status_code == 201, created.json()
    secret = created.json()["token"]
    row = ApiToken.objects.get(public_id=created.json()["id"])
    assert row.digest == hash_token(secret) and row.scope == "read" and row.name == "CI reader"
    assert timedelta(days=6, hours=23) < row.expiry - timezone.now() <= timedelta(days=7)
    listed = auth_client.get("/api/v1/auth/tokens/").json()
    assert {t["name"] for t in listed} >= {"CI reader"}
    assert all("token" not in t for t in listed) and secret not in str(listed)


def test_creating_a_token_with_a_second_factor_needs_the_code_not_the_password(auth_client):
    secret = enrol_totp(auth_client.user)
    body = {"name": "bot", "scope": "read+money", "password": DEFAULT_PASSWORD}
    refused = auth_client.post("/api/v1/auth/tokens/", body, format="json")
    assert refused.status_code == 403 and list(refused.json()["fields"]) == ["mfa_code"]
    code = totp_code(secret)
    assert auth_client.post("/api/v1/auth/tokens/", {**body, "mfa_code": code}, format="json").status_code == 201
    replay = auth_client.post("/api/v1/auth/tokens/", {**body, "mfa_code": code}, format="json")
    assert replay.status_code == 403 and replay.json()["code"] == "step_up_failed"


def _unsafe_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in UNSAFE:
            if method in item and (method, path) not in UNAUTHENTICATED:
                yield method, path


def test_a_read_token_reads_but_every_unsafe_operation_is_403():
    user = UserFactory()
    client = _token_client(api_token_for(user, scope="read"))
    assert client.get("/api/v1/wallet/").status_code == 200
    operations = list(_unsafe_operations())
    money = {p for _m, p in operations if "wallet" in p or "ops" in p or "subscription" in p}
    assert {"/api/v1/wallet/withdrawals/", "/api/v1/wallet/stake/", "/api/v1/wallet/transfers/"} <= money
    for method, path in operations:
        # Ids need not exist: the scope is refused before the view looks anything up.
        url = re.sub(r"\{token_id\}", "00000000-0000-4000-8000-000000000000", path)
        url = re.sub(r"\{slug\}", "x", url)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.json()["code"] == "token_scope", (method, path)


def test_tokens_are_revoked_one_by_one_and_not_by_another_member():
    user, other = UserFactory(), UserFactory()
    keep, drop = api_token_for(user, name="keep"), api_token_for(user, name="drop")
    drop_id = ApiToken.objects.get(user=user, name="drop").public_id
    assert _token_client(api_token_for(other)).delete(f"/api/v1/auth/tokens/{drop_id}/").status_code == 404
    assert _token_client(keep).delete(f"/api/v1/auth/tokens/{drop_id}/").status_code == 204
    assert _token_client(drop).get("/api/v1/me/").status_code == 401
    assert _token_client(keep).get("/api/v1/me/").status_code == 200


def test_an_expired_token_is_refused_and_use_is_recorded():
    user = UserFactory()
    secret = api_token_for(user)
    client = _token_client(secret)
    client.get("/api/v1/me/", REMOTE_ADDR="198.51.100.7")
    row = ApiToken.objects.get(user=user)
    assert row.last_used_ip == "198.51.100.7" and row.last_used_at is not None
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["code"] == "token_expired"


@pytest.mark.django_db(transaction=True)  # DDL commits on MariaDB
def test_old_drf_tokens_become_hashed_tokens_that_keep_working():
    user = UserFactory()
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (`key` varchar(40) PRIMARY KEY, created datetime(6), user_id bigint)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now(), user.pk])
    migration = importlib.import_module("accounts.migrations.0005_drf_tokens_to_api_tokens")
    from django.apps import apps

    with connection.schema_editor() as editor:
        migration.move_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    row = ApiToken.objects.get(user=user)
    assert (row.name, row.scope, row.digest) == (migration.MIGRATED_NAME, "read+money", hash_token(key))
    assert _token_client(key).get("/api/v1/me/").status_code == 200
