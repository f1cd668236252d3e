"""An operator supports members in the admin, but an account holding a role beyond
member (moderator, operator, auditor) is "stronger than a member" even without
``is_staff``: the API grants roles by group (``core.permissions.has_role``), so an
operator resetting such an account's password would take over its role."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import StaffFactory, UserFactory
from core.permissions import ROLE_AUDITOR, ROLE_MEMBER, ROLE_MODERATOR, ROLE_OPERATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(db):
    call_command("seed", "--no-admin", stdout=io.StringIO())
    client = Client()
    client.force_login(StaffFactory(roles=[ROLE_OPERATOR]))
    return client


@pytest.mark.parametrize("role", [ROLE_MODERATOR, ROLE_OPERATOR, ROLE_AUDITOR])
def test_operator_cannot_change_or_reset_password_of_a_non_staff_role_holder(operator_client, role):
    holder = UserFactory(roles=[role])
    old_hash = holder.password

    assert operator_client.get(f"/admin/accounts/user/{holder.pk}/password/").status_code == 403
    response = operator_client.post(
        f"/admin/accounts/user/{holder.pk}/password/",
        {"password1": "Taken-over-pass-9", "password2": "Taken-over-pass-9", "usable_password": "true"},
    )
    assert response.status_code == 403
    holder.refresh_from_db()
    assert holder.password == old_hash
    # The change page opens read-only (the operator may view users), never as a form to save.
    page = operator_client.get(f"/admin/accounts/user/{holder.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_operator_still_supports_plain_members(operator_client):
    member = UserFactory(roles=[ROLE_MEMBER])
    assert operator_client.get(f"/admin/accounts/user/{member.pk}/change/").status_code == 200
    # Passwords are set by superusers only; operators email a reset link instead
    # (test_user_admin_privileges.py::test_operator_cannot_set_a_member_password_but_can_send_a_reset_link).
    assert operator_client.get(f"/admin/accounts/user/{member.pk}/password/").status_code == 403
