"""A new password revokes the user's API tokens, whichever path changed it."""

import pytest

from accounts.models import ApiToken
from accounts.tests.factories import DEFAULT_PASSWORD, SuperuserFactory, UserFactory, login_fresh
from conftest import make_token_client

pytestmark = pytest.mark.django_db
NEW = "a-Brand-new-passphrase-314"


def test_password_change_page_revokes_tokens(client):
    user = UserFactory()
    api = make_token_client(user)
    assert api.get("/api/v1/me/").status_code == 200
    login_fresh(client, user)  # changing the password is a step-up action
    response = client.post(
        "/accounts/password/change/", {"oldpassword": DEFAULT_PASSWORD, "password1": NEW, "password2": NEW}
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    assert api.get("/api/v1/me/").status_code == 401


def test_admin_password_reset_revokes_tokens(client):
    user = UserFactory()
    make_token_client(user)
    client.force_login(SuperuserFactory())
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/", {"password1": NEW, "password2": NEW, "usable_password": "true"}
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()


def test_profile_save_keeps_tokens():
    user = UserFactory()
    make_token_client(user)
    user.display_name = "Still me"
    user.save()
    assert ApiToken.objects.filter(user=user).exists()
