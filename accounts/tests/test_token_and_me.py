import pytest
from auditlog.models import LogEntry
from knox.crypto import hash_token
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_token_obtain_with_email_and_password(api_client):
    user = UserFactory(email="t@example.test")
    response = api_client.post("/api/v1/auth/token/", {"email": "T@Example.test", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    secret = response.json()["token"]
    token = ApiToken.objects.get(user=user)
    # Stored only as a hash: the secret is nowhere in the row.
    assert token.digest == hash_token(secret) and secret not in (token.digest, token.token_key)
    assert token.scope == "read+money" and token.expiry is not None


def test_token_obtain_wrong_password_is_the_same_401_whether_the_email_exists_or_not(api_client):
    UserFactory(email="t@example.test")
    known = api_client.post("/api/v1/auth/token/", {"email": "t@example.test", "password": "wrong-one-123"})
    unknown = api_client.post("/api/v1/auth/token/", {"email": "nobody@example.test", "password": "wrong-one-123"})
    assert known.status_code == unknown.status_code == 401
    assert known["WWW-Authenticate"] == unknown["WWW-Authenticate"] == "Token"
    assert (
        known.json()
        == unknown.json()
        == {
            "code": "authentication_failed",
            "detail": "Unable to log in with these credentials.",
            "fields": {},
        }
    )
    assert ApiToken.objects.count() == 0


def test_token_works_and_revoked_token_does_not(api_client):
    UserFactory(email="t@example.test")
    key = api_client.post("/api/v1/auth/token/", {"email": "t@example.test", "password": DEFAULT_PASSWORD}).json()[
        "token"
    ]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "detail", "fields"}


def test_me_get_shows_profile_and_wallet(auth_client):
    body = auth_client.get("/api/v1/me/").json()
    assert body["email"] == auth_client.user.email
    assert body["wallet"]["deposit_address"] == auth_client.user.wallet.deposit_address


def test_me_patch_changes_profile_fields(auth_client):
    response = auth_client.patch(
        "/api/v1/me/", {"display_name": "Zed", "country": "DE", "timezone": "Europe/Berlin", "locale": "de"}
    )
    assert response.status_code == 200, response.json()
    user = User.objects.get(pk=auth_client.user.pk)
    assert (user.display_name, user.country, user.timezone, user.locale) == ("Zed", "DE", "Europe/Berlin", "de")


@pytest.mark.parametrize(
    "payload",
    [
        {"is_staff": True},
        {"is_superuser": True},
        {"email": "new@example.test"},
        {"wallet": {"available": "100"}},
        {"available": "100"},
        {"display_name": "ok", "is_staff": True},
    ],
)
def test_me_patch_refuses_protected_fields(auth_client, payload):
    before = User.objects.get(pk=auth_client.user.pk)
    response = auth_client.patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    after = User.objects.get(pk=auth_client.user.pk)
    assert (after.is_staff, after.is_superuser, after.email, after.display_name) == (
        before.is_staff,
        before.is_superuser,
        before.email,
        before.display_name,
    )
    assert after.wallet.available == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"country": "Germany"}, "country"), ({"avatar_url": "not a url"}, "avatar_url"), ({"bio": "b" * 501}, "bio")],
)
def test_me_patch_bad_values_are_field_errors(auth_client, payload, field):
    response = auth_client.patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_token_authenticated_change_is_audited_with_actor_and_request_id(auth_client):
    response = auth_client.patch("/api/v1/me/", {"display_name": "Audited"}, HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-abc-123"
    entry = LogEntry.objects.get_for_object(auth_client.user).latest("timestamp")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor_id == auth_client.user.pk
    assert entry.cid == "req-abc-123"
    assert entry.remote_addr == "127.0.0.1"
    assert "display_name" in entry.changes_dict


def test_request_id_is_generated_when_absent(auth_client):
    response = auth_client.get("/api/v1/me/")
    assert len(response["X-Request-ID"]) == 32
