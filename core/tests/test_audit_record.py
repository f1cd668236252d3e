"""core.audit.audit_record: the one writer of named entries (action, actor, address, cid)."""

from decimal import Decimal

import pytest
from auditlog.context import set_extra_data
from auditlog.models import LogEntry

from accounts.tests.factories import StaffFactory, UserFactory
from core.audit import AuditAction, audit_record, command_context
from core.middleware import reset_request_id, set_request_id

pytestmark = pytest.mark.django_db


def test_entry_names_the_action_with_actor_address_cid_and_details():
    staff = StaffFactory()
    target = UserFactory()
    token = set_request_id("req-abc")
    try:
        with set_extra_data(context_data={"actor": None, "remote_addr": "203.0.113.7", "remote_port": None}):
            entry = audit_record(
                action=AuditAction.WITHDRAWAL_APPROVE, instance=target, actor=staff, data={"amount": Decimal("1.50")}
            )
    finally:
        reset_request_id(token)

    entry.refresh_from_db()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.object_pk == str(target.pk)
    assert entry.actor == staff
    assert entry.remote_addr == "203.0.113.7"
    assert entry.cid == "req-abc"
    assert entry.additional_data == {"action": "withdrawal_approve", "amount": "1.50"}
    assert entry.changes_text == "action: withdrawal_approve"


def test_actor_comes_from_the_context_when_the_service_does_not_know_it():
    staff = StaffFactory()
    with command_context("close_proposals", actor=staff) as cid:
        entry = audit_record(action=AuditAction.PROPOSAL_CLOSE, instance=UserFactory())
    entry.refresh_from_db()
    assert (entry.actor, entry.cid) == (staff, cid)


def test_unknown_action_name_is_refused_and_writes_nothing():
    user = UserFactory()
    before = LogEntry.objects.count()
    with pytest.raises(ValueError):
        audit_record(action="approve_everything", instance=user)  # type: ignore[arg-type]
    assert LogEntry.objects.count() == before
