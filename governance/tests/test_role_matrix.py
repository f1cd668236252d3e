"""Role matrix: what each role (accounts/roles.py, seeded by ``seed``) can open and
change in the admin and the API. Least privilege: member < moderator/operator < auditor (read-only)."""

import io

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.roles import AUDITED_APPS, ROLE_PERMISSIONS
from accounts.tests.factories import StaffFactory, SuperuserFactory, UserFactory
from conftest import make_token_client
from core.permissions import ROLE_AUDITOR, ROLE_MEMBER, ROLE_MODERATOR, ROLE_OPERATOR
from governance.services import vote_cast
from governance.tests.factories import open_proposal, staked_member
from wallets.tests.factories import WalletAddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roles(db, settings):
    settings.OGC_PROPOSAL_MIN_STAKE = 1
    call_command("seed", "--no-admin", stdout=io.StringIO())


@pytest.fixture
def data(db):
    """At least one row of most admin-registered models, written through services."""
    voter = staked_member("10")
    proposal = open_proposal(author=voter)
    vote_cast(proposal_id=proposal.pk, voter=voter, choice="for")
    WalletAddressFactory()
    return proposal


def _client(role: str | None, *, staff: bool = True) -> Client:
    factory = StaffFactory if staff else UserFactory
    user = factory(roles=[role] if role else [])
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _registered(app_label: str, model_name: str):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    return model if model in admin.site._registry else None


def _audited_admin_models():
    return [m for m in admin.site._registry if m._meta.app_label in AUDITED_APPS]


# --- seed output ------------------------------------------------------------------------------


def test_seeded_groups_match_roles_py_and_auditor_is_read_only():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    assert not Group.objects.get(name=ROLE_MEMBER).permissions.exists()
    auditor_codenames = set(Group.objects.get(name=ROLE_AUDITOR).permissions.values_list("codename", flat=True))
    assert auditor_codenames and all(c.startswith("view_") for c in auditor_codenames)
    assert "view_logentry" in auditor_codenames
    for role in (ROLE_MODERATOR, ROLE_OPERATOR):
        perms = Group.objects.get(name=role).permissions
        assert not perms.filter(content_type__app_label="auditlog").exclude(codename="view_logentry").exists()
        assert not perms.filter(content_type__app_label="auth").exclude(codename__startswith="view_").exists()


# --- member -------------------------------------------------------------------------------------


def test_member_cannot_open_the_admin_nor_the_audit_log_api():
    client = _client(ROLE_MEMBER, staff=False)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert make_token_client(client.user).get("/api/v1/audit-logs/").status_code == 403


# --- moderator --------------------------------------------------------------------------------


def test_moderator_opens_community_pages_not_money_pages(data):
    client = _client(ROLE_MODERATOR)
    # The issue: moderators look after challenges, submissions and badges (rewards are money: operators).
    challenge_models = [_registered("challenges", name) for name in ("Challenge", "Submission", "Badge", "UserBadge")]
    assert all(challenge_models), f"challenges admin is not registered yet: {challenge_models}"
    for model in challenge_models:
        assert client.get(_url(model, "changelist")).status_code == 200, model
    assert client.get(_url(apps.get_model("governance", "Proposal"), "changelist")).status_code == 200
    for name in ("Wallet", "Transaction", "WalletAddress"):
        assert client.get(_url(apps.get_model("wallets", name), "changelist")).status_code == 403, name
    assert client.get(_url(LogEntry, "changelist")).status_code == 403
    assert make_token_client(client.user).get("/api/v1/audit-logs/").status_code == 403


# --- operator -----------------------------------------------------------------------------------


def test_operator_opens_wallets_and_subscriptions_but_cannot_change_audit_entries(data):
    client = _client(ROLE_OPERATOR)
    for name in ("Wallet", "Transaction", "WalletAddress"):
        assert client.get(_url(apps.get_model("wallets", name), "changelist")).status_code == 200, name
    subscription = _registered("subscriptions", "Subscription")
    assert subscription is not None, "subscriptions.Subscription admin is not registered yet"
    assert client.get(_url(subscription, "changelist")).status_code == 200

    entry = LogEntry.objects.first()
    assert client.get(_url(LogEntry, "changelist")).status_code == 200
    assert client.post(_url(LogEntry, "change", entry.pk), {"changes_text": "x"}).status_code == 403
    assert client.post(_url(LogEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    assert client.get(_url(apps.get_model("governance", "Admin"), "add")).status_code == 403
    assert make_token_client(client.user).get("/api/v1/audit-logs/").status_code == 200


# --- auditor ------------------------------------------------------------------------------------


def test_auditor_views_every_changelist_and_changes_nothing(data):
    client = _client(ROLE_AUDITOR)
    models = _audited_admin_models()
    assert len(models) >= 8
    for model in models:
        assert client.get(_url(model, "changelist")).status_code == 200, model
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        assert client.get(_url(model, "change", obj.pk)).status_code == 200, model  # the read-only view
        assert client.post(_url(model, "change", obj.pk), {}).status_code == 403, model
        try:
            delete_url = _url(model, "delete", obj.pk)
        except NoReverseMatch:
            continue
        assert client.post(delete_url, {"post": "yes"}).status_code == 403, model
        assert model._default_manager.filter(pk=obj.pk).exists()
    assert make_token_client(client.user).get("/api/v1/audit-logs/").status_code == 200


# --- audit entries are read-only for everyone -----------------------------------------------------


def test_audit_entries_cannot_be_added_changed_or_deleted_even_by_a_superuser(data):
    client = Client()
    client.force_login(SuperuserFactory())
    entry = LogEntry.objects.first()
    count = LogEntry.objects.count()

    assert client.get(_url(LogEntry, "changelist")).status_code == 200
    assert client.get(_url(LogEntry, "add")).status_code == 403
    assert client.post(_url(LogEntry, "change", entry.pk), {"changes_text": "forged"}).status_code == 403
    assert client.post(_url(LogEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    response = client.post(
        _url(LogEntry, "changelist"), {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert LogEntry.objects.count() >= count


def test_only_superusers_create_and_disable_admin_accounts():
    admin_model = apps.get_model("governance", "Admin")
    operator = _client(ROLE_OPERATOR)
    target = StaffFactory()
    assert operator.post(_url(admin_model, "change", target.pk), {"is_active": ""}).status_code == 403

    superuser = Client()
    superuser.force_login(SuperuserFactory())
    response = superuser.post(
        _url(admin_model, "add"),
        {"email": "new-op@example.test", "password1": "A-long-pass-phrase-91", "password2": "A-long-pass-phrase-91"},
    )
    assert response.status_code == 302, response.content[:500]
    created = admin_model.objects.get(email="new-op@example.test")
    assert created.is_staff and hasattr(created, "wallet")
    assert LogEntry.objects.filter(content_type__model="user", object_pk=str(created.pk), action=0).exists()

    response = superuser.post(
        _url(admin_model, "changelist"), {"action": "disable_accounts", "_selected_action": [target.pk]}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active is False
    assert LogEntry.objects.filter(object_pk=str(target.pk), additional_data__action="admin_disable").exists()
    # The page lists roles, last login and the active flag.
    page = superuser.get(_url(admin_model, "changelist")).content.decode()
    assert "roles" in page.lower() and "last login" in page.lower() and "active" in page.lower()
