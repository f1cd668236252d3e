"""CSV exports of the console's filtered lists (transactions, the withdrawal queue,
rewards, audit entries): streamed in primary-key chunks, exact values, audited."""

from __future__ import annotations

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR
from tests.console import client_for, pending_withdrawal, seed_roles, staff
from wallets import services
from wallets.models import Transaction

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def operator_client():
    seed_roles()
    return client_for(staff(ROLE_OPERATOR))


def test_the_transactions_export_follows_the_lists_filters_and_is_audited(operator_client):
    row = pending_withdrawal("40.5", email="ada@example.test", display_name="=cmd|' /C calc'!A0")
    data = rows(operator_client.get("/admin/wallets/transaction/export.csv", {"kind__exact": "withdrawal"}))
    assert [r["id"] for r in data] == [str(row.pk)]
    assert data[0]["amount"] == "40.5" and data[0]["member_email"] == "ada@example.test"
    assert data[0]["member_name"].startswith("'=")  # a spreadsheet would have run it
    entry = LogEntry.objects.get(additional_data__action="export_csv")
    assert entry.actor == operator_client.user
    assert entry.additional_data["table"] == "wallets.transaction"
    assert entry.additional_data["query"] == "kind__exact=withdrawal"
    assert entry.content_type.model == "contenttype"


def test_the_list_offers_the_export_of_what_it_shows(operator_client):
    html = operator_client.get("/admin/wallets/transaction/", {"kind__exact": "deposit"}).content.decode()
    assert 'href="/admin/wallets/transaction/export.csv?kind__exact=deposit"' in html


def test_rows_are_read_in_primary_key_chunks(operator_client, monkeypatch):
    for _ in range(5):
        pending_withdrawal("5")
    monkeypatch.setattr(admin.site._registry[Transaction], "export_chunk_size", 4)
    response = operator_client.get("/admin/wallets/transaction/export.csv")
    with CaptureQueriesContext(connection) as queries:
        data = rows(response)
    assert len(data) == Transaction.objects.count() == 10
    chunks = [q["sql"] for q in queries.captured_queries if "LIMIT 4" in q["sql"]]
    assert len(chunks) == 3  # 4 + 4 + 2: one small result per chunk, never the whole table
    assert "`transactions`.`id` > " in chunks[1]
    assert [int(r["id"]) for r in data] == sorted(int(r["id"]) for r in data)


def test_the_withdrawal_queue_exports_pending_withdrawals(operator_client):
    row = pending_withdrawal("12")
    done = pending_withdrawal("7")
    services.withdrawal_approve(withdrawal_id=done.pk, actor=None)  # settled: off the queue
    data = rows(operator_client.get("/admin/wallets/transaction/withdrawals/queue/export.csv"))
    assert [r["id"] for r in data] == [str(row.pk)] and data[0]["destination_address"] == row.destination_address


def test_rewards_export():
    from challenges.services import challenge_close, challenge_judge, rewards_award, submission_review
    from challenges.tests.factories import ChallengeFactory, SubmissionFactory

    seed_roles()
    operator = staff(ROLE_OPERATOR)
    challenge = ChallengeFactory(prize_pool="100", prize_split=["100"])
    submission = SubmissionFactory(challenge=challenge)
    submission_review(reviewer=operator, submission_id=submission.pk, decision="accepted", score="9")
    challenge_close(challenge_id=challenge.pk, actor=operator)
    challenge_judge(challenge_id=challenge.pk, actor=operator)
    rewards_award(challenge_id=challenge.pk, actor=operator)
    data = rows(client_for(operator).get("/admin/challenges/reward/export.csv"))
    assert len(data) == 1 and data[0]["amount"] == "100" and data[0]["member_email"] == submission.user.email


def test_audit_entries_export_names_actions_and_types():
    seed_roles()
    pending_withdrawal("5")
    client = client_for(staff(ROLE_AUDITOR))
    data = rows(client.get("/admin/auditlog/logentry/export.csv", {"type": "wallets.wallet"}))
    assert data and {r["object_type"] for r in data} == {"wallets.wallet"}
    assert {r["action"] for r in data} <= {"create", "update", "delete"}
    assert LogEntry.objects.filter(additional_data__action="export_csv", actor=client.user).exists()


def test_exports_need_the_lists_view_permission():
    seed_roles()
    moderator = client_for(staff(ROLE_MODERATOR))
    assert moderator.get("/admin/wallets/transaction/export.csv").status_code == 403
    assert moderator.get("/admin/auditlog/logentry/export.csv").status_code == 403
    assert (
        client_for(staff(ROLE_AUDITOR)).get("/admin/wallets/transaction/withdrawals/queue/export.csv").status_code
        == 403
    )
