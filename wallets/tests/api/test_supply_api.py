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
