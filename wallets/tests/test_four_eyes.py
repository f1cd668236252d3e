"""Limits and four-eyes (issue #17, part 4): a per-withdrawal maximum and a rolling
24-hour limit per member (overridable per plan), refused on ``amount`` before anything
is held; nobody approves their own withdrawal; above
``OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE`` two different operators' approvals settle it,
the first is recorded and moves nothing; every approval and refusal audited with both
actors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from auditlog.models import LogEntry
from django.utils import timezone

from accounts.tests.factories import UserFactory, step_up
from conftest import make_token_client
from core.exceptions import ApplicationError
from subscriptions import services as subscription_services
from subscriptions.models import Plan
from tests.console import client_for, seed_roles
from wallets import services
from wallets.models import Transaction, Wallet, WithdrawalApproval
from wallets.tests.factories import WalletAddressFactory, current, funded_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.OGC_WITHDRAWAL_MAX = D("1000")
    settings.OGC_WITHDRAWAL_DAILY_MAX = D("1500")
    settings.OGC_WITHDRAWAL_SECOND_APPROVAL_ABOVE = D("500")


def _state(user):
    wallet = Wallet.objects.get(user=user)
    return wallet.available, wallet.held, Transaction.objects.filter(wallet=wallet, kind="withdrawal").count()


def _request(user, amount):
    address = WalletAddressFactory(wallet=user.wallet)
    return services.withdrawal_request(user=user, amount=amount, address_id=address.pk)


def _named(action, row):
    return list(LogEntry.objects.filter(additional_data__action=action, object_pk=str(row.pk)).order_by("pk"))


def _refused(code, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        services.withdrawal_request(**kwargs)
    assert (caught.value.code, caught.value.field, caught.value.status_code) == (code, "amount", 422)
    return caught.value.message


# --- limits ---------------------------------------------------------------------------------


def test_one_withdrawal_over_the_maximum_is_refused_and_nothing_is_held():
    member = funded_user("5000")
    address = WalletAddressFactory(wallet=member.wallet)
    before = _state(member)
    message = _refused("withdrawal_above_max", user=member, amount="1000.01", address_id=address.pk)
    assert message == "One withdrawal can be at most 1,000 OGC."
    assert _state(member) == before
    services.withdrawal_request(user=member, amount="1000", address_id=address.pk)


def test_the_24_hour_limit_counts_pending_and_completed_not_canceled_nor_older():
    member = funded_user("5000")
    address = WalletAddressFactory(wallet=member.wallet)
    first = services.withdrawal_request(user=member, amount="900", address_id=address.pk)
    canceled = services.withdrawal_request(user=member, amount="600", address_id=address.pk)
    services.withdrawal_cancel(user=member, withdrawal_id=canceled.pk)
    before = _state(member)
    message = _refused("withdrawal_daily_limit", user=member, amount="600.5", address_id=address.pk)
    assert message == "You can withdraw at most 1,500 OGC in 24 hours: 600 OGC is left for now."
    assert _state(member) == before
    services.withdrawal_request(user=member, amount="600", address_id=address.pk)  # exactly the limit
    _refused("withdrawal_daily_limit", user=member, amount="1", address_id=address.pk)
    # A day later the first ones no longer count (the clock moves: ledger rows are never updated).
    with time_machine.travel(timezone.now() + timedelta(hours=24, seconds=1), tick=True):
        services.withdrawal_request(user=member, amount="1000", address_id=address.pk)
    assert first.pk


def test_a_plan_sets_its_own_limits():
    plan = Plan.objects.create(code="whale", name="Whale", price=D("0"), withdrawal_max=D("3000"))
    member = funded_user("10000")
    subscription_services.subscription_subscribe(user=member, plan_code=plan.code)
    address = WalletAddressFactory(wallet=member.wallet)
    # Its maximum replaces the platform's; the daily limit it leaves empty stays the platform's.
    assert services.withdrawal_limits_for(user=member) == services.WithdrawalLimits(D("3000"), D("1500"))
    _refused("withdrawal_daily_limit", user=member, amount="2000", address_id=address.pk)
    Plan.objects.filter(pk=plan.pk).update(withdrawal_daily_max=D("5000"))
    services.withdrawal_request(user=member, amount="2000", address_id=address.pk)
    _refused("withdrawal_above_max", user=member, amount="3000.5", address_id=address.pk)
    other = funded_user("5000")  # no plan: the platform's limits
    assert services.withdrawal_limits_for(user=other) == services.WithdrawalLimits(D("1000"), D("1500"))


def test_the_api_refuses_over_the_limit_on_the_amount_field():
    member = funded_user("5000")
    address = WalletAddressFactory(wallet=member.wallet)
    before = _state(member)
    response = make_token_client(member).post(
        "/api/v1/wallet/withdrawals/",
        {"amount": "1200", "address_id": address.pk, **step_up(member)},
        format="json",
        HTTP_IDEMPOTENCY_KEY="big-1",
    )
    body = response.json()
    assert (response.status_code, body["code"], list(body["fields"])) == (422, "withdrawal_above_max", ["amount"])
    assert _state(member) == before


# --- four-eyes ------------------------------------------------------------------------------


def test_a_small_withdrawal_settles_on_one_approval_recorded_with_both_actors():
    member = funded_user("1000", email="ada@example.test")
    operator = UserFactory(roles=["operator"], email="olga@example.test")
    row = services.withdrawal_approve(withdrawal_id=_request(member, "500").pk, actor=operator)
    assert current(row).state == "completed"
    assert list(WithdrawalApproval.objects.values_list("withdrawal_id", "operator_id")) == [(row.pk, operator.pk)]
    (given,) = _named("withdrawal_approval_given", row)
    assert given.actor == operator
    assert given.additional_data["requested_by"] == "ada@example.test"
    assert (given.additional_data["approval"], given.additional_data["approvals_needed"]) == (1, 1)


def test_above_the_threshold_two_different_operators_settle_it():
    member = funded_user("1000", email="ada@example.test")
    first, second = UserFactory(roles=["operator"]), UserFactory(roles=["operator"])
    row = _request(member, "500.01")
    held = _state(member)

    after_first = services.withdrawal_approve(withdrawal_id=row.pk, actor=first)
    assert current(after_first).state == "pending"  # recorded, nothing moved
    assert _state(member) == held and not _named("withdrawal_approve", row)

    with pytest.raises(ApplicationError) as twice:
        services.withdrawal_approve(withdrawal_id=row.pk, actor=first)
    assert (twice.value.code, twice.value.status_code) == ("approval_already_given", 409)
    assert _state(member) == held and WithdrawalApproval.objects.filter(withdrawal=row).count() == 1

    settled = services.withdrawal_approve(withdrawal_id=row.pk, actor=second, external_reference="0xsent")
    assert current(settled).state == "completed"
    assert _state(member) == (D("499.99"), D("0"), 1)
    given = _named("withdrawal_approval_given", row)
    assert [(e.actor, e.additional_data["approval"]) for e in given] == [(first, 1), (second, 2)]
    (refused,) = _named("withdrawal_approval_refused", row)
    assert refused.actor == first and refused.additional_data["refused"] == "approval_already_given"
    assert refused.additional_data["requested_by"] == "ada@example.test"
    assert len(_named("withdrawal_approve", row)) == 1


def test_nobody_approves_their_own_withdrawal_and_the_refusal_is_audited():
    operator = funded_user("100", roles=["operator"], email="self@example.test")
    row = _request(operator, "10")
    before = _state(operator)
    response = make_token_client(operator).post(f"/api/v1/ops/withdrawals/{row.pk}/approve/", {}, format="json")
    body = response.json()
    assert (response.status_code, body["code"]) == (403, "approval_own_request")
    assert "another operator" in body["detail"]
    assert _state(operator) == before and not WithdrawalApproval.objects.exists()
    (refused,) = _named("withdrawal_approval_refused", row)
    assert refused.actor == operator and refused.additional_data["requested_by_id"] == operator.pk


def test_the_api_returns_the_approval_state():
    member = funded_user("1000")
    first, second = UserFactory(roles=["operator"]), UserFactory(roles=["operator"])
    row = _request(member, "800")
    one = make_token_client(first).post(f"/api/v1/ops/withdrawals/{row.pk}/approve/", {}, format="json")
    assert one.status_code == 200
    assert (one.json()["status"], one.json()["approvals"], one.json()["approvals_needed"]) == ("pending", 1, 2)
    listed = make_token_client(first).get("/api/v1/ops/withdrawals/", {"status": "pending"}).json()["results"]
    assert [(w["id"], w["approvals"], w["approvals_needed"]) for w in listed] == [(row.pk, 1, 2)]
    again = make_token_client(first).post(f"/api/v1/ops/withdrawals/{row.pk}/approve/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "approval_already_given")
    two = make_token_client(second).post(f"/api/v1/ops/withdrawals/{row.pk}/approve/", {}, format="json")
    assert (two.status_code, two.json()["status"], two.json()["approvals"]) == (200, "completed", 2)


def test_the_queue_shows_1_of_2_and_the_second_operator_sends_it():
    seed_roles()
    member = funded_user("1000", email="payee@example.test")
    row = _request(member, "800")
    first = client_for(UserFactory(roles=["operator"], is_staff=True))
    second = client_for(UserFactory(roles=["operator"], is_staff=True))
    queue = "/admin/wallets/transaction/withdrawals/queue/"
    approve = f"/admin/wallets/transaction/withdrawals/{row.pk}/approve/"
    assert "0 of 2 approvals" in first.get(queue).content.decode()

    page = first.post(approve, follow=True).content.decode()
    assert "your approval is recorded (1 of 2 approvals)" in page
    assert "1 of 2 approvals" in first.get(queue).content.decode()
    page = first.post(approve, follow=True).content.decode()
    assert "You have already approved this withdrawal" in page
    assert len(_named("withdrawal_approval_refused", row)) == 1  # audited although the action rolled back
    assert current(row).state == "pending"

    page = second.post(approve, follow=True).content.decode()
    assert f"Withdrawal #{row.pk} approved" in page
    assert current(row).state == "completed"
