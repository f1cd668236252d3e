"""The withdrawal approval queue of the console: who may open it, what a row shows,
one-click approve, reject with a reason, bulk actions reporting per row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from tests.console import client_for, pending_withdrawal, seed_roles, staff
from wallets import services
from wallets.models import Transaction, TransactionStatus, Wallet
from wallets.tests.factories import current

pytestmark = pytest.mark.django_db

QUEUE = "/admin/wallets/transaction/withdrawals/queue/"


@pytest.fixture
def operator_client():
    seed_roles()
    return client_for(staff(ROLE_OPERATOR, display_name="Olga"))


def _named(action: str):
    return LogEntry.objects.filter(additional_data__action=action)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_only_who_approves_withdrawals_opens_the_queue():
    seed_roles()
    assert client_for(staff(ROLE_OPERATOR)).get(QUEUE).status_code == 200
    assert client_for(staff(ROLE_MODERATOR)).get(QUEUE).status_code == 403
    assert client_for(staff(ROLE_AUDITOR)).get(QUEUE).status_code == 403


def test_the_queue_lists_pending_withdrawals_oldest_first_with_the_requesters_record(operator_client):
    first = pending_withdrawal("40", email="ada@example.test", display_name="Ada")
    second = pending_withdrawal("1250.5", funded="2000")
    done = pending_withdrawal("10")
    services.withdrawal_approve(withdrawal_id=done.pk, actor=None)  # settled: off the queue
    html = operator_client.get(QUEUE).content.decode()
    assert html.index(f"#{first.pk}") < html.index(f"#{second.pk}")
    assert f"#{done.pk}<" not in html
    assert "ada@example.test" in html and "Ada" in html
    assert "Approve 40 OGC" in html and "Approve 1,250.5 OGC" in html  # thousands, no trailing zeros
    assert "1 deposit (100 OGC)" in html and "Member for" in html
    assert "2 withdrawals waiting, 1,290.5 OGC held" in html


def test_approve_is_one_post_through_the_service_and_returns_to_the_queue(operator_client):
    row = pending_withdrawal("40")
    url = reverse("admin:wallets_transaction_withdrawal_approve", args=[row.pk])
    assert operator_client.get(url).status_code == 405
    response = operator_client.post(url, {"next": QUEUE + "?q=x"})
    assert response.status_code == 302 and response["Location"] == QUEUE + "?q=x"
    row = current(row)
    assert row.state == TransactionStatus.COMPLETED
    entry = _named("withdrawal_approve").get()
    assert entry.actor == operator_client.user
    assert any("approved: 40 OGC to" in m for m in _messages(response)), _messages(response)
    again = operator_client.post(url)
    assert any("no longer awaits approval" in m for m in _messages(again)), _messages(again)


def test_next_must_stay_on_this_site(operator_client):
    row = pending_withdrawal("40")
    url = reverse("admin:wallets_transaction_withdrawal_approve", args=[row.pk])
    response = operator_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == QUEUE


def test_reject_restates_the_withdrawal_and_needs_a_reason(operator_client):
    row = pending_withdrawal("40", email="bo@example.test")
    url = reverse("admin:wallets_transaction_withdrawal_reject", args=[row.pk])
    page = operator_client.get(url).content.decode()
    assert "bo@example.test" in page and "40 OGC" in page and "Reject this withdrawal" in page
    response = operator_client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = operator_client.post(url, {"reason": "address failed screening", "next": QUEUE})
    assert response.status_code == 302
    row = current(row)
    assert row.state == TransactionStatus.CANCELED and row.state_reason == "Rejected: address failed screening"
    assert Wallet.objects.get(user=row.user).available == Decimal(100)
    assert _named("withdrawal_reject").get().additional_data["reason"] == "address failed screening"


def test_bulk_actions_report_each_row(operator_client, monkeypatch):
    ok = pending_withdrawal("40", email="ok@example.test")
    refused = pending_withdrawal("30", email="refused@example.test")
    gone = pending_withdrawal("20")
    services.withdrawal_cancel(user=gone.user, withdrawal_id=gone.pk)  # canceled meanwhile
    from core.exceptions import ConflictError

    real = services.withdrawal_approve

    def approve(*, withdrawal_id, actor, **kwargs):
        if withdrawal_id == refused.pk:
            raise ConflictError("The chain is congested.", code="busy")
        return real(withdrawal_id=withdrawal_id, actor=actor, **kwargs)

    monkeypatch.setattr(services, "withdrawal_approve", approve)
    response = operator_client.post(
        QUEUE, {"action": "approve_selected", "_selected_action": [ok.pk, refused.pk, gone.pk]}, follow=True
    )
    texts = _messages(response)
    assert "1 withdrawal(s) approved." in texts
    assert f"No longer pending, skipped: #{gone.pk}." in texts
    assert f"Refused: #{refused.pk} (refused@example.test, 30): The chain is congested." in texts
    assert current(ok).state == TransactionStatus.COMPLETED
    assert current(refused).state == TransactionStatus.PENDING


def test_bulk_reject_asks_for_the_reason_first(operator_client):
    rows = [pending_withdrawal("5"), pending_withdrawal("6")]
    ids = [r.pk for r in rows]
    page = operator_client.post(QUEUE, {"action": "reject_selected", "_selected_action": ids})
    assert page.status_code == 200 and "Reject 2 withdrawals" in page.content.decode()
    operator_client.post(QUEUE, {"action": "reject_selected", "_selected_action": ids, "reason": "limits"})
    assert set(Transaction.objects.with_state().filter(pk__in=ids).values_list("state", flat=True)) == {"canceled"}
    assert _named("withdrawal_reject").count() == 2


def test_the_transactions_list_actions_still_settle_through_the_same_code(operator_client):
    row = pending_withdrawal("40")
    deposit = Transaction.objects.filter(user=row.user, kind="deposit").get()
    response = operator_client.post(
        "/admin/wallets/transaction/",
        {"action": "approve_withdrawals", "_selected_action": [row.pk, deposit.pk]},
        follow=True,
    )
    texts = _messages(response)
    assert "1 selected row(s) are not pending withdrawals: skipped." in texts
    assert "1 withdrawal(s) approved." in texts
