"""The console's audit log: who, which action, on which object (as it reads today,
linked), from where and when; the change as before → after; empty updates hidden
unless asked for; filters by action, object type and actor; search; read-only."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from core.permissions import ROLE_AUDITOR
from tests.console import client_for, pending_withdrawal, seed_roles, staff
from wallets.models import Wallet
from wallets.services import withdrawal_approve

pytestmark = pytest.mark.django_db

LOG = "/admin/auditlog/logentry/"


@pytest.fixture
def auditor_client():
    seed_roles()
    return client_for(staff(ROLE_AUDITOR))


def test_rows_read_as_who_did_what_to_which_object(auditor_client):
    operator = staff(None, email="olga@example.test", display_name="Olga")
    row = pending_withdrawal("40", email="ada@example.test", display_name="Ada")
    withdrawal_approve(withdrawal_id=row.pk, actor=operator)
    html = auditor_client.get(LOG).content.decode()
    assert "olga@example.test" in html and "Olga" in html  # the actor, by email and name
    assert "Withdrawal approved" in html  # the AuditAction label of the named entry
    assert "Wallet of ada@example.test" in html  # never "Wallet of 7"
    assert f"#{row.pk} withdrawal 40 OGC · ada@example.test" in html
    assert "0 changes" not in html
    # Amounts as people write them, never the column's 18 decimals ("40.000000000000000000");
    # addresses are shown as they are (a test address is mostly zeros).
    assert not re.search(r"\d\.\d{18}", html)
    wallet = Wallet.objects.get(user=row.user)
    assert f'href="/admin/wallets/wallet/{wallet.pk}/change/"' in html


def test_the_diff_reads_before_to_after_with_amounts_as_people_write_them(auditor_client):
    user = pending_withdrawal("40").user
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Wallet), object_id=user.wallet.pk
    ).latest("pk")
    html = auditor_client.get(f"{LOG}{entry.pk}/change/").content.decode()
    assert "before" in html and "after" in html
    assert ">100<" in html and ">60<" in html  # available 100 → 60, not 100.000000000000000000
    assert "Wallet of " + user.email in html


def test_updates_that_changed_nothing_are_hidden_unless_asked_for(auditor_client):
    user = staff(None, email="quiet@example.test")
    empty = LogEntry.objects.log_create(user, force_log=True, action=LogEntry.Action.UPDATE, changes={})
    assert empty is not None
    assert f"{LOG}{empty.pk}/change/" not in auditor_client.get(LOG).content.decode()
    assert f"{LOG}{empty.pk}/change/" in auditor_client.get(LOG, {"empty": "show"}).content.decode()


def test_filters_by_named_action_type_actor_and_request(auditor_client):
    operator = staff(None, email="olga@example.test")
    approved = pending_withdrawal("40")
    other = pending_withdrawal("30")
    withdrawal_approve(withdrawal_id=approved.pk, actor=operator)
    named = LogEntry.objects.get(additional_data__action="withdrawal_approve")

    def ids(params):
        response = auditor_client.get(LOG, params)
        assert response.status_code == 200
        return {e.pk for e in response.context["cl"].result_list}

    assert ids({"named": "withdrawal_approve"}) == {named.pk}
    assert ids({"named": "_0"}) == set(LogEntry.objects.filter(action=0).values_list("pk", flat=True))
    assert all(
        e.content_type.model == "wallet" for e in LogEntry.objects.filter(pk__in=ids({"type": "wallets.wallet"}))
    )
    assert named.pk in ids({"actor": str(operator.pk)})
    assert ids({"actor": "system"}) & ids({"actor": str(operator.pk)}) == set()
    named.cid = "req-1"
    named.save()
    assert ids({"cid": "req-1"}) == {named.pk}
    assert ids({"q": "olga@ex"}) >= {named.pk}
    assert ids({"q": "req-1"}) == {named.pk}
    assert ids({"q": f"#{other.pk}"}) and all(
        LogEntry.objects.get(pk=pk).object_id == other.pk for pk in ids({"q": f"#{other.pk}"})
    )


def test_the_audit_log_is_read_only_even_for_superusers():
    pending_withdrawal("40")
    superuser = client_for(staff(None))
    entry = LogEntry.objects.latest("pk")
    assert superuser.get(f"{LOG}{entry.pk}/delete/").status_code == 403
    assert superuser.post(f"{LOG}{entry.pk}/change/", {}).status_code == 403
    response = superuser.post(LOG, {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert LogEntry.objects.filter(pk=entry.pk).exists() and response.status_code in (200, 302)
