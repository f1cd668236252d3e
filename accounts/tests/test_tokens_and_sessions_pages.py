"""The API tokens page (create behind step-up, the secret shown once, last use, revoke
one by one) and the sessions page (where the member is signed in: end one, log out
everywhere), issue #17 parts 5 and 6."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tests.factories import UserFactory, login_fresh

pytestmark = pytest.mark.django_db
TOKENS = "/account/tokens/"
SESSIONS = "/account/sessions/"


def _signed_in(user, agent: str) -> Client:
    """A browser that logs in through allauth's page (allauth.usersessions records it)."""
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery-42"})
    assert response.status_code == 302, response.content[:300]
    return client


def test_creating_a_token_asks_to_sign_in_again_and_shows_the_secret_once():
    member = UserFactory()
    client = Client()
    client.force_login(member)
    page = client.get(TOKENS)
    assert page.status_code == 200 and 'data-testid="no-tokens"' in page.content.decode()
    form = {"name": "tax script", "scope": "read", "days": "30"}
    asked = client.post(TOKENS, form)
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Faccount%2Ftokens%2F"
    assert not ApiToken.objects.exists()
    shown = client.post(asked["Location"], {"password": "correct-horse-battery-42"})
    html = shown.content.decode()
    secret = re.search(r'data-testid="token-secret">([^<]+)<', html).group(1)
    token = ApiToken.objects.get(user=member)
    assert (token.name, token.scope) == ("tax script", "read")
    assert token.expiry == pytest.approx(timezone.now() + timedelta(days=30), abs=timedelta(minutes=1))
    assert secret.startswith("ogc_") and secret not in str(token.digest)
    # The secret works, and is never on the page again.
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    again = client.get(TOKENS).content.decode()
    assert secret not in again and "tax script" in again and "Read only" in again
    assert "Not used yet" not in again  # used just now, from the test client's address
    assert "from 127.0.0.1" in again


def test_a_bad_token_form_is_400_with_the_error_on_its_field():
    member = UserFactory()
    client = Client()
    login_fresh(client, member)
    response = client.post(TOKENS, {"name": "x", "scope": "everything", "days": "400"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"scope", "days"}
    assert not ApiToken.objects.exists()


def test_tokens_are_revoked_one_by_one_and_not_by_another_member():
    member, other = UserFactory(), UserFactory()
    keep, _ = ApiToken.objects.create(user=member, name="keep", scope="read")
    drop, _ = ApiToken.objects.create(user=member, name="drop", scope="read+money")
    theirs, _ = ApiToken.objects.create(user=other, name="theirs", scope="read")
    client = Client()
    client.force_login(member)
    assert client.post(f"{TOKENS}{theirs.public_id}/revoke/").status_code == 404
    response = client.post(f"{TOKENS}{drop.public_id}/revoke/")
    assert response.status_code == 302 and response["Location"] == TOKENS
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"keep", "theirs"}
    listed = client.get(TOKENS).context["tokens"]
    assert [t.public_id for t in listed] == [keep.public_id]


def test_the_sessions_page_lists_browsers_and_ends_one():
    member = UserFactory()
    laptop = _signed_in(member, "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    phone = _signed_in(member, "Mozilla/5.0 (iPhone) Safari/604.1")
    html = laptop.get(SESSIONS).content.decode()
    assert "Firefox/128.0" in html and "Safari/604.1" in html and html.count("This browser") == 1
    phone_session = UserSession.objects.get(user=member, user_agent__contains="iPhone")
    ended = laptop.post(f"{SESSIONS}{phone_session.pk}/end/")
    assert ended.status_code == 302 and ended["Location"] == SESSIONS
    assert phone.get("/dashboard/").status_code == 302  # the phone is signed out
    assert laptop.get("/dashboard/").status_code == 200
    # Another member's session: 404.
    stranger = _signed_in(UserFactory(), "Other/1.0")
    laptop_session = UserSession.objects.get(user=member)
    assert stranger.post(f"{SESSIONS}{laptop_session.pk}/end/").status_code == 404
    assert laptop.get("/dashboard/").status_code == 200


def test_log_out_everywhere_signs_every_browser_out():
    member = UserFactory()
    first = _signed_in(member, "First/1.0")
    second = _signed_in(member, "Second/1.0")
    response = first.post(f"{SESSIONS}end-all/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert first.get("/dashboard/").status_code == 302 and second.get("/dashboard/").status_code == 302
    assert not UserSession.objects.filter(user=member).exists()


def test_the_settings_menu_links_the_security_pages():
    client = Client()
    client.force_login(UserFactory())
    html = client.get("/profile/").content.decode()
    for href in ('href="/accounts/2fa/"', 'href="/account/sessions/"', 'href="/account/tokens/"'):
        assert href in html
