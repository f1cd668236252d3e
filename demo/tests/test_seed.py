import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(User.objects.values_list("email", "password", "is_staff", "is_superuser")),
        sorted((g.name, tuple(sorted(g.permissions.values_list("codename", flat=True)))) for g in Group.objects.all()),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        LogEntry.objects.count(),
    )


def test_seed_creates_roles_and_admin():
    call_command("seed", verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_PERMISSIONS)
    admin = User.objects.get(email="admin@test.local")
    assert admin.is_superuser and admin.is_staff and admin.check_password("test-admin-password-42")
    auditor = Group.objects.get(name="auditor")
    codenames = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_user" in codenames and "view_logentry" in codenames
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in codenames)
    assert Group.objects.get(name="member").permissions.count() == 0


def test_seed_twice_is_a_no_op():
    call_command("seed", "--demo", verbosity=0)
    first = _snapshot()
    call_command("seed", "--demo", verbosity=0)
    assert _snapshot() == first


def test_seed_records_itself_as_the_audit_context():
    call_command("seed", verbosity=0)
    entry = LogEntry.objects.get_for_object(User.objects.get(email="admin@test.local")).first()
    assert entry.cid.startswith("cmd:seed:")


def test_seed_without_admin_credentials_fails_clearly(settings):
    settings.OGC_ADMIN_EMAIL = ""
    with pytest.raises(CommandError, match="OGC_ADMIN_EMAIL"):
        call_command("seed", verbosity=0)
    assert User.objects.count() == 0
