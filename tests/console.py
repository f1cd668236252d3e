"""Helpers of the operator-console tests: role accounts with the seeded permissions,
logged-in clients, a little data in every state the console shows."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import StaffFactory, SuperuserFactory
from core.permissions import ROLE_AUDITOR, ROLE_MODERATOR, ROLE_OPERATOR

ROLES = (ROLE_OPERATOR, ROLE_MODERATOR, ROLE_AUDITOR)
#: Every dashboard tile: what operators, auditors and superusers see.
ALL_TILES = {
    "Withdrawals awaiting approval",
    "Token supply",
    "Submissions awaiting review",
    "Proposals closing within 24 h",
    "Subscriptions past due",
    "Notification deliveries stuck",
    "Last verify_ledger",
    "Last check_integrity",
}
#: A moderator's tiles.
MODERATOR_TILES = {"Submissions awaiting review", "Proposals closing within 24 h"}


def seed_roles() -> None:
    """The role groups with their permissions (``manage.py seed``)."""
    call_command("seed", "--no-admin", stdout=io.StringIO())


def staff(role: str | None, **kwargs):
    """A staff account holding ``role`` (None: a superuser)."""
    if role is None:
        return SuperuserFactory(**kwargs)
    return StaffFactory(roles=[role], **kwargs)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


def pending_withdrawal(amount: str = "40", funded: str = "100", **user_kwargs):
    """A member with a registered address and a pending withdrawal of ``amount``."""
    from wallets.services import withdrawal_request
    from wallets.tests.factories import WalletAddressFactory, funded_user

    member = funded_user(funded, **user_kwargs)
    address = WalletAddressFactory(wallet=member.wallet, chain="polygon")
    return withdrawal_request(user=member, amount=Decimal(amount), address_id=address.pk)
