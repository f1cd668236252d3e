"""Operator console: read-only ledger, approve/reject actions and the deposit and
adjustment forms call the services and leave an audit entry naming the action."""

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import StaffFactory, SuperuserFactory, UserFactory
from wallets import services
from wallets.models import Transaction, Wallet
from wallets.tests.factories import WalletAddressFactory, current, funded_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client():
    call_command("seed", "--no-admin", stdout=io.StringIO())
    client = Client()
    client.user = StaffFactory(roles=["operator"])
    client.force_login(client.user)
    return client


def _action_entries(action: str):
    ct = ContentType.objects.get_for_model(Transaction)
    return LogEntry.objects.filter(content_type=ct, additional_data__action=action)


def test_lists_search_and_no_add_change_delete(operator_client):
    user = funded_user("10", email="findme@example.test")
    row = Transaction.objects.get(user=user)
    html = operator_client.get("/admin/wallets/transaction/", {"q": "findme@"}).content.decode()
    assert f">{row.pk}<" in html
    assert operator_client.get("/admin/wallets/transaction/", {"kind__exact": "deposit"}).status_code == 200
    assert operator_client.get("/admin/wallets/wallet/", {"q": "findme"}).status_code == 200
    assert operator_client.get(f"/admin/wallets/wallet/{user.wallet.pk}/change/").status_code == 200
    assert operator_client.get(f"/admin/wallets/transaction/{row.pk}/change/").status_code == 200
    for client in (operator_client, _superuser_client()):
        assert client.get("/admin/wallets/transaction/add/").status_code == 403
        assert client.get(f"/admin/wallets/transaction/{row.pk}/delete/").status_code == 403
        r = client.post(f"/admin/wallets/transaction/{row.pk}/change/", {"amount": "999"})
        assert r.status_code == 403
        assert client.get("/admin/wallets/wallet/add/").status_code == 403
    row.refresh_from_db()
    assert row.amount == Decimal(10)


def _superuser_client():
    client = Client()
    client.force_login(SuperuserFactory())
    return client


def test_moderators_see_no_money():
    call_command("seed", "--no-admin", stdout=io.StringIO())
    client = Client()
    client.force_login(StaffFactory(roles=["moderator"]))
    assert client.get("/admin/wallets/transaction/").status_code == 403
    assert client.get("/admin/wallets/wallet/").status_code == 403


def test_approve_and_reject_actions(operator_client):
    user = funded_user("100")
    address = WalletAddressFactory(wallet=user.wallet)
    w1 = services.withdrawal_request(user=user, amount="10", address_id=address.pk)
    w2 = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
    url = "/admin/wallets/transaction/"
    r = operator_client.post(url, {"action": "approve_withdrawals", "_selected_action": [w1.pk]})
    assert r.status_code == 302
    assert current(w1).state == "completed"
    entry = _action_entries("withdrawal_approve").get()
    assert entry.actor == operator_client.user and entry.object_pk == str(w1.pk)
    # Approving twice is refused with a message and changes nothing.
    r = operator_client.post(url, {"action": "approve_withdrawals", "_selected_action": [w1.pk]}, follow=True)
    assert "not pending" in r.content.decode()
    assert _action_entries("withdrawal_approve").count() == 1
    # Reject: an intermediate form asks for the reason.
    r = operator_client.post(url, {"action": "reject_withdrawals", "_selected_action": [w2.pk]})
    assert r.status_code == 200 and "reason" in r.content.decode()
    assert current(w2).state == "pending"
    r = operator_client.post(
        url, {"action": "reject_withdrawals", "_selected_action": [w2.pk], "reason": "address on a sanctions list"}
    )
    assert r.status_code == 302
    w2 = current(w2)
    assert w2.state == "canceled" and "sanctions" in w2.state_reason
    assert _action_entries("withdrawal_reject").get().additional_data["reason"] == "address on a sanctions list"
    assert Wallet.objects.get(user=user).available == Decimal(90)


def test_adjustment_and_deposit_forms(operator_client):
    user = UserFactory(email="target@example.test")
    r = operator_client.get("/admin/wallets/transaction/deposit/")
    token = r.context["form"].initial["token"]
    body = {"member": user.pk, "amount": "50", "reference": "0xfeed", "reason": "bank", "token": token}
    assert operator_client.post("/admin/wallets/transaction/deposit/", body).status_code == 302
    assert operator_client.post("/admin/wallets/transaction/deposit/", body).status_code == 302  # resend
    assert Wallet.objects.get(user=user).available == Decimal(50)
    assert _action_entries("deposit_create").count() == 1
    r = operator_client.post(
        "/admin/wallets/transaction/adjust/",
        {"member": user.pk, "amount": "80", "direction": "debit", "reason": "oops", "token": "a1"},
    )
    assert r.status_code == 200 and "Insufficient" in r.content.decode()
    r = operator_client.post(
        "/admin/wallets/transaction/adjust/",
        {"member": user.pk, "amount": "5", "direction": "debit", "reason": "", "token": "a2"},
    )
    assert r.status_code == 200 and "reason is required" in r.content.decode()
    r = operator_client.post(
        "/admin/wallets/transaction/adjust/",
        {
            "member": user.pk,
            "amount": "5",
            "direction": "debit",
            "reason": "fee refund reversal",
            "token": "a3",
        },
    )
    assert r.status_code == 302
    assert Wallet.objects.get(user=user).available == Decimal(45)
    assert _action_entries("adjustment_create").get().actor == operator_client.user


def test_forms_need_the_permission():
    client = Client()
    client.force_login(StaffFactory())
    assert client.get("/admin/wallets/transaction/adjust/").status_code == 403
    assert client.get("/admin/wallets/transaction/deposit/").status_code == 403


def test_transfer_rows_are_listed_and_read_only(operator_client):
    alice, bob = funded_user("50"), funded_user("0")
    out = services.transfer_create(sender=alice, recipient=bob.email, amount="5", memo="admin sees me")
    received = Transaction.objects.get(kind="transfer_in")
    html = operator_client.get("/admin/wallets/transaction/", {"kind__exact": "transfer_out"}).content.decode()
    assert "Transfer sent" in html
    for row in (out, received):
        assert operator_client.get(f"/admin/wallets/transaction/{row.pk}/change/").status_code == 200
        assert operator_client.get(f"/admin/wallets/transaction/{row.pk}/delete/").status_code == 403
        r = operator_client.post(f"/admin/wallets/transaction/{row.pk}/change/", {"amount": "999"})
        assert r.status_code == 403
    assert {r.amount for r in Transaction.objects.filter(kind__startswith="transfer")} == {Decimal(5)}
