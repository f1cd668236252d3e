"""Brute force on every login path is refused with 429 (django-axes), /admin/ included."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-0"


def _admin_login(client, email, password):
    # The console has no password form of its own (core.admin_site: allauth's
    # secure_admin_login): /admin/login/ sends to the site's login, next=/admin/.
    redirect = client.get("/admin/login/?next=/admin/")
    assert (redirect.status_code, redirect["Location"]) == (302, "/accounts/login/?next=%2Fadmin%2F")
    return client.post("/accounts/login/?next=/admin/", {"login": email, "password": password})


def _site_login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def _token_login(client, email, password):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


@pytest.mark.parametrize(
    ("make_client", "login"),
    [(Client, _admin_login), (Client, _site_login), (APIClient, _token_login)],
    ids=["admin", "allauth", "api-token"],
)
def test_repeated_failures_lock_the_account_even_for_the_right_password(settings, make_client, login):
    staff = StaffFactory()
    client = make_client(REMOTE_ADDR="198.51.100.1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, staff.email, WRONG).status_code != 429
    assert login(client, staff.email, WRONG).status_code == 429  # the failure that reaches the limit

    # Locked: the right password from a fresh address is refused too (per-account lockout).
    other = make_client(REMOTE_ADDR="198.51.100.2")
    response = login(other, staff.email.upper(), DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in other.session


def test_one_address_trying_many_accounts_is_locked(settings):
    client = Client(REMOTE_ADDR="198.51.100.9")
    accounts = [StaffFactory() for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    for account in accounts[:-2]:
        assert _admin_login(client, account.email, WRONG).status_code == 200  # the form, with an error
    assert _admin_login(client, accounts[-2].email, WRONG).status_code == 429
    assert _admin_login(client, accounts[-1].email, DEFAULT_PASSWORD).status_code == 429


def test_successful_admin_login_below_the_limit_works_and_resets(settings):
    staff = StaffFactory()
    client = Client(REMOTE_ADDR="198.51.100.3")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _admin_login(client, staff.email, WRONG)
    assert _admin_login(client, staff.email, DEFAULT_PASSWORD).status_code == 302
