"""One email address, one account (issue 13, part 4). allauth's conditional unique
constraints on ``account_emailaddress`` (one verified owner of an address, one primary
address per user) are not created on MariaDB (``models.W036``), so the application
enforces them: wherever an address is added or changed, an address held by another
account — as its login email or as any of its addresses, verified or not, in any case
— is refused; ``check_integrity`` finds rows that got around it."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts import selectors
from accounts.models import User
from accounts.services import account_create
from accounts.tests.factories import SuperuserFactory, UserFactory, login_fresh
from accounts.tests.test_user_admin_privileges import _form
from core import integrity
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

STRONG = "a-Long-enough-passphrase-77"
ALLAUTH_TAKEN = "A user is already registered with this email address."


@pytest.fixture
def ana():
    """Ana logs in as ana@example.test and also holds alt@example.test (unverified)."""
    user = UserFactory(email="ana@example.test")
    EmailAddress.objects.create(user=user, email="ana@example.test", primary=True, verified=True)
    EmailAddress.objects.create(user=user, email="alt@example.test", primary=False, verified=False)
    return user


TAKEN = ["ana@example.test", "ANA@Example.TEST", "alt@example.test", " Alt@EXAMPLE.test "]


def _holders(email: str) -> set[int]:
    users = set(User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True))
    return users | set(EmailAddress.objects.filter(email__iexact=email.strip()).values_list("user_id", flat=True))


def test_email_in_use_sees_login_emails_and_every_address_in_any_case(ana):
    for email in TAKEN:
        assert selectors.email_in_use(email=email)
        assert not selectors.email_in_use(email=email, exclude_user_id=ana.pk)
    assert not selectors.email_in_use(email="nobody@example.test")


@pytest.mark.parametrize("email", TAKEN)
def test_the_signup_page_refuses_a_taken_address(ana, email):
    response = Client().post("/accounts/signup/", {"email": email, "password1": STRONG, "password2": STRONG})
    assert response.status_code == 200
    assert ALLAUTH_TAKEN in response.content.decode()
    assert _holders(email) == {ana.pk}


@pytest.mark.parametrize("email", TAKEN)
def test_the_signup_api_refuses_a_taken_address(ana, api_client, email):
    response = api_client.post("/api/v1/auth/signup/", {"email": email, "password": STRONG}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "email_taken"), response.json()
    assert response.json()["fields"] == {"email": ["A user with this email address already exists."]}
    assert _holders(email) == {ana.pk}


def test_the_signup_service_refuses_a_taken_address_too(ana):
    from accounts.services import user_signup

    with pytest.raises(ApplicationError) as refused:
        user_signup(email="ALT@example.test", password=STRONG)
    assert (refused.value.code, refused.value.field) == ("email_taken", "email")
    assert _holders("alt@example.test") == {ana.pk}


@pytest.mark.parametrize("email", TAKEN)
def test_the_add_email_page_refuses_an_address_of_another_account(ana, email):
    ben = UserFactory(email="ben@example.test")
    client = Client()
    client.force_login(ben)
    response = client.post("/accounts/email/", {"action_add": "", "email": email})
    assert response.status_code == 200
    assert ALLAUTH_TAKEN in response.content.decode()
    assert _holders(email) == {ana.pk}
    assert not EmailAddress.objects.filter(user=ben, email__iexact=email.strip()).exists()


def test_the_add_email_page_still_adds_a_free_address(ana):
    ben = UserFactory(email="ben@example.test")
    client = Client()
    login_fresh(client, ben)  # adding an address is a step-up action
    response = client.post("/accounts/email/", {"action_add": "", "email": "Ben.Work@Example.test"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=ben, email="ben.work@example.test", verified=False).exists()


def test_the_admin_refuses_an_address_of_another_account(ana, client):
    ben = UserFactory(email="ben@example.test")
    client.force_login(SuperuserFactory())
    for email in ("ALT@example.test", "ana@example.test"):
        response = client.post(f"/admin/accounts/user/{ben.pk}/change/", _form(ben, email=email))
        assert response.status_code == 200
        assert "already" in response.content.decode()
        ben.refresh_from_db()
        assert ben.email == "ben@example.test"
    response = client.post("/admin/accounts/user/add/", {"email": "Alt@example.test", "usable_password": "false"})
    assert response.status_code == 200 and _holders("alt@example.test") == {ana.pk}


def test_account_create_refuses_an_address_of_another_account(ana):
    with pytest.raises(ApplicationError) as refused:
        account_create(email="alt@example.test", password=STRONG)
    assert refused.value.code == "email_taken"
    assert account_create(email="ANA@example.test", password=STRONG) == (ana, False)  # the same account


def test_the_api_does_not_change_emails(ana):
    from conftest import make_token_client

    response = make_token_client(ana).patch("/api/v1/me/", {"email": "new@example.test"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["fields"]
    ana.refresh_from_db()
    assert ana.email == "ana@example.test"


def test_check_integrity_finds_shared_addresses_and_second_primaries(ana):
    names = {check.name for check in integrity.registered_checks()}
    assert {"accounts.emails_held_twice", "accounts.users_with_two_primary_addresses"} <= names
    checks = {check.name: check for check in integrity.registered_checks()}
    assert integrity.run_check(checks["accounts.emails_held_twice"]).ok
    assert integrity.run_check(checks["accounts.users_with_two_primary_addresses"]).ok
    ben = UserFactory(email="ben@example.test")
    # Written around the application, as a race between two requests could.
    EmailAddress.objects.create(user=ben, email="ALT@example.test", verified=True)
    EmailAddress.objects.create(user=ana, email="third@example.test", primary=True)
    shared = integrity.run_check(checks["accounts.emails_held_twice"])
    assert shared.problems == (f"alt@example.test is held by users {ana.pk}, {ben.pk}",)
    primaries = integrity.run_check(checks["accounts.users_with_two_primary_addresses"])
    assert primaries.problems == (f"user {ana.pk} has 2 primary addresses",)


def test_w036_is_silenced_for_allauth_alone():
    from django.conf import settings
    from django.core import checks
    from django.db import connection, models
    from django.db.models import Q, UniqueConstraint
    from django.test.utils import isolate_apps

    from accounts.checks import w036_outside

    assert settings.SILENCED_SYSTEM_CHECKS == ["models.W036"]
    reported = [m for m in checks.run_checks(databases=["default"]) if not m.is_silenced()]
    assert not [m for m in reported if m.id in ("models.W036", "accounts.W036")]
    if connection.features.supports_partial_indexes:
        pytest.skip("this database creates conditional unique constraints")
    with isolate_apps("accounts"):

        class Flagged(models.Model):
            owner = models.IntegerField()
            flagged = models.BooleanField()

            class Meta:
                app_label = "accounts"
                constraints = [UniqueConstraint(fields=["owner"], condition=Q(flagged=True), name="one_flag")]

            def __str__(self) -> str:
                return str(self.owner)

        [warning] = w036_outside([Flagged], ["default"])
    assert warning.id == "accounts.W036" and warning.obj is Flagged
