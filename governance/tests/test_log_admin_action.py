"""core.audit.log_admin_action: one entry naming the action, with actor, address and cid."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory

from accounts.tests.factories import StaffFactory, UserFactory
from core.audit import log_admin_action
from core.middleware import reset_request_id, set_request_id

pytestmark = pytest.mark.django_db


def test_entry_names_the_action_with_actor_address_cid_and_details():
    staff = StaffFactory()
    target = UserFactory()
    request = RequestFactory().post("/admin/x/", REMOTE_ADDR="203.0.113.7")
    request.user = staff
    token = set_request_id("req-abc")
    try:
        entry = log_admin_action(
            request=request, obj=target, action="approve_withdrawal", details={"amount": Decimal("1.50")}
        )
    finally:
        reset_request_id(token)

    entry.refresh_from_db()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.object_pk == str(target.pk)
    assert entry.actor == staff
    assert entry.remote_addr == "203.0.113.7"
    assert entry.cid == "req-abc"
    assert entry.additional_data == {"admin_action": "approve_withdrawal", "amount": "1.50"}


def test_empty_action_name_is_refused():
    request = RequestFactory().post("/admin/x/")
    request.user = StaffFactory()
    with pytest.raises(ValueError):
        log_admin_action(request=request, obj=request.user, action="")
