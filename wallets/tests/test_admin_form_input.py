"""The operator's deposit/adjustment forms answer a tampered hidden token with a form
error, not a 500 (the token becomes part of the ledger row's idempotency key)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import StaffFactory, UserFactory
from core.permissions import ROLE_OPERATOR
from wallets.models import Transaction

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name,extra",
    [
        ("admin:wallets_transaction_deposit", {"reference": "ref-long-token"}),
        ("admin:wallets_transaction_adjust", {"direction": "credit"}),
    ],
)
def test_an_oversized_form_token_is_a_form_error(name, extra):
    call_command("seed", "--no-admin", stdout=io.StringIO())
    client = Client()
    client.force_login(StaffFactory(roles=[ROLE_OPERATOR]))
    target = UserFactory()

    response = client.post(
        reverse(name), {"member": target.pk, "amount": "5", "token": "t" * 300, "reason": "support", **extra}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Transaction.objects.filter(wallet__user=target).exists()
