"""Bad input at signup: a clear field error and nothing written."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from accounts.tests.factories import UserFactory
from wallets.models import Wallet

pytestmark = pytest.mark.django_db

STRONG = "a-Long-enough-passphrase-77"


def _nothing_created():
    return User.objects.count() == 0 and Wallet.objects.count() == 0 and EmailAddress.objects.count() == 0


def test_api_signup_returns_user_token_and_wallet(api_client):
    response = api_client.post(
        "/api/v1/auth/signup/", {"email": "New@Example.test", "password": STRONG, "display_name": "Nova"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "new@example.test"
    assert body["user"]["display_name"] == "Nova"
    assert body["user"]["wallet"]["available"] == "0E-18" or body["user"]["wallet"]["available"].startswith("0.")
    assert body["token"].startswith("ogc_") and len(body["token"]) == 68
    user = User.objects.get(email="new@example.test")
    assert user.groups.filter(name="member").exists()
    assert EmailAddress.objects.filter(user=user, email="new@example.test", primary=True).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": STRONG}, "email"),
        ({"email": "weak@example.test", "password": "123"}, "password"),
        ({"email": "weak@example.test", "password": "password123"}, "password"),
        ({"email": "x" * 250 + "@example.test", "password": STRONG}, "email"),
        ({"email": "long@example.test", "password": STRONG, "display_name": "n" * 61}, "display_name"),
        ({"email": "tz@example.test", "password": STRONG, "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "staff@example.test", "password": STRONG, "is_staff": True}, "is_staff"),
        ({"email": "rich@example.test", "password": STRONG, "balance": "1000"}, "balance"),
        ({"password": STRONG}, "email"),
    ],
)
def test_api_signup_bad_input_is_a_field_error(api_client, payload, field):
    response = api_client.post("/api/v1/auth/signup/", payload, format="json")
    body = response.json()
    # 400: the schema refuses it; 422: the schema admits it but the password rules do not.
    assert (response.status_code, body["code"]) in {(400, "validation_error"), (422, "weak_password")}
    assert field in body["fields"], body
    assert _nothing_created()


def test_api_signup_duplicate_email_in_any_case(api_client):
    UserFactory(email="taken@example.test")
    response = api_client.post("/api/v1/auth/signup/", {"email": "TAKEN@Example.TEST", "password": STRONG})
    assert response.status_code == 409
    assert "email" in response.json()["fields"]
    assert User.objects.count() == 1


def test_page_signup_errors_are_shown_on_the_form(client):
    UserFactory(email="taken@example.test")
    response = client.post(
        "/accounts/signup/", {"email": "Taken@example.test", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert "password1" in form.errors
    assert User.objects.count() == 1


def test_page_signup_failing_half_way_leaves_nothing(client, monkeypatch):
    import allauth.account.forms

    def boom(*args, **kwargs):
        raise RuntimeError("email table unavailable")

    monkeypatch.setattr(allauth.account.forms, "setup_user_email", boom)
    with pytest.raises(RuntimeError):
        client.post("/accounts/signup/", {"email": "half@example.test", "password1": STRONG, "password2": STRONG})
    assert _nothing_created()
