"""GET /api/v1/ops/supply/: the supply report for auditors and operators."""

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory, UserFactory
from conftest import make_token_client
from core.permissions import ROLE_AUDITOR, ROLE_MEMBER, ROLE_OPERATOR
from wallets import services
from wallets.tests.factories import WalletAddressFactory, funded_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/ops/supply/"


def test_auditors_and_operators_read_it_members_do_not():
    assert make_token_client(StaffFactory(roles=[ROLE_OPERATOR])).get(URL).status_code == 200
    assert make_token_client(UserFactory(roles=[ROLE_MEMBER])).get(URL).status_code == 403
    assert Client().get(URL).status_code in (401, 403)


def test_the_supply_in_signed_decimal_strings():
    operator = StaffFactory(roles=[ROLE_OPERATOR])
    user = funded_user("10")
    services.reward_credit(user=user, amount="15")
    address = WalletAddressFactory(wallet=user.wallet)
    row = services.withdrawal_request(user=user, amount="20", address_id=address.pk)
    services.withdrawal_approve(withdrawal_id=row.pk, actor=operator)
    body = make_token_client(StaffFactory(roles=[ROLE_AUDITOR])).get(URL).json()
    months = body.pop("revenue_by_month")
    assert len(months) == 12 and all(m["revenue"] == "0.000000000000000000" for m in months)
    assert body == {
        "total": "5.000000000000000000",
        "issued": "15.000000000000000000",
        "external": "-10.000000000000000000",  # more left for the chain than came from it
        "available": "5.000000000000000000",
        "staked": "0.000000000000000000",
        "held": "0.000000000000000000",
        "escrowed": "0.000000000000000000",
        "revenue": "0.000000000000000000",
        "gap": "0.000000000000000000",
    }


def test_revenue_by_month_counts_payments_in_their_utc_month_and_lists_empty_months():
    from datetime import UTC, date, datetime

    from wallets.models import JournalEntry
    from wallets.selectors import revenue_by_month

    user = funded_user("100")
    march = services.payment_debit(user=user, amount="7", memo="plan")
    services.payment_debit(user=user, amount="3", memo="fee")
    # The journal's rows cannot be moved in time (triggers refuse UPDATEs): read the
    # months as of the payment's own "now", and as of a year long before it.
    now = JournalEntry.objects.get(transaction=march).created_at
    months = revenue_by_month(months=3, now=now)
    this_month = now.astimezone(UTC).date().replace(day=1)
    assert [m for m, _ in months][-1] == this_month and len(months) == 3
    assert months[-1][1] == 10 and months[0][1] == 0 and months[1][1] == 0
    assert revenue_by_month(months=1, now=datetime(2001, 1, 15, tzinfo=UTC)) == [(date(2001, 1, 1), 0)]
    body = make_token_client(StaffFactory(roles=[ROLE_AUDITOR])).get(URL).json()
    assert body["revenue_by_month"][-1] == {"month": f"{this_month:%Y-%m}", "revenue": "10.000000000000000000"}
