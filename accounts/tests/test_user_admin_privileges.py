"""Operators support members in the admin but cannot escalate anyone's access."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from accounts.tests.factories import StaffFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    user = StaffFactory()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename__in=["view_user", "change_user"])
    )
    return user


def _form(user: User, **overrides):
    data = {
        "email": user.email,
        "display_name": "Changed",
        "bio": "",
        "avatar_url": "",
        "country": "",
        "locale": "en",
        "timezone": "UTC",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        # The read-only wallet inline's management form (shown to those who may view wallets).
        "wallet-TOTAL_FORMS": "1",
        "wallet-INITIAL_FORMS": "1",
        "wallet-MIN_NUM_FORMS": "0",
        "wallet-MAX_NUM_FORMS": "1",
        "wallet-0-id": str(user.wallet.pk),
        "wallet-0-user": str(user.pk),
    }
    data.update(overrides)
    return data


def test_operator_edits_a_member_profile_but_not_access(client, operator):
    member = UserFactory()
    group = Group.objects.create(name="operator-x")
    client.force_login(operator)
    response = client.post(
        f"/admin/accounts/user/{member.pk}/change/",
        _form(member, is_staff="on", is_superuser="on", groups=[group.pk], email="hijack@example.test"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert member.display_name == "Changed"
    assert (member.is_staff, member.is_superuser, member.groups.count()) == (False, False, 0)
    assert member.email != "hijack@example.test"


def test_operator_cannot_change_or_reset_password_of_staff(client, operator):
    admin = SuperuserFactory()
    client.force_login(operator)
    assert client.post(f"/admin/accounts/user/{admin.pk}/change/", _form(admin)).status_code == 403
    response = client.post(
        f"/admin/accounts/user/{admin.pk}/password/",
        {"password1": "a-New-passphrase-991", "password2": "a-New-passphrase-991"},
    )
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.check_password("correct-horse-battery-42")


def test_superuser_can_grant_access(client):
    root = SuperuserFactory()
    member = UserFactory()
    client.force_login(root)
    response = client.post(f"/admin/accounts/user/{member.pk}/change/", _form(member, is_staff="on"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_staff


def test_operator_cannot_set_a_member_password_but_can_send_a_reset_link(client, operator):
    from auditlog.models import LogEntry
    from django.core import mail

    member = UserFactory()
    client.force_login(operator)
    refused = client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": "a-New-passphrase-991", "password2": "a-New-passphrase-991"},
    )
    assert refused.status_code == 403
    member.refresh_from_db()
    assert member.check_password("correct-horse-battery-42")

    admin_staff = SuperuserFactory()
    response = client.post(
        "/admin/accounts/user/",
        {"action": "send_password_reset", "_selected_action": [member.pk, admin_staff.pk]},
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member.email]]  # the superuser was skipped
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    entry = LogEntry.objects.get_for_object(member).latest("timestamp")
    assert entry.actor == operator
    assert entry.additional_data["action"] == "password_reset_send"


def test_superuser_may_still_set_a_password(client):
    root = SuperuserFactory()
    member = UserFactory()
    client.force_login(root)
    response = client.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"password1": "a-New-passphrase-991", "password2": "a-New-passphrase-991", "usable_password": "true"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-New-passphrase-991")
